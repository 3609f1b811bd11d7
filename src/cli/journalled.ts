/**
 * A fast-path command recorded for the no-op journal (src/journal/journal.ts): generation
 * and `cache populate` run through here. What the run printed is what it wrote to stdout
 * and stderr, in order (populate prints as its jobs go), so the writes are copied.
 */
import {beginJournal, currentDir, type Printed} from '../journal/journal.js'
import {type FlagValues, type ManifestFlag, runFast} from './fast.js'

/** A command's body as runFast takes it, given the environment to read, and saying whether it changed anything. */
export type JournalledBody = (positionals: string[], values: FlagValues, json: boolean, env: NodeJS.ProcessEnv | undefined) => Promise<{value: unknown; exitCode: number; changedNothing?: boolean}>

/**
 * runFast, recorded: a run that exits 0 having changed nothing is journalled, any other
 * removes the command's journal. `tool` is the bundle running it (another build is
 * another command).
 */
export async function runJournalled(body: JournalledBody, argv: string[], flags: Record<string, ManifestFlag>, tool: string): Promise<number | undefined> {
  // The command as typed is what the next run's replay (noop.ts) looks up.
  const journal = beginJournal(process.argv.slice(2), currentDir(), process.env, tool)
  const printed = journal ? captureOutput() : undefined
  let changedNothing = false
  try {
    const exitCode = await runFast(
      async (positionals, values, json) => {
        const outcome = await body(positionals, values, json, journal?.env)
        changedNothing = outcome.changedNothing === true
        return outcome
      },
      argv,
      flags,
    )
    const output = printed?.stop()
    if (exitCode === 0 && output) journal?.finish(output, changedNothing)
    return exitCode
  } finally {
    printed?.stop()
    journal?.abandon()
  }
}

/**
 * Keeps a copy of what this process writes to stdout and stderr from now on, for a command
 * that prints as it goes (populate's progress): stop() restores the streams and returns it.
 */
function captureOutput(): {stop(): Printed} {
  const kept: Printed = []
  const restores = (['stdout', 'stderr'] as const).map((name) => {
    const stream = process[name]
    const own = Object.getOwnPropertyDescriptor(stream, 'write')
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      kept.push([name === 'stdout' ? 1 : 2, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')])
      return write(chunk, ...rest)
    })
    return () => {
      if (own) Object.defineProperty(stream, 'write', own)
      else delete (stream as {write?: unknown}).write
    }
  })
  return {
    stop() {
      for (const restore of restores) restore()
      return kept
    },
  }
}
