/**
 * store merge: combine stores (CI matrix jobs, populate's per-platform staging stores)
 * into one, matching entries by cache key, never by slug.
 *
 * Per source entry, in the source's slug order:
 * - the key is already in the target with identical payload bytes: skipped;
 * - the key is there with different bytes: a conflict (the generator was not
 *   deterministic); reported, the target's entry kept, the merge fails. Except when the
 *   two record different files read by the parser (an `#include MACRO` that changed):
 *   the one whose recorded files match the project's (`readsCurrent`, given by store
 *   merge and populate) is kept, same bytes or not: a stale target entry is replaced
 *   (`superseded`), a stale source entry skipped with a warning;
 * - a new key whose slug is free: new, under the same slug;
 * - a new key whose slug is taken by another key: a fresh slug (`renamed`), unless the
 *   occupant is the same logical entry (same header, backend, target, defines, include
 *   dirs, args; for outputs also writer and options) made by an older headerkit or
 *   extractor, which it then replaces (`replaced`).
 * Source entries are judged like any lookup (plain files only, no links, hashes checked)
 * before a byte is copied; a damaged one is an error and is not copied. Entries are
 * copied into temp directories in the target layer outside the lock, then renamed in and
 * indexed under the lock, one index write per layer.
 */
import {promises as fs} from 'node:fs'
import {join, resolve} from 'node:path'
import {StoreError} from '../errors.js'
import {canonicalJson, compareCodePoints} from '../util/canonical-json.js'
import {isWithin, realPathOfNew} from '../util/real-paths.js'
import {readEntry, type EntryRead} from './entry.js'
import {fsyncDir, isCode, kindOf, listDir, tempName} from './fsx.js'
import {readIndex, withLayerLock, writeIndex} from './layer-index.js'
import {irLayer, type Layer, METADATA_FILE, openStore, outputLayer, prepareLayerForWrite, type Store, type StoreOptions} from './layout.js'
import {type EntryMetadata, sourceOf} from './metadata.js'
import {listLayer} from './scan.js'
import {isValidWriterName, slugCandidates} from './slug.js'
import {indexForWrite, parserReads, type PreparedEntry, stageEntry} from './write.js'

export interface MergeOptions extends StoreOptions {
  /** Parallel entry copies (default 16). */
  concurrency?: number
  /**
   * fsync every copied file (default false). Not needed for correctness: every read
   * checks size and hash, so a power loss mid-merge can only cause misses, never a wrong
   * hit; the index itself is always written durably.
   */
  fsync?: boolean
  /**
   * Whether the files an entry records its parser reading (an `#include MACRO`) still have
   * those bytes; given by a caller that knows the project. When a source and the target
   * hold the same key with different recorded reads, the current one is kept (a stale
   * target entry is `superseded`, a stale source entry skipped with a warning) instead of
   * reporting a conflict.
   */
  readsCurrent?: (metadata: EntryMetadata) => Promise<boolean>
}

export interface MergeItem {
  /** Layer in the target: `ir`, `output/cffi`. */
  layer: string
  key: string
  /** The source store (as given). */
  source: string
}

export interface MergeResult {
  target: string
  sources: string[]
  new: number
  skipped: number
  renamed: (MergeItem & {from: string; to: string})[]
  replaced: (MergeItem & {slug: string; previousKey: string; reason: 'newer-version' | 'damaged-target' | 'superseded'})[]
  conflicts: (MergeItem & {slug: string; sourceSlug: string})[]
  errors: {path: string; message: string}[]
  warnings: {path: string; message: string}[]
  /** False when there were conflicts or errors. */
  ok: boolean
}

async function statFollow(path: string) {
  try {
    return await fs.stat(path)
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return undefined
    throw error
  }
}

export async function storeMerge(sources: string[], target: string, options: MergeOptions = {}): Promise<MergeResult> {
  // Everything that makes the whole merge impossible is found before anything is written.
  if (sources.length === 0) throw new StoreError('store merge needs at least one source store', 'for example: headerkit store merge a/ b/ -o .headerkit/', 'E_USAGE')
  for (const source of sources) {
    const st = await statFollow(source)
    if (st === undefined) throw new StoreError(`source store not found: ${source}`, 'check the path; nothing was merged', 'E_STORE_MISSING')
    if (!st.isDirectory()) throw new StoreError(`source store is not a directory: ${source}`, 'pass store directories (the ones holding ir/ and output/); nothing was merged', 'E_STORE_NOT_DIR')
  }
  const tst = await statFollow(target)
  if (tst && !tst.isDirectory()) throw new StoreError(`merge target is not a directory: ${target}`, 'pass a directory with -o (it is created when missing); nothing was merged', 'E_STORE_NOT_DIR')
  const realTarget = realPathOfNew(resolve(target))
  for (const source of sources) {
    const realSource = realPathOfNew(resolve(source))
    // The same store on both sides is a no-op; one inside the other would merge a store into itself.
    if (realSource === realTarget) continue
    if (isWithin(realTarget, realSource)) throw new StoreError(`merge target ${target} is inside the source store ${source}`, 'choose a target outside every source; nothing was merged', 'E_MERGE_OVERLAP')
    if (isWithin(realSource, realTarget)) throw new StoreError(`source store ${source} is inside the merge target ${target}`, 'choose a target outside every source; nothing was merged', 'E_MERGE_OVERLAP')
    const names = (await listDir(source)).map((d) => d.name)
    if (!names.includes('ir') && !names.includes('output')) throw new StoreError(`not a headerkit store: ${source} holds neither ir/ nor output/`, 'pass store directories (the ones holding ir/ and output/); nothing was merged', 'E_STORE_NOT_STORE')
  }

  const dest = openStore(target, options)
  const result: MergeResult = {target: dest.root, sources: [...sources], new: 0, skipped: 0, renamed: [], replaced: [], conflicts: [], errors: [], warnings: [], ok: true}
  for (const source of sources) await mergeStore(source, dest, options, result)
  result.ok = result.errors.length === 0 && result.conflicts.length === 0
  return result
}

async function mergeStore(source: string, dest: Store, options: MergeOptions, result: MergeResult): Promise<void> {
  const src = openStore(source)
  const pairs: [Layer, Layer][] = []
  for (const child of await listDir(src.root)) {
    const kind = kindOf(child)
    const path = join(source, child.name)
    if (child.name !== 'ir' && child.name !== 'output') {
      if (kind !== 'file' && kind !== 'dir') result.errors.push({path, message: `${kind} in a source store; ignored`})
      continue
    }
    if (kind !== 'dir') {
      result.errors.push({path, message: `is a ${kind}, not a directory; not merged`})
      continue
    }
    if (child.name === 'ir') pairs.unshift([irLayer(src), irLayer(dest)])
    else {
      for (const w of await listDir(join(src.root, 'output'))) {
        const wkind = kindOf(w)
        const wpath = join(source, 'output', w.name)
        if (wkind !== 'dir') result.errors.push({path: wpath, message: `is a ${wkind}, not a writer directory; not merged`})
        else if (!isValidWriterName(w.name)) result.errors.push({path: wpath, message: 'not a valid writer name; not merged'})
        else pairs.push([outputLayer(src, w.name), outputLayer(dest, w.name)])
      }
    }
  }
  pairs.sort((a, b) => compareCodePoints(a[0].name, b[0].name))
  for (const [from, to] of pairs) await mergeLayer(source, from, dest, to, options, result)
}

interface Candidate {
  slug: string
  read: Extract<EntryRead, {ok: true}>
  temp?: string
  /** Where its outcome is reported, when not the layer's one source (mergePrepared). */
  from?: {source: string; result: MergeResult}
}

function samePayload(a: EntryMetadata, b: EntryMetadata): boolean {
  return canonicalJson(a.files) === canonicalJson(b.files)
}

function sameLogicalEntry(a: EntryMetadata, b: EntryMetadata): boolean {
  if (canonicalJson(sourceOf(a)) !== canonicalJson(sourceOf(b))) return false
  if (a.kind === 'output' && b.kind === 'output') return a.writer_name === b.writer_name && canonicalJson(a.writer_options) === canonicalJson(b.writer_options)
  return a.kind === b.kind
}

/** Numeric-aware version order: 0.10.0 > 0.9.1; a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const [amain = '', apre] = a.split('-', 2)
  const [bmain = '', bpre] = b.split('-', 2)
  const as = amain.split('.')
  const bs = bmain.split('.')
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const x = as[i] ?? '0'
    const y = bs[i] ?? '0'
    const d = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : compareCodePoints(x, y)
    if (d !== 0) return Math.sign(d)
  }
  if (apre === undefined || bpre === undefined) return apre === bpre ? 0 : apre === undefined ? 1 : -1
  return Math.sign(compareCodePoints(apre, bpre))
}

/** Is `a` made by a newer headerkit / extractor / writer than `b`? */
function isNewer(a: EntryMetadata, b: EntryMetadata): boolean {
  const versions = (m: EntryMetadata): string[] => (m.kind === 'ir' ? [m.headerkit_version, m.extractor_version] : [m.headerkit_version, m.writer_impl_version, m.writer_cache_version])
  const va = versions(a)
  const vb = versions(b)
  for (let i = 0; i < va.length; i++) {
    const d = compareVersions(va[i]!, vb[i]!)
    if (d !== 0) return d > 0
  }
  return false
}

async function mergeLayer(source: string, from: Layer, dest: Store, to: Layer, options: MergeOptions, result: MergeResult): Promise<void> {
  const where = (...parts: string[]): string => join(source, from.name, ...parts)
  const listing = await listLayer(from)
  for (const s of listing.strays) result.errors.push({path: where(s.name), message: s.kind === 'dir' ? 'directory name is not a valid slug; not merged' : `${s.kind} in a store layer; not merged`})
  for (const t of listing.leftovers) result.warnings.push({path: where(t), message: 'temporary leftover in the source; ignored'})
  if (listing.entries.length === 0) return
  if (listing.index !== undefined && listing.index !== 'file') result.errors.push({path: where('index.json'), message: `is a ${listing.index}; the source index is ignored`})

  const srcIndex = listing.index === 'file' ? await readIndex(from) : undefined
  if (srcIndex?.state === 'unreadable') result.warnings.push({path: where('index.json'), message: `unreadable (${srcIndex.reason}); entries judged by their metadata`})
  await prepareLayerForWrite(dest, to)
  const optimistic = await readIndex(to)
  const known = new Set(optimistic.entries.values())

  const {default: pLimit} = await import('p-limit')
  const limit = pLimit(options.concurrency ?? 16)
  const fsync = options.fsync ?? false
  const staged: (Candidate | undefined)[] = await Promise.all(listing.entries.map((slug) => limit(async (): Promise<Candidate | undefined> => {
    // Judged by its own metadata and payload: a stale source index (an artifact download
    // that overwrote index.json, B-MERGE-2) must not hide sound entries.
    const read = await readEntry(from, slug)
    if (!read.ok) {
      result.errors.push({path: where(slug), message: `${read.detail}; not merged`})
      return undefined
    }
    const indexed = srcIndex?.state === 'ok' ? srcIndex.entries.get(slug) : undefined
    if (indexed !== undefined && indexed !== read.metadata.cache_key) result.warnings.push({path: where(slug), message: 'the source index names another key for this slug; merged by the key in its metadata'})
    const candidate: Candidate = {slug, read}
    if (!known.has(read.metadata.cache_key)) candidate.temp = stageEntry(to, filesOf(read), fsync)
    return candidate
  })))
  await commitLayer(source, dest, to, staged.filter((c): c is Candidate => c !== undefined), fsync, result, options.readsCurrent)
}

/**
 * Puts judged candidates into a target layer, in their order: their temp copies (made
 * outside the lock for keys the target did not hold) renamed in, or skipped, renamed,
 * replaced or reported as conflicts as the module comment says; one index write.
 */
async function commitLayer(source: string, dest: Store, to: Layer, candidates: Candidate[], fsync: boolean, layerResult: MergeResult, readsCurrent?: MergeOptions['readsCurrent']): Promise<void> {
  const trash: string[] = []
  try {
    await withLayerLock(dest, to, async (assertHeld) => {
      const warnings: string[] = []
      const entries = await indexForWrite(to, warnings, assertHeld)
      for (const w of warnings) layerResult.warnings.push({path: join(dest.root, to.name), message: w})
      const present = await listLayer(to)
      const taken = new Set<string>([...entries.keys(), ...present.entries, ...present.strays.map((s) => s.name)])
      const byKey = new Map<string, string>()
      for (const [slug, key] of [...entries].sort((a, b) => compareCodePoints(a[0], b[0]))) if (!byKey.has(key)) byKey.set(key, slug)

      let n = 0
      for (const c of candidates) {
        // Entry reads are synchronous: let the lock's refresh timer run now and then.
        if (++n % 64 === 0) await new Promise((resolve) => setImmediate(resolve))
        const meta = c.read.metadata
        const key = meta.cache_key
        const item = (k: string): MergeItem => ({layer: to.name, key: k, source: c.from?.source ?? source})
        const result = c.from?.result ?? layerResult
        const existing = byKey.get(key)
        if (existing !== undefined) {
          const there = await readEntry(to, existing, key)
          // Recorded reads that differ make the stale side's entry wrong even with the same
          // payload bytes: its metadata would send every later lookup to a parse.
          let superseded = false
          if (there.ok && readsCurrent && parserReads(meta) !== parserReads(there.metadata)) {
            const [sourceCurrent, targetCurrent] = [await readsCurrent(meta), await readsCurrent(there.metadata)]
            superseded = sourceCurrent && !targetCurrent
            if (targetCurrent && !sourceCurrent) {
              result.skipped++
              result.warnings.push({path: join(c.from?.source ?? source, to.name, c.slug), message: `stale: files its parser read have changed since; kept ${to.name}/${existing} of the target, which is current`})
              continue
            }
          }
          if (there.ok && !superseded) {
            if (samePayload(meta, there.metadata)) result.skipped++
            else result.conflicts.push({...item(key), slug: existing, sourceSlug: c.slug})
            continue
          }
          // The target's copy is damaged, or stale: the verified (or just made) copy takes its place.
          const temp = c.temp ?? stageEntry(to, filesOf(c.read), fsync)
          c.temp = undefined
          const old = join(to.dir, tempName('old-'))
          await fs.rename(join(to.dir, existing), old).catch((error: unknown) => { if (!isCode(error, 'ENOENT')) throw error })
          trash.push(old)
          await fs.rename(temp, join(to.dir, existing))
          result.replaced.push({...item(key), slug: existing, previousKey: key, reason: superseded ? 'superseded' : 'damaged-target'})
          continue
        }
        const temp = c.temp ?? stageEntry(to, filesOf(c.read), fsync)
        c.temp = undefined
        if (!taken.has(c.slug)) {
          await fs.rename(temp, join(to.dir, c.slug))
          taken.add(c.slug)
          entries.set(c.slug, key)
          byKey.set(key, c.slug)
          result.new++
          continue
        }
        const occupantKey = entries.get(c.slug)
        const occupant = occupantKey === undefined ? undefined : await readEntry(to, c.slug, occupantKey)
        if (occupant?.ok && sameLogicalEntry(meta, occupant.metadata) && isNewer(meta, occupant.metadata)) {
          const old = join(to.dir, tempName('old-'))
          await fs.rename(join(to.dir, c.slug), old)
          trash.push(old)
          await fs.rename(temp, join(to.dir, c.slug))
          entries.set(c.slug, key)
          if (byKey.get(occupantKey!) === c.slug) byKey.delete(occupantKey!)
          byKey.set(key, c.slug)
          result.replaced.push({...item(key), slug: c.slug, previousKey: occupantKey!, reason: 'newer-version'})
          continue
        }
        let fresh = c.slug
        for (const s of slugCandidates(c.slug)) if (!taken.has(s)) { fresh = s; break }
        await fs.rename(temp, join(to.dir, fresh))
        taken.add(fresh)
        entries.set(fresh, key)
        byKey.set(key, fresh)
        result.renamed.push({...item(key), from: c.slug, to: fresh})
      }
      if (!fsync) await fsyncDir(to.dir)
      assertHeld()
      await writeIndex(to, entries)
    })
  } finally {
    await Promise.all([...candidates.flatMap((c) => (c.temp ? [c.temp] : [])), ...trash].map((p) => fs.rm(p, {recursive: true, force: true})))
  }
}

/** Entries made in memory (populate's jobs), merged as a store holding exactly them would be. */
export interface PreparedSource {
  /** Names the source in the result (a job label). */
  name: string
  /** In the order they were made. */
  entries: PreparedEntry[]
}

/**
 * The same merge as storeMerge over one fresh store per source into which its entries
 * were written in order, without that store: each entry is named as a fresh store names
 * it (a key already made is made once; a slug taken by an earlier entry of the same
 * layer gets the next free candidate), then the sources are merged in order, each layer
 * by name and its entries by slug. The entries are not read back and judged: they were
 * made by this process, not read from disk.
 */
export async function mergePrepared(sources: PreparedSource[], target: string, options: MergeOptions = {}): Promise<MergeResult> {
  const tst = await statFollow(target)
  if (tst && !tst.isDirectory()) throw new StoreError(`merge target is not a directory: ${target}`, 'pass a directory (it is created when missing); nothing was merged', 'E_STORE_NOT_DIR')
  const dest = openStore(target, options)
  const fsync = options.fsync ?? false
  const result: MergeResult = {target: dest.root, sources: sources.map((s) => s.name), new: 0, skipped: 0, renamed: [], replaced: [], conflicts: [], errors: [], warnings: [], ok: true}
  // Each source's entries per layer, named as in a fresh store of its own.
  const named = sources.map((source) => {
    const layers = new Map<string, {layer: Layer; bySlug: Map<string, PreparedEntry>; keys: Set<string>}>()
    for (const e of source.entries) {
      let l = layers.get(e.layer.name)
      if (!l) layers.set(e.layer.name, (l = {layer: e.layer.kind === 'ir' ? irLayer(dest) : outputLayer(dest, e.layer.writer!), bySlug: new Map(), keys: new Set()}))
      if (l.keys.has(e.key)) continue
      l.keys.add(e.key)
      let slug = e.slug
      for (const s of slugCandidates(e.slug)) if (!l.bySlug.has(s)) { slug = s; break }
      l.bySlug.set(slug, e)
    }
    return layers
  })
  // Layers do not depend on each other (a lock and an index each): they are merged at
  // once, so their index writes and fsyncs overlap. Each (source, layer) reports on its
  // own, gathered in storeMerge's order after.
  const layerNames = [...new Set(named.flatMap((layers) => [...layers.keys()]))].sort(compareCodePoints)
  const parts = new Map<string, MergeResult>()
  const partOf = (i: number, name: string): MergeResult => {
    const key = `${i}\0${name}`
    let r = parts.get(key)
    if (!r) parts.set(key, (r = {...result, sources: [], new: 0, skipped: 0, renamed: [], replaced: [], conflicts: [], errors: [], warnings: []}))
    return r
  }
  await Promise.all(layerNames.map(async (name) => {
    const present = named.flatMap((layers, i) => (layers.has(name) ? [{i, l: layers.get(name)!}] : []))
    const to = present[0]!.l.layer
    await prepareLayerForWrite(dest, to)
    const known = new Set((await readIndex(to)).entries.values())
    // Every source's candidates in one commit (one lock, one index write), in source
    // order: the commit carries its state from one candidate to the next, so this decides
    // as one commit per source would.
    const candidates: Candidate[] = present.flatMap(({i, l}) => [...l.bySlug.keys()].sort(compareCodePoints).map((slug) => {
      const e = l.bySlug.get(slug)!
      const payload = e.files.find((f) => f.name !== METADATA_FILE)!
      const metadataBytes = e.files.find((f) => f.name === METADATA_FILE)!.bytes
      const read = {ok: true as const, metadata: JSON.parse(metadataBytes.toString('utf8')) as EntryMetadata, metadataBytes, payloadName: payload.name, payload: payload.bytes}
      return {slug, read, temp: known.has(e.key) ? undefined : stageEntry(to, filesOf(read), fsync), from: {source: sources[i]!.name, result: partOf(i, name)}}
    }))
    await commitLayer(sources[present[0]!.i]!.name, dest, to, candidates, fsync, partOf(present[0]!.i, name), options.readsCurrent)
  }))
  for (const i of sources.keys()) {
    for (const name of layerNames) {
      const part = parts.get(`${i}\0${name}`)
      if (!part) continue
      result.new += part.new
      result.skipped += part.skipped
      for (const k of ['renamed', 'replaced', 'conflicts', 'errors', 'warnings'] as const) (result[k] as unknown[]).push(...part[k])
    }
  }
  result.ok = result.errors.length === 0 && result.conflicts.length === 0
  return result
}

function filesOf(read: Extract<EntryRead, {ok: true}>): {name: string; bytes: Buffer}[] {
  return [{name: read.payloadName, bytes: read.payload}, {name: METADATA_FILE, bytes: read.metadataBytes}]
}

