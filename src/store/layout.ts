/**
 * Where things live in a store, and the handle every store function takes.
 *
 *   <store>/.gitignore                   transient names (temp dirs, locks) never committed
 *   <store>/ir/index.json                {"version": 2, "entries": {"<slug>": {"cache_key": "..."}}}
 *   <store>/ir/<slug>/{ir.json,metadata.json}
 *   <store>/output/<writer>/index.json
 *   <store>/output/<writer>/<slug>/{output.<ext>,metadata.json}
 */
import {promises as fs, type Stats} from 'node:fs'
import {join, resolve} from 'node:path'
import {StoreError} from '../errors.js'
import {atomicWriteFile, ensureDir, isCode, kindOf, lstatOrUndefined} from './fsx.js'
import {isValidWriterName} from './slug.js'
import {headerkitVersion} from '../version.js'
import {witness} from '../util/witness.js'

export const INDEX_FILE = 'index.json'
export const METADATA_FILE = 'metadata.json'
export const IR_PAYLOAD = 'ir.json'
export const INDEX_VERSION = 2
/** 3: every source and payload also records its SHA-256 (read by python/headerkit_store). */
export const METADATA_VERSION = 3

const STORE_GITIGNORE = `# Written by headerkit: names of writes in progress and locks; never commit them.
.tmp-*
*.lock
`

export {headerkitVersion}

export interface StoreOptions {
  /** A lock not refreshed for this long is taken over (its holder died). Minimum 2000. */
  lockStaleMs?: number
  /** Recorded as headerkit_version in new entries; defaults to this package's version. */
  toolVersion?: string
  /**
   * fsync each new entry's files (default true). Populate's staging stores turn it off:
   * they are merged at once, and the merge checks every entry's size and hash anyway.
   */
  fsync?: boolean
}

export interface Store {
  /** Absolute path of the store directory. */
  root: string
  lockStaleMs: number
  toolVersion: string
  fsync: boolean
}

/** A handle on a store directory; touches nothing on disk. */
export function openStore(dir: string, options: StoreOptions = {}): Store {
  return {
    root: resolve(dir),
    lockStaleMs: Math.max(2000, options.lockStaleMs ?? 10_000),
    toolVersion: options.toolVersion ?? headerkitVersion(),
    fsync: options.fsync ?? true,
  }
}

/** One index plus its entry directories: `ir` or `output/<writer>`. */
export interface Layer {
  /** Store-relative POSIX name used in reports: `ir`, `output/cffi`. */
  name: string
  kind: 'ir' | 'output'
  dir: string
  writer?: string
}

export function irLayer(store: Store): Layer {
  return {name: 'ir', kind: 'ir', dir: join(store.root, 'ir')}
}

export function outputLayer(store: Store, writer: string): Layer {
  if (!isValidWriterName(writer)) {
    throw new StoreError(`invalid writer name '${writer}'`, 'writer names use letters, digits, `_`, `.`, `=` and `-` and do not start with `.` or `-`', 'E_STORE_NAME')
  }
  return {name: `output/${writer}`, kind: 'output', dir: join(store.root, 'output', writer), writer}
}

/** stat of the root, following a link: the user named the store, so a linked store is fine. */
async function statRoot(store: Store) {
  witness(store.root)
  try {
    return await fs.stat(store.root)
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return undefined
    throw error
  }
}

function notADirectory(store: Store, what: string, st: Stats): StoreError {
  return new StoreError(`${what} is not a directory: ${store.root} is a ${kindOf(st)}`, 'point --store-dir / HEADERKIT_STORE_DIR / store_dir at a directory; a missing one is created', 'E_STORE_NOT_DIR')
}

/** Throws one clear error when the store directory does not exist or is not a directory. */
export async function assertStoreExists(store: Store, what = 'store directory'): Promise<void> {
  const st = await statRoot(store)
  if (st === undefined) throw new StoreError(`${what} not found: ${store.root}`, 'check --store-dir / HEADERKIT_STORE_DIR / store_dir', 'E_STORE_MISSING')
  if (!st.isDirectory()) throw notADirectory(store, what, st)
}

/** Throws when something other than a directory sits where the store goes; a missing store is fine. */
export async function assertStoreUsable(store: Store): Promise<void> {
  const st = await statRoot(store)
  if (st !== undefined && !st.isDirectory()) throw notADirectory(store, 'store directory', st)
}

/** Creates the store root and the layer directory for a write, plus the store's .gitignore. */
export async function prepareLayerForWrite(store: Store, layer: Layer): Promise<void> {
  const st = await statRoot(store)
  if (st && !st.isDirectory()) throw notADirectory(store, 'store directory', st)
  if (!st) await fs.mkdir(store.root, {recursive: true})
  if ((await lstatOrUndefined(join(store.root, '.gitignore'))) === undefined) {
    // Best effort: a read-only or odd store still works without it.
    await atomicWriteFile(store.root, '.gitignore', STORE_GITIGNORE).catch(() => undefined)
  }
  try {
    if (layer.kind === 'output') await ensureDir(join(store.root, 'output'))
    await ensureDir(layer.dir)
  } catch (error) {
    throw new StoreError(`cannot create ${layer.name} in ${store.root}: ${(error as Error).message}`, 'a store layer must be a plain directory (not a file or a symlink)', 'E_STORE_LAYOUT')
  }
}

/** Store-relative POSIX path for reports (never absolute: reports may be committed or shared). */
export function rel(layer: Layer, ...parts: string[]): string {
  return [layer.name, ...parts].join('/')
}
