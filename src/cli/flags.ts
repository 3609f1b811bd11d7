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

/** `-w`, and the flags that shape a parse, shared by generation and `cache populate` so they read the same. */
export const writerFlag = Flags.string({char: 'w', summary: 'Writer to run (repeatable): cffi, ctypes, json, cython, lua, diff, prompt, or a plugin; default: writers in the config, else cffi.', multiple: true, multipleNonGreedy: true, helpValue: 'WRITER'})

export const parseFlags = {
  'include-dir': Flags.string({char: 'I', summary: 'Include directory (repeatable, order kept).', multiple: true, multipleNonGreedy: true, helpValue: 'DIR'}),
  define: Flags.string({char: 'D', summary: 'Preprocessor define NAME or NAME=VALUE (repeatable, order kept).', multiple: true, multipleNonGreedy: true, helpValue: 'NAME[=V]'}),
  'backend-arg': Flags.string({summary: 'Extra clang argument (repeatable, order kept); write values starting with - as --backend-arg=-std=c11.', multiple: true, multipleNonGreedy: true, helpValue: 'ARG'}),
  'writer-opt': Flags.string({summary: 'Writer option (repeatable; repeated keys make a list).', multiple: true, multipleNonGreedy: true, helpValue: 'W:K=V'}),
}
