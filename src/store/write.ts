/**
 * Writing entries. An entry is built complete under a temp name inside its layer, then,
 * under the layer lock, renamed to its slug and recorded in the index (written
 * atomically). A writer killed at any moment leaves either nothing visible, a `.tmp-*`
 * leftover, or a complete entry the index does not list yet (rebuild-index recovers it,
 * and the next write of the same key adopts it).
 */
import {createHash} from 'node:crypto'
import {mkdirSync, promises as fs, rmSync} from 'node:fs'
import {join} from 'node:path'
import {StoreError} from '../errors.js'
import {blake3Hex} from '../hash/blake3.js'
import {canonicalJson, canonicalJsonFile, type JsonValue, sortKeysDeep} from '../util/canonical-json.js'
import {readEntry} from './entry.js'
import {fsyncDir, fsyncDirSync, lstatOrUndefined, tempName, writeNewFileSync} from './fsx.js'
import {irKey, type IrKeyInputs, outputKey, type OutputKeyInputs, sortedDigests} from './keys.js'
import {readIndex, readIndexForLookup, slugForKey, withLayerLock, writeIndex, type IndexEntries} from './layer-index.js'
import {IR_PAYLOAD, irLayer, type Layer, METADATA_FILE, METADATA_VERSION, outputLayer, prepareLayerForWrite, rel, type Store} from './layout.js'
import {type EntrySource, type FileRecord, type IrMetadata, type OutputMetadata, outputFileName} from './metadata.js'
import {indexFromDisk} from './scan.js'
import {irSlug, type SlugInputs, slugCandidates} from './slug.js'

export interface WriteIrParams {
  inputs: IrKeyInputs
  /** The IR as a JSON value; stored as canonical JSON. */
  ir: JsonValue
  /** Extra provenance: libclang version; for populated entries the image and platform. */
  provenance?: Record<string, JsonValue>
}

export interface WriteOutputParams {
  inputs: OutputKeyInputs
  /** What the IR was made from (gives the slug and lets merge recognise the same logical entry). */
  source: SlugInputs
  /** File extension of the writer's output, without or with the leading dot (`py`, `cdef.txt`). */
  extension: string
  text: string
  provenance?: Record<string, JsonValue>
}

export interface WriteResult {
  key: string
  slug: string
  /** Store-relative directory of the entry. */
  path: string
  /** written: new entry; exists: the key was already stored (or an unindexed copy adopted); repaired: a damaged entry was replaced. */
  status: 'written' | 'exists' | 'repaired'
  warnings: string[]
}

export interface PreparedFile {
  name: string
  bytes: Buffer
}

function entrySource(s: SlugInputs): EntrySource {
  return {backend_name: s.backend, header_path: s.headerPath, target: s.target, defines: [...s.defines], includes: [...s.includeDirs], other_args: [...s.args]}
}

export interface PreparedEntry {
  layer: Layer
  key: string
  slug: string
  files: PreparedFile[]
}

async function fileRecord(payload: Buffer): Promise<FileRecord> {
  return {size: payload.length, blake3: await blake3Hex(payload), sha256: createHash('sha256').update(payload).digest('hex')}
}

export async function writeIr(store: Store, params: WriteIrParams): Promise<WriteResult> {
  const e = await prepareIr(store, params)
  return commitEntry(store, e.layer, e.key, e.slug, e.files)
}

export async function writeOutput(store: Store, params: WriteOutputParams): Promise<WriteResult> {
  const e = await prepareOutput(store, params)
  return commitEntry(store, e.layer, e.key, e.slug, e.files)
}

/** Writes an entry prepared for any store into `store`, in the layer of the same name. */
export async function writePrepared(store: Store, e: PreparedEntry): Promise<WriteResult> {
  const layer = e.layer.kind === 'ir' ? irLayer(store) : outputLayer(store, e.layer.writer!)
  return commitEntry(store, layer, e.key, e.slug, e.files)
}

/** The files of an IR entry, its key and proposed slug, without touching the disk. */
export async function prepareIr(store: Store, params: WriteIrParams): Promise<PreparedEntry> {
  const key = await irKey(params.inputs)
  const i = params.inputs
  const payload = Buffer.from(canonicalJsonFile(params.ir), 'utf8')
  const metadata: IrMetadata = {
    kind: 'ir',
    version: METADATA_VERSION,
    cache_key: key,
    headerkit_version: store.toolVersion,
    ir_schema_version: i.schemaVersion,
    extractor_version: i.extractorVersion,
    ...entrySource({backend: i.backend, headerPath: i.header.path, target: i.target, defines: i.defines, includeDirs: i.includeDirs, args: i.args}),
    header_hash: i.header.hash,
    header_sha256: i.header.sha256,
    deps: sortedDigests(i.deps),
    provenance: (sortKeysDeep(params.provenance ?? {}) as Record<string, JsonValue>),
    files: {[IR_PAYLOAD]: await fileRecord(payload)},
  }
  const slug = irSlug({backend: i.backend, headerPath: i.header.path, target: i.target, defines: i.defines, includeDirs: i.includeDirs, args: i.args})
  return {layer: irLayer(store), key, slug, files: [{name: IR_PAYLOAD, bytes: payload}, {name: METADATA_FILE, bytes: Buffer.from(canonicalJsonFile(metadata))}]}
}

/** The files of an output entry, its key and proposed slug, without touching the disk. */
export async function prepareOutput(store: Store, params: WriteOutputParams): Promise<PreparedEntry> {
  const layer = outputLayer(store, params.inputs.writer)
  const fileName = outputFileName(params.extension)
  if (fileName === undefined) throw new StoreError(`invalid output extension '${params.extension}' for writer '${params.inputs.writer}'`, 'use letters, digits, `_`, `.` and `-` (for example py or cdef.txt)', 'E_STORE_NAME')
  const key = await outputKey(params.inputs)
  const payload = Buffer.from(params.text, 'utf8')
  const o = params.inputs
  const metadata: OutputMetadata = {
    kind: 'output',
    version: METADATA_VERSION,
    cache_key: key,
    headerkit_version: store.toolVersion,
    ir_cache_key: o.irKey,
    writer_name: o.writer,
    writer_options: sortKeysDeep(o.options) as Record<string, JsonValue>,
    writer_cache_version: o.writerCacheVersion,
    writer_impl_version: o.writerImplVersion,
    source: entrySource(params.source),
    provenance: (sortKeysDeep(params.provenance ?? {}) as Record<string, JsonValue>),
    files: {[fileName]: await fileRecord(payload)},
  }
  return {layer, key, slug: irSlug(params.source), files: [{name: fileName, bytes: payload}, {name: METADATA_FILE, bytes: Buffer.from(canonicalJsonFile(metadata))}]}
}

/**
 * Writes files into a fresh temp directory in the layer; metadata last, so a torn build
 * is never complete. Synchronous on purpose (small files; see readNoFollowSync).
 */
export function stageEntry(layer: Layer, files: PreparedFile[], fsync: boolean): string {
  const temp = join(layer.dir, tempName())
  mkdirSync(temp)
  try {
    const ordered = [...files.filter((f) => f.name !== METADATA_FILE), ...files.filter((f) => f.name === METADATA_FILE)]
    for (const file of ordered) writeNewFileSync(join(temp, file.name), file.bytes, fsync)
    if (fsync) fsyncDirSync(temp)
  } catch (error) {
    rmSync(temp, {recursive: true, force: true})
    throw error
  }
  return temp
}

/**
 * The index under the lock. A corrupt index is rebuilt from the entries on disk here,
 * by a writer holding the lock (never by a reader), and written back at once, so the
 * repair holds even when this write turns out to need no index change.
 */
export async function indexForWrite(layer: Layer, warnings: string[], assertHeld: () => void): Promise<IndexEntries> {
  const index = await readIndex(layer)
  if (index.state !== 'unreadable') return index.entries
  const {entries} = await indexFromDisk(layer)
  assertHeld()
  await writeIndex(layer, entries)
  warnings.push(`${layer.name}/index.json was unreadable (${index.reason}); rebuilt it from the ${entries.size === 1 ? '1 entry' : `${entries.size} entries`} on disk`)
  return entries
}

/** The files the parser read, as recorded in an entry's metadata (canonical JSON, or null). */
export function parserReads(metadata: {provenance: Record<string, JsonValue>}): string {
  return canonicalJson(metadata.provenance.parsed_includes ?? null)
}

async function commitEntry(store: Store, layer: Layer, key: string, proposed: string, files: PreparedFile[]): Promise<WriteResult> {
  return (await commitEntries(store, layer, [{layer, key, slug: proposed, files}]))[0]!
}

/**
 * Writes entries prepared for any store into `store`, each in the layer of the same name:
 * one lock and one index write per layer for all of them (DESIGN 11: a cold run of 400
 * headers wrote and fsynced its indexes 1,200 times). Results in the order given.
 */
export async function writePreparedBatch(store: Store, prepared: PreparedEntry[]): Promise<WriteResult[]> {
  const results: WriteResult[] = new Array<WriteResult>(prepared.length)
  const byLayer = new Map<string, {layer: Layer; at: number[]}>()
  prepared.forEach((e, at) => {
    const layer = e.layer.kind === 'ir' ? irLayer(store) : outputLayer(store, e.layer.writer!)
    const group = byLayer.get(layer.name) ?? {layer, at: []}
    group.at.push(at)
    byLayer.set(layer.name, group)
  })
  for (const {layer, at} of byLayer.values()) {
    const written = await commitEntries(store, layer, at.map((i) => prepared[i]!))
    at.forEach((i, n) => (results[i] = written[n]!))
  }
  return results
}

/**
 * Commits entries of one layer: each is renamed to its slug and recorded in the index,
 * all under one hold of the layer lock, the index written once at the end.
 */
async function commitEntries(store: Store, layer: Layer, items: PreparedEntry[]): Promise<WriteResult[]> {
  await prepareLayerForWrite(store, layer)
  const results: WriteResult[] = new Array<WriteResult>(items.length)
  const todo: {at: number; item: PreparedEntry; temp: string; warnings: string[]; isCurrent: (read: Awaited<ReturnType<typeof readEntry>>) => boolean}[] = []
  const shared: string[] = []
  try {
    // Already there? Checked without the lock: the common warm case costs no lock at all.
    const before = await readIndexForLookup(layer)
    for (const [at, item] of items.entries()) {
      const {key} = item
      // A key covers the header and its statically found includes. When the parser also read
      // other files (an `#include MACRO`) and they changed, the stored entry under the same
      // key records stale reads: lookups skip it, and this newer entry replaces it.
      const newReads = parserReads(JSON.parse(item.files.find((f) => f.name === METADATA_FILE)!.bytes.toString('utf8')) as {provenance: Record<string, JsonValue>})
      const isCurrent = (read: Awaited<ReturnType<typeof readEntry>>): boolean => read.ok && (newReads === 'null' || parserReads(read.metadata) === newReads)
      const known = before.read.state === 'ok' ? before.slugOf.get(key) : undefined
      if (known !== undefined && isCurrent(await readEntry(layer, known, key))) {
        results[at] = {key, slug: known, path: rel(layer, known), status: 'exists', warnings: []}
        continue
      }
      todo.push({at, item, temp: stageEntry(layer, item.files, store.fsync), warnings: [], isCurrent})
    }
    if (todo.length === 0) return results
    await withLayerLock(store, layer, async (assertHeld) => {
      const entries = await indexForWrite(layer, shared, assertHeld)
      const trash: string[] = []
      let changed = false
      for (const t of todo) {
        const {key} = t.item
        const result = (slug: string, status: WriteResult['status']): WriteResult => ({key, slug, path: rel(layer, slug), status, warnings: [...shared, ...t.warnings]})
        const current = slugForKey(entries, key)
        if (current !== undefined) {
          const existing = await readEntry(layer, current, key)
          if (t.isCurrent(existing)) {
            results[t.at] = result(current, 'exists')
            continue
          }
          // A damaged or superseded entry under our key: swap the new copy in, then drop the old one.
          if (!existing.ok) t.warnings.push(`${rel(layer, current)} was damaged (${existing.detail}); replaced it`)
          const old = join(layer.dir, tempName('old-'))
          if (await lstatOrUndefined(join(layer.dir, current))) {
            await fs.rename(join(layer.dir, current), old)
            trash.push(old)
          }
          await fs.rename(t.temp, join(layer.dir, current))
          changed = true
          results[t.at] = result(current, 'repaired')
          continue
        }
        for (const candidate of slugCandidates(t.item.slug)) {
          if (entries.has(candidate)) continue
          const there = await lstatOrUndefined(join(layer.dir, candidate))
          if (there !== undefined) {
            // An unindexed directory: a killed writer's complete entry for this key is adopted;
            // anything else keeps its name (rebuild-index or verify deals with it).
            if (!(await readEntry(layer, candidate, key)).ok) continue
            entries.set(candidate, key)
            changed = true
            results[t.at] = result(candidate, 'exists')
            break
          }
          await fs.rename(t.temp, join(layer.dir, candidate))
          entries.set(candidate, key)
          changed = true
          results[t.at] = result(candidate, 'written')
          break
        }
      }
      if (changed) {
        // Entries not fsynced one by one: their renames are made durable before the index names them.
        if (!store.fsync) await fsyncDir(layer.dir)
        assertHeld()
        await writeIndex(layer, entries)
      }
      await Promise.all(trash.map((p) => fs.rm(p, {recursive: true, force: true})))
    })
    return results
  } finally {
    await Promise.all(todo.map((t) => fs.rm(t.temp, {recursive: true, force: true})))
  }
}
