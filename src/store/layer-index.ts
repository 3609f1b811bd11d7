/**
 * A layer's index.json: slug -> cache key. Reading is pure (a corrupt index reads as
 * "unreadable", never repaired on read); writing happens only under the layer lock,
 * through a unique temp file and a rename, so readers see the old or the new index.
 */
import {lstatSync} from 'node:fs'
import {join} from 'node:path'
import lockfile, {type LockOptions} from 'proper-lockfile'
import {StoreError} from '../errors.js'
import {canonicalJsonFile, compareCodePoints} from '../util/canonical-json.js'
import {witness} from '../util/witness.js'
import {readNoFollow} from './entry.js'
import {atomicWriteFile, isCode, LOCK_NAME, lstatOrUndefined, removeNode} from './fsx.js'
import {KEY_PATTERN} from './keys.js'
import {INDEX_FILE, INDEX_VERSION, type Layer, type Store} from './layout.js'
import {isValidSlug} from './slug.js'

/** slug -> cache key */
export type IndexEntries = Map<string, string>

export type IndexRead =
  | {state: 'ok'; entries: IndexEntries; invalid: {slug: string; reason: string}[]}
  | {state: 'missing'; entries: IndexEntries; invalid: []}
  | {state: 'unreadable'; entries: IndexEntries; invalid: []; reason: string}

/** Reads and validates an index. Entries with an unsafe slug or a malformed key are reported, not used. */
export async function readIndex(layer: Layer): Promise<IndexRead> {
  let text: string
  try {
    text = (await readNoFollow(join(layer.dir, INDEX_FILE))).toString('utf8')
  } catch (error) {
    if (isCode(error, 'ENOENT')) return {state: 'missing', entries: new Map(), invalid: []}
    const reason = isCode(error, 'EFTYPE') ? `a ${(error as {kind?: string}).kind}, not a regular file` : (error as Error).message
    return {state: 'unreadable', entries: new Map(), invalid: [], reason}
  }
  return parseIndex(text)
}

const CONFLICT_MARKERS = /^(?:<{7}|={7}|>{7})(?: |$)/m
const CONFLICT_REASON = 'it holds git conflict markers'

/** What to tell a user about an unreadable index, given the reason readIndex gave. */
export function indexRepairAdvice(reason: string): string {
  if (reason === CONFLICT_REASON) return 'stores are combined with `headerkit store merge`, not by git; run `headerkit cache rebuild-index` to repair this one'
  return 'run `headerkit cache rebuild-index`'
}

export function parseIndex(text: string): IndexRead {
  if (CONFLICT_MARKERS.test(text)) return {state: 'unreadable', entries: new Map(), invalid: [], reason: CONFLICT_REASON}
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    return {state: 'unreadable', entries: new Map(), invalid: [], reason: `not valid JSON (${(error as Error).message})`}
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {state: 'unreadable', entries: new Map(), invalid: [], reason: 'not a JSON object'}
  const {version, entries} = data as {version?: unknown; entries?: unknown}
  if (version !== INDEX_VERSION) return {state: 'unreadable', entries: new Map(), invalid: [], reason: `unsupported index version ${JSON.stringify(version)} (expected ${INDEX_VERSION})`}
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return {state: 'unreadable', entries: new Map(), invalid: [], reason: '"entries" is not an object'}
  const out: IndexEntries = new Map()
  const invalid: {slug: string; reason: string}[] = []
  for (const [slug, value] of Object.entries(entries as Record<string, unknown>)) {
    const key = typeof value === 'object' && value !== null ? (value as {cache_key?: unknown}).cache_key : undefined
    if (!isValidSlug(slug)) invalid.push({slug, reason: 'unsafe slug (not a plain name)'})
    else if (typeof key !== 'string' || !KEY_PATTERN.test(key)) invalid.push({slug, reason: 'missing or malformed cache_key'})
    else out.set(slug, key)
  }
  return {state: 'ok', entries: out, invalid}
}

/** An index as lookups use it: read, and each key's slug found without a scan. */
export interface IndexForLookup {
  read: IndexRead
  /** The first slug (code-point order) holding each key: slugForKey for every key at once. */
  slugOf: Map<string, string>
}

/** Index files read in this process, by path, with the identity of the file they were read from. */
const lookupCache = new Map<string, {identity: string; index: IndexForLookup}>()

/**
 * readIndex for lookups, read once per process while the file stays the same (DESIGN 11:
 * "read each index once"). Before each use the index is lstat'ed; a file with another
 * inode, size, mtime or ctime (every writer replaces it by a rename, so each write makes
 * a new inode and ctime) is read again. A stale answer could only be a miss or a slug
 * whose entry readEntry then judges by its own metadata and key, never a stale hit.
 */
export async function readIndexForLookup(layer: Layer): Promise<IndexForLookup> {
  const path = join(layer.dir, INDEX_FILE)
  witness(path, 'nofollow')
  const st = lstatSync(path, {bigint: true, throwIfNoEntry: false})
  const identity = st?.isFile() ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : undefined
  const cached = lookupCache.get(path)
  if (identity !== undefined && cached?.identity === identity) return cached.index
  const read = await readIndex(layer)
  const slugOf = new Map<string, string>()
  for (const [slug, key] of read.entries) {
    const known = slugOf.get(key)
    if (known === undefined || compareCodePoints(slug, known) < 0) slugOf.set(key, slug)
  }
  const index = {read, slugOf}
  if (identity !== undefined && read.state === 'ok') lookupCache.set(path, {identity, index})
  else lookupCache.delete(path)
  return index
}

/** The first slug (in code-point order) that maps to a key. */
export function slugForKey(entries: IndexEntries, key: string): string | undefined {
  let found: string | undefined
  for (const [slug, k] of entries) if (k === key && (found === undefined || compareCodePoints(slug, found) < 0)) found = slug
  return found
}

export function renderIndex(entries: IndexEntries): string {
  const obj: Record<string, {cache_key: string}> = {}
  for (const [slug, key] of entries) obj[slug] = {cache_key: key}
  return canonicalJsonFile({version: INDEX_VERSION, entries: obj})
}

export async function writeIndex(layer: Layer, entries: IndexEntries): Promise<void> {
  await atomicWriteFile(layer.dir, INDEX_FILE, renderIndex(entries))
}

// About 100 s of waiting in all for a lock another process holds (then it is stale anyway).
const LOCK_ATTEMPTS = 400
const lockDelay = (attempt: number): number => Math.min(250, 10 * 1.2 ** attempt) * (1 + Math.random())

/**
 * proper-lockfile's own `retries` retry every error, so a read-only store or a file
 * where the layer belongs would wait the whole schedule before failing. Only a lock
 * held by someone else (ELOCKED) is worth waiting for.
 */
async function lockWithRetries(file: string, options: LockOptions): Promise<() => Promise<void>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await lockfile.lock(file, options)
    } catch (error) {
      if (!isCode(error, 'ELOCKED') || attempt >= LOCK_ATTEMPTS) throw error
      await new Promise((resolve) => setTimeout(resolve, lockDelay(attempt)))
    }
  }
}

/**
 * Runs `fn` holding the layer's cross-process lock (a directory `index.json.lock`,
 * refreshed while held; a holder that died is taken over once the lock is stale).
 */
export async function withLayerLock<T>(store: Store, layer: Layer, fn: (assertHeld: () => void) => Promise<T>): Promise<T> {
  let compromised: Error | undefined
  let release: () => Promise<void>
  // A lock is always a directory; anything else under its name (a file, a FIFO, a link)
  // was not made by headerkit and would make every lock attempt fail: it goes, unfollowed.
  const lockPath = join(layer.dir, LOCK_NAME)
  const there = await lstatOrUndefined(lockPath)
  if (there !== undefined && !there.isDirectory()) await removeNode(lockPath)
  try {
    release = await lockWithRetries(join(layer.dir, INDEX_FILE), {
      realpath: false,
      lockfilePath: join(layer.dir, LOCK_NAME),
      stale: store.lockStaleMs,
      update: Math.max(1000, Math.floor(store.lockStaleMs / 4)),
      onCompromised: (error) => {
        compromised = error
      },
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // The lock is a directory made next to the index: a store we may not write fails here first.
    if (code === 'EROFS') throw new StoreError(`cannot write to ${layer.name} in ${store.root}: the store is on a read-only file system`, 'run where the store is writable', 'E_STORE_READONLY')
    if (code === 'EACCES' || code === 'EPERM') throw new StoreError(`cannot write to ${layer.name} in ${store.root}: permission denied`, 'make the store writable by this user', 'E_STORE_READONLY')
    if (code === 'ENOTDIR') throw new StoreError(`cannot write to ${layer.name} in ${store.root}: it is not a directory`, `remove what is there, or run \`headerkit cache clear\``, 'E_STORE_LAYOUT')
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new StoreError(`cannot write to ${layer.name} in ${store.root}: the disk is full`, 'free some space and run again', 'E_STORE_FULL')
    throw new StoreError(`cannot lock ${layer.name} in ${store.root}: ${(error as Error).message}`, `another headerkit process holds it; if none runs, remove ${layer.name}/${LOCK_NAME}`, 'E_STORE_LOCK')
  }
  const assertHeld = (): void => {
    if (compromised) throw new StoreError(`lost the lock on ${layer.name} in ${store.root}: ${compromised.message}`, 'retry; nothing was written to the index', 'E_STORE_LOCK')
  }
  try {
    return await fn(assertHeld)
  } finally {
    await release().catch(() => undefined)
  }
}
