/** Configuration: discovery, loading, validation and settings precedence. */
export * from './types.js'
export {readTomlFile, parseTomlText, readConfigText} from './toml.js'
export {findConfigFile, findGitRoot, findProjectRoot, hasGitEntry, configKindOf, type ConfigKind, type FoundConfig, type WalkOptions} from './project.js'
export {loadConfigFile, loadConfigText, type LoadResult} from './load.js'
export {formatKeyPath, type KeyPath} from './expand.js'
export {formatConfigWarning, tomlTypeName, type ConfigWarning} from './validate.js'
export {
  loadProjectContext,
  resolveStoreDir,
  resolveTarget,
  resolveCacheSwitches,
  envBoolean,
  type ProjectContext,
  type LoadProjectOptions,
  type SettingSource,
  type CacheSwitches,
} from './settings.js'
