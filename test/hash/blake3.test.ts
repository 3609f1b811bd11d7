/**
 * BLAKE3 hashers: both backends share one instance per process (src/hash/blake3.ts), so
 * hashers that interleave across awaits, and a hasher that goes on after a digest, must
 * still give each its own digest, the same from the native binding and from WASM.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {blake3Hex, hashBackend} from '../../src/hash/blake3.js'
import {digests} from './digests.js'

const ABC = '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85'
const EMPTY = 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'

describe('hash: BLAKE3 hashers over one shared instance', function () {
  it('gives each of interleaved hashers its own digest, and goes on after a digest', async function () {
    const [ab, xyz, abc, empty, oneShot] = await digests()
    assert.equal(abc, ABC)
    assert.equal(oneShot, ABC)
    assert.equal(empty, EMPTY)
    assert.equal(ab, await blake3Hex('ab'))
    assert.equal(xyz, await blake3Hex('xyz'))
    assert.notEqual(ab, xyz)
  })

  it('gives the same digests from the WASM backend as from the native one', async function () {
    const here = await digests()
    const script = `import {digests} from ${JSON.stringify(fileURLToPath(new URL('./digests.ts', import.meta.url)))}; console.log(JSON.stringify(await digests()))`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {encoding: 'utf8', env: {...process.env, HEADERKIT_HASH_BACKEND: 'wasm'}})
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), here)
    assert.equal(hashBackend(), 'native')
  })
})
