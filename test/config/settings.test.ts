import assert from 'node:assert/strict'
import {join} from 'node:path'
import {ConfigError, HeaderkitError, UsageError} from '../../src/errors.js'
import {detectHostTriple} from '../../src/target/index.js'
import {loadProjectContext, resolveCacheSwitches, resolveStoreDir, resolveTarget, type ProjectContext} from '../../src/config/index.js'
import {makeTree, rejection} from './helpers.js'

/** A repo whose config sits in `sub/` and the run starts in `sub/work`, so the three bases differ. */
async function project(configText: string | undefined, kind: '.headerkit.toml' | 'pyproject.toml' = '.headerkit.toml'): Promise<ProjectContext & {root: string}> {
  const files: Record<string, string> = {'.git/': '', 'sub/work/': ''}
  if (configText !== undefined) files[`sub/${kind}`] = configText
  const root = makeTree(files)
  const ctx = await loadProjectContext({cwd: join(root, 'sub/work'), env: {}})
  return {...ctx, root}
}

describe('settings: store dir precedence (flag > env > config > default)', () => {
  it('default: <project root>/.headerkit (git root without config)', async () => {
    const ctx = await project(undefined)
    assert.equal(resolveStoreDir(ctx, undefined, {}), join(ctx.root, '.headerkit'))
  })

  it('default with a config: the config directory is the project root', async () => {
    const ctx = await project('writers = ["cffi"]\n')
    assert.equal(resolveStoreDir(ctx, undefined, {}), join(ctx.root, 'sub/.headerkit'))
  })

  it('config store_dir resolves against the config file directory, not the cwd', async () => {
    const ctx = await project('store_dir = "stores/main"\n')
    assert.equal(resolveStoreDir(ctx, undefined, {}), join(ctx.root, 'sub/stores/main'))
  })

  it('config store_dir in pyproject.toml [tool.headerkit] too', async () => {
    const ctx = await project('[tool.headerkit]\nstore_dir = "../shared-store"\n', 'pyproject.toml')
    assert.equal(resolveStoreDir(ctx, undefined, {}), join(ctx.root, 'shared-store'))
  })

  it('env beats config, relative to the cwd; empty env is ignored', async () => {
    const ctx = await project('store_dir = "cfg"\n')
    assert.equal(resolveStoreDir(ctx, undefined, {HEADERKIT_STORE_DIR: 'envstore'}), join(ctx.root, 'sub/work/envstore'))
    assert.equal(resolveStoreDir(ctx, undefined, {HEADERKIT_STORE_DIR: '/abs/store'}), '/abs/store')
    assert.equal(resolveStoreDir(ctx, undefined, {HEADERKIT_STORE_DIR: ''}), join(ctx.root, 'sub/cfg'))
  })

  it('env beats the default', async () => {
    const ctx = await project(undefined)
    assert.equal(resolveStoreDir(ctx, undefined, {HEADERKIT_STORE_DIR: 'e'}), join(ctx.root, 'sub/work/e'))
  })

  it('flag beats env and config, relative to the cwd', async () => {
    const ctx = await project('store_dir = "cfg"\n')
    assert.equal(resolveStoreDir(ctx, 'flagstore', {HEADERKIT_STORE_DIR: 'envstore'}), join(ctx.root, 'sub/work/flagstore'))
    assert.equal(resolveStoreDir(ctx, 'flagstore', {}), join(ctx.root, 'sub/work/flagstore'))
  })

  it('an empty --store-dir is a usage error', async () => {
    const ctx = await project(undefined)
    assert.throws(() => resolveStoreDir(ctx, '', {}), (error: Error) => error instanceof UsageError && /--store-dir was given an empty path/.test(error.message))
  })
})

describe('settings: target precedence (flag > env > config > host)', () => {
  it('host detection when nothing is set', async () => {
    const ctx = await project(undefined)
    assert.deepEqual(resolveTarget(ctx, undefined, {}), {triple: detectHostTriple(), source: 'host'})
  })

  it('config beats host, normalised', async () => {
    const ctx = await project('target = "aarch64-linux-gnu"\n')
    assert.deepEqual(resolveTarget(ctx, undefined, {}), {triple: 'aarch64-unknown-linux-gnu', source: 'config'})
  })

  it('env beats config (the original had config first, B-CLI-6)', async () => {
    const ctx = await project('target = "aarch64-linux-gnu"\n')
    assert.deepEqual(resolveTarget(ctx, undefined, {HEADERKIT_TARGET: 'x86_64-linux-musl'}), {triple: 'x86_64-pc-linux-musl', source: 'env'})
  })

  it('env beats host; empty env is ignored', async () => {
    const ctx = await project(undefined)
    assert.equal(resolveTarget(ctx, undefined, {HEADERKIT_TARGET: 's390x-linux-gnu'}).source, 'env')
    assert.equal(resolveTarget(ctx, undefined, {HEADERKIT_TARGET: ''}).source, 'host')
  })

  it('flag beats env and config', async () => {
    const ctx = await project('target = "aarch64-linux-gnu"\n')
    assert.deepEqual(resolveTarget(ctx, 'armv7l-linux-gnueabihf', {HEADERKIT_TARGET: 'x86_64-linux-musl'}).source, 'flag')
    assert.deepEqual(resolveTarget(ctx, 'x86_64-apple-darwin', {}), {triple: 'x86_64-apple-darwin', source: 'flag'})
  })

  it('a bad triple names where it came from: flag, env, config file', async () => {
    const ctx = await project('target = "linux"\n')
    assert.throws(() => resolveTarget(ctx, 'x86', {}), /invalid target triple 'x86' \(from --target\)/)
    assert.throws(() => resolveTarget(ctx, undefined, {HEADERKIT_TARGET: 'amd64'}), /invalid target triple 'amd64' \(from HEADERKIT_TARGET\)/)
    const fromConfig = await rejection(() => resolveTarget(ctx, undefined, {}))
    assert.ok(fromConfig instanceof ConfigError)
    assert.equal(fromConfig.exitCode, 1)
    assert.ok(fromConfig.message.startsWith(`config error in ${join(ctx.root, 'sub/.headerkit.toml')}:1: target: invalid target triple 'linux'`), fromConfig.message)
  })

  it('a bad triple in pyproject.toml is named with its [tool.headerkit] key and line', async () => {
    const ctx = await project('[project]\nname = "x"\n\n[tool.headerkit]\nwriters = ["cffi"]\ntarget = "bad"\n', 'pyproject.toml')
    assert.throws(() => resolveTarget(ctx, undefined, {}), /^ConfigError: config error in .*pyproject\.toml:6: tool\.headerkit\.target: invalid target triple 'bad'/)
  })

  it('a bad triple at a lower level does not matter when a higher one is set', async () => {
    const ctx = await project('target = "bad"\n')
    assert.equal(resolveTarget(ctx, undefined, {HEADERKIT_TARGET: 'aarch64-linux-gnu'}).triple, 'aarch64-unknown-linux-gnu')
  })
})

describe('settings: cache switches (flag > env > config > default)', () => {
  it('default: all off', async () => {
    const ctx = await project(undefined)
    assert.deepEqual(resolveCacheSwitches(ctx, {}, {}), {noCache: false, noIrCache: false, noOutputCache: false})
  })

  it('config turns switches on', async () => {
    const ctx = await project('[cache]\nno_cache = true\nno_output_cache = true\n')
    assert.deepEqual(resolveCacheSwitches(ctx, {}, {}), {noCache: true, noIrCache: false, noOutputCache: true})
  })

  it('env false re-enables what the config disabled (the original could not)', async () => {
    const ctx = await project('[cache]\nno_cache = true\nno_ir_cache = true\nno_output_cache = true\n')
    const env = {HEADERKIT_NO_CACHE: '0', HEADERKIT_NO_IR_CACHE: 'false', HEADERKIT_NO_OUTPUT_CACHE: 'Off'}
    assert.deepEqual(resolveCacheSwitches(ctx, {}, env), {noCache: false, noIrCache: false, noOutputCache: false})
  })

  it('env true beats config false and the default; every true spelling works', async () => {
    const ctx = await project('[cache]\nno_cache = false\n')
    for (const word of ['1', 'true', 'YES', 'on']) {
      assert.equal(resolveCacheSwitches(ctx, {}, {HEADERKIT_NO_CACHE: word}).noCache, true, word)
    }
    assert.equal(resolveCacheSwitches(ctx, {}, {HEADERKIT_NO_IR_CACHE: 'no'}).noIrCache, false)
  })

  it('a flag set to true beats env false and config false', async () => {
    const ctx = await project('[cache]\nno_ir_cache = false\n')
    assert.deepEqual(resolveCacheSwitches(ctx, {noIrCache: true}, {HEADERKIT_NO_IR_CACHE: '0'}), {noCache: false, noIrCache: true, noOutputCache: false})
  })

  it('an unset flag (false or undefined) leaves the decision to env and config', async () => {
    const ctx = await project('[cache]\nno_output_cache = true\n')
    assert.equal(resolveCacheSwitches(ctx, {noOutputCache: false}, {}).noOutputCache, true)
    assert.equal(resolveCacheSwitches(ctx, {noOutputCache: false}, {HEADERKIT_NO_OUTPUT_CACHE: '0'}).noOutputCache, false)
  })

  it('each switch is resolved on its own', async () => {
    const ctx = await project('[cache]\nno_ir_cache = true\n')
    assert.deepEqual(resolveCacheSwitches(ctx, {}, {HEADERKIT_NO_OUTPUT_CACHE: 'yes'}), {noCache: false, noIrCache: true, noOutputCache: true})
  })

  it('an unreadable env value is an error naming the variable', async () => {
    const ctx = await project(undefined)
    const error = await rejection(() => resolveCacheSwitches(ctx, {}, {HEADERKIT_NO_IR_CACHE: 'maybe'}))
    assert.ok(error instanceof HeaderkitError)
    assert.equal(error.exitCode, 1)
    assert.equal(error.oneLine(), "environment variable HEADERKIT_NO_IR_CACHE has the value 'maybe', which is not a boolean (use 1/true/yes/on or 0/false/no/off, or unset it)")
  })
})
