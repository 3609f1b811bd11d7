/**
 * The root command without oclif. Loading @oclif/core alone costs more than a whole
 * warm cache hit (bench/README.md), so bin/run.js sends generation here first. The
 * flags are not defined twice: they are read from the generated oclif manifest (the
 * Generate command's own flags), and the body is the one oclif runs
 * (generate-run.ts). Whatever this parser cannot decide exactly as oclif would
 * (--help, malformed or ambiguous arguments, exclusive or repeated flags) returns
 * undefined, and bin/run.js hands the arguments to oclif, so users see oclif's
 * messages and usage exit codes.
 */
import {parseArgs} from 'node:util'
import {executeGenerate} from './generate-run.js'
import {jsonText, renderError} from './render.js'

export interface ManifestFlag {
  name: string
  type: 'option' | 'boolean'
  char?: string
  multiple?: boolean
  exclusive?: string[]
  allowNo?: boolean
  options?: string[]
}

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options']

export async function fastGenerate(argv: string[], flags: Record<string, ManifestFlag>): Promise<number | undefined> {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--')) return undefined
  const options: NonNullable<ParseOptions> = {}
  for (const f of Object.values(flags)) {
    if (f.allowNo || f.options) return undefined
    options[f.name] = {type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.char ? {short: f.char} : {}), ...(f.multiple ? {multiple: true} : {})}
  }
  let parsed
  try {
    parsed = parseArgs({args: argv, options, allowPositionals: true, strict: true, tokens: true})
  } catch {
    return undefined
  }
  const given = new Map<string, number>()
  for (const token of parsed.tokens) if (token.kind === 'option') given.set(token.name, (given.get(token.name) ?? 0) + 1)
  for (const f of Object.values(flags)) {
    if (!given.has(f.name)) continue
    if (!f.multiple && given.get(f.name)! > 1) return undefined
    if (f.exclusive?.some((other) => given.has(other))) return undefined
  }
  const json = parsed.values.json === true
  try {
    const result = await executeGenerate(parsed.positionals, parsed.values, json)
    if (json) process.stdout.write(jsonText(result))
    return 0
  } catch (error) {
    const rendered = renderError(error, json)
    process.stdout.write(rendered.stdout)
    process.stderr.write(rendered.stderr)
    return rendered.exitCode
  }
}
