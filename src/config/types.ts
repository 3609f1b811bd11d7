/**
 * The validated configuration, as the rest of headerkit sees it. TOML keys are
 * snake_case (`include_dirs`, kept from the original); here they are camelCase.
 * Every field is optional: absent means "not configured", and settings.ts applies
 * the precedence flag > environment > config > default.
 */

/** A writer option value keeps its type: lists stay lists, numbers stay numbers. */
export type WriterOptionValue = string | number | boolean | WriterOptionValue[] | {[key: string]: WriterOptionValue}
export type WriterOptions = Record<string, WriterOptionValue>

/** Per-header overrides, from either form of `headers` (reference 2.9). */
export interface HeaderOverrides {
  defines?: string[]
  includeDirs?: string[]
  extraArgs?: string[]
  backend?: string
  target?: string
  /** writer name -> options merged over the global options of that writer */
  writerOptions?: Record<string, WriterOptions>
  /** writer name -> output template */
  output?: Record<string, string>
}

export interface HeaderEntry {
  /** A glob (`include/**\/*.h`) or a literal path, relative to the project root. */
  pattern: string
  /** `table`: from `[headers."path"]`, the key is a literal path; `array`: from `[[headers]]`. */
  form: 'array' | 'table'
  overrides: HeaderOverrides
}

export interface PopulateConfig {
  platforms?: string[]
  pythonVersions?: string[]
  timeout?: number
  concurrency?: number
  /** platform (`linux/arm64`) -> image */
  images?: Record<string, string>
  /** platform (`linux/arm64`) -> Docker endpoint (`ssh://builder-arm64`, `tcp://host:2376`) */
  hosts?: Record<string, string>
  /** Where the parser runs: `auto`, `docker` or `sysroot`. */
  engine?: string
  /** platform (`linux/arm64:musl`) -> engine, beating `engine` for that platform */
  engines?: Record<string, string>
}

export interface CacheConfig {
  noCache?: boolean
  noIrCache?: boolean
  noOutputCache?: boolean
  populate?: PopulateConfig
}

export interface HeaderkitConfig {
  backend?: string
  writers?: string[]
  includeDirs?: string[]
  defines?: string[]
  backendArgs?: string[]
  plugins?: string[]
  target?: string
  storeDir?: string
  exclude?: string[]
  headers?: HeaderEntry[]
  /** writer name -> output template */
  output?: Record<string, string>
  cache?: CacheConfig
  /** `[writer.NAME]` tables */
  writer?: Record<string, WriterOptions>
}

/** Where a configuration came from. */
export interface LoadedConfig {
  /** Absolute path of the file read (`.headerkit.toml` or `pyproject.toml`). */
  file: string
  /** `headerkit.toml` for `.headerkit.toml`, `pyproject` for `[tool.headerkit]`. */
  kind: 'headerkit.toml' | 'pyproject'
  config: HeaderkitConfig
}
