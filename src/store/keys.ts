/**
 * Cache keys. A key is BLAKE3 over the compact canonical JSON of a typed inputs object,
 * tagged with its kind so an IR key and an output key can never coincide. Everything
 * that can change an entry's bytes is an input; nothing machine-specific is (paths are
 * project-relative and POSIX, header bytes are newline-normalised).
 */
import {createHash} from 'node:crypto'
import {blake3Hex, loadHasher} from '../hash/blake3.js'
import {canonicalJson, compareCodePoints} from '../util/canonical-json.js'
import {StoreError} from '../errors.js'

/**
 * A project source file as keys and metadata see it. `hash` (BLAKE3) is the key input;
 * `sha256` of the same normalised bytes is recorded next to it for readers without a fast
 * BLAKE3 (the Python reader, python/headerkit_store, checks freshness with hashlib).
 */
export interface SourceDigest {
  path: string
  hash: string
  sha256: string
}

export interface IrKeyInputs {
  schemaVersion: number
  extractorVersion: string
  backend: string
  /** Normalised target triple. */
  target: string
  /** Project-relative POSIX path; hash = blake3 (sha256 = SHA-256) of the bytes with CRLF/CR turned into LF. */
  header: SourceDigest
  /** In the user's order: order matters to clang. */
  defines: string[]
  includeDirs: string[]
  args: string[]
  /** Closure of project-local headers the header includes (sorted by path here). */
  deps: SourceDigest[]
}

/** What the key itself is computed from: the inputs, with BLAKE3 hashes only. */
export type IrKeyBasis = Omit<IrKeyInputs, 'header' | 'deps'> & {header: {path: string; hash: string}; deps: {path: string; hash: string}[]}

export interface OutputKeyInputs {
  irKey: string
  writer: string
  options: Record<string, unknown>
  writerCacheVersion: string
  writerImplVersion: string
}

export const KEY_PATTERN = /^[0-9a-f]{64}$/

/** Dependencies in the one order keys and metadata use: by path, then hash, by code point. */
export function sortedDeps(deps: {path: string; hash: string}[]): {path: string; hash: string}[] {
  return [...deps].map((d) => ({path: d.path, hash: d.hash})).sort((a, b) => compareCodePoints(a.path, b.path) || compareCodePoints(a.hash, b.hash))
}

/** Dependencies as metadata records them: the key's order, with each file's SHA-256 kept. */
export function sortedDigests(deps: SourceDigest[]): SourceDigest[] {
  return [...deps].map((d) => ({path: d.path, hash: d.hash, sha256: d.sha256})).sort((a, b) => compareCodePoints(a.path, b.path) || compareCodePoints(a.hash, b.hash))
}

/** The object an IR key is the hash of (exported so metadata and keys cannot drift). */
export function irKeyObject(i: IrKeyBasis): unknown {
  return {
    kind: 'ir',
    schemaVersion: i.schemaVersion,
    extractorVersion: i.extractorVersion,
    backend: i.backend,
    target: i.target,
    header: {path: i.header.path, hash: i.header.hash},
    defines: [...i.defines],
    includeDirs: [...i.includeDirs],
    args: [...i.args],
    deps: sortedDeps(i.deps),
  }
}

export async function irKey(i: IrKeyBasis): Promise<string> {
  return blake3Hex(encode(irKeyObject(i), 'IR key inputs'))
}

export async function outputKey(i: OutputKeyInputs): Promise<string> {
  const object = {
    kind: 'output',
    irKey: i.irKey,
    writer: i.writer,
    options: i.options,
    writerCacheVersion: i.writerCacheVersion,
    writerImplVersion: i.writerImplVersion,
  }
  return blake3Hex(encode(object, `options of writer '${i.writer}'`))
}

/** One target a universal output covers, and the key of its IR entry. */
export interface UniversalMemberKey {
  target: string
  irKey: string
}

/**
 * The key standing for the IR of a universal output (DESIGN 12): BLAKE3 over every covered
 * target's IR key, sorted by target. It takes an IR key's place in the output key (and in
 * the output entry's `ir_cache_key`), so any member changing, joining or leaving is a miss.
 */
export async function universalIrKey(members: UniversalMemberKey[]): Promise<string> {
  const sorted = [...members].map((m) => ({target: m.target, irKey: m.irKey})).sort((a, b) => compareCodePoints(a.target, b.target))
  return blake3Hex(encode({kind: 'universal', members: sorted}, 'universal members'))
}

function encode(value: unknown, what: string): string {
  try {
    return canonicalJson(value)
  } catch (error) {
    // Non-JSON option values (functions, non-finite numbers, objects like a baseline IR
    // instance with methods) cannot be part of a reproducible key.
    throw new StoreError(`cannot compute a cache key: ${what} are not plain JSON (${(error as Error).message})`, 'pass only strings, numbers, booleans, lists and tables as writer options, or disable the output cache for this writer', 'E_KEY')
  }
}

/** Source bytes with CRLF and lone CR turned into LF (a no-op copy-free path for LF files). */
export function normalizeNewlines(bytes: Uint8Array): Uint8Array {
  if (!bytes.includes(0x0d)) return bytes
  const out = new Uint8Array(bytes.length)
  let n = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b === 0x0d) {
      out[n++] = 0x0a
      if (bytes[i + 1] === 0x0a) i++
    } else {
      out[n++] = b
    }
  }
  return out.subarray(0, n)
}

/**
 * BLAKE3 of source bytes with CRLF and lone CR turned into LF, so a Windows checkout and
 * a Unix checkout of the same header hash the same (as the original's universal newlines).
 */
export async function hashSourceBytes(bytes: Uint8Array): Promise<string> {
  const create = await loadHasher()
  return create().update(normalizeNewlines(bytes)).digestHex()
}

/** BLAKE3 and SHA-256 of the normalised bytes: what a key uses and what metadata records. */
export async function digestSourceBytes(bytes: Uint8Array): Promise<{hash: string; sha256: string}> {
  const create = await loadHasher()
  const normalised = normalizeNewlines(bytes)
  return {hash: create().update(normalised).digestHex(), sha256: createHash('sha256').update(normalised).digest('hex')}
}
