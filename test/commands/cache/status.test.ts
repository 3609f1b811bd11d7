import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseJsonOutput, runCli} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'
import {projectWithStore} from './support.js'

interface Status {storeDir: string; ir: {entries: number; bytes: number}; output: {entries: number; writers: {layer: string; entries: number}[]}}

describe('headerkit cache status', () => {
  it('prints entries and bytes per layer and writer for the default store (<project root>/.headerkit)', async () => {
    const {project, store} = projectWithStore()
    mkdirSync(join(project, 'sub'))
    const r = await runCli(['cache', 'status'], {cwd: join(project, 'sub')})
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`Store: ${store}`))
    assert.match(r.stdout, /IR entries: 2 \(\d+(\.\d)? (B|KiB)\)/)
    assert.match(r.stdout, /Output entries: 4/)
    assert.match(r.stdout, /\n {2}cffi: 2 .*\n {2}json: 2 /)
  })

  it('--json gives the same numbers as data; the flag beats HEADERKIT_STORE_DIR, which beats store_dir in the config', async () => {
    const {project, store} = projectWithStore('flagstore')
    const other = projectWithStore('envstore')
    writeFileSync(join(project, '.headerkit.toml'), 'store_dir = "configstore"\n')
    const byFlag = parseJsonOutput<Status>(await runCli(['cache', 'status', '--json', '--store-dir', 'flagstore'], {cwd: project, env: {HEADERKIT_STORE_DIR: other.store}}))
    assert.equal(byFlag.storeDir, store)
    assert.equal(byFlag.ir.entries, 2)
    assert.deepEqual(byFlag.output.writers.map((w) => [w.layer, w.entries]), [['output/cffi', 2], ['output/json', 2]])
    const byEnv = parseJsonOutput<Status>(await runCli(['cache', 'status', '--json'], {cwd: project, env: {HEADERKIT_STORE_DIR: other.store}}))
    assert.equal(byEnv.storeDir, other.store)
    const byConfig = await runCli(['cache', 'status'], {cwd: project})
    assert.equal(byConfig.exitCode, 1)
    assert.equal(byConfig.stderr.trim(), `Error: store directory not found: ${join(project, 'configstore')} (check --store-dir / HEADERKIT_STORE_DIR / store_dir)`)
  })

  it('a missing store directory is one error line and exit 1, also with --json', async () => {
    const dir = makeTempDir()
    const r = await runCli(['cache', 'status', '--store-dir', 'nope'], {cwd: dir})
    assert.equal(r.exitCode, 1)
    assert.equal(r.stderr.trim().split('\n').length, 1)
    assert.match(r.stderr, /^Error: store directory not found: .*nope/)
    const j = await runCli(['cache', 'status', '--store-dir', 'nope', '--json'], {cwd: dir})
    assert.equal(j.exitCode, 1)
    assert.equal(parseJsonOutput<{error: {code: string}}>(j).error.code, 'E_STORE_MISSING')
  })
})
