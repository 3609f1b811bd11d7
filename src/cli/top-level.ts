/**
 * The last catch of bin/run.js and bin/dev.js: whatever a command did not handle
 * itself (an unknown command, a usage error oclif raised before the command ran, a
 * bug) ends here, rendered by the one error renderer as one line and an exit code.
 * oclif's own handler would print the help, a stack, or look the header up as a
 * command ("Command include/a.h not found").
 */
import {renderError} from './render.js'
import {usageErrorFromOclif} from './usage.js'

/** oclif's ExitError: a command that already printed what it had to and chose its exit code. */
function exitCodeOf(error: unknown): number | undefined {
  const e = error as {message?: unknown; oclif?: {exit?: unknown}}
  return typeof e?.message === 'string' && e.message.startsWith('EEXIT:') && typeof e.oclif?.exit === 'number' ? e.oclif.exit : undefined
}

export function handleCliError(error: unknown, argv: string[], isCommand?: (id: string) => boolean): void {
  const exit = exitCodeOf(error)
  if (exit !== undefined) {
    process.exitCode = exit
    return
  }
  const json = argv.includes('--json')
  const rendered = renderError(usageErrorFromOclif(error, undefined, 'headerkit', isCommand) ?? error, json)
  process.stdout.write(rendered.stdout)
  process.stderr.write(rendered.stderr)
  process.exitCode = rendered.exitCode
}
