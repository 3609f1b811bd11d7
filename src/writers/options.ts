/**
 * Writer options from every source, made typed and canonical. The original passed
 * CLI values as strings (a one-element list collapsed into a string, B-OPT-1) and
 * stringified config values (B-OPT-2), so the same logical options hashed three ways
 * (B-KEY-7). Here each source is converted with the writer's schema into one typed
 * value, defaults are applied, and the result's canonical JSON is the cache key part:
 * `{}` and `{indent: 2}` for the json writer are the same options and the same key.
 *
 * Precedence, per key (a later layer replaces the whole value, lists are not merged):
 * config `[writer.NAME]` < per-header override < `--writer-opt` flags < API values.
 */
import {headerFromJson, headerToJson} from '../ir/json.js'
import {canonicalJson} from '../util/canonical-json.js'
import {getWriter} from './registry.js'
import {WriterOptionError, type OptionSpec, type OptionValue, type ResolvedOptions, type Writer} from './types.js'

export interface WriterOptFlag {
  writer: string
  key: string
  value: string
}

/**
 * Splits `WRITER:KEY=VALUE` at the first `:` and then the first `=`, with the
 * original's messages for the two malformed shapes (reference 1.2.1 step 6).
 */
export function parseWriterOptFlag(item: string): WriterOptFlag {
  const colon = item.indexOf(':')
  if (colon < 0) throw new WriterOptionError(`unscoped --writer-opt: '${item}'; use WRITER:KEY=VALUE format`)
  const rest = item.slice(colon + 1)
  const eq = rest.indexOf('=')
  if (eq < 0) throw new WriterOptionError(`malformed --writer-opt: '${item}'; expected WRITER:KEY=VALUE`)
  const writer = item.slice(0, colon)
  const key = rest.slice(0, eq)
  if (!writer || !key) throw new WriterOptionError(`malformed --writer-opt: '${item}'; expected WRITER:KEY=VALUE`)
  return {writer, key, value: rest.slice(eq + 1)}
}

export interface OptionSources {
  /** `[writer.NAME]` from the config file: TOML-typed values. */
  config?: Record<string, unknown>
  /** The per-header override's options for this writer: TOML-typed values. */
  override?: Record<string, unknown>
  /** `--writer-opt` flags: parsed flags or raw `WRITER:KEY=VALUE` strings; those for other writers are ignored. */
  flags?: readonly (WriterOptFlag | string)[]
  /** Library callers: typed values. */
  api?: Record<string, unknown>
}

function typeName(spec: OptionSpec): string {
  if (spec.type === 'enum') return `one of ${(spec.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`
  if (spec.type === 'ir') return 'an IR (Header object or path to a JSON IR file)'
  if (spec.type === 'string-list') return 'a list of strings'
  return spec.type === 'integer' ? 'an integer' : `a ${spec.type}`
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`
  if (value && typeof value === 'object') return 'an object'
  return String(value)
}

function wrongType(writer: string, key: string, spec: OptionSpec, value: unknown, source: string): WriterOptionError {
  return new WriterOptionError(`${writer} writer option '${key}' (from ${source}) must be ${typeName(spec)}, got ${show(value)}`)
}

/** A typed value (API, config) checked against the spec; a single string for a list option is a one-element list. */
function fromTyped(writer: string, key: string, spec: OptionSpec, value: unknown, source: string): OptionValue {
  switch (spec.type) {
    case 'string':
      if (typeof value === 'string') return value
      break
    case 'boolean':
      if (typeof value === 'boolean') return value
      break
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return checkRange(writer, key, spec, value, source)
      break
    case 'string-list':
      if (typeof value === 'string') return [value]
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...value] as string[]
      break
    case 'enum':
      if (typeof value === 'string' && (spec.values ?? []).includes(value)) return value
      break
    case 'ir':
      if (typeof value === 'string' && value.length > 0) return value
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        try {
          return headerFromJson(value)
        } catch (error) {
          throw new WriterOptionError(`${writer} writer option '${key}' (from ${source}) is not a valid IR: ${(error as Error).message}`)
        }
      }
      break
  }
  throw wrongType(writer, key, spec, value, source)
}

function checkRange(writer: string, key: string, spec: OptionSpec, value: number, source: string): number {
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    const range = spec.max === undefined ? `>= ${spec.min}` : spec.min === undefined ? `<= ${spec.max}` : `${spec.min}..${spec.max}`
    throw new WriterOptionError(`${writer} writer option '${key}' (from ${source}) must be an integer ${range}, got ${value}`)
  }
  return value
}

const TRUE = new Set(['true', '1', 'yes', 'on'])
const FALSE = new Set(['false', '0', 'no', 'off'])

/** Flag values are text: each occurrence of a list option is one element; other types take exactly one occurrence. */
function fromFlags(writer: string, key: string, spec: OptionSpec, values: string[]): OptionValue {
  const source = '--writer-opt'
  if (spec.type === 'string-list') return values
  if (values.length > 1) throw new WriterOptionError(`${writer} writer option '${key}' (from --writer-opt) was given ${values.length} times but takes one value`)
  const text = values[0]!
  switch (spec.type) {
    case 'boolean': {
      const lower = text.toLowerCase()
      if (TRUE.has(lower)) return true
      if (FALSE.has(lower)) return false
      break
    }
    case 'integer':
      if (/^[+-]?\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text))) return checkRange(writer, key, spec, Number(text), source)
      break
    default:
      return fromTyped(writer, key, spec, text, source)
  }
  throw wrongType(writer, key, spec, text, source)
}

function unknownOption(writer: Writer, key: string, source: string): WriterOptionError {
  const known = Object.keys(writer.options).sort()
  return new WriterOptionError(
    `unknown option '${key}' for the ${writer.name} writer (from ${source})`,
    known.length > 0 ? `known options: ${known.join(', ')}` : `the ${writer.name} writer takes no options`,
  )
}

/**
 * Validated, typed options for `writer` from all sources, defaults applied.
 * Throws WriterOptionError naming the writer, the option and the source.
 */
export function resolveWriterOptions(writer: Writer | string, sources: OptionSources = {}): ResolvedOptions {
  const w = typeof writer === 'string' ? getWriter(writer) : writer
  const out: ResolvedOptions = {}
  for (const [key, spec] of Object.entries(w.options)) if (spec.default !== undefined) out[key] = cloneValue(spec.default)

  const typedLayer = (values: Record<string, unknown> | undefined, source: string): void => {
    for (const [key, value] of Object.entries(values ?? {})) {
      const spec = w.options[key]
      if (!spec) throw unknownOption(w, key, source)
      if (value === undefined || value === null) continue
      out[key] = fromTyped(w.name, key, spec, value, source)
    }
  }
  typedLayer(sources.config, `config [writer.${w.name}]`)
  typedLayer(sources.override, 'per-header override')

  const grouped = new Map<string, string[]>()
  for (const raw of sources.flags ?? []) {
    const flag = typeof raw === 'string' ? parseWriterOptFlag(raw) : raw
    if (flag.writer !== w.name) continue
    if (!w.options[flag.key]) throw unknownOption(w, flag.key, '--writer-opt')
    grouped.set(flag.key, [...(grouped.get(flag.key) ?? []), flag.value])
  }
  for (const [key, values] of grouped) out[key] = fromFlags(w.name, key, w.options[key]!, values)

  typedLayer(sources.api, 'API')
  return out
}

function cloneValue(v: OptionValue): OptionValue {
  return Array.isArray(v) ? [...v] : v
}

/** The canonical JSON of resolved options: the writer-options part of an output cache key. */
export function canonicalWriterOptions(options: ResolvedOptions): string {
  const plain: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    plain[key] = typeof value === 'object' && !Array.isArray(value) ? headerToJson(value) : value
  }
  return canonicalJson(plain)
}
