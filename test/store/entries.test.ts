import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {irKey, lookupIr, lookupOutput, openStore, outputKey, rebuildIndex, verifyStore, writeIr, writeOutput} from '../../src/store/index.js'
import {makeTempDir} from '../support/tmp.js'
import {irInputs, irParams, outputParams} from './support/entries.js'

/** Every file under a directory with its bytes, for before/after comparisons. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string): void => {
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out.set(p.slice(dir.length), e.isFile() ? readFileSync(p, 'utf8') : `<${e.isSymbolicLink() ? 'link' : 'special'}>`)
    }
  }
  walk(dir)
  return out
}

describe('store entries', () => {
  it('write then look up IR and output, with the payloads back intact', async () => {
    const store = openStore(join(makeTempDir(), '.headerkit'))
    const params = irParams('a')
    const w = await writeIr(store, params)
    assert.equal(w.status, 'written')
    assert.equal(w.slug, 'libclang.a.x86_64-linux-gnu.d.DEBUG.i.include.args.std=c11')
    const hit = await lookupIr(store, w.key)
    assert.ok(hit.hit)
    assert.deepEqual(hit.payload, params.ir)
    assert.equal(hit.metadata.header_path, 'include/a.h')
    assert.deepEqual(hit.metadata.provenance, {libclang: '14.0.6'})
    assert.equal((await writeIr(store, params)).status, 'exists')

    const op = await outputParams('a')
    const ow = await writeOutput(store, op)
    assert.equal(ow.slug, w.slug)
    const out = await lookupOutput(store, 'cffi', ow.key)
    assert.ok(out.hit)
    assert.equal(out.payload, op.text)
    assert.ok(existsSync(join(store.root, 'output/cffi', ow.slug, 'output.py')))
    assert.equal(readFileSync(join(store.root, '.gitignore'), 'utf8').includes('.tmp-*'), true)
  })

  it('a plain miss has a reason and no warning', async () => {
    const store = openStore(makeTempDir())
    await writeIr(store, irParams('a'))
    const miss = await lookupIr(store, await irKey(irInputs('b')))
    assert.equal(miss.hit, false)
    assert.ok(!miss.hit && miss.reason === 'not-indexed')
    assert.deepEqual(miss.warnings, [])
  })

  it('registers slug-2 for a second key with the same slug, and reuses the slug of a known key', async () => {
    const store = openStore(makeTempDir())
    const a = await writeIr(store, irParams('a'))
    const b = await writeIr(store, irParams('a', {header: {path: 'include/a.h', hash: 'c'.repeat(64), sha256: 'c'.repeat(64)}}))
    assert.equal(b.slug, `${a.slug}-2`)
    assert.equal((await writeIr(store, irParams('a', {header: {path: 'include/a.h', hash: 'c'.repeat(64), sha256: 'c'.repeat(64)}}))).slug, b.slug)
  })

  it('corrupt index JSON: a miss with a warning, nothing written by the read; verify reports it; rebuild-index fixes it', async () => {
    const store = openStore(makeTempDir())
    const w = await writeIr(store, irParams('a'))
    writeFileSync(join(store.root, 'ir/index.json'), '{"version": 2, "entries": {')
    const before = snapshot(store.root)
    const miss = await lookupIr(store, w.key)
    assert.ok(!miss.hit && miss.reason === 'index-unreadable')
    assert.match(miss.warnings.join('\n'), /ir\/index\.json is unreadable/)
    assert.deepEqual(snapshot(store.root), before, 'a read must not write')

    const v = await verifyStore(store)
    assert.equal(v.ok, false)
    assert.ok(v.problems.some((p) => p.severity === 'error' && p.code === 'index-unreadable' && p.path === 'ir/index.json'))

    const r = await rebuildIndex(store)
    assert.deepEqual(r.layers.map((l) => [l.layer, l.entries]), [['ir', 1]])
    assert.ok((await lookupIr(store, w.key)).hit)
    assert.equal((await verifyStore(store)).ok, true)
  })

  it('a writer facing a corrupt index rebuilds it under the lock instead of dropping the other entries', async () => {
    const store = openStore(makeTempDir())
    const a = await writeIr(store, irParams('a'))
    writeFileSync(join(store.root, 'ir/index.json'), 'garbage')
    const b = await writeIr(store, irParams('b'))
    assert.match(b.warnings.join('\n'), /rebuilt it/)
    assert.ok((await lookupIr(store, a.key)).hit)
    assert.ok((await lookupIr(store, b.key)).hit)
  })

  it('an index slug like ../../x reads and writes nothing outside the store', async () => {
    const top = makeTempDir()
    const store = openStore(join(top, 'project/.headerkit'))
    const canary = join(top, 'canary')
    mkdirSync(canary)
    const params = irParams('a')
    const key = await irKey(params.inputs)
    // A planted entry outside the store that a traversal would find and serve.
    mkdirSync(join(canary, 'x'), {recursive: true})
    writeFileSync(join(canary, 'x', 'secret'), 'do not read')
    mkdirSync(join(store.root, 'ir'), {recursive: true})
    const hostile = {version: 2, entries: {'../../../canary/x': {cache_key: key}, '../../x': {cache_key: key}}}
    writeFileSync(join(store.root, 'ir/index.json'), JSON.stringify(hostile))
    const before = snapshot(top)

    const miss = await lookupIr(store, key)
    assert.equal(miss.hit, false)
    assert.match(miss.warnings.join('\n'), /unusable entry/)
    assert.deepEqual(snapshot(top), before)
    const v = await verifyStore(store)
    assert.ok(v.problems.some((p) => p.code === 'index-entry-invalid' && p.message.includes('../../x')))
    assert.deepEqual(snapshot(top), before)

    const w = await writeIr(store, params)
    assert.equal(w.slug, 'libclang.a.x86_64-linux-gnu.d.DEBUG.i.include.args.std=c11')
    assert.deepEqual(snapshot(canary), new Map([['/x/secret', 'do not read']]))
    assert.ok(!existsSync(join(top, 'x')) && !existsSync(join(top, 'project', 'x')))
    // The writer drops unusable index entries when it rewrites the index.
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(store.root, 'ir/index.json'), 'utf8')).entries), [w.slug])
    assert.equal((await verifyStore(store)).ok, true)
  })

  it('an entry containing a symlink to a file outside the store is a miss, and verify rejects it', async () => {
    const top = makeTempDir()
    const store = openStore(join(top, 'store'))
    writeFileSync(join(top, 'secret.txt'), 'SECRET CONTENT')
    const ow = await writeOutput(store, await outputParams('a'))
    const file = join(store.root, 'output/cffi', ow.slug, 'output.py')
    rmSync(file)
    symlinkSync(join(top, 'secret.txt'), file)
    const miss = await lookupOutput(store, 'cffi', ow.key)
    assert.ok(!miss.hit && miss.reason === 'entry-corrupt')
    assert.match(miss.detail, /output\.py is a symlink/)
    const v = await verifyStore(store)
    assert.ok(v.problems.some((p) => p.severity === 'error' && p.path === `output/cffi/${ow.slug}`))
  })

  it('a symlinked entry directory is a miss', async () => {
    const top = makeTempDir()
    const store = openStore(join(top, 'store'))
    const w = await writeIr(store, irParams('a'))
    const entry = join(store.root, 'ir', w.slug)
    execFileSync('mv', [entry, join(top, 'elsewhere')])
    symlinkSync(join(top, 'elsewhere'), entry)
    const miss = await lookupIr(store, w.key)
    assert.ok(!miss.hit && miss.reason === 'entry-corrupt' && /symlink/.test(miss.detail))
  })

  it('a missing entry directory is a miss with a warning; writing again restores it', async () => {
    const store = openStore(makeTempDir())
    const w = await writeIr(store, irParams('a'))
    rmSync(join(store.root, 'ir', w.slug), {recursive: true})
    const miss = await lookupIr(store, w.key)
    assert.ok(!miss.hit && miss.reason === 'entry-missing')
    assert.equal(miss.warnings.length, 1)
    assert.equal((await verifyStore(store)).ok, false)
    assert.equal((await writeIr(store, irParams('a'))).status, 'repaired')
    assert.ok((await lookupIr(store, w.key)).hit)
  })

  it('tampered payload bytes (same size or not) are a miss', async () => {
    const store = openStore(makeTempDir())
    const ow = await writeOutput(store, await outputParams('a', 'cffi', 'int f(void);\n'))
    const file = join(store.root, 'output/cffi', ow.slug, 'output.py')
    writeFileSync(file, 'int g(void);\n')
    const m1 = await lookupOutput(store, 'cffi', ow.key)
    assert.ok(!m1.hit && m1.reason === 'payload-mismatch')
    writeFileSync(file, 'int f(void);\nimport os\n')
    const m2 = await lookupOutput(store, 'cffi', ow.key)
    assert.ok(!m2.hit && m2.reason === 'payload-mismatch')
  })

  it('metadata that disagrees with the index or with its own inputs is a miss', async () => {
    const store = openStore(makeTempDir())
    const w = await writeIr(store, irParams('a'))
    const metaPath = join(store.root, 'ir', w.slug, 'metadata.json')
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'))
    writeFileSync(metaPath, JSON.stringify({...meta, defines: ['OTHER']}))
    const m1 = await lookupIr(store, w.key)
    assert.ok(!m1.hit && m1.reason === 'key-mismatch')
    // Another valid entry's directory registered under this key.
    const b = await writeIr(store, irParams('b'))
    writeFileSync(join(store.root, 'ir/index.json'), JSON.stringify({version: 2, entries: {[b.slug]: {cache_key: w.key}}}))
    const m2 = await lookupIr(store, w.key)
    assert.ok(!m2.hit && m2.reason === 'key-mismatch')
  })

  it('an unsafe writer name is a miss, never a path', async () => {
    const store = openStore(makeTempDir())
    const miss = await lookupOutput(store, '../ir', 'a'.repeat(64))
    assert.ok(!miss.hit && miss.reason === 'invalid-name')
    await assert.rejects(writeOutput(store, await outputParams('a', '../x')), /invalid writer name/)
  })

  it('gives byte-identical files for the same entries written in other directories and orders', async () => {
    const s1 = openStore(join(makeTempDir('hk-a-'), 'deep/store'))
    const s2 = openStore(join(makeTempDir('hk-b-'), 's'))
    const names = ['a', 'b', 'c', 'd']
    for (const n of names) {
      await writeIr(s1, irParams(n))
      await writeOutput(s1, await outputParams(n))
    }
    for (const n of [...names].reverse()) {
      await writeOutput(s2, await outputParams(n))
      await writeIr(s2, irParams(n))
    }
    const a = snapshot(s1.root)
    assert.deepEqual(snapshot(s2.root), a)
    assert.equal(a.size, 2 * 4 * 2 + 2 + 1)
    for (const text of a.values()) {
      assert.ok(!text.includes(s1.root) && !text.includes('/tmp/'), 'no absolute paths in store files')
      assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT\d\d:/, 'no timestamps in store files')
    }
  })

  it('output key in metadata matches a recomputation from the recorded inputs', async () => {
    const store = openStore(makeTempDir())
    const op = await outputParams('a')
    const ow = await writeOutput(store, op)
    assert.equal(ow.key, await outputKey(op.inputs))
    const meta = JSON.parse(readFileSync(join(store.root, ow.path, 'metadata.json'), 'utf8'))
    assert.equal(meta.ir_cache_key, op.inputs.irKey)
    assert.deepEqual(meta.writer_options, {exclude_patterns: ['^_']})
    assert.equal(statSync(join(store.root, ow.path, 'output.py')).size, meta.files['output.py'].size)
  })
})
