/**
 * Lookups read each layer's index once per process while the file stays the same
 * (DESIGN 11), and see every change another writer makes: a new entry is found, a
 * replaced index is read again, a removed entry is a miss, an index rewritten by hand
 * in place (same inode) is read again, never a stale hit.
 */
import assert from 'node:assert/strict'
import {rmSync, writeFileSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {lookupIr, openStore, writeIr} from '../../src/store/index.js'
import {irLayer} from '../../src/store/layout.js'
import {readIndexForLookup} from '../../src/store/layer-index.js'
import {makeTempDir} from '../support/tmp.js'
import {irParams} from './support/entries.js'

describe('lookups and the index', () => {
  it('read the index once while it is unchanged, and again after each write', async () => {
    const store = openStore(join(makeTempDir(), '.headerkit'))
    const a = await writeIr(store, irParams('a'))
    const first = await readIndexForLookup(irLayer(store))
    assert.equal(await readIndexForLookup(irLayer(store)), first, 'an unchanged index is not read again')
    assert.equal(first.slugOf.get(a.key), a.slug)

    const b = await writeIr(store, irParams('b'))
    const second = await readIndexForLookup(irLayer(store))
    assert.notEqual(second, first)
    assert.equal(second.slugOf.get(b.key), b.slug)
    assert.ok((await lookupIr(store, b.key)).hit)
  })

  it('never serve an entry the index no longer lists, even when the index is rewritten in place', async () => {
    const store = openStore(join(makeTempDir(), '.headerkit'))
    const a = await writeIr(store, irParams('a'))
    assert.ok((await lookupIr(store, a.key)).hit)
    const indexPath = join(store.root, 'ir/index.json')
    const before = readFileSync(indexPath, 'utf8')
    // Same inode, same size: only mtime/ctime tell the file changed.
    writeFileSync(indexPath, before.replace(a.key, 'f'.repeat(64)))
    const miss = await lookupIr(store, a.key)
    assert.equal(miss.hit, false)
    assert.equal(miss.hit ? '' : miss.reason, 'not-indexed')

    writeFileSync(indexPath, before)
    assert.ok((await lookupIr(store, a.key)).hit)
    rmSync(join(store.root, 'ir', a.slug), {recursive: true})
    const gone = await lookupIr(store, a.key)
    assert.equal(gone.hit, false)
    assert.equal(gone.hit ? '' : gone.reason, 'entry-missing')
  })

  it('an unreadable index is read again at each lookup, so its repair is seen', async () => {
    const store = openStore(join(makeTempDir(), '.headerkit'))
    const a = await writeIr(store, irParams('a'))
    const indexPath = join(store.root, 'ir/index.json')
    const good = readFileSync(indexPath, 'utf8')
    writeFileSync(indexPath, '{not json')
    assert.equal((await lookupIr(store, a.key)).hit, false)
    writeFileSync(indexPath, good)
    assert.ok((await lookupIr(store, a.key)).hit)
  })
})
