/**
 * Options that are lists of regular expressions, shared by the writers that filter
 * declarations. Kept apart from options.ts, which imports the registry (and so every
 * writer): writers import this module without a cycle.
 */
import type {Header} from '../ir/types.js'
import {WriterOptionError, type OptionSpec, type ResolvedOptions} from './types.js'

/** The `exclude_patterns` option, as every writer that filters declarations declares it. */
export const EXCLUDE_PATTERNS_OPTION: OptionSpec = {type: 'string-list', default: [], description: 'regular expressions; declarations whose name matches any of them are left out'}

/** A string-list option of regular expressions, compiled; a bad one names the writer, the option and the pattern. */
export function compilePatterns(writer: string, option: string, patterns: string[] | undefined): RegExp[] {
  return (patterns ?? []).map((p) => {
    try {
      return new RegExp(p)
    } catch (error) {
      throw new WriterOptionError(`${writer} writer option '${option}': invalid regular expression ${JSON.stringify(p)} (${(error as Error).message})`)
    }
  })
}

/** The IR without the declarations the writer's `exclude_patterns` option names (a search: any match excludes). */
export function applyExcludes(writer: string, ir: Header, options: ResolvedOptions): Header {
  const exclude = compilePatterns(writer, 'exclude_patterns', options.exclude_patterns as string[] | undefined)
  if (exclude.length === 0) return ir
  return {...ir, declarations: ir.declarations.filter((d) => !(d.name && exclude.some((re) => re.test(d.name!))))}
}
