/** Generation without oclif (fast.cjs's entry; see fast.ts), recorded for the no-op journal. */
import {fileURLToPath} from 'node:url'
import type {ManifestFlag} from './fast.js'
import {executeGenerate} from './generate-run.js'
import {runJournalled} from './journalled.js'

export function fastCommand(argv: string[], flags: Record<string, ManifestFlag>): Promise<number | undefined> {
  return runJournalled(
    async (positionals, values, json, env) => {
      const {value, changedNothing} = await executeGenerate(positionals, values, json, env)
      return {value, exitCode: 0, changedNothing}
    },
    argv,
    flags,
    fileURLToPath(import.meta.url),
  )
}
