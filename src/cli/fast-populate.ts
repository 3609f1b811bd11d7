/** `cache populate` without oclif (fast-populate.cjs's entry; see fast.ts). */
import {type ManifestFlag, runFast} from './fast.js'
import {executePopulate} from './populate-run.js'

export function fastCommand(argv: string[], flags: Record<string, ManifestFlag>): Promise<number | undefined> {
  return runFast((positionals, values, json) => executePopulate(positionals, values, json), argv, flags)
}
