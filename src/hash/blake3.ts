/**
 * BLAKE3, hex-encoded. The native binding (@napi-rs/blake-hash-linux-x64-gnu, ~3.4 GiB/s)
 * is used when it is installed; elsewhere (other platforms, containers) the WASM build in
 * hash-wasm (~0.3 GiB/s) gives the same digests. @napi-rs/blake-hash itself is not a
 * dependency because its missing platform packages break `npm ci` on this registry.
 */
import {createRequire} from 'node:module'

export interface Hasher {
  update(data: string | Uint8Array): Hasher
  digestHex(): string
}

type HasherFactory = () => Hasher

let factory: HasherFactory | undefined
let backendName: 'native' | 'wasm' | undefined

/** One BLAKE3 state, reset before each digest (the native binding's Blake3Hasher, hash-wasm's IHasher). */
interface Instance {
  reset(): void
  update(data: Uint8Array | string): void
  digestHex(): string
}

/**
 * Hashers over one shared instance: updates are kept (references, no copy) and hashed in
 * one synchronous step at digest time, so hashers used across awaits cannot interleave,
 * and a hasher can go on after a digest as a BLAKE3 state does. One instance, not one per
 * hasher: each native Blake3Hasher holds about 2 KiB outside the JS heap until a GC
 * collects its wrapper, and its allocator (mimalloc, on huge pages) kept 8-10 MiB resident
 * for the 3,000 hashes of a warm 400-header generation (bench/README.md, Memory).
 */
function sharedHashers(instance: Instance): HasherFactory {
  return () => {
    const chunks: (string | Uint8Array)[] = []
    const hasher: Hasher = {
      update(data) {
        chunks.push(data)
        return hasher
      },
      digestHex() {
        instance.reset()
        for (const chunk of chunks) instance.update(chunk)
        return instance.digestHex()
      },
    }
    return hasher
  }
}

interface NativeBlake3 {
  update(data: Uint8Array): NativeBlake3
  digest(encoding: 'hex'): string
  reset(): void
}

function loadNative(): HasherFactory | undefined {
  if (process.env.HEADERKIT_HASH_BACKEND === 'wasm') return undefined
  try {
    const require = createRequire(import.meta.url)
    const mod = require('@napi-rs/blake-hash-linux-x64-gnu') as {Blake3Hasher: new () => NativeBlake3}
    const h = new mod.Blake3Hasher()
    return sharedHashers({
      reset: () => h.reset(),
      update: (data) => h.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
      digestHex: () => h.digest('hex'),
    })
  } catch {
    return undefined
  }
}

async function loadWasm(): Promise<HasherFactory> {
  const {createBLAKE3} = await import('hash-wasm')
  const instance = await createBLAKE3()
  return sharedHashers({reset: () => instance.init(), update: (data) => instance.update(data), digestHex: () => instance.digest('hex')})
}

/** Resolves the hasher once; later calls are free. */
export async function loadHasher(): Promise<HasherFactory> {
  if (factory) return factory
  const native = loadNative()
  if (native) {
    factory = native
    backendName = 'native'
  } else {
    factory = await loadWasm()
    backendName = 'wasm'
  }
  return factory
}

export function hashBackend(): 'native' | 'wasm' | undefined {
  return backendName
}

/** BLAKE3 of one buffer or string, as 64 lower-case hex digits. */
export async function blake3Hex(data: string | Uint8Array): Promise<string> {
  const create = await loadHasher()
  return create().update(data).digestHex()
}
