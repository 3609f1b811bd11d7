/**
 * writePreparedBatch: many entries, one lock and one index write per layer, with the
 * same outcome as writing them one by one (same store bytes, same statuses), keys
 * already stored left alone, a damaged entry replaced, two entries of one slug apart.
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {lookupIr, openStore, verifyStore, writeIr, writeOutput} from '../../src/store/index.js'
import {prepareIr, prepareOutput, writePreparedBatch} from '../../src/store/write.js'
import {makeTempDir} from '../support/tmp.js'
import {irParams, outputParams} from './support/entries.js'
import {treeBytes} from '../support/tree.js'

describe('writing entries in a batch', () => {
  it('gives the store one-by-one writes give, and the same statuses', async () => {
    const names = ['a', 'b', 'c']
    const batched = openStore(join(makeTempDir(), '.headerkit'), {fsync: false})
    const prepared = [
      ...(await Promise.all(names.map((n) => prepareIr(batched, irParams(n))))),
      ...(await Promise.all(names.map(async (n) => prepareOutput(batched, await outputParams(n))))),
      // The same slug as `a` for another target's defines: a -2 slug, as one by one.
      await prepareIr(batched, irParams('a', {defines: ['DEBUG'], args: ['-std=c11'], extractorVersion: '2.0.0'})),
    ]
    const results = await writePreparedBatch(batched, prepared)
    assert.deepEqual(results.map((r) => r.status), ['written', 'written', 'written', 'written', 'written', 'written', 'written'])
    assert.equal(results[6]!.slug, `${results[0]!.slug}-2`)

    const single = openStore(join(makeTempDir(), '.headerkit'))
    for (const n of names) await writeIr(single, irParams(n))
    for (const n of names) await writeOutput(single, await outputParams(n))
    await writeIr(single, irParams('a', {defines: ['DEBUG'], args: ['-std=c11'], extractorVersion: '2.0.0'}))
    assert.deepEqual(treeBytes(batched.root), treeBytes(single.root))
    assert.equal((await verifyStore(batched)).problems.length, 0)

    // Again: everything exists; nothing is rewritten.
    const again = await writePreparedBatch(batched, prepared)
    assert.ok(again.every((r) => r.status === 'exists'))
  })

  it('replaces a damaged entry under its key and says so', async () => {
    const store = openStore(join(makeTempDir(), '.headerkit'), {fsync: false})
    const a = await writeIr(store, irParams('a'))
    writeFileSync(join(store.root, 'ir', a.slug, 'ir.json'), '{"broken": true}\n')
    const [r] = await writePreparedBatch(store, [await prepareIr(store, irParams('a'))])
    assert.equal(r!.status, 'repaired')
    assert.match(r!.warnings.join('\n'), /was damaged/)
    assert.ok((await lookupIr(store, a.key)).hit)
  })
})
