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

interface NativeBlake3 {
  update(data: string | Uint8Array): NativeBlake3
  digest(encoding: 'hex'): string
}

function loadNative(): HasherFactory | undefined {
  if (process.env.HEADERKIT_HASH_BACKEND === 'wasm') return undefined
  try {
    const require = createRequire(import.meta.url)
    const mod = require('@napi-rs/blake-hash-linux-x64-gnu') as {Blake3Hasher: new () => NativeBlake3}
    return () => {
      const h = new mod.Blake3Hasher()
      const hasher: Hasher = {
        update(data) {
          h.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
          return hasher
        },
        digestHex: () => h.digest('hex'),
      }
      return hasher
    }
  } catch {
    return undefined
  }
}

async function loadWasm(): Promise<HasherFactory> {
  const {createBLAKE3} = await import('hash-wasm')
  const instance = await createBLAKE3()
  // The single WASM instance is shared, so updates are buffered and hashed in one
  // synchronous step at digest time: hashers used across awaits cannot interleave.
  return () => {
    const chunks: (string | Uint8Array)[] = []
    const hasher: Hasher = {
      update(data) {
        chunks.push(data)
        return hasher
      },
      digestHex() {
        instance.init()
        for (const chunk of chunks) instance.update(chunk)
        return instance.digest('hex')
      },
    }
    return hasher
  }
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
