/**
 * Settings with one precedence for all of them: flag > environment > config > default
 * (DESIGN 8; the original gets this wrong for target and the cache switches, B-CLI-6).
 * Relative paths from a flag or the environment resolve against the cwd; from the
 * config, against the directory of the config file.
 */
import {dirname, join, resolve} from 'node:path'
import {readFileSync} from 'node:fs'
import {ConfigError, HeaderkitError, UsageError} from '../errors.js'
import {detectHostTriple, normalizeTriple} from '../target/index.js'
import {lineFinder} from './lines.js'
import {loadConfigFile} from './load.js'
import {findConfigFile, findProjectRoot, type WalkOptions} from './project.js'
import type {LoadedConfig} from './types.js'
import type {ConfigWarning} from './validate.js'

export interface ProjectContext {
  /** Absolute cwd the run started in. */
  cwd: string
  /** Absolute project root: config file's dir, else nearest `.git` ancestor, else cwd. */
  projectRoot: string
  /** The config in effect, undefined with --no-config or when none was found. */
  loaded: LoadedConfig | undefined
  /** Unknown keys and other non-fatal findings; the command prints them. */
  warnings: ConfigWarning[]
}

export interface LoadProjectOptions extends WalkOptions {
  cwd?: string
  /** `--config PATH`: must exist. */
  configPath?: string
  /** `--no-config`: no discovery, no config. */
  noConfig?: boolean
  /** For `${VAR}` expansion; defaults to process.env. */
  env?: NodeJS.ProcessEnv
}

/** Finds and loads the project's config (or the one given) and its root. */
export async function loadProjectContext(o: LoadProjectOptions = {}): Promise<ProjectContext> {
  const cwd = resolve(o.cwd ?? process.cwd())
  const walk: WalkOptions = o.home === undefined ? {} : {home: o.home}
  if (o.configPath !== undefined && o.noConfig) {
    throw new UsageError('--config and --no-config are mutually exclusive', 'pass one of them')
  }
  if (o.noConfig) return {cwd, projectRoot: findProjectRoot(cwd, undefined, walk), loaded: undefined, warnings: []}
  const env = o.env ?? process.env
  if (o.configPath !== undefined) {
    if (o.configPath.trim() === '') throw new UsageError('--config was given an empty path', 'pass the path of a .headerkit.toml or pyproject.toml')
    const {loaded, warnings} = await loadConfigFile(resolve(cwd, o.configPath), {env})
    return {cwd, projectRoot: findProjectRoot(cwd, loaded.file, walk), loaded, warnings}
  }
  const found = await findConfigFile(cwd, walk)
  if (!found) return {cwd, projectRoot: findProjectRoot(cwd, undefined, walk), loaded: undefined, warnings: []}
  const {loaded, warnings} = await loadConfigFile(found.file, {kind: found.kind, env})
  if (found.shadowed) {
    warnings.unshift({
      file: found.shadowed,
      key: 'tool.headerkit',
      line: undefined,
      message: `ignored: ${found.file} is in the same directory and takes precedence`,
    })
  }
  return {cwd, projectRoot: findProjectRoot(cwd, loaded.file, walk), loaded, warnings}
}

/** A set, non-empty environment variable (an empty one counts as unset). */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]
  return value === undefined || value === '' ? undefined : value
}

/** The store directory, absolute. */
export function resolveStoreDir(ctx: ProjectContext, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new UsageError('--store-dir was given an empty path', 'pass a directory, or leave the flag out to use the default')
    return resolve(ctx.cwd, flag)
  }
  const fromEnv = envValue(env, 'HEADERKIT_STORE_DIR')
  if (fromEnv !== undefined) return resolve(ctx.cwd, fromEnv)
  const fromConfig = ctx.loaded?.config.storeDir
  if (fromConfig !== undefined && ctx.loaded) return resolve(dirname(ctx.loaded.file), fromConfig)
  return join(ctx.projectRoot, '.headerkit')
}

export type SettingSource = 'flag' | 'env' | 'config' | 'host'

/** The target triple and where it came from; a bad user triple names its source. */
export function resolveTarget(ctx: ProjectContext, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): {triple: string; source: SettingSource} {
  if (flag !== undefined) return {triple: normalizeTriple(flag, '--target'), source: 'flag'}
  const fromEnv = envValue(env, 'HEADERKIT_TARGET')
  if (fromEnv !== undefined) return {triple: normalizeTriple(fromEnv, 'HEADERKIT_TARGET'), source: 'env'}
  const fromConfig = ctx.loaded?.config.target
  if (fromConfig !== undefined && ctx.loaded) {
    const {file, kind} = ctx.loaded
    const path = kind === 'pyproject' ? ['tool', 'headerkit', 'target'] : ['target']
    const source = `${path.join('.')} in ${file}`
    try {
      return {triple: normalizeTriple(fromConfig, source), source: 'config'}
    } catch (error) {
      // A bad value in a file is a config error (exit 1, with the line), not a usage error.
      if (!(error instanceof HeaderkitError)) throw error
      throw new ConfigError(file, error.message.replace(` (from ${source})`, ''), {key: path.join('.'), line: lineInFile(file, path), hint: error.hint})
    }
  }
  return {triple: detectHostTriple(), source: 'host'}
}

/** The line of a key in a config file, read again only on this error path. */
function lineInFile(file: string, path: string[]): number | undefined {
  try {
    return lineFinder(readFileSync(file, 'utf8'), path.length - 1)(path)
  } catch {
    return undefined
  }
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on'])
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off'])

/** Reads a boolean environment variable: undefined when unset or empty, an error when unreadable. */
export function envBoolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = envValue(env, name)
  if (raw === undefined) return undefined
  const word = raw.trim().toLowerCase()
  if (TRUE_WORDS.has(word)) return true
  if (FALSE_WORDS.has(word)) return false
  throw new HeaderkitError('E_ENV', `environment variable ${name} has the value '${raw}', which is not a boolean`, {hint: 'use 1/true/yes/on or 0/false/no/off, or unset it'})
}

export interface CacheSwitches {
  noCache: boolean
  noIrCache: boolean
  noOutputCache: boolean
}

/**
 * The three cache switches, each resolved on its own: a flag that is set (true) wins;
 * else the environment (which can say false, re-enabling what the config disabled);
 * else the config; else false. `noCache` bypasses both layers; the consumer combines
 * (`noCache || noIrCache`).
 */
export function resolveCacheSwitches(
  ctx: ProjectContext,
  flags: {noCache?: boolean; noIrCache?: boolean; noOutputCache?: boolean},
  env: NodeJS.ProcessEnv = process.env,
): CacheSwitches {
  const cache = ctx.loaded?.config.cache
  const one = (flag: boolean | undefined, variable: string, fromConfig: boolean | undefined): boolean => {
    if (flag === true) return true
    return envBoolean(env, variable) ?? fromConfig ?? false
  }
  return {
    noCache: one(flags.noCache, 'HEADERKIT_NO_CACHE', cache?.noCache),
    noIrCache: one(flags.noIrCache, 'HEADERKIT_NO_IR_CACHE', cache?.noIrCache),
    noOutputCache: one(flags.noOutputCache, 'HEADERKIT_NO_OUTPUT_CACHE', cache?.noOutputCache),
  }
}
