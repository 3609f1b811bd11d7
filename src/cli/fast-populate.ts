/** `cache populate` without oclif (fast-populate.cjs's entry; see fast.ts), recorded for the no-op journal. */
import {fileURLToPath} from 'node:url'
import type {ManifestFlag} from './fast.js'
import {runJournalled} from './journalled.js'
import {executePopulate} from './populate-run.js'

export function fastCommand(argv: string[], flags: Record<string, ManifestFlag>): Promise<number | undefined> {
  return runJournalled((positionals, values, json, env) => executePopulate(positionals, values, json, env), argv, flags, fileURLToPath(import.meta.url))
}
