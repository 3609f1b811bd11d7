/**
 * The settings as a user meets them: through a real command (`cache status`, which
 * resolves its store through loadProjectContext + resolveStoreDir) in a real process.
 */
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {parseJsonOutput, runCli} from '../support/cli.js'
import {makeTree} from './helpers.js'

function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '')
}

describe('config through the CLI', () => {
  it('a TOML syntax error is one line naming file and line, exit 1', async () => {
    const root = makeTree({'.git/': '', '.headerkit.toml': 'writers = ["cffi"]\nstore_dir = [\n', 'src/': ''})
    const result = await runCli(['cache', 'status'], {cwd: join(root, 'src')})
    assert.equal(result.exitCode, 1)
    assert.equal(result.stdout, '')
    const lines = stderrLines(result.stderr)
    assert.equal(lines.length, 1, result.stderr)
    assert.match(lines[0]!, new RegExp(`^Error: config error in ${join(root, '.headerkit.toml')}:\\d+: TOML syntax error at column \\d+: `))
  })

  it('a type error is one line naming file, line and key, exit 1', async () => {
    const root = makeTree({'.git/': '', 'pyproject.toml': '[project]\nname = "p"\n\n[tool.headerkit]\nstore_dir = 5\n'})
    const result = await runCli(['cache', 'status'], {cwd: root})
    assert.equal(result.exitCode, 1)
    assert.deepEqual(stderrLines(result.stderr), [`Error: config error in ${join(root, 'pyproject.toml')}:5: tool.headerkit.store_dir: expected a string, found integer 5 (quote the value to make it a string)`])
  })

  it('an unknown key is a warning on stderr and the command still runs', async () => {
    const root = makeTree({'.git/': '', '.headerkit.toml': 'writerz = ["cffi"]\n', '.headerkit/': ''})
    const result = await runCli(['cache', 'status', '--json'], {cwd: root})
    assert.equal(result.exitCode, 0, result.stderr)
    assert.deepEqual(stderrLines(result.stderr), [`Warning: ${join(root, '.headerkit.toml')}:1: writerz: unknown key, ignored (did you mean 'writers'?)`])
    assert.equal(parseJsonOutput<{storeDir: string}>(result).storeDir, join(root, '.headerkit'))
  })

  it('store dir: flag > HEADERKIT_STORE_DIR > config store_dir > <root>/.headerkit, end to end', async () => {
    const root = makeTree({'.git/': '', '.headerkit.toml': 'store_dir = "from-config"\n', 'work/': '', 'from-config/': '', 'work/from-env/': '', 'work/from-flag/': '', '.headerkit/': ''})
    const cwd = join(root, 'work')
    const storeDir = async (args: string[], env: Record<string, string> = {}) => {
      const result = await runCli(['cache', 'status', '--json', ...args], {cwd, env})
      assert.equal(result.exitCode, 0, result.stderr)
      return parseJsonOutput<{storeDir: string}>(result).storeDir
    }
    assert.equal(await storeDir([]), join(root, 'from-config'))
    assert.equal(await storeDir([], {HEADERKIT_STORE_DIR: 'from-env'}), join(cwd, 'from-env'))
    assert.equal(await storeDir(['--store-dir', 'from-flag'], {HEADERKIT_STORE_DIR: 'from-env'}), join(cwd, 'from-flag'))
    assert.equal(await storeDir(['--no-config']), join(root, '.headerkit'))
  })

  it('--config with --no-config is a usage error, exit 2', async () => {
    const root = makeTree({'a.toml': ''})
    const result = await runCli(['cache', 'status', '--config', 'a.toml', '--no-config'], {cwd: root})
    assert.equal(result.exitCode, 2)
    assert.match(result.stderr, /--config=a\.toml cannot also be provided when using --no-config/)
  })

  it('--config PATH that does not exist is one line, exit 1', async () => {
    const root = makeTree({})
    const result = await runCli(['cache', 'status', '--config', 'nope.toml'], {cwd: root})
    assert.equal(result.exitCode, 1)
    assert.deepEqual(stderrLines(result.stderr), [`Error: config error in ${join(root, 'nope.toml')}: file not found (check the path, or run without --config to use discovery)`])
  })

  it('an unset ${VAR} is one line naming the variable, exit 1', async () => {
    const root = makeTree({'.git/': '', '.headerkit.toml': 'store_dir = "${HK_TEST_UNSET_VAR}/store"\n'})
    const result = await runCli(['cache', 'status'], {cwd: root, env: {HK_TEST_UNSET_VAR: undefined}})
    assert.equal(result.exitCode, 1)
    assert.deepEqual(stderrLines(result.stderr), [
      `Error: config error in ${join(root, '.headerkit.toml')}:1: store_dir: environment variable 'HK_TEST_UNSET_VAR' is not set (referenced as \${HK_TEST_UNSET_VAR}) (set HK_TEST_UNSET_VAR in the environment, or change the value)`,
    ])
  })
})
