/**
 * Lookups. Read-only: a lookup never writes, locks or repairs anything. Every way an
 * entry can be wrong (unreadable index, unsafe slug, missing or damaged files, a key
 * that disagrees with the metadata) is a miss with a reason and a warning, never an
 * exception and never a read outside the store.
 */
import type {JsonValue} from '../util/canonical-json.js'
import {readEntry, type EntryProblem} from './entry.js'
import {indexRepairAdvice, readIndexForLookup} from './layer-index.js'
import {irLayer, type Layer, outputLayer, rel, type Store} from './layout.js'
import type {IrMetadata, OutputMetadata} from './metadata.js'
import {layerNotPlain} from './scan.js'
import {isValidWriterName} from './slug.js'
import {join} from 'node:path'
import {witness} from '../util/witness.js'

export type MissReason = 'not-indexed' | 'index-unreadable' | 'invalid-name' | EntryProblem

export type Lookup<P, M> =
  | {hit: true; key: string; slug: string; path: string; payload: P; metadata: M; warnings: string[]}
  | {hit: false; key: string; reason: MissReason; detail: string; warnings: string[]}

async function lookup(layer: Layer, key: string): Promise<Lookup<Buffer, IrMetadata | OutputMetadata>> {
  const linked = layerNotPlain(layer)
  if (linked !== undefined) {
    const detail = `${linked}; treating ${layer.name} as empty`
    return {hit: false, key, reason: 'index-unreadable', detail, warnings: [`${detail} (a layer is never read through a link; run \`headerkit cache clear\` to remove it)`]}
  }
  const {read: index, slugOf} = await readIndexForLookup(layer)
  const warnings: string[] = []
  if (index.state === 'unreadable') {
    const detail = `${layer.name}/index.json is unreadable (${index.reason}); treating ${layer.name} as empty`
    return {hit: false, key, reason: 'index-unreadable', detail, warnings: [`${detail}; ${indexRepairAdvice(index.reason)}`]}
  }
  const slug = slugOf.get(key)
  if (slug === undefined) {
    const bad = index.invalid.find(() => true)
    if (bad) warnings.push(`${layer.name}/index.json has an unusable entry ${JSON.stringify(bad.slug)} (${bad.reason}); ignored`)
    return {hit: false, key, reason: 'not-indexed', detail: 'no entry for this key', warnings}
  }
  // Its files are witnessed as they are read; the directory for a file added or removed.
  witness(join(layer.dir, slug), 'nofollow')
  const read = await readEntry(layer, slug, key)
  if (!read.ok) {
    const detail = `${rel(layer, slug)}: ${read.detail}`
    return {hit: false, key, reason: read.problem, detail, warnings: [...warnings, `corrupt cache entry ${detail}; treating it as a miss`]}
  }
  return {hit: true, key, slug, path: rel(layer, slug), payload: read.payload, metadata: read.metadata, warnings}
}

export async function lookupIr(store: Store, key: string): Promise<Lookup<JsonValue, IrMetadata>> {
  const found = await lookup(irLayer(store), key)
  if (!found.hit) return found
  try {
    return {...found, payload: JSON.parse(found.payload.toString('utf8')) as JsonValue, metadata: found.metadata as IrMetadata}
  } catch (error) {
    const detail = `${found.path}: ir.json is not JSON (${(error as Error).message})`
    return {hit: false, key, reason: 'entry-corrupt', detail, warnings: [...found.warnings, `corrupt cache entry ${detail}; treating it as a miss`]}
  }
}

export async function lookupOutput(store: Store, writer: string, key: string): Promise<Lookup<string, OutputMetadata>> {
  if (!isValidWriterName(writer)) return {hit: false, key, reason: 'invalid-name', detail: `invalid writer name ${JSON.stringify(writer)}`, warnings: []}
  const found = await lookup(outputLayer(store, writer), key)
  if (!found.hit) return found
  return {...found, payload: found.payload.toString('utf8'), metadata: found.metadata as OutputMetadata}
}

/**
 * Whether the IR layer's index lists a key, without reading the entry: how a run counts
 * the parses it will need before it starts them. A listed entry may still be unusable
 * (damaged, or its parser's reads changed): then the lookup misses and it is parsed.
 */
export async function irIndexed(store: Store, key: string): Promise<boolean> {
  const layer = irLayer(store)
  if (layerNotPlain(layer) !== undefined) return false
  return (await readIndexForLookup(layer)).slugOf.has(key)
}
