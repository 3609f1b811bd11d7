/**
 * status, clear and rebuild-index. status only reads; clear and rebuild-index change a
 * layer only while holding its lock, so they never race a writer into a lost entry.
 */
import {promises as fs} from 'node:fs'
import {join} from 'node:path'
import {StoreError} from '../errors.js'
import {kindOf, lstatOrUndefined, removeNode, treeBytes} from './fsx.js'
import {indexRepairAdvice, readIndex, withLayerLock, writeIndex} from './layer-index.js'
import {assertStoreExists, irLayer, type Layer, outputLayer, type Store} from './layout.js'
import {indexFromDisk, layerNotPlain, listLayer, listWriters} from './scan.js'

/** Temp names younger than this may belong to a writer at work; older ones are leftovers of a crash. */
export const LEFTOVER_GRACE_MS = 10 * 60 * 1000

export interface LayerStatus {
  layer: string
  /** Entries the index lists. */
  entries: number
  /** Bytes of every file under the layer. */
  bytes: number
  /** Entry directories the index does not list (recover them with rebuild-index). */
  unindexed: number
  /** `.tmp-*` names (writes in progress or left by a killed writer). */
  leftovers: number
  index: 'ok' | 'missing' | 'unreadable'
  indexProblem?: string
  /** What to do about an unreadable index. */
  indexAdvice?: string
}

export interface StoreStatus {
  storeDir: string
  ir: LayerStatus
  output: {entries: number; bytes: number; writers: LayerStatus[]}
  entries: number
  bytes: number
}

async function layerStatus(layer: Layer): Promise<LayerStatus> {
  const problem = layerNotPlain(layer)
  if (problem !== undefined) {
    return {layer: layer.name, entries: 0, bytes: 0, unindexed: 0, leftovers: 0, index: 'unreadable', indexProblem: problem, indexAdvice: 'run `headerkit cache clear` to remove it'}
  }
  const [index, listing, bytes] = await Promise.all([readIndex(layer), listLayer(layer), treeBytes(layer.dir)])
  const status: LayerStatus = {
    layer: layer.name,
    entries: index.entries.size,
    bytes,
    unindexed: listing.entries.filter((slug) => !index.entries.has(slug)).length,
    leftovers: listing.leftovers.length,
    index: index.state,
  }
  if (index.state === 'unreadable') {
    status.indexProblem = index.reason
    status.indexAdvice = indexRepairAdvice(index.reason)
  }
  return status
}

export async function storeStatus(store: Store): Promise<StoreStatus> {
  await assertStoreExists(store)
  const ir = await layerStatus(irLayer(store))
  const writers: LayerStatus[] = []
  const listed = await listWriters(store)
  for (const writer of listed.writers) writers.push(await layerStatus(outputLayer(store, writer)))
  if (listed.output !== undefined) {
    writers.push({layer: 'output', entries: 0, bytes: 0, unindexed: 0, leftovers: 0, index: 'unreadable', indexProblem: `output is a ${listed.output}, not a directory`, indexAdvice: 'run `headerkit cache clear` to remove it'})
  }
  const output = {entries: sum(writers.map((w) => w.entries)), bytes: sum(writers.map((w) => w.bytes)), writers}
  return {storeDir: store.root, ir, output, entries: ir.entries + output.entries, bytes: ir.bytes + output.bytes}
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

async function removeOldLeftovers(layer: Layer, names: string[]): Promise<number> {
  let removed = 0
  const now = Date.now()
  for (const name of names) {
    const st = await lstatOrUndefined(join(layer.dir, name))
    if (st && now - st.mtimeMs > LEFTOVER_GRACE_MS) {
      await fs.rm(join(layer.dir, name), {recursive: true, force: true})
      removed++
    }
  }
  return removed
}

export interface ClearResult {
  storeDir: string
  cleared: {layer: string; entries: number}[]
}

/**
 * Empties the chosen layers (no choice, or both, means both). Each layer is emptied
 * under its lock; temp directories of writers at work right now are left to them.
 */
export async function clearStore(store: Store, which: {ir?: boolean; output?: boolean} = {}): Promise<ClearResult> {
  await assertStoreExists(store)
  const both = !which.ir && !which.output
  const layers: Layer[] = []
  const cleared: ClearResult['cleared'] = []
  const ir = irLayer(store)
  const irKind = await lstatOrUndefined(ir.dir)
  if ((both || which.ir) && irKind?.isDirectory()) layers.push(ir)
  // Something else where a layer belongs (a file, a link) holds no entry worth keeping: it goes, unfollowed.
  else if ((both || which.ir) && irKind) await removeNode(ir.dir)
  if (both || which.output) {
    const {writers, strays, output} = await listWriters(store)
    if (output !== undefined) await removeNode(join(store.root, 'output'))
    for (const writer of writers) layers.push(outputLayer(store, writer))
    for (const stray of strays) if (stray.kind !== 'dir') await removeNode(join(store.root, 'output', stray.name))
  }
  for (const layer of layers) {
    const count = await withLayerLock(store, layer, async () => {
      const listing = await listLayer(layer)
      const index = await readIndex(layer)
      const entryCount = new Set([...listing.entries, ...index.entries.keys()]).size
      // Whatever the layer holds besides the lock and live writers' temp names goes,
      // links and odd files included, each removed without following it.
      await removeNode(join(layer.dir, 'index.json'))
      for (const slug of listing.entries) await removeNode(join(layer.dir, slug))
      for (const stray of listing.strays) await removeNode(join(layer.dir, stray.name))
      await removeOldLeftovers(layer, listing.leftovers)
      return entryCount
    })
    cleared.push({layer: layer.name, entries: count})
  }
  return {storeDir: store.root, cleared}
}

export interface RebuildLayerResult {
  layer: string
  entries: number
  /** Directories not indexed because they are incomplete, inconsistent or duplicate. */
  skipped: {slug: string; reason: string}[]
  removedLeftovers: number
}

/** Rewrites every layer's index from the complete, consistent entries on disk. */
export async function rebuildIndex(store: Store): Promise<{storeDir: string; layers: RebuildLayerResult[]}> {
  await assertStoreExists(store)
  const layers: Layer[] = []
  const ir = irLayer(store)
  const irKind = await lstatOrUndefined(ir.dir)
  if (irKind?.isDirectory()) layers.push(ir)
  for (const writer of (await listWriters(store)).writers) layers.push(outputLayer(store, writer))
  const results: RebuildLayerResult[] = []
  for (const layer of layers) {
    results.push(await withLayerLock(store, layer, async (assertHeld) => {
      const {entries, skipped} = await indexFromDisk(layer)
      assertHeld()
      await writeIndex(layer, entries)
      const removedLeftovers = await removeOldLeftovers(layer, (await listLayer(layer)).leftovers)
      return {layer: layer.name, entries: entries.size, skipped, removedLeftovers}
    }))
  }
  if (irKind && !irKind.isDirectory()) {
    throw new StoreError(`ir in ${store.root} is a ${kindOf(irKind)}, not a directory; ${results.length} other layer${results.length === 1 ? ' was' : 's were'} rebuilt`, 'remove it, or run `headerkit cache clear`', 'E_STORE_LAYOUT')
  }
  return {storeDir: store.root, layers: results}
}
