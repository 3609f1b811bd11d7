/** Generation without oclif (fast.cjs's entry; see fast.ts). */
import {type ManifestFlag, runFast} from './fast.js'
import {executeGenerate} from './generate-run.js'

export function fastCommand(argv: string[], flags: Record<string, ManifestFlag>): Promise<number | undefined> {
  return runFast(async (positionals, values, json) => ({value: await executeGenerate(positionals, values, json), exitCode: 0}), argv, flags)
}
