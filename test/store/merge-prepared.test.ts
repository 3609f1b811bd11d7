/**
 * mergePrepared (entries made in memory, populate's jobs) against what it stands in for:
 * each source written into a fresh store in order, then `store merge`. Same tree, same
 * counts, same conflicts, including slugs taken within a source and keys shared across
 * sources with equal or different bytes.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {openStore, storeMerge, verifyStore, writeIr} from '../../src/store/index.js'
import {mergePrepared, type PreparedSource} from '../../src/store/merge.js'
import {type PreparedEntry, prepareIr, prepareOutput, writePrepared} from '../../src/store/write.js'
import {makeTempDir} from '../support/tmp.js'
import {irParams, outputParams} from './support/entries.js'

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(dir, {withFileTypes: true, recursive: true})) {
    if (e.isFile()) out[relative(dir, join(e.parentPath, e.name))] = readFileSync(join(e.parentPath, e.name), 'utf8')
  }
  return out
}

describe('store: merging entries made in memory', () => {
  it('gives the tree and result of writing each source into its own store and merging those', async () => {
    const top = makeTempDir()
    const scratch = openStore(join(top, 'scratch'))
    const a: PreparedEntry[] = [
      await prepareIr(scratch, irParams('one')),
      // Another header of the same name: the same proposed slug, so the second takes `-2`.
      await prepareIr(scratch, irParams('one', {header: {path: 'src/one.h', hash: 'b'.repeat(64), sha256: 'd'.repeat(64)}})),
      await prepareIr(scratch, irParams('one', {defines: ['OTHER']})),
      await prepareOutput(scratch, await outputParams('one')),
      await prepareIr(scratch, irParams('one')), // made twice in one source: stored once
    ]
    const b: PreparedEntry[] = [
      await prepareIr(scratch, irParams('one')), // same key and bytes as in a: skipped
      await prepareIr(scratch, {...irParams('one', {defines: ['OTHER']}), ir: {kind: 'header', changed: true}}), // same key, other bytes: a conflict
      await prepareIr(scratch, irParams('two')),
      await prepareOutput(scratch, await outputParams('two', 'json')),
    ]
    const sources: PreparedSource[] = [{name: 'job-a', entries: a}, {name: 'job-b', entries: b}]

    // What it stands in for, on a target that already holds another key under a slug b wants.
    const occupant = irParams('two', {header: {path: 'lib/two.h', hash: 'c'.repeat(64), sha256: 'e'.repeat(64)}})
    const viaStores = openStore(join(top, 'via-stores'))
    const viaMemory = openStore(join(top, 'via-memory'))
    await writeIr(viaStores, occupant)
    await writeIr(viaMemory, occupant)
    const staging = []
    for (const s of sources) {
      const store = openStore(join(top, 'staging', s.name))
      for (const e of s.entries) await writePrepared(store, e)
      staging.push(store.root)
    }
    const expected = await storeMerge(staging, viaStores.root)
    const got = await mergePrepared(sources, viaMemory.root)

    assert.deepEqual(tree(viaMemory.root), tree(viaStores.root))
    const shape = (r: typeof got) => ({new: r.new, skipped: r.skipped, ok: r.ok, errors: r.errors,
      renamed: r.renamed.map(({layer, key, from, to}) => ({layer, key, from, to})),
      conflicts: r.conflicts.map(({layer, key, slug, sourceSlug}) => ({layer, key, slug, sourceSlug}))})
    assert.deepEqual(shape(got), shape(expected))
    // Not a vacuous comparison: every case above happened.
    assert.equal(got.conflicts.length, 1)
    assert.ok(got.skipped >= 1)
    assert.ok(got.renamed.length >= 1, JSON.stringify(got))
    assert.ok(Object.keys(tree(viaMemory.root)).some((p) => p.startsWith('ir/libclang.one.') && p.includes('-2/')), 'a slug taken within a source')
    assert.deepEqual(got.sources, ['job-a', 'job-b'])
    assert.equal(got.conflicts[0]!.source, 'job-b')
    assert.deepEqual((await verifyStore(viaMemory)).problems, [])
  })
})
