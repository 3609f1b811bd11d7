/**
 * Loading one config file: `.headerkit.toml` (the whole file) or the `[tool.headerkit]`
 * table of a `pyproject.toml`; then `${VAR}` expansion, then validation.
 */
import {resolve} from 'node:path'
import type {KeyPath} from './expand.js'
import {expandVars} from './expand.js'
import {lineFinder} from './lines.js'
import {configKindOf, type ConfigKind} from './project.js'
import {parseTomlText, readConfigText} from './toml.js'
import type {LoadedConfig} from './types.js'
import {validateConfig, type ConfigWarning} from './validate.js'

export interface LoadResult {
  loaded: LoadedConfig
  warnings: ConfigWarning[]
}

/**
 * Loads and validates a config file. `kind` defaults from the name: a file named
 * pyproject.toml is read for [tool.headerkit] (absent means an empty config), any
 * other file is a whole headerkit config.
 */
export async function loadConfigFile(path: string, options: {kind?: ConfigKind; env?: NodeJS.ProcessEnv} = {}): Promise<LoadResult> {
  const file = resolve(path)
  const kind = options.kind ?? configKindOf(file)
  const text = await readConfigText(file)
  return loadConfigText(text, file, kind, options.env ?? process.env)
}

/** The same from text already read (`file` names it in messages). */
export function loadConfigText(text: string, file: string, kind: ConfigKind, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const doc = parseTomlText(text, file)
  const base: KeyPath = kind === 'pyproject' ? ['tool', 'headerkit'] : []
  const section = kind === 'pyproject' ? (doc.tool as Record<string, unknown> | undefined)?.headerkit ?? {} : doc
  const lineOf = lineFinder(text, base.length)
  const {value, emptyVars} = expandVars(section, env, file, base, lineOf)
  const {config, warnings} = validateConfig(value, {file, base, lineOf, emptyVars})
  return {loaded: {file, kind, config}, warnings}
}
