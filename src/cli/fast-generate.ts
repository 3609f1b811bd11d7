/** Generation without oclif (fast.cjs's entry; see fast.ts), recorded for the no-op journal. */
import {fileURLToPath} from 'node:url'
import {beginJournal, currentDir, type Printed} from '../journal/journal.js'
import {type ManifestFlag, runFast} from './fast.js'
import {runGenerate} from './generate-run.js'
import {jsonText} from './render.js'

export async function fastCommand(argv: string[], flags: Record<string, ManifestFlag>): Promise<number | undefined> {
  // The command as typed is what the next run's replay (noop.ts) looks up.
  const journal = beginJournal(process.argv.slice(2), currentDir(), process.env, fileURLToPath(import.meta.url))
  try {
    const exitCode = await runFast(
      async (positionals, values, json) => {
        const outcome = await runGenerate(positionals, values, json, {env: journal?.env})
        if (outcome.stdout) process.stdout.write(outcome.stdout)
        if (outcome.stderr) process.stderr.write(outcome.stderr)
        // In the order this body and runFast print them: with --json, warnings come first.
        const printed: Printed = json ? [[2, outcome.stderr], [1, jsonText(outcome.value)]] : [[1, outcome.stdout], [2, outcome.stderr]]
        journal?.finish(printed.filter(([, text]) => text !== ''), outcome.changedNothing)
        return {value: outcome.value, exitCode: 0}
      },
      argv,
      flags,
    )
    return exitCode
  } finally {
    journal?.abandon()
  }
}
