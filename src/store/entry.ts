/**
 * Reading one entry directory and deciding whether it is complete and consistent:
 * a plain directory holding exactly metadata.json and its one payload file, both
 * plain files (never followed through a link), metadata whose recorded inputs give its
 * key, and a payload whose size and BLAKE3 match the metadata. Lookups, verify,
 * rebuild-index and merge all judge entries here, so they cannot disagree.
 */
import {createHash} from 'node:crypto'
import {type Dirent, lstatSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {loadHasher} from '../hash/blake3.js'
import {readRegularFileSync} from '../util/fs-nodes.js'
import {kindOf} from './fsx.js'
import {type Layer, METADATA_FILE} from './layout.js'
import {checkMetadata, type EntryMetadata, keyFromMetadata, payloadNameOf} from './metadata.js'
import {isValidSlug} from './slug.js'

export type EntryProblem = 'invalid-slug' | 'entry-missing' | 'entry-corrupt' | 'key-mismatch' | 'payload-mismatch'

export type EntryRead =
  | {ok: true; metadata: EntryMetadata; metadataBytes: Buffer; payloadName: string; payload: Buffer}
  | {ok: false; problem: EntryProblem; detail: string}

/**
 * Reads a file without following a symlink at its final component. Entry files are
 * small and read one after another, so synchronous calls are used on purpose: they cost
 * a fraction of the thread-pool round trips (measured in bench/store-merge.ts).
 */
export function readNoFollowSync(path: string): Buffer {
  return readRegularFileSync(path, {follow: false})
}

// eslint-disable-next-line @typescript-eslint/require-await -- async so a failed read rejects instead of throwing
export async function readNoFollow(path: string): Promise<Buffer> {
  return readNoFollowSync(path)
}

const fail = (problem: EntryProblem, detail: string): EntryRead => ({ok: false, problem, detail})

/**
 * Judges `<layer>/<slug>`. `expectKey`, when given, must be the metadata's key (an index
 * entry pointing at another key's directory is a mismatch, not a hit).
 */
export async function readEntry(layer: Layer, slug: string, expectKey?: string): Promise<EntryRead> {
  if (!isValidSlug(slug)) return fail('invalid-slug', `unsafe slug ${JSON.stringify(slug)}`)
  const dir = join(layer.dir, slug)
  const create = await loadHasher()
  const st = lstatSync(dir, {throwIfNoEntry: false})
  if (st === undefined) return fail('entry-missing', 'entry directory is missing')
  if (!st.isDirectory()) return fail('entry-corrupt', `entry is a ${kindOf(st)}, not a directory`)
  let children: Dirent[]
  try {
    children = readdirSync(dir, {withFileTypes: true})
  } catch (error) {
    return fail('entry-corrupt', `entry directory is unreadable: ${(error as Error).message}`)
  }
  for (const child of children) {
    const kind = kindOf(child)
    if (kind !== 'file') return fail('entry-corrupt', `${child.name} is a ${kind}, not a plain file`)
  }
  const names = new Set(children.map((c) => c.name))
  if (!names.has(METADATA_FILE)) return fail('entry-corrupt', 'metadata.json is missing')

  let metadataBytes: Buffer
  let data: unknown
  try {
    metadataBytes = readNoFollowSync(join(dir, METADATA_FILE))
    data = JSON.parse(metadataBytes.toString('utf8'))
  } catch (error) {
    return fail('entry-corrupt', `metadata.json is unreadable: ${(error as Error).message}`)
  }
  const shape = checkMetadata(data, layer.kind)
  if (shape) return fail('entry-corrupt', shape)
  const metadata = data as EntryMetadata
  if (expectKey !== undefined && metadata.cache_key !== expectKey) return fail('key-mismatch', `metadata holds key ${metadata.cache_key.slice(0, 12)}..., index says ${expectKey.slice(0, 12)}...`)
  if (layer.kind === 'output' && metadata.kind === 'output' && metadata.writer_name !== layer.writer) return fail('key-mismatch', `metadata names writer '${metadata.writer_name}', entry is under output/${layer.writer}`)
  if ((await keyFromMetadata(metadata)) !== metadata.cache_key) return fail('key-mismatch', 'the inputs recorded in metadata.json do not give its cache_key')

  const payloadName = payloadNameOf(metadata)
  for (const name of names) if (name !== METADATA_FILE && name !== payloadName) return fail('entry-corrupt', `unexpected file ${name}`)
  if (!names.has(payloadName)) return fail('entry-corrupt', `${payloadName} is missing`)
  let payload: Buffer
  try {
    payload = readNoFollowSync(join(dir, payloadName))
  } catch (error) {
    return fail('entry-corrupt', `${payloadName} is unreadable: ${(error as Error).message}`)
  }
  const record = metadata.files[payloadName]!
  if (payload.length !== record.size) return fail('payload-mismatch', `${payloadName} has ${payload.length} bytes, metadata says ${record.size}`)
  if (create().update(payload).digestHex() !== record.blake3) return fail('payload-mismatch', `${payloadName} does not match the hash in metadata.json`)
  if (createHash('sha256').update(payload).digest('hex') !== record.sha256) return fail('payload-mismatch', `${payloadName} does not match the sha256 in metadata.json`)
  return {ok: true, metadata, metadataBytes, payloadName, payload}
}
