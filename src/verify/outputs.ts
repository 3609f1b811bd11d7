/**
 * Outputs made again: every output entry of the store is re-made from its IR entry by its
 * writer, with the options its metadata records, and compared byte for byte with the
 * stored payload. No libclang: an output is a pure function of IR + writer + options.
 * Read-only; entries the structural check already calls damaged are left to it.
 */
import {join} from 'node:path'
import {headerFromJson} from '../ir/json.js'
import type {Header} from '../ir/types.js'
import {readEntry, readNoFollowSync} from '../store/entry.js'
import {readIndex} from '../store/layer-index.js'
import {UNIVERSAL_MEMBERS} from '../generate/universal.js'
import {universalIrKey} from '../store/keys.js'
import {irLayer, type Layer, METADATA_FILE, outputLayer, rel, type Store} from '../store/layout.js'
import type {OutputMetadata} from '../store/metadata.js'
import {sourceOf} from '../store/metadata.js'
import {listLayer, listWriters} from '../store/scan.js'
import {canonicalJson, type JsonValue} from '../util/canonical-json.js'
import {firstLineDifference} from '../util/first-difference.js'
import {canonicalWriterOptions, resolveWriterOptions} from '../writers/options.js'
import {getWriter, listWriters as registeredWriters, WRITER_IMPL_VERSION} from '../writers/registry.js'
import type {ResolvedOptions, UniversalMember, Writer} from '../writers/types.js'
import type {ReproduceDifference} from './report.js'

export interface OutputsResult {
  total: number
  reproduced: number
  differences: ReproduceDifference[]
}

/** The `cache_key` an entry's metadata.json names, read without judging the entry (readEntry does that). */
function recordedField(layer: Layer, slug: string, field: 'cache_key' | 'ir_cache_key'): string | undefined {
  try {
    const data = JSON.parse(readNoFollowSync(join(layer.dir, slug, METADATA_FILE)).toString('utf8')) as Record<string, unknown>
    const value = data[field]
    return typeof value === 'string' ? value : undefined
  } catch {
    return undefined
  }
}

/** Key -> slug of every entry directory of the IR layer: indexed ones, then those the index does not list yet. */
export async function irSlugsByKey(store: Store): Promise<Map<string, string>> {
  const layer = irLayer(store)
  const listing = await listLayer(layer)
  const index = await readIndex(layer)
  const out = new Map<string, string>()
  for (const slug of listing.entries) {
    const key = index.entries.get(slug) ?? recordedField(layer, slug, 'cache_key')
    if (key !== undefined && !out.has(key)) out.set(key, slug)
  }
  return out
}

/** The entry's writer and its recorded options, or an Error saying why it cannot write here. */
function writerOf(metadata: OutputMetadata): {writer: Writer; options: ResolvedOptions} {
  const name = metadata.writer_name
  if (!registeredWriters().some((w) => w.name === name)) throw new Error(`writer '${name}' is not registered here, so its output cannot be made again`)
  const writer = getWriter(name)
  if (!writer.cacheOutput) throw new Error(`writer '${name}' never stores its output; this entry was not made by headerkit`)
  if (writer.cacheVersion !== metadata.writer_cache_version || WRITER_IMPL_VERSION !== metadata.writer_impl_version) {
    throw new Error(`made by writer version ${metadata.writer_cache_version}/${metadata.writer_impl_version}, this headerkit has ${writer.cacheVersion}/${WRITER_IMPL_VERSION} (this version never serves it; remove it with \`headerkit cache clear\` and generate again)`)
  }
  const options = resolveWriterOptions(writer, {api: metadata.writer_options})
  if (canonicalWriterOptions(options) !== canonicalJson(metadata.writer_options)) throw new Error(`its recorded options ${canonicalJson(metadata.writer_options)} are not what the writer resolves them to`)
  return {writer, options}
}

/**
 * The text the entry's writer makes from `ir` with the entry's recorded options; a string
 * saying why it cannot be made here otherwise (thrown as an Error).
 */
export function remakeOutput(metadata: OutputMetadata, ir: Header, cwd: string): string {
  const {writer, options} = writerOf(metadata)
  // As generation and populate render for the store: not strict, what is left out is a warning.
  return writer.write(ir, options, {cwd, target: metadata.source.target, strict: false, warn: () => undefined})
}

/** What a universal output's provenance lists: each covered target and its IR entry's key. */
function universalMembersOf(metadata: OutputMetadata): {target: string; irKey: string}[] | undefined {
  const listed = metadata.provenance[UNIVERSAL_MEMBERS]
  if (!Array.isArray(listed)) return undefined
  return listed.map((m) => {
    const member = m as Record<string, JsonValue>
    if (typeof member.target !== 'string' || typeof member.ir_cache_key !== 'string') throw new Error(`its ${UNIVERSAL_MEMBERS} are not a list of {target, ir_cache_key}`)
    return {target: member.target, irKey: member.ir_cache_key}
  })
}

/**
 * A universal output made again from its members' IR entries (DESIGN 12): the members must
 * give the output's recorded IR key (universalIrKey), and each must be in the store.
 */
async function remakeUniversal(store: Store, irSlugs: Map<string, string>, metadata: OutputMetadata, listed: {target: string; irKey: string}[], cwd: string): Promise<string> {
  if ((await universalIrKey(listed)) !== metadata.ir_cache_key) throw new Error(`its ${UNIVERSAL_MEMBERS} do not give its recorded IR key: the list of targets it covers was edited`)
  const {writer, options} = writerOf(metadata)
  if (!writer.universal) throw new Error(`writer '${writer.name}' makes no universal output; this entry was not made by headerkit`)
  const layer = irLayer(store)
  const members: UniversalMember[] = []
  for (const m of listed) {
    const slug = irSlugs.get(m.irKey)
    if (slug === undefined) throw new Error(`the IR entry of its member ${m.target} (key ${m.irKey.slice(0, 12)}...) is not in the store, so it cannot be made again`)
    const read = await readEntry(layer, slug, m.irKey)
    if (!read.ok) throw new Error(`the IR entry of its member ${m.target}, ir/${slug}, is damaged: ${read.detail}`)
    members.push({target: m.target, entry: rel(layer, slug), ir: headerFromJson(JSON.parse(read.payload.toString('utf8')))})
  }
  return writer.universal.write(members, options, {cwd, strict: false, warn: () => undefined})
}

interface Pending {
  layer: Layer
  slug: string
  /** What its IR entry was made from (header, target, arguments), once that entry is read. */
  irSource?: string
}

/**
 * The outputs under an IR key no IR entry has, when they are universal outputs: each made
 * again from its members. False when they are not universal (then they are orphans).
 */
async function reproduceUniversal(store: Store, irSlugs: Map<string, string>, outputs: Pending[], cwd: string, result: OutputsResult): Promise<boolean> {
  let universal = false
  for (const o of outputs) {
    const read = await readEntry(o.layer, o.slug)
    if (!read.ok || read.metadata.kind !== 'output') continue
    const m = read.metadata
    let listed
    try {
      listed = universalMembersOf(m)
    } catch (error) {
      universal = true
      result.total++
      result.differences.push(differenceOf(o, m, 'output-not-remade', (error as Error).message))
      continue
    }
    if (listed === undefined) continue
    universal = true
    result.total++
    let made: string
    try {
      made = await remakeUniversal(store, irSlugs, m, listed, cwd)
    } catch (error) {
      result.differences.push(differenceOf(o, m, 'output-not-remade', (error as Error).message))
      continue
    }
    const difference = firstLineDifference(read.payload.toString('utf8'), made)
    if (difference === undefined && Buffer.from(made, 'utf8').equals(read.payload)) result.reproduced++
    else result.differences.push(differenceOf(o, m, 'output-differs', `differs from what the ${m.writer_name} writer makes of its members (${listed.map((x) => x.target).join(', ')}): ${difference ?? 'the bytes differ'}`))
  }
  return universal
}

function differenceOf(o: Pending, m: OutputMetadata, code: ReproduceDifference['code'], message: string): ReproduceDifference {
  return {code, layer: o.layer.name, slug: o.slug, writer: m.writer_name, header: m.source.header_path, target: m.source.target, message}
}

export async function reproduceOutputs(store: Store, cwd: string): Promise<OutputsResult> {
  const byIr = new Map<string, Pending[]>()
  for (const writer of (await listWriters(store)).writers) {
    const layer = outputLayer(store, writer)
    for (const slug of (await listLayer(layer)).entries) {
      const irKey = recordedField(layer, slug, 'ir_cache_key')
      // Metadata that cannot be read is the structural check's error.
      if (irKey !== undefined) byIr.set(irKey, [...(byIr.get(irKey) ?? []), {layer, slug}])
    }
  }
  const irSlugs = await irSlugsByKey(store)
  const ir = irLayer(store)
  const result: OutputsResult = {total: 0, reproduced: 0, differences: []}

  for (const [irKey, outputs] of byIr) {
    if (!irSlugs.has(irKey) && (await reproduceUniversal(store, irSlugs, outputs, cwd, result))) continue
    // The IR, or why none can be used.
    let header: Header | undefined
    let why: string | undefined
    const irSlug = irSlugs.get(irKey)
    if (irSlug === undefined) {
      why = `its IR entry (key ${irKey.slice(0, 12)}...) is not in the store, so the output cannot be made again (generate it again, or populate, and commit both layers)`
    } else {
      const read = await readEntry(ir, irSlug, irKey)
      if (!read.ok) why = `its IR entry ir/${irSlug} is damaged: ${read.detail}`
      else {
        try {
          header = headerFromJson(JSON.parse(read.payload.toString('utf8')))
        } catch (error) {
          why = `its IR entry ir/${irSlug} is not valid IR: ${(error as Error).message}`
        }
        if (header !== undefined) {
          const source = JSON.stringify(sourceOf(read.metadata))
          for (const o of outputs) o.irSource = source
        }
      }
    }
    for (const o of outputs) {
      const read = await readEntry(o.layer, o.slug)
      if (!read.ok || read.metadata.kind !== 'output') continue // damaged: verify's structural check reports it
      result.total++
      const m = read.metadata
      const diff = (code: ReproduceDifference['code'], message: string): void => void result.differences.push(differenceOf(o, m, code, message))
      if (header === undefined) {
        diff('output-not-remade', why!)
        continue
      }
      if (o.irSource !== undefined && JSON.stringify(sourceOf(m)) !== o.irSource) {
        diff('output-differs', `its recorded source (header, target, arguments) is not its IR entry's (ir/${irSlug})`)
        continue
      }
      let made: string
      try {
        made = remakeOutput(m, header, cwd)
      } catch (error) {
        diff('output-not-remade', (error as Error).message)
        continue
      }
      const difference = firstLineDifference(read.payload.toString('utf8'), made)
      if (difference === undefined && Buffer.from(made, 'utf8').equals(read.payload)) result.reproduced++
      else diff('output-differs', `differs from what the ${m.writer_name} writer makes of ir/${irSlug}: ${difference ?? 'the bytes differ'}`)
    }
  }
  result.differences.sort((a, b) => (a.layer + a.slug < b.layer + b.slug ? -1 : a.layer + a.slug > b.layer + b.slug ? 1 : 0))
  return result
}
