/**
 * verify: a read-only structural check of a store, without libclang or Docker. Errors
 * are things that make the store wrong or unsafe (unreadable index, unsafe names,
 * damaged or inconsistent entries, links and special files); warnings are what a killed
 * writer may leave behind and what rebuild-index or time fixes (temp names, a lock,
 * complete entries the index does not list yet).
 */
import {readEntry} from './entry.js'
import {kindOf, listDir, LOCK_NAME} from './fsx.js'
import {indexRepairAdvice, readIndex} from './layer-index.js'
import {assertStoreExists, irLayer, type Layer, outputLayer, rel, type Store} from './layout.js'
import {listLayer, listWriters} from './scan.js'

export interface VerifyProblem {
  severity: 'error' | 'warning'
  /** Store-relative POSIX path. */
  path: string
  code: string
  message: string
}

export interface VerifyOptions {
  /** Further checks (a later `--sources` check plugs in here); their problems are appended. */
  extraChecks?: ((store: Store) => Promise<VerifyProblem[]>)[]
}

export interface VerifyResult {
  storeDir: string
  ok: boolean
  errors: number
  warnings: number
  layers: number
  entries: number
  problems: VerifyProblem[]
}

const ROOT_NAMES = new Set(['ir', 'output', '.gitignore'])

export async function verifyStore(store: Store, options: VerifyOptions = {}): Promise<VerifyResult> {
  await assertStoreExists(store)
  const problems: VerifyProblem[] = []
  const error = (path: string, code: string, message: string): void => void problems.push({severity: 'error', path, code, message})
  const warn = (path: string, code: string, message: string): void => void problems.push({severity: 'warning', path, code, message})

  const layers: Layer[] = []
  for (const child of await listDir(store.root)) {
    const kind = kindOf(child)
    if (!ROOT_NAMES.has(child.name)) {
      if (kind === 'file' || kind === 'dir') warn(child.name, 'unexpected', `unexpected ${kind} in the store`)
      else error(child.name, 'not-plain', `${kind} in the store (only plain files and directories belong here)`)
      continue
    }
    const wanted = child.name === '.gitignore' ? 'file' : 'dir'
    if (kind !== wanted) {
      error(child.name, 'not-plain', `is a ${kind}, expected a ${wanted === 'dir' ? 'directory' : 'plain file'}`)
      continue
    }
    if (child.name === 'ir') layers.push(irLayer(store))
    if (child.name === 'output') {
      const {writers, strays} = await listWriters(store)
      for (const s of strays) error(`output/${s.name}`, s.kind === 'dir' ? 'invalid-name' : 'not-plain', s.kind === 'dir' ? 'not a valid writer name' : `is a ${s.kind}, expected a writer directory`)
      for (const writer of writers) layers.push(outputLayer(store, writer))
    }
  }

  let entries = 0
  for (const layer of layers) entries += await verifyLayer(layer, error, warn)
  for (const check of options.extraChecks ?? []) problems.push(...(await check(store)))
  const errors = problems.filter((p) => p.severity === 'error').length
  return {storeDir: store.root, ok: errors === 0, errors, warnings: problems.length - errors, layers: layers.length, entries, problems}
}

type Report = (path: string, code: string, message: string) => void

async function verifyLayer(layer: Layer, error: Report, warn: Report): Promise<number> {
  const listing = await listLayer(layer)
  for (const s of listing.strays) {
    if (s.kind === 'dir') error(rel(layer, s.name), 'invalid-name', 'directory name is not a valid slug')
    else if (s.kind === 'file') error(rel(layer, s.name), 'unexpected', 'unexpected file in the layer')
    else error(rel(layer, s.name), 'not-plain', `${s.kind} in the layer (only plain files and directories belong here)`)
  }
  for (const name of listing.leftovers) warn(rel(layer, name), 'leftover', 'temporary name from a write in progress or a killed writer (rebuild-index removes old ones)')
  if (listing.lock) warn(rel(layer, LOCK_NAME), 'lock', 'lock present: a writer is running, or one was killed (the lock is taken over once stale)')

  if (listing.index !== undefined && listing.index !== 'file') {
    error(rel(layer, 'index.json'), 'not-plain', `index.json is a ${listing.index}`)
    return 0
  }
  const index = await readIndex(layer)
  if (index.state === 'unreadable') error(rel(layer, 'index.json'), 'index-unreadable', `${index.reason}; ${indexRepairAdvice(index.reason)}`)
  else if (index.state === 'missing' && listing.entries.length > 0) warn(rel(layer, 'index.json'), 'index-missing', 'no index although entries exist; run `headerkit cache rebuild-index`')
  for (const bad of index.invalid) error(rel(layer, 'index.json'), 'index-entry-invalid', `entry ${JSON.stringify(bad.slug)}: ${bad.reason}`)

  const byKey = new Map<string, string>()
  let count = 0
  for (const [slug, key] of index.entries) {
    count++
    const other = byKey.get(key)
    if (other !== undefined) warn(rel(layer, slug), 'duplicate-key', `same cache key as ${other}`)
    else byKey.set(key, slug)
    const read = await readEntry(layer, slug, key)
    if (!read.ok) error(rel(layer, slug), read.problem, read.detail)
  }
  for (const slug of listing.entries) {
    if (index.entries.has(slug)) continue
    const read = await readEntry(layer, slug)
    if (read.ok) warn(rel(layer, slug), 'unindexed', 'complete entry not in the index (a writer was interrupted); run `headerkit cache rebuild-index`')
    else error(rel(layer, slug), read.problem, `${read.detail} (and not in the index)`)
  }
  return count
}

