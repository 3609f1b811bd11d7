/**
 * Commands without oclif. Loading the oclif bundle costs more than a whole warm cache hit
 * (bench/README.md), so bin/run.js sends generation (fast-generate.ts) and `cache
 * populate` (fast-populate.ts) here first, each bundled alone so that a warm generation
 * does not load populate's code. The
 * flags are not defined twice: they are read from the generated oclif manifest (the
 * command's own flags), and the bodies are the ones oclif runs (generate-run.ts,
 * populate-run.ts). Whatever this parser cannot decide exactly as oclif would (--help,
 * malformed or ambiguous arguments, exclusive or repeated flags, a value outside a flag's
 * options) returns undefined, and bin/run.js hands the arguments to oclif, so users see
 * oclif's messages and usage exit codes.
 */
import {parseArgs} from 'node:util'
import {jsonText, renderError, tolerateClosedOutput} from './render.js'

export interface ManifestFlag {
  name: string
  type: 'option' | 'boolean'
  char?: string
  multiple?: boolean
  exclusive?: string[]
  allowNo?: boolean
  options?: string[]
}

type ParseOptions = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>
export type FlagValues = Record<string, string | boolean | Array<string | boolean> | undefined>

/** argv read with a command's manifest flags, as oclif reads it; undefined when only oclif can say. */
export function parseManifestArgs(argv: string[], flags: Record<string, ManifestFlag>): {positionals: string[]; values: FlagValues} | undefined {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--')) return undefined
  const options: ParseOptions = {}
  for (const f of Object.values(flags)) {
    options[f.name] = {type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.char ? {short: f.char} : {}), ...(f.multiple ? {multiple: true} : {})}
    if (f.allowNo) options[`no-${f.name}`] = {type: 'boolean'}
  }
  let parsed
  try {
    parsed = parseArgs({args: argv, options, allowPositionals: true, strict: true, tokens: true})
  } catch {
    return undefined
  }
  const given = new Map<string, number>()
  for (const token of parsed.tokens) if (token.kind === 'option') given.set(token.name, (given.get(token.name) ?? 0) + 1)
  const values: FlagValues = {...parsed.values}
  for (const f of Object.values(flags)) {
    const count = (given.get(f.name) ?? 0) + (f.allowNo ? (given.get(`no-${f.name}`) ?? 0) : 0)
    if (count === 0) continue
    if (!f.multiple && count > 1) return undefined
    if (f.exclusive?.some((other) => given.has(other))) return undefined
    if (f.options && ![values[f.name]].flat().every((v) => typeof v === 'string' && f.options!.includes(v))) return undefined
    if (f.allowNo && given.has(`no-${f.name}`)) {
      delete values[`no-${f.name}`]
      values[f.name] = false
    }
  }
  return {positionals: parsed.positionals, values}
}

/** A command's body: positionals and flags in; the --json value and the exit code out. */
export type FastBody = (positionals: string[], values: FlagValues, json: boolean) => Promise<{value: unknown; exitCode: number}>

/** Runs a command body without oclif: its exit code, or undefined to hand the arguments to oclif. */
export async function runFast(body: FastBody, argv: string[], flags: Record<string, ManifestFlag>): Promise<number | undefined> {
  const parsed = parseManifestArgs(argv, flags)
  if (!parsed) return undefined
  tolerateClosedOutput()
  const json = parsed.values.json === true
  try {
    const {value, exitCode} = await body(parsed.positionals, parsed.values, json)
    if (json && value !== undefined) process.stdout.write(jsonText(value))
    return exitCode
  } catch (error) {
    const rendered = renderError(error, json)
    process.stdout.write(rendered.stdout)
    process.stderr.write(rendered.stderr)
    return rendered.exitCode
  }
}
