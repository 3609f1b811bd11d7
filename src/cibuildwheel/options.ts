/**
 * Reading one cibuildwheel option the way options.py `OptionsReader.get` does, for the
 * Linux platform. Lowest to highest: defaults.toml, `[tool.cibuildwheel]`,
 * `[tool.cibuildwheel.linux]`, each matching `[[tool.cibuildwheel.overrides]]` in file
 * order, `CIBW_<NAME>`, then `CIBW_<NAME>_LINUX` (unless the option ignores platform
 * variables). A later value replaces an earlier one; `ignoreEmpty` options skip empty
 * strings at every level. Options that cannot be overridden never look at overrides.
 */
import {ConfigError, UsageError} from '../errors.js'
import {compileSelector} from './fnmatch.js'

export type OptionSourceKind = 'default' | 'pyproject' | 'pyproject-linux' | 'override' | 'env' | 'env-linux'

export interface OptionValue {
  value: string
  source: OptionSourceKind
  /** Human label: `pyproject.toml [tool.cibuildwheel] archs`, `CIBW_ARCHS_LINUX`, ... */
  label: string
}

export interface GetOptions {
  /** Overrides are consulted only with an identifier, and only for overridable options. */
  identifier?: string
  /** false for build, skip, test-skip, enable: `CIBW_BUILD_LINUX` and the like are ignored. */
  envPlat?: boolean
  ignoreEmpty?: boolean
  /** Separator a TOML list is joined with. */
  sep?: string
}

/** Options cibuildwheel reads globally (no identifier): an override value for them is never used. */
export const NOT_OVERRIDABLE = new Set(['build', 'skip', 'test-skip', 'archs', 'enable', 'output-dir'])

type Table = Record<string, unknown>

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

export function envName(option: string, platform?: string): string {
  const base = `CIBW_${option.toUpperCase().replace(/-/g, '_')}`
  return platform ? `${base}_${platform.toUpperCase()}` : base
}

interface Override {
  index: number
  select: string
  matches: (identifier: string) => boolean
  options: Table
}

export class CibwOptionReader {
  readonly file: string
  readonly warnings: string[] = []
  private readonly global: Table
  private readonly linux: Table
  private readonly overrides: Override[]
  private readonly env: Record<string, string | undefined>

  constructor(tool: unknown, file: string, env: Record<string, string | undefined>) {
    this.file = file
    this.env = env
    if (tool !== undefined && !isTable(tool)) throw new ConfigError(file, 'must be a table', {key: 'tool.cibuildwheel'})
    this.global = tool ?? {}
    const linux = this.global.linux
    if (linux !== undefined && !isTable(linux)) throw new ConfigError(file, 'must be a table', {key: 'tool.cibuildwheel.linux'})
    this.linux = linux ?? {}
    this.overrides = this.readOverrides(this.global.overrides)
  }

  private readOverrides(raw: unknown): Override[] {
    if (raw === undefined) return []
    if (!Array.isArray(raw)) throw new ConfigError(this.file, 'must be an array of tables ([[tool.cibuildwheel.overrides]])', {key: 'tool.cibuildwheel.overrides'})
    return raw.map((entry, index) => {
      const key = `tool.cibuildwheel.overrides[${index}]`
      if (!isTable(entry)) throw new ConfigError(this.file, 'must be a table', {key})
      const select = this.stringOrList(entry.select, `${key}.select`, ' ')
      if (select === undefined || select.trim() === '') {
        throw new ConfigError(this.file, '"select" is required in every override', {key, hint: 'add select = "cp312-*" (a build/skip-style pattern)'})
      }
      const options: Table = {}
      for (const [name, value] of Object.entries(entry)) {
        if (name === 'select') continue
        if (name === 'inherit') {
          this.checkInherit(value, `${key}.inherit`)
          continue
        }
        if (NOT_OVERRIDABLE.has(name)) {
          this.warnings.push(`${key}: "${name}" cannot be overridden per identifier; cibuildwheel ignores it there, and so does headerkit`)
          continue
        }
        options[name] = value
      }
      return {index, select, matches: compileSelector(select, `${this.file} ${key}.select`), options}
    })
  }

  private checkInherit(value: unknown, key: string): void {
    if (!isTable(value)) throw new ConfigError(this.file, 'must be a table of option = "none" | "append" | "prepend"', {key})
    for (const [name, rule] of Object.entries(value)) {
      if (rule !== 'none' && rule !== 'append' && rule !== 'prepend') {
        throw new ConfigError(this.file, `inherit rule "${String(rule)}" for "${name}" is not none, append or prepend`, {key})
      }
    }
  }

  /** A TOML value as cibuildwheel's string form: lists joined with `sep`. */
  private stringOrList(value: unknown, key: string, sep: string): string | undefined {
    if (value === undefined) return undefined
    if (typeof value === 'string') return value
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(sep)
    throw new ConfigError(this.file, 'must be a string or a list of strings', {key})
  }

  /** Returns the value with its source, or undefined when no level sets it. */
  get(name: string, options: GetOptions = {}): OptionValue | undefined {
    const sep = options.sep ?? ' '
    const usable = (v: string | undefined): v is string => v !== undefined && !(options.ignoreEmpty && v.trim() === '')
    let result: OptionValue | undefined
    const global = this.stringOrList(this.global[name], `tool.cibuildwheel.${name}`, sep)
    if (usable(global)) result = {value: global, source: 'pyproject', label: `[tool.cibuildwheel] ${name}`}
    const linux = this.stringOrList(this.linux[name], `tool.cibuildwheel.linux.${name}`, sep)
    if (usable(linux)) result = {value: linux, source: 'pyproject-linux', label: `[tool.cibuildwheel.linux] ${name}`}
    if (options.identifier !== undefined && !NOT_OVERRIDABLE.has(name)) {
      for (const override of this.overrides) {
        if (!override.matches(options.identifier)) continue
        const value = this.stringOrList(override.options[name], `tool.cibuildwheel.overrides[${override.index}].${name}`, sep)
        if (usable(value)) result = {value, source: 'override', label: `[[tool.cibuildwheel.overrides]] #${override.index + 1} (select = "${override.select}") ${name}`}
      }
    }
    const env = this.env[envName(name)]
    if (usable(env)) result = {value: env, source: 'env', label: envName(name)}
    if (options.envPlat !== false) {
      const envLinux = this.env[envName(name, 'linux')]
      if (usable(envLinux)) result = {value: envLinux, source: 'env-linux', label: envName(name, 'linux')}
    }
    return result
  }

  /** `enable`: the TOML value, with CIBW_ENABLE appended (the one option env adds to). */
  getEnable(): {groups: string[]; labels: string[]} {
    const groups: string[] = []
    const labels: string[] = []
    const toml = this.stringOrList(this.global.enable, 'tool.cibuildwheel.enable', ' ')
    if (toml !== undefined && toml.trim() !== '') {
      groups.push(...toml.split(/\s+/).filter(Boolean))
      labels.push(`[tool.cibuildwheel] enable`)
    }
    if (this.linux.enable !== undefined) {
      this.warnings.push('[tool.cibuildwheel.linux] enable is ignored: cibuildwheel reads "enable" only from [tool.cibuildwheel] and CIBW_ENABLE')
    }
    const env = this.env.CIBW_ENABLE
    if (env !== undefined && env.trim() !== '') {
      groups.push(...env.split(/\s+/).filter(Boolean))
      labels.push('CIBW_ENABLE')
    }
    return {groups, labels}
  }

  /** The error for a bad value: a ConfigError for a file, a UsageError for a variable. */
  error(value: OptionValue | undefined, message: string, hint?: string): Error {
    if (value && (value.source === 'env' || value.source === 'env-linux')) return new UsageError(`${message} (from ${value.label})`, hint)
    if (value && value.source !== 'default') return new ConfigError(this.file, `${message} (from ${value.label})`, {hint})
    return new UsageError(message, hint)
  }
}
