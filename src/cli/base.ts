/**
 * The base of every command: --json, and errors rendered by the one function that
 * renders them (render.ts), with its exit code.
 */
import {Command, Errors} from '@oclif/core'
import {renderError, tolerateClosedOutput} from './render.js'
import {booleanFlagWithValue, usageErrorFromOclif} from './usage.js'

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  override async init(): Promise<void> {
    tolerateClosedOutput()
    await super.init()
    const flags = {json: {type: 'boolean'}, ...(this.constructor as typeof BaseCommand).flags}
    const refused = booleanFlagWithValue(this.argv, flags, this.config.bin)
    if (refused) throw refused
  }

  /** Plain lines for humans; suppressed under --json (oclif prints the result). */
  protected say(line = ''): void {
    if (!this.jsonEnabled()) process.stdout.write(`${line}\n`)
  }

  /** Warnings go to stderr in both modes, so --json output stays parseable. */
  protected warnLine(message: string): void {
    process.stderr.write(`Warning: ${message}\n`)
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- oclif's signature; this.exit throws
  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    // oclif's own parse errors (unknown flag, missing value) become one usage line, exit 2.
    const rendered = renderError(usageErrorFromOclif(error, this.id, this.config.bin) ?? error, this.jsonEnabled())
    process.stdout.write(rendered.stdout)
    process.stderr.write(rendered.stderr)
    return this.exit(rendered.exitCode)
  }
}
