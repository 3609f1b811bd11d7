/** `cache populate` without oclif (fast-populate.cjs's entry; see fast.ts), recorded for the no-op journal. */
import {fileURLToPath} from 'node:url'
import {beginJournal, currentDir} from '../journal/journal.js'
import {captureOutput} from './capture-output.js'
import {type ManifestFlag, runFast} from './fast.js'
import {executePopulate} from './populate-run.js'

export async function fastCommand(argv: string[], flags: Record<string, ManifestFlag>): Promise<number | undefined> {
  // The command as typed is what the next run's replay (noop.ts) looks up.
  const journal = beginJournal(process.argv.slice(2), currentDir(), process.env, fileURLToPath(import.meta.url))
  // Progress is printed as the jobs go: what the run printed is what it wrote.
  const printed = journal ? captureOutput() : undefined
  let changedNothing = false
  try {
    const exitCode = await runFast(
      async (positionals, values, json) => {
        const outcome = await executePopulate(positionals, values, json, journal?.env)
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
