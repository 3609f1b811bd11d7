import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseJsonOutput, runCli} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'
import {projectWithStore} from './support.js'

const SLUG = 'libclang.mylib.x86_64-linux-gnu.d.DEBUG.i.include.args.std=c11'

describe('headerkit cache verify', () => {
  it('passes a sound store with exit 0', async () => {
    const {project} = projectWithStore()
    const r = await runCli(['cache', 'verify'], {cwd: project})
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /^OK: .*: 3 layers, 6 indexed entries, 0 errors, 0 warnings$/m)
  })

  it('lists each problem with its path and exits 1 (text and --json)', async () => {
    const {project, store} = projectWithStore()
    writeFileSync(join(store, 'output/cffi', SLUG, 'output.py'), 'tampered\n')
    writeFileSync(join(store, 'ir/index.json'), '{not json')
    const r = await runCli(['cache', 'verify'], {cwd: project})
    assert.equal(r.exitCode, 1)
    assert.match(r.stdout, new RegExp(`^error {3}output/cffi/${SLUG.replace(/\./g, '\\.')}: payload-mismatch: `, 'm'))
    assert.match(r.stdout, /^error {3}ir\/index\.json: index-unreadable: /m)
    assert.match(r.stdout, /^warning ir\/libclang\.net\..*: unindexed: /m)
    assert.match(r.stdout, /^FAILED: /m)
    const j = await runCli(['cache', 'verify', '--json'], {cwd: project})
    assert.equal(j.exitCode, 1)
    const result = parseJsonOutput<{ok: boolean; errors: number; problems: {path: string; code: string}[]}>(j)
    assert.equal(result.ok, false)
    assert.equal(result.errors, 2)
    assert.ok(result.problems.some((p) => p.path === 'ir/index.json' && p.code === 'index-unreadable'))
  })

  it('a missing store directory is one error line and exit 1', async () => {
    const r = await runCli(['cache', 'verify', '--store-dir', 'missing'], {cwd: makeTempDir()})
    assert.equal(r.exitCode, 1)
    assert.match(r.stderr.trim(), /^Error: store directory not found: \S*missing \(/)
    assert.equal(r.stderr.trim().split('\n').length, 1)
  })
})
