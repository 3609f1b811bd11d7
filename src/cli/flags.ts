/**
 * Flags shared by every command that reads the project's settings, so each one spells
 * and documents them the same way. Use them as
 * `static flags = {...projectFlags, ...}` (or one by one), then
 * `loadProjectContext({configPath: flags.config, noConfig: flags['no-config']})` and
 * `resolveStoreDir(ctx, flags['store-dir'])` / `resolveTarget(ctx, flags.target)`.
 */
import {Flags} from '@oclif/core'

export const storeDirFlag = Flags.string({
  summary: 'Store directory (default: HEADERKIT_STORE_DIR, then store_dir in the config, then <project root>/.headerkit).',
  helpValue: 'DIR',
})

export const configFlag = Flags.string({
  summary: 'Config file to use instead of discovery (.headerkit.toml, or a pyproject.toml with [tool.headerkit]).',
  helpValue: 'PATH',
})

// Exclusive on this side only, so oclif reports the clash once, not twice.
export const noConfigFlag = Flags.boolean({
  summary: 'Ignore any config file (no discovery).',
  exclusive: ['config'],
})

export const targetFlag = Flags.string({
  summary: 'Target triple (default: HEADERKIT_TARGET, then target in the config, then the host).',
  helpValue: 'TRIPLE',
})

/** The config-selection and store flags most commands take. */
export const projectFlags = {
  config: configFlag,
  'no-config': noConfigFlag,
  'store-dir': storeDirFlag,
}
