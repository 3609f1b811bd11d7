import assert from 'node:assert/strict'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {parseJsonOutput, runCli} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'
import {projectWithStore} from './support.js'

const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('libclang.')) : [])

describe('headerkit cache clear', () => {
  it('--ir clears only the IR layer; --output only the outputs', async () => {
    const {project, store} = projectWithStore()
    const r = await runCli(['cache', 'clear', '--ir'], {cwd: project})
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /Cleared IR cache entries \(2 entries\)/)
    assert.deepEqual(entries(join(store, 'ir')), [])
    assert.equal(entries(join(store, 'output/cffi')).length, 2)
    const o = await runCli(['cache', 'clear', '--output'], {cwd: project})
    assert.match(o.stdout, /Cleared output cache entries \(4 entries\)/)
    assert.deepEqual(entries(join(store, 'output/cffi')), [])
  })

  it('both flags clear both layers (the original cleared nothing), with --json', async () => {
    const {project, store} = projectWithStore()
    const r = await runCli(['cache', 'clear', '--ir', '--output', '--json'], {cwd: project})
    assert.equal(r.exitCode, 0, r.stderr)
    const result = parseJsonOutput<{cleared: {layer: string; entries: number}[]}>(r)
    assert.deepEqual(result.cleared, [{layer: 'ir', entries: 2}, {layer: 'output/cffi', entries: 2}, {layer: 'output/json', entries: 2}])
    assert.deepEqual([...entries(join(store, 'ir')), ...entries(join(store, 'output/cffi')), ...entries(join(store, 'output/json'))], [])
    const v = await runCli(['cache', 'verify'], {cwd: project})
    assert.equal(v.exitCode, 0, v.stdout)
  })

  it('no flag clears everything; a missing store is one error line and exit 1', async () => {
    const {project, store} = projectWithStore()
    const r = await runCli(['cache', 'clear'], {cwd: project})
    assert.match(r.stdout, /Cleared all cache entries \(6 entries\)/)
    assert.deepEqual(entries(join(store, 'ir')), [])
    const m = await runCli(['cache', 'clear', '--store-dir', 'missing'], {cwd: makeTempDir()})
    assert.equal(m.exitCode, 1)
    assert.match(m.stderr.trim(), /^Error: store directory not found: /)
  })
})
