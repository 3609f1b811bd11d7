/**
 * metadata.json of an entry: the key, the inputs it was computed from (project-relative),
 * the tool versions, provenance, and size + BLAKE3 of every payload file. It is enough
 * to recompute the key and to tell a complete entry from a damaged one.
 */
import type {JsonValue} from '../util/canonical-json.js'
import {irKey, KEY_PATTERN, outputKey} from './keys.js'
import {IR_PAYLOAD, METADATA_VERSION} from './layout.js'

export interface FileRecord {
  size: number
  blake3: string
  /** For readers without a fast BLAKE3 (python/headerkit_store); checked like blake3. */
  sha256: string
}

/** What an entry was made from, independent of its key: the "logical entry" merge compares. */
export interface EntrySource {
  backend_name: string
  header_path: string
  target: string
  defines: string[]
  includes: string[]
  other_args: string[]
}

export interface IrMetadata extends EntrySource {
  kind: 'ir'
  version: number
  cache_key: string
  headerkit_version: string
  ir_schema_version: number
  extractor_version: string
  header_hash: string
  /** SHA-256 of the same normalised header bytes (metadata version 3). */
  header_sha256: string
  deps: {path: string; hash: string; sha256: string}[]
  provenance: Record<string, JsonValue>
  files: Record<string, FileRecord>
}

export interface OutputMetadata {
  kind: 'output'
  version: number
  cache_key: string
  headerkit_version: string
  ir_cache_key: string
  writer_name: string
  writer_options: Record<string, JsonValue>
  writer_cache_version: string
  writer_impl_version: string
  source: EntrySource
  provenance: Record<string, JsonValue>
  files: Record<string, FileRecord>
}

export type EntryMetadata = IrMetadata | OutputMetadata

const isStr = (v: unknown): v is string => typeof v === 'string'
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr)
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const HASH = KEY_PATTERN
/** A recorded source: `hash`/`sha256` are hex digests, or `missing` for a file gone at parse time. */
const isDigest = (d: unknown): boolean => isObj(d) && isStr(d.path) && isStr(d.hash) && isStr(d.sha256) && (HASH.test(d.sha256) || d.sha256 === 'missing')
const OUTPUT_FILE = /^output\.[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/

/** The payload names an entry of this kind may have. */
export function isPayloadName(kind: 'ir' | 'output', name: string): boolean {
  return kind === 'ir' ? name === IR_PAYLOAD : OUTPUT_FILE.test(name)
}

export function outputFileName(extension: string): string | undefined {
  const name = `output.${extension.replace(/^\./, '')}`
  return OUTPUT_FILE.test(name) ? name : undefined
}

function checkSource(m: Record<string, unknown>, where: string): string | undefined {
  for (const k of ['backend_name', 'header_path', 'target'] as const) if (!isStr(m[k])) return `${where}${k} is not a string`
  for (const k of ['defines', 'includes', 'other_args'] as const) if (!isStrArray(m[k])) return `${where}${k} is not a list of strings`
  return undefined
}

/** Validates the shape of parsed metadata; returns a reason when it is not usable. */
export function checkMetadata(data: unknown, kind: 'ir' | 'output'): string | undefined {
  if (!isObj(data)) return 'metadata is not a JSON object'
  if (data.kind !== kind) return `metadata kind is ${JSON.stringify(data.kind)}, expected "${kind}"`
  if (data.version !== METADATA_VERSION) return `unsupported metadata version ${JSON.stringify(data.version)}`
  if (!isStr(data.cache_key) || !HASH.test(data.cache_key)) return 'metadata cache_key is missing or malformed'
  if (!isStr(data.headerkit_version)) return 'metadata headerkit_version is not a string'
  if (!isObj(data.provenance)) return 'metadata provenance is not an object'
  if (!isObj(data.files)) return 'metadata files is not an object'
  const names = Object.keys(data.files)
  if (names.length !== 1 || !isPayloadName(kind, names[0]!)) return `metadata files must name exactly one ${kind === 'ir' ? IR_PAYLOAD : 'output.<ext>'} file`
  for (const rec of Object.values(data.files)) {
    if (!isObj(rec) || typeof rec.size !== 'number' || !Number.isSafeInteger(rec.size) || rec.size < 0 || !isStr(rec.blake3) || !HASH.test(rec.blake3) || !isStr(rec.sha256) || !HASH.test(rec.sha256)) return 'metadata files record is malformed (size, blake3 and sha256 are required)'
  }
  if (kind === 'ir') {
    if (typeof data.ir_schema_version !== 'number') return 'metadata ir_schema_version is not a number'
    if (!isStr(data.extractor_version) || !isStr(data.header_hash)) return 'metadata extractor_version/header_hash missing'
    if (!isStr(data.header_sha256) || !HASH.test(data.header_sha256)) return 'metadata header_sha256 is missing or malformed'
    if (!Array.isArray(data.deps) || !data.deps.every(isDigest)) return 'metadata deps is malformed (each needs path, hash and sha256)'
    const parsed = data.provenance.parsed_includes
    if (parsed !== undefined && (!Array.isArray(parsed) || !parsed.every(isDigest))) return 'metadata provenance.parsed_includes is malformed (each needs path, hash and sha256)'
    return checkSource(data, '')
  }
  if (!isStr(data.ir_cache_key) || !HASH.test(data.ir_cache_key)) return 'metadata ir_cache_key is missing or malformed'
  if (!isStr(data.writer_name) || !isObj(data.writer_options)) return 'metadata writer_name/writer_options malformed'
  if (!isStr(data.writer_cache_version) || !isStr(data.writer_impl_version)) return 'metadata writer versions are not strings'
  if (!isObj(data.source)) return 'metadata source is not an object'
  return checkSource(data.source, 'source.')
}

/** Recomputes the key from the inputs recorded in metadata (already shape-checked). */
export async function keyFromMetadata(m: EntryMetadata): Promise<string> {
  if (m.kind === 'ir') {
    return irKey({
      schemaVersion: m.ir_schema_version,
      extractorVersion: m.extractor_version,
      backend: m.backend_name,
      target: m.target,
      header: {path: m.header_path, hash: m.header_hash},
      defines: m.defines,
      includeDirs: m.includes,
      args: m.other_args,
      deps: m.deps,
    })
  }
  return outputKey({
    irKey: m.ir_cache_key,
    writer: m.writer_name,
    options: m.writer_options,
    writerCacheVersion: m.writer_cache_version,
    writerImplVersion: m.writer_impl_version,
  })
}

export function sourceOf(m: EntryMetadata): EntrySource {
  const s = m.kind === 'ir' ? m : m.source
  return {backend_name: s.backend_name, header_path: s.header_path, target: s.target, defines: s.defines, includes: s.includes, other_args: s.other_args}
}

export function payloadNameOf(m: EntryMetadata): string {
  return Object.keys(m.files)[0]!
}
