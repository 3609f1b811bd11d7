import assert from 'node:assert/strict'
import {cpSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseJsonOutput, runCli} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'

const DEMO = fileURLToPath(new URL('../../../examples/demo', import.meta.url))

describe('headerkit cache verify --sources', function () {
  this.timeout(120_000)

  it('passes on a fresh store and fails, naming header, layer and target, once a source changes; without libclang', async () => {
    const dir = join(makeTempDir('headerkit-verify-'), 'demo')
    cpSync(DEMO, dir, {recursive: true})
    assert.equal((await runCli([], {cwd: dir})).exitCode, 0)
    const noLibclang = {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so.1'}
    const fresh = await runCli(['cache', 'verify', '--sources'], {cwd: dir, env: noLibclang})
    assert.equal(fresh.exitCode, 0, fresh.stdout + fresh.stderr)
    writeFileSync(join(dir, 'include/demo/config.h'), '#include "types.h"\ntypedef struct demo_config { int changed; } demo_config;\n')
    const stale = await runCli(['cache', 'verify', '--sources', '--json'], {cwd: dir, env: noLibclang})
    assert.equal(stale.exitCode, 1)
    const result = parseJsonOutput<{ok: boolean; problems: {path: string; code: string; message: string}[]}>(stale)
    assert.equal(result.ok, false)
    assert.deepEqual(result.problems.map((p) => [p.path, p.code, p.message.split(':')[0]]), [
      ['include/demo.h', 'source-missing', 'no fresh IR entry for x86_64-pc-linux-gnu'],
      ['include/demo.h', 'source-missing', 'no fresh cffi output entry for x86_64-pc-linux-gnu'],
      ['include/demo.h', 'source-missing', 'no fresh json output entry for x86_64-pc-linux-gnu'],
    ])
  })

  it('checks every target given, so an unpopulated platform fails CI', async () => {
    const dir = join(makeTempDir('headerkit-verify-'), 'demo')
    cpSync(DEMO, dir, {recursive: true})
    assert.equal((await runCli([], {cwd: dir})).exitCode, 0)
    const result = await runCli(['cache', 'verify', '--sources', '--target', 'x86_64-linux-gnu', '--target', 'aarch64-linux-gnu'], {cwd: dir})
    assert.equal(result.exitCode, 1)
    assert.match(result.stdout, /no fresh IR entry for aarch64-unknown-linux-gnu/)
    assert.doesNotMatch(result.stdout, /x86_64-pc-linux-gnu/)
  })
})
