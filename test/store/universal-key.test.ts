/**
 * The key standing for a universal output's IR: every member's target and IR key, in
 * no particular order; any member changing, joining or leaving gives another key, and it
 * never coincides with an IR key.
 */
import assert from 'node:assert/strict'
import {universalIrKey} from '../../src/store/keys.js'

const k = (c: string): string => c.repeat(64)

describe('universalIrKey', () => {
  it('depends on the members, not on their order', async () => {
    const a = {target: 'aarch64-unknown-linux-gnu', irKey: k('a')}
    const x = {target: 'x86_64-pc-linux-gnu', irKey: k('b')}
    const key = await universalIrKey([a, x])
    assert.match(key, /^[0-9a-f]{64}$/)
    assert.equal(await universalIrKey([x, a]), key)
    assert.notEqual(await universalIrKey([a, {...x, irKey: k('c')}]), key, 'a member changed')
    assert.notEqual(await universalIrKey([a]), key, 'a member left')
    assert.notEqual(await universalIrKey([a, x, {target: 'i686-pc-linux-gnu', irKey: k('d')}]), key, 'a member joined')
    assert.notEqual(await universalIrKey([{...a, target: 'aarch64-unknown-linux-musl'}, x]), key, 'the same IR key under another target')
  })
})
