/**
 * The few file-system moves the store is built from: durable writes, atomic replacement
 * of one file, temp names, and a typed, never-following view of directory entries.
 */
import {randomBytes} from 'node:crypto'
import {closeSync, type Dirent, fsyncSync, openSync, type Stats, promises as fs, writeSync} from 'node:fs'
import {join} from 'node:path'

/** Prefix of every transient name in a layer (entries being built, index temp files). */
export const TEMP_PREFIX = '.tmp-'
export const LOCK_NAME = 'index.json.lock'

export function tempName(tag = ''): string {
  return `${TEMP_PREFIX}${tag}${randomBytes(8).toString('hex')}`
}

import {kindOf, type NodeKind} from '../util/fs-nodes.js'

export {kindOf, type NodeKind}

/** lstat, or undefined when nothing is there. */
export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(path)
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return undefined
    throw error
  }
}

/** Directory listing with types taken from the directory itself (symlinks are not followed). */
export async function listDir(path: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(path, {withFileTypes: true})
  } catch (error) {
    if (isCode(error, 'ENOENT')) return []
    throw error
  }
}

export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as {code?: unknown}).code === code
}

/** Writes a file (exclusive create), optionally fsynced before close. */
export async function writeNewFile(path: string, data: string | Uint8Array, fsync: boolean): Promise<void> {
  const handle = await fs.open(path, 'wx', 0o644)
  try {
    await handle.writeFile(data)
    if (fsync) await handle.sync()
  } catch (error) {
    throw withPath(error, path)
  } finally {
    await handle.close()
  }
}

export function writeNewFileSync(path: string, data: Uint8Array, fsync: boolean): void {
  const fd = openSync(path, 'wx', 0o644)
  try {
    let off = 0
    while (off < data.length) off += writeSync(fd, data, off)
    if (fsync) fsyncSync(fd)
  } catch (error) {
    throw withPath(error, path)
  } finally {
    closeSync(fd)
  }
}

/** Errors of writes on a descriptor carry no path; the user needs to know which file. */
function withPath(error: unknown, path: string): unknown {
  if (typeof error === 'object' && error !== null && (error as {path?: unknown}).path === undefined) Object.assign(error, {path})
  return error
}

export function fsyncDirSync(path: string): void {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    fsyncSync(fd)
  } catch {
    // As fsyncDir: best effort.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** fsync a directory so a rename into it survives a power loss. Best effort. */
export async function fsyncDir(path: string): Promise<void> {
  let handle
  try {
    handle = await fs.open(path, 'r')
    await handle.sync()
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await handle?.close()
  }
}

/** Replaces `dir/name` atomically: unique temp file in the same directory, fsync, rename. */
export async function atomicWriteFile(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dir, tempName('file-'))
  try {
    await writeNewFile(temp, data, true)
    await fs.rename(temp, join(dir, name))
  } catch (error) {
    await fs.rm(temp, {force: true})
    throw error
  }
  await fsyncDir(dir)
}

/** mkdir -p that refuses to go through a symlink or a non-directory at the final path. */
export async function ensureDir(path: string): Promise<void> {
  const there = await lstatOrUndefined(path)
  if (there === undefined) await fs.mkdir(path, {recursive: true})
  const st = there ?? (await fs.lstat(path))
  if (!st.isDirectory()) throw Object.assign(new Error(`${path} is a ${kindOf(st)}, not a directory`), {code: 'ENOTDIR', path})
}

/**
 * Removes whatever is at `path` without following it: a link is unlinked (never its
 * target), a directory removed with its contents, anything else unlinked. Plain unlink
 * for non-directories also keeps the real fault (EPERM on an immutable file) instead of
 * the scandir error fs.rm reports after its fallback.
 */
export async function removeNode(path: string): Promise<void> {
  const st = await lstatOrUndefined(path)
  if (st === undefined) return
  if (st.isDirectory()) await fs.rm(path, {recursive: true, force: true})
  else await fs.unlink(path).catch((error: unknown) => {
    if (!isCode(error, 'ENOENT')) throw error
  })
}

/** Total bytes of regular files under a directory (never following links). */
export async function treeBytes(path: string): Promise<number> {
  let total = 0
  for (const child of await listDir(path)) {
    const full = join(path, child.name)
    if (child.isDirectory()) total += await treeBytes(full)
    else if (child.isFile()) total += (await fs.lstat(full)).size
  }
  return total
}
