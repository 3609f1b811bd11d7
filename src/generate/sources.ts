/**
 * The project's files as one run sees them (DESIGN 11: hash each source once). A header
 * that 400 others include is read, scanned and hashed once per run, not 400 times, and
 * an include directory is asked once whether it holds a name. Reads are synchronous on
 * purpose: headers are small and read one after another, and a thread-pool round trip
 * per file cost more than the read (as for store entries, bench/store-merge.ts).
 *
 * A run is one generation or one populate: a file edited while it runs is seen as it
 * was at its first read, the snapshot every key and freshness check of the run share.
 */
import {type Stats, statSync} from 'node:fs'
import {digestSourceBytes} from '../store/keys.js'
import {readRegularFileSync} from '../util/fs-nodes.js'
import {witness} from '../util/witness.js'

export interface SourceCache {
  /** Absolute path -> bytes, or the error reading it gave. */
  files: Map<string, Buffer | Error>
  /** Absolute path -> BLAKE3 and SHA-256 of its normalised bytes. */
  digests: Map<string, Promise<{hash: string; sha256: string}>>
  /** Absolute path -> stat (following links), undefined when nothing is there. */
  stats: Map<string, Stats | undefined>
}

export function newSourceCache(): SourceCache {
  return {files: new Map(), digests: new Map(), stats: new Map()}
}

/** A regular file's bytes (readRegularFile's errors: ENOENT, EISDIR, EFTYPE, ...), read once. */
export function readSource(cache: SourceCache, abs: string): Buffer {
  let got = cache.files.get(abs)
  if (got === undefined) {
    try {
      got = readRegularFileSync(abs)
    } catch (error) {
      got = error as Error
    }
    cache.files.set(abs, got)
  }
  if (got instanceof Error) throw got
  return got
}

/** The digests of a file's bytes (`bytes` when the caller already holds them), computed once. */
export function digestSource(cache: SourceCache, abs: string, bytes?: Uint8Array): Promise<{hash: string; sha256: string}> {
  let digest = cache.digests.get(abs)
  if (digest === undefined) {
    if (bytes !== undefined && !cache.files.has(abs)) cache.files.set(abs, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    digest = digestSourceBytes(bytes ?? readSource(cache, abs))
    cache.digests.set(abs, digest)
  }
  return digest
}

/** stat, following links, or undefined when nothing is there; asked once per path. */
export function statSource(cache: SourceCache, abs: string): Stats | undefined {
  if (cache.stats.has(abs)) return cache.stats.get(abs)
  witness(abs)
  let st: Stats | undefined
  try {
    st = statSync(abs, {throwIfNoEntry: false})
  } catch {
    st = undefined
  }
  cache.stats.set(abs, st)
  return st
}
