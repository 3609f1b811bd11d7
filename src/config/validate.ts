/**
 * From an expanded TOML table to a HeaderkitConfig. Every type error says where
 * (file, key path, line when the scan finds it), what was expected and what was
 * found. Unknown keys are warnings, not errors: a typo is visible but does not
 * stop a build.
 */
import {ConfigError} from '../errors.js'
import {nearestName} from '../util/nearest.js'
import type {
  CacheConfig,
  HeaderEntry,
  HeaderkitConfig,
  HeaderOverrides,
  PopulateConfig,
  WriterOptions,
  WriterOptionValue,
} from './types.js'
import {formatKeyPath, isPlainTable, type KeyPath} from './expand.js'

export interface ConfigWarning {
  file: string
  /** Key path as written in messages, e.g. `tool.headerkit.writerz`. */
  key: string
  line: number | undefined
  message: string
}

/** `file:line: key: message`, the line a command prints after `Warning: `. */
export function formatConfigWarning(warning: ConfigWarning): string {
  const where = warning.line === undefined ? warning.file : `${warning.file}:${warning.line}`
  return `${where}: ${warning.key}: ${warning.message}`
}

export interface ValidateContext {
  file: string
  /** Where the headerkit table is in the file: [] or ['tool', 'headerkit']. */
  base: KeyPath
  lineOf: (path: KeyPath) => number | undefined
  /** formatted key path -> variables that expanded to '' there */
  emptyVars: Map<string, string[]>
}

/** What a TOML value is, in TOML's words. */
export function tomlTypeName(value: unknown): string {
  if (typeof value === 'string') return 'string'
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'bigint') return 'integer'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float'
  if (Array.isArray(value)) return 'array'
  if (isPlainTable(value)) return 'table'
  if (value instanceof Date) return 'date-time'
  return typeof value
}

function describe(value: unknown): string {
  const type = tomlTypeName(value)
  if (type === 'string') {
    const text = value as string
    return `string ${JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)}`
  }
  if (type === 'integer' || type === 'float' || type === 'boolean') return `${type} ${String(value)}`
  return type
}

// `build` is [tool.headerkit.build], read by the Python build backend (python/headerkit_store).
const TOP_KEYS = ['backend', 'writers', 'include_dirs', 'defines', 'backend_args', 'plugins', 'target', 'store_dir', 'exclude', 'headers', 'output', 'cache', 'writer', 'build', 'auto_install_libclang'] as const
const OVERRIDE_KEYS = ['defines', 'include_dirs', 'extra_args', 'backend', 'target', 'writer_options', 'output'] as const
const CACHE_KEYS = ['no_cache', 'no_ir_cache', 'no_output_cache', 'populate'] as const
const POPULATE_KEYS = ['platforms', 'python_versions', 'timeout', 'concurrency', 'images', 'hosts', 'engine', 'engines'] as const

class Validator {
  readonly warnings: ConfigWarning[] = []

  constructor(private readonly ctx: ValidateContext) {}

  private full(path: KeyPath): KeyPath {
    return [...this.ctx.base, ...path]
  }

  fail(path: KeyPath, message: string, hint?: string): never {
    const full = this.full(path)
    throw new ConfigError(this.ctx.file, message, {key: formatKeyPath(full), line: this.ctx.lineOf(full), hint})
  }

  expected(path: KeyPath, what: string, value: unknown, hint?: string): never {
    this.fail(path, `expected ${what}, found ${describe(value)}`, hint)
  }

  unknownKeys(table: Record<string, unknown>, path: KeyPath, known: readonly string[]): void {
    for (const key of Object.keys(table)) {
      if (known.includes(key)) continue
      const close = nearestName(key, known, 2)
      const full = this.full([...path, key])
      this.warnings.push({
        file: this.ctx.file,
        key: formatKeyPath(full),
        line: this.ctx.lineOf(full),
        message: `unknown key, ignored${close ? ` (did you mean '${close}'?)` : ''}`,
      })
    }
  }

  warn(path: KeyPath, message: string): void {
    const full = this.full(path)
    this.warnings.push({file: this.ctx.file, key: formatKeyPath(full), line: this.ctx.lineOf(full), message})
  }

  string(value: unknown, path: KeyPath, options: {nonEmpty?: boolean} = {}): string {
    if (typeof value !== 'string') {
      const hint = typeof value === 'number' ? 'quote the value to make it a string' : undefined
      this.expected(path, 'a string', value, hint)
    }
    if (options.nonEmpty && value.trim() === '') {
      const vars = this.ctx.emptyVars.get(formatKeyPath(this.full(path)))
      const why = vars ? ` (after expanding \${${vars.join('}, ${')}}, set to the empty string)` : ''
      this.fail(path, `expected a non-empty string, found an empty one${why}`, vars ? `give ${vars.join(', ')} a value` : undefined)
    }
    return value
  }

  stringList(value: unknown, path: KeyPath, options: {nonEmpty?: boolean} = {}): string[] {
    if (!Array.isArray(value)) {
      const hint = typeof value === 'string' ? `write it as a list: [${JSON.stringify(value)}]` : undefined
      this.expected(path, 'an array of strings', value, hint)
    }
    return value.map((item, index) => this.string(item, [...path, index], options))
  }

  boolean(value: unknown, path: KeyPath): boolean {
    if (typeof value !== 'boolean') this.expected(path, 'a boolean (true or false, unquoted)', value)
    return value
  }

  positiveInteger(value: unknown, path: KeyPath): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) this.expected(path, 'a positive integer', value)
    if (value <= 0) this.fail(path, `expected a positive integer, found ${value}`)
    return value
  }

  table(value: unknown, path: KeyPath, what = 'a table'): Record<string, unknown> {
    if (!isPlainTable(value)) this.expected(path, what, value)
    return value
  }

  stringTable(value: unknown, path: KeyPath, what: string): Record<string, string> {
    const table = this.table(value, path, `a table of ${what}`)
    const out: Record<string, string> = {}
    for (const [key, item] of Object.entries(table)) out[key] = this.string(item, [...path, key], {nonEmpty: true})
    return out
  }

  writerValue(value: unknown, path: KeyPath): WriterOptionValue {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
    if (typeof value === 'bigint') {
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) this.fail(path, `integer ${value} is too large`)
      return Number(value)
    }
    if (Array.isArray(value)) return value.map((item, index) => this.writerValue(item, [...path, index]))
    if (isPlainTable(value)) return this.writerOptions(value, path)
    // TOML dates: kept as their TOML text, which is what a writer would print.
    if (value instanceof Date) return value.toISOString()
    this.expected(path, 'a string, number, boolean, array or table', value)
  }

  writerOptions(value: unknown, path: KeyPath): WriterOptions {
    const table = this.table(value, path, 'a table of writer options')
    const out: WriterOptions = {}
    for (const [key, item] of Object.entries(table)) out[key] = this.writerValue(item, [...path, key])
    return out
  }

  overrides(table: Record<string, unknown>, path: KeyPath, skip: readonly string[]): HeaderOverrides {
    const out: HeaderOverrides = {}
    if (table.defines !== undefined) out.defines = this.stringList(table.defines, [...path, 'defines'], {nonEmpty: true})
    if (table.include_dirs !== undefined) out.includeDirs = this.stringList(table.include_dirs, [...path, 'include_dirs'], {nonEmpty: true})
    if (table.extra_args !== undefined) out.extraArgs = this.stringList(table.extra_args, [...path, 'extra_args'], {nonEmpty: true})
    if (table.backend !== undefined) out.backend = this.string(table.backend, [...path, 'backend'], {nonEmpty: true})
    if (table.target !== undefined) out.target = this.string(table.target, [...path, 'target'], {nonEmpty: true})
    if (table.writer_options !== undefined) {
      const writers = this.table(table.writer_options, [...path, 'writer_options'], 'a table of writer name -> options table')
      out.writerOptions = {}
      for (const [name, options] of Object.entries(writers)) out.writerOptions[name] = this.writerOptions(options, [...path, 'writer_options', name])
    }
    if (table.output !== undefined) out.output = this.stringTable(table.output, [...path, 'output'], 'writer name -> output template')
    if (table.backend_args !== undefined) {
      this.warn([...path, 'backend_args'], "per-header overrides use 'extra_args', not 'backend_args'; ignored")
    }
    this.unknownKeys(table, path, [...OVERRIDE_KEYS, ...skip, 'backend_args'])
    return out
  }

  headers(value: unknown): HeaderEntry[] {
    const path: KeyPath = ['headers']
    const hint = 'use [[headers]] with pattern = "include/**/*.h", or [headers."include/a.h"] with per-header overrides'
    if (Array.isArray(value)) {
      return value.map((item, index) => {
        const itemPath: KeyPath = ['headers', index]
        const table = this.table(item, itemPath, 'a table with a pattern key ([[headers]])')
        if (table.pattern === undefined) this.fail(itemPath, "missing the required key 'pattern'", 'add pattern = "include/**/*.h" to this [[headers]] entry')
        const pattern = this.string(table.pattern, [...itemPath, 'pattern'], {nonEmpty: true})
        return {pattern, form: 'array', overrides: this.overrides(table, itemPath, ['pattern'])}
      })
    }
    if (isPlainTable(value)) {
      return Object.entries(value).map(([pattern, item]) => {
        const itemPath: KeyPath = ['headers', pattern]
        if (!isPlainTable(item)) this.expected(itemPath, `a table of overrides for header '${pattern}'`, item, hint)
        if (pattern.trim() === '') this.fail(itemPath, 'header path is empty')
        return {pattern, form: 'table', overrides: this.overrides(item, itemPath, [])}
      })
    }
    this.expected(path, 'an array of tables ([[headers]]) or a table keyed by header path ([headers."include/a.h"])', value, hint)
  }

  populate(value: unknown, path: KeyPath): PopulateConfig {
    const table = this.table(value, path)
    const out: PopulateConfig = {}
    if (table.platforms !== undefined) out.platforms = this.stringList(table.platforms, [...path, 'platforms'], {nonEmpty: true})
    if (table.python_versions !== undefined) out.pythonVersions = this.stringList(table.python_versions, [...path, 'python_versions'], {nonEmpty: true})
    if (table.timeout !== undefined) out.timeout = this.positiveInteger(table.timeout, [...path, 'timeout'])
    if (table.concurrency !== undefined) out.concurrency = this.positiveInteger(table.concurrency, [...path, 'concurrency'])
    if (table.images !== undefined) out.images = this.stringTable(table.images, [...path, 'images'], 'platform -> image')
    if (table.hosts !== undefined) out.hosts = this.stringTable(table.hosts, [...path, 'hosts'], 'platform -> Docker endpoint')
    if (table.engine !== undefined) {
      if (table.engine !== 'docker' && table.engine !== 'sysroot' && table.engine !== 'auto') this.fail([...path, 'engine'], `unknown engine ${JSON.stringify(table.engine)}`, 'use "auto", "docker" or "sysroot"')
      out.engine = table.engine
    }
    if (table.engines !== undefined) {
      out.engines = this.stringTable(table.engines, [...path, 'engines'], 'platform -> engine')
      for (const [key, engine] of Object.entries(out.engines)) {
        if (engine !== 'docker' && engine !== 'sysroot' && engine !== 'auto') this.fail([...path, 'engines', key], `unknown engine ${JSON.stringify(engine)}`, 'use "auto", "docker" or "sysroot"')
      }
    }
    this.unknownKeys(table, path, POPULATE_KEYS)
    return out
  }

  cache(value: unknown): CacheConfig {
    const path: KeyPath = ['cache']
    const table = this.table(value, path)
    const out: CacheConfig = {}
    if (table.no_cache !== undefined) out.noCache = this.boolean(table.no_cache, [...path, 'no_cache'])
    if (table.no_ir_cache !== undefined) out.noIrCache = this.boolean(table.no_ir_cache, [...path, 'no_ir_cache'])
    if (table.no_output_cache !== undefined) out.noOutputCache = this.boolean(table.no_output_cache, [...path, 'no_output_cache'])
    if (table.populate !== undefined) out.populate = this.populate(table.populate, [...path, 'populate'])
    this.unknownKeys(table, path, [...CACHE_KEYS, 'store_dir'])
    if (table.store_dir !== undefined) {
      this.warn([...path, 'store_dir'], "store_dir belongs at the top level of the headerkit table, not in [cache]; ignored")
    }
    return out
  }

  config(root: Record<string, unknown>): HeaderkitConfig {
    const out: HeaderkitConfig = {}
    if (root.backend !== undefined) out.backend = this.string(root.backend, ['backend'], {nonEmpty: true})
    if (root.writers !== undefined) {
      out.writers = this.stringList(root.writers, ['writers'], {nonEmpty: true})
      out.writers.forEach((name, index) => {
        if (name.includes(':')) this.fail(['writers', index], `expected a bare writer name, found ${JSON.stringify(name)}`, 'write the name only (cffi); output paths go in [output]')
      })
    }
    if (root.include_dirs !== undefined) out.includeDirs = this.stringList(root.include_dirs, ['include_dirs'], {nonEmpty: true})
    if (root.defines !== undefined) out.defines = this.stringList(root.defines, ['defines'], {nonEmpty: true})
    if (root.backend_args !== undefined) out.backendArgs = this.stringList(root.backend_args, ['backend_args'], {nonEmpty: true})
    if (root.plugins !== undefined) out.plugins = this.stringList(root.plugins, ['plugins'], {nonEmpty: true})
    if (root.target !== undefined) out.target = this.string(root.target, ['target'], {nonEmpty: true})
    if (root.store_dir !== undefined) out.storeDir = this.string(root.store_dir, ['store_dir'], {nonEmpty: true})
    if (root.exclude !== undefined) out.exclude = this.stringList(root.exclude, ['exclude'], {nonEmpty: true})
    if (root.headers !== undefined) out.headers = this.headers(root.headers)
    if (root.output !== undefined) out.output = this.stringTable(root.output, ['output'], 'writer name -> output template')
    if (root.cache !== undefined) out.cache = this.cache(root.cache)
    if (root.writer !== undefined) {
      const writers = this.table(root.writer, ['writer'], 'a table of [writer.NAME] tables')
      out.writer = {}
      for (const [name, options] of Object.entries(writers)) out.writer[name] = this.writerOptions(options, ['writer', name])
    }
    if (root.auto_install_libclang !== undefined) {
      this.warn(['auto_install_libclang'], 'not supported by headerkit for Node (libclang comes from the system); ignored')
    }
    this.unknownKeys(root, [], TOP_KEYS)
    return out
  }
}

/** Validates the headerkit table of one file; throws ConfigError on the first error. */
export function validateConfig(root: unknown, ctx: ValidateContext): {config: HeaderkitConfig; warnings: ConfigWarning[]} {
  const validator = new Validator(ctx)
  const table = validator.table(root, [], 'a table')
  const config = validator.config(table)
  // In file order, the way a user reads them.
  const warnings = [...validator.warnings].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity))
  return {config, warnings}
}
