import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseJsonOutput, REPO_ROOT, runCli} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'
import {projectWithStore} from './support.js'

describe('headerkit cache rebuild-index', () => {
  it('rebuilds a corrupt index to exactly the committed one and prints per-layer counts', async () => {
    const {project, store} = projectWithStore()
    writeFileSync(join(store, 'ir/index.json'), '{"version": 2, "entries": {"../../x": {"cache_key": "zz"}')
    writeFileSync(join(store, 'output/json/index.json'), '[]')
    const r = await runCli(['cache', 'rebuild-index'], {cwd: project})
    assert.equal(r.exitCode, 0, r.stderr)
    assert.deepEqual(r.stdout.trim().split('\n'), ['Rebuilt index: ir/index.json (2 entries)', 'Rebuilt index: output/cffi/index.json (2 entries)', 'Rebuilt index: output/json/index.json (2 entries)'])
    for (const f of ['ir/index.json', 'output/json/index.json']) assert.equal(readFileSync(join(store, f), 'utf8'), readFileSync(join(REPO_ROOT, 'fixtures/stores/good', f), 'utf8'))
    assert.equal((await runCli(['cache', 'verify'], {cwd: project})).exitCode, 0)
  })

  it('leaves damaged entries out, says why, and reports it as JSON', async () => {
    const {project, store} = projectWithStore()
    const slug = 'libclang.net.x86_64-linux-gnu.d.DEBUG.i.include.args.std=c11'
    writeFileSync(join(store, 'ir', slug, 'ir.json'), '{}\n')
    const r = await runCli(['cache', 'rebuild-index', '--json'], {cwd: project})
    assert.equal(r.exitCode, 0, r.stderr)
    const result = parseJsonOutput<{layers: {layer: string; entries: number; skipped: {slug: string}[]}[]}>(r)
    const ir = result.layers.find((l) => l.layer === 'ir')
    assert.ok(ir)
    assert.equal(ir.entries, 1)
    assert.deepEqual(ir.skipped.map((s) => s.slug), [slug])
    assert.match(r.stderr, new RegExp(`Warning: ir/${slug.replace(/\./g, '\\.')} not indexed: `))
  })

  it('a missing store directory is one error line and exit 1', async () => {
    const r = await runCli(['cache', 'rebuild-index', '--store-dir', 'missing'], {cwd: makeTempDir()})
    assert.equal(r.exitCode, 1)
    assert.match(r.stderr.trim(), /^Error: store directory not found: /)
  })
})
