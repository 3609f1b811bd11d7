/**
 * Metadata version 3: every source and payload records its SHA-256 next to its BLAKE3 (the
 * Python reader checks freshness with it). Lookups, verify and merge hold entries to it:
 * a version-2 entry, a missing sha256 or a payload whose sha256 disagrees is not usable.
 */
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {blake3Hex} from '../../src/hash/blake3.js'
import {lookupOutput, openStore, storeMerge, verifyStore, writeIr, writeOutput} from '../../src/store/index.js'
import {makeTempDir} from '../support/tmp.js'
import {irParams, outputParams} from './support/entries.js'

const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex')

async function storeWithEntry(): Promise<{root: string; irDir: string; outDir: string; key: string; text: string}> {
  const store = openStore(makeTempDir())
  const digest = {path: 'include/dep.h', hash: 'b'.repeat(64), sha256: 'd'.repeat(64)}
  const ir = await writeIr(store, irParams('a', {deps: [digest]}))
  const params = await outputParams('a', 'cffi', 'int a;\n', {deps: [digest]})
  const out = await writeOutput(store, params)
  return {root: store.root, irDir: join(store.root, ir.path), outDir: join(store.root, out.path), key: out.key, text: 'int a;\n'}
}

describe('store metadata version 3 (sha256)', () => {
  it('records the SHA-256 of the header, each dependency and each payload', async () => {
    const s = await storeWithEntry()
    const ir = JSON.parse(readFileSync(join(s.irDir, 'metadata.json'), 'utf8'))
    assert.equal(ir.version, 3)
    assert.equal(ir.header_sha256, 'c'.repeat(64))
    assert.deepEqual(ir.deps, [{path: 'include/dep.h', hash: 'b'.repeat(64), sha256: 'd'.repeat(64)}])
    assert.equal(ir.files['ir.json'].sha256, sha256(readFileSync(join(s.irDir, 'ir.json'))))
    const out = JSON.parse(readFileSync(join(s.outDir, 'metadata.json'), 'utf8'))
    const [name] = Object.keys(out.files) as [string]
    assert.equal(out.files[name].sha256, sha256(readFileSync(join(s.outDir, name))))
    assert.equal(out.files[name].sha256, sha256(s.text))
  })

  it('a payload whose sha256 disagrees (blake3 and size kept consistent) is a payload-mismatch miss and a verify error', async () => {
    const s = await storeWithEntry()
    const text = 'int b;\n'
    const meta = JSON.parse(readFileSync(join(s.outDir, 'metadata.json'), 'utf8'))
    const [name] = Object.keys(meta.files) as [string]
    writeFileSync(join(s.outDir, name), text)
    meta.files[name].blake3 = await blake3Hex(text)
    writeFileSync(join(s.outDir, 'metadata.json'), JSON.stringify(meta))
    const found = await lookupOutput(openStore(s.root), 'cffi', s.key)
    assert.equal(found.hit, false)
    assert.ok(!found.hit && found.reason === 'payload-mismatch' && /sha256/.test(found.detail), JSON.stringify(found))
    const report = await verifyStore(openStore(s.root))
    assert.ok(report.problems.some((p) => p.severity === 'error' && /sha256/.test(p.message)), JSON.stringify(report.problems))
  })

  it('a version-2 entry (no sha256) is refused by verify and by merge, and not copied', async () => {
    const s = await storeWithEntry()
    const meta = JSON.parse(readFileSync(join(s.irDir, 'metadata.json'), 'utf8'))
    meta.version = 2
    delete meta.header_sha256
    for (const d of meta.deps) delete d.sha256
    delete meta.files['ir.json'].sha256
    writeFileSync(join(s.irDir, 'metadata.json'), JSON.stringify(meta))
    const report = await verifyStore(openStore(s.root))
    assert.ok(report.problems.some((p) => p.severity === 'error' && /unsupported metadata version 2/.test(p.message)), JSON.stringify(report.problems))
    const target = makeTempDir()
    const merged = await storeMerge([s.root], target)
    assert.equal(merged.new, 1)
    assert.ok(merged.errors.some((e) => /unsupported metadata version 2/.test(e.message)), JSON.stringify(merged.errors))
    assert.deepEqual(JSON.parse(readFileSync(join(target, 'ir/index.json'), 'utf8')).entries, {})
  })

  it('version 3 metadata without a sha256 for a dependency is corrupt', async () => {
    const s = await storeWithEntry()
    const meta = JSON.parse(readFileSync(join(s.irDir, 'metadata.json'), 'utf8'))
    delete meta.deps[0].sha256
    writeFileSync(join(s.irDir, 'metadata.json'), JSON.stringify(meta))
    const report = await verifyStore(openStore(s.root))
    assert.ok(report.problems.some((p) => p.severity === 'error' && /deps is malformed \(each needs path, hash and sha256\)/.test(p.message)), JSON.stringify(report.problems))
  })
})
