import assert from 'node:assert/strict'
import {join} from 'node:path'
import {ConfigError, UsageError} from '../../src/errors.js'
import {findConfigFile, findProjectRoot, formatConfigWarning, loadProjectContext} from '../../src/config/index.js'
import {makeTree, rejection} from './helpers.js'

const HEADERKIT_PYPROJECT = '[project]\nname = "p"\n\n[tool.headerkit]\nwriters = ["pyproject"]\n'

describe('config: discovery', () => {
  it('finds .headerkit.toml in an ancestor, up to the git root, and roots the project there', async () => {
    const root = makeTree({'repo/.git/': '', 'repo/.headerkit.toml': 'writers = ["top"]\n', 'repo/src/deep/': ''})
    const ctx = await loadProjectContext({cwd: join(root, 'repo/src/deep'), env: {}})
    assert.equal(ctx.loaded?.file, join(root, 'repo/.headerkit.toml'))
    assert.deepEqual(ctx.loaded?.config.writers, ['top'])
    assert.equal(ctx.projectRoot, join(root, 'repo'))
    assert.equal(ctx.cwd, join(root, 'repo/src/deep'))
  })

  it('stops after the directory holding .git and does not read configs above it', async () => {
    const root = makeTree({'.headerkit.toml': 'writers = ["outside"]\n', 'repo/.git/': '', 'repo/src/': ''})
    const ctx = await loadProjectContext({cwd: join(root, 'repo/src'), env: {}})
    assert.equal(ctx.loaded, undefined)
    assert.equal(ctx.projectRoot, join(root, 'repo'))
  })

  it('treats a .git file (worktree, submodule) as a stop too', async () => {
    const root = makeTree({'.headerkit.toml': 'writers = ["outside"]\n', 'wt/.git': 'gitdir: /elsewhere\n', 'wt/src/': ''})
    assert.equal(await findConfigFile(join(root, 'wt/src')), undefined)
    assert.equal(findProjectRoot(join(root, 'wt/src'), undefined), join(root, 'wt'))
  })

  it('stops after the home directory', async () => {
    const root = makeTree({'.headerkit.toml': 'writers = ["above-home"]\n', 'home/user/proj/': ''})
    const ctx = await loadProjectContext({cwd: join(root, 'home/user/proj'), home: join(root, 'home/user'), env: {}})
    assert.equal(ctx.loaded, undefined)
  })

  it('prefers .headerkit.toml over pyproject.toml in the same directory, and says the pyproject one is ignored', async () => {
    const root = makeTree({'.git/': '', '.headerkit.toml': 'writers = ["headerkit-toml"]\n', 'pyproject.toml': HEADERKIT_PYPROJECT})
    const ctx = await loadProjectContext({cwd: root, env: {}})
    assert.equal(ctx.loaded?.kind, 'headerkit.toml')
    assert.deepEqual(ctx.loaded?.config.writers, ['headerkit-toml'])
    assert.deepEqual(ctx.warnings.map(formatConfigWarning), [
      `${join(root, 'pyproject.toml')}: tool.headerkit: ignored: ${join(root, '.headerkit.toml')} is in the same directory and takes precedence`,
    ])
  })

  it('skips a pyproject.toml without [tool.headerkit] and keeps walking', async () => {
    const root = makeTree({'.git/': '', 'pyproject.toml': HEADERKIT_PYPROJECT, 'pkg/pyproject.toml': '[project]\nname = "inner"\n[tool.black]\nline-length = 100\n'})
    const ctx = await loadProjectContext({cwd: join(root, 'pkg'), env: {}})
    assert.equal(ctx.loaded?.file, join(root, 'pyproject.toml'))
    assert.equal(ctx.loaded?.kind, 'pyproject')
    assert.deepEqual(ctx.loaded?.config.writers, ['pyproject'])
  })

  it('skips an unparsable pyproject.toml that has no [tool.headerkit], but reports one that has', async () => {
    const root = makeTree({'.git/': '', '.headerkit.toml': 'writers = ["top"]\n', 'a/pyproject.toml': '[project\nname = ', 'b/pyproject.toml': '[tool.headerkit]\nwriters = [cffi\n'})
    const ctx = await loadProjectContext({cwd: join(root, 'a'), env: {}})
    assert.deepEqual(ctx.loaded?.config.writers, ['top'])
    const error = await rejection(() => loadProjectContext({cwd: join(root, 'b'), env: {}}))
    assert.ok(error instanceof ConfigError)
    assert.match(error.message, new RegExp(`^config error in ${join(root, 'b/pyproject.toml')}:2: TOML syntax error`))
  })

  it('uses the nearest config in a monorepo, rooting the subproject at its config', async () => {
    const root = makeTree({
      '.git/': '',
      'pyproject.toml': HEADERKIT_PYPROJECT,
      'packages/sub/.headerkit.toml': 'writers = ["sub"]\n',
      'packages/sub/src/': '',
      'packages/other/src/': '',
    })
    const sub = await loadProjectContext({cwd: join(root, 'packages/sub/src'), env: {}})
    assert.deepEqual(sub.loaded?.config.writers, ['sub'])
    assert.equal(sub.projectRoot, join(root, 'packages/sub'))
    const other = await loadProjectContext({cwd: join(root, 'packages/other/src'), env: {}})
    assert.deepEqual(other.loaded?.config.writers, ['pyproject'])
    assert.equal(other.projectRoot, root)
  })

  it('without config or .git (an unpacked sdist), the cwd is the project root', async () => {
    const root = makeTree({'sdist-1.0/include/': ''})
    const cwd = join(root, 'sdist-1.0')
    const ctx = await loadProjectContext({cwd, home: root, env: {}})
    assert.equal(ctx.loaded, undefined)
    assert.equal(ctx.projectRoot, cwd)
    assert.deepEqual(ctx.warnings, [])
  })

  it('an sdist with its pyproject config is rooted at the config, not the cwd', async () => {
    const root = makeTree({'sdist-1.0/pyproject.toml': HEADERKIT_PYPROJECT, 'sdist-1.0/src/': ''})
    const ctx = await loadProjectContext({cwd: join(root, 'sdist-1.0/src'), home: root, env: {}})
    assert.equal(ctx.projectRoot, join(root, 'sdist-1.0'))
  })
})

describe('config: --config and --no-config', () => {
  it('--config loads the given file (relative to the cwd) instead of discovery', async () => {
    const root = makeTree({'.git/': '', '.headerkit.toml': 'writers = ["discovered"]\n', 'conf/ci.toml': 'writers = ["explicit"]\n'})
    const ctx = await loadProjectContext({cwd: root, configPath: 'conf/ci.toml', env: {}})
    assert.equal(ctx.loaded?.file, join(root, 'conf/ci.toml'))
    assert.deepEqual(ctx.loaded?.config.writers, ['explicit'])
    assert.equal(ctx.projectRoot, join(root, 'conf'))
  })

  it('--config with a pyproject.toml reads its [tool.headerkit]', async () => {
    const root = makeTree({'other/pyproject.toml': HEADERKIT_PYPROJECT})
    const ctx = await loadProjectContext({cwd: root, configPath: 'other/pyproject.toml', env: {}})
    assert.equal(ctx.loaded?.kind, 'pyproject')
    assert.deepEqual(ctx.loaded?.config.writers, ['pyproject'])
  })

  it('--config PATH that does not exist is an error naming the path', async () => {
    const root = makeTree({})
    const error = await rejection(() => loadProjectContext({cwd: root, configPath: 'missing.toml', env: {}}))
    assert.ok(error instanceof ConfigError)
    assert.equal(error.exitCode, 1)
    assert.match(error.message, new RegExp(`^config error in ${join(root, 'missing.toml')}: file not found$`))
  })

  it('--config with --no-config is a usage error (exit 2)', async () => {
    const root = makeTree({'a.toml': ''})
    const error = await rejection(() => loadProjectContext({cwd: root, configPath: 'a.toml', noConfig: true, env: {}}))
    assert.ok(error instanceof UsageError)
    assert.equal(error.exitCode, 2)
    assert.match(error.message, /--config and --no-config are mutually exclusive/)
  })

  it('--no-config ignores a config that would be found, even a broken one', async () => {
    const root = makeTree({'.git/': '', '.headerkit.toml': 'writers = [\n'})
    const ctx = await loadProjectContext({cwd: root, noConfig: true, env: {}})
    assert.equal(ctx.loaded, undefined)
    assert.equal(ctx.projectRoot, root)
  })
})
