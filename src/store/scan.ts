/**
 * What a layer directory holds, by name and type, without following anything:
 * entry directories, transient leftovers of writers, the lock, the index, and whatever
 * does not belong. Shared by status, verify, rebuild-index, merge and the writers'
 * index repair.
 */
import {lstatSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {compareCodePoints} from '../util/canonical-json.js'
import {witness} from '../util/witness.js'
import {kindOf, listDir, LOCK_NAME, lstatOrUndefined, type NodeKind, TEMP_PREFIX} from './fsx.js'
import {readEntry, type EntryRead} from './entry.js'
import {INDEX_FILE, type Layer, type Store} from './layout.js'
import {type IndexEntries} from './layer-index.js'
import {isValidSlug, isValidWriterName} from './slug.js'

export interface LayerListing {
  /** Directories with a valid slug name, sorted. */
  entries: string[]
  /** `.tmp-*` names: entries or index files being written, or left by a killed writer. */
  leftovers: string[]
  lock: boolean
  index: NodeKind | undefined
  /** Anything else: bad names, files, links, fifos, ... */
  strays: {name: string; kind: NodeKind}[]
}

export async function listLayer(layer: Layer): Promise<LayerListing> {
  const out: LayerListing = {entries: [], leftovers: [], lock: false, index: undefined, strays: []}
  for (const child of await listDir(layer.dir)) {
    const kind = kindOf(child)
    if (child.name === INDEX_FILE) out.index = kind
    else if (child.name === LOCK_NAME) out.lock = true
    else if (child.name.startsWith(TEMP_PREFIX) && (kind === 'dir' || kind === 'file')) out.leftovers.push(child.name)
    else if (kind === 'dir' && isValidSlug(child.name)) out.entries.push(child.name)
    else out.strays.push({name: child.name, kind})
  }
  out.entries.sort(compareCodePoints)
  out.leftovers.sort(compareCodePoints)
  return out
}

/**
 * Why a layer cannot be read, when `ir`, `output` or `output/<writer>` is not a plain
 * directory: linked elsewhere it would serve entries from outside the store. (The store
 * root itself may be a link: the user named it.)
 */
export function layerNotPlain(layer: Layer): string | undefined {
  const dirs = layer.kind === 'output' ? [{dir: dirname(layer.dir), name: 'output'}, {dir: layer.dir, name: layer.name}] : [{dir: layer.dir, name: layer.name}]
  for (const {dir, name} of dirs) {
    witness(dir, 'nofollow')
    const st = lstatSync(dir, {throwIfNoEntry: false})
    if (st !== undefined && !st.isDirectory()) return `${name} is a ${kindOf(st)}, not a directory`
  }
  return undefined
}

/** The writers under output/: valid names of plain directories (others are reported by verify). */
export async function listWriters(store: Store): Promise<{writers: string[]; strays: {name: string; kind: NodeKind}[]; output?: NodeKind}> {
  const writers: string[] = []
  const strays: {name: string; kind: NodeKind}[] = []
  // output/ linked elsewhere is never listed: clear would empty the link's target.
  const output = await lstatOrUndefined(join(store.root, 'output'))
  if (output !== undefined && !output.isDirectory()) return {writers, strays, output: kindOf(output)}
  for (const child of await listDir(join(store.root, 'output'))) {
    const kind = kindOf(child)
    if (kind === 'dir' && isValidWriterName(child.name)) writers.push(child.name)
    else strays.push({name: child.name, kind})
  }
  writers.sort(compareCodePoints)
  return {writers, strays}
}

export interface ScannedEntry {
  slug: string
  read: EntryRead
}

/** Reads every entry directory of a layer (sequentially in slug order, results in that order). */
export async function scanEntries(layer: Layer, slugs: string[], concurrency = 8): Promise<ScannedEntry[]> {
  const {default: pLimit} = await import('p-limit')
  const limit = pLimit(concurrency)
  return Promise.all(slugs.map((slug) => limit(async () => ({slug, read: await readEntry(layer, slug)}))))
}

/**
 * An index rebuilt from the entries on disk: every complete, consistent entry, first
 * slug (code-point order) winning when two directories hold the same key.
 */
export async function indexFromDisk(layer: Layer): Promise<{entries: IndexEntries; skipped: {slug: string; reason: string}[]}> {
  const listing = await listLayer(layer)
  const entries: IndexEntries = new Map()
  const seen = new Map<string, string>()
  const skipped: {slug: string; reason: string}[] = []
  for (const stray of listing.strays) skipped.push({slug: stray.name, reason: `a ${stray.kind}, not an entry directory (headerkit never writes one here; remove it or run \`headerkit cache clear\`)`})
  for (const {slug, read} of await scanEntries(layer, listing.entries)) {
    if (!read.ok) {
      skipped.push({slug, reason: read.detail})
      continue
    }
    const key = read.metadata.cache_key
    const first = seen.get(key)
    if (first !== undefined) {
      skipped.push({slug, reason: `same cache key as ${first}`})
      continue
    }
    seen.set(key, slug)
    entries.set(slug, key)
  }
  return {entries, skipped}
}
