/** Digests that exercise interleaving and continuation (the child process runs it too). */
import {blake3Hex, loadHasher} from '../../src/hash/blake3.js'

export async function digests(): Promise<string[]> {
  const create = await loadHasher()
  const a = create().update('a')
  const b = create().update(Buffer.from('xyz'))
  await Promise.resolve()
  a.update(Buffer.from('b'))
  const first = a.digestHex()
  const other = b.digestHex()
  a.update('c')
  return [first, other, a.digestHex(), create().digestHex(), await blake3Hex('abc'), await blake3Hex(new Uint8Array(70_000).fill(7))]
}
