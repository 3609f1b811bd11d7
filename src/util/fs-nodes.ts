/**
 * What a path is (never following links), and reading a file that must be a regular
 * file. Opening a FIFO for reading blocks until
 * a writer appears, and a synchronous open blocks the event loop with it, so not even
 * SIGTERM's handler runs: every read of a store file, a header or a config file goes
 * through here. O_NONBLOCK makes the open return at once whatever the node is; fstat on
 * the opened descriptor (not a racy stat of the path) then decides, and anything but a
 * regular file is refused with code EFTYPE before a byte is read.
 */
import {closeSync, constants, type Dirent, fstatSync, openSync, promises as fs, readFileSync, type Stats} from 'node:fs'
import {witnessRead} from './witness.js'

export type NodeKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'device' | 'other'

export function kindOf(x: Dirent | Stats): NodeKind {
  if (x.isSymbolicLink()) return 'symlink'
  if (x.isFile()) return 'file'
  if (x.isDirectory()) return 'dir'
  if (x.isFIFO()) return 'fifo'
  if (x.isSocket()) return 'socket'
  if (x.isBlockDevice() || x.isCharacterDevice()) return 'device'
  return 'other'
}

export interface ReadOptions {
  /** Follow a symlink at the final component (default true); the store never does. */
  follow?: boolean
}

function flagsFor(options: ReadOptions): number {
  return constants.O_RDONLY | constants.O_NONBLOCK | (options.follow === false ? constants.O_NOFOLLOW : 0)
}

/** EISDIR for a directory, as readFile would say; EFTYPE for anything else not a file. */
function notRegular(path: string, kind: NodeKind): Error {
  if (kind === 'dir') return Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), {code: 'EISDIR', path, kind})
  return Object.assign(new Error(`${path} is not a regular file (it is a ${kind})`), {code: 'EFTYPE', path, kind})
}

export function readRegularFileSync(path: string, options: ReadOptions = {}): Buffer {
  const fd = openSync(path, flagsFor(options))
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw notRegular(path, kindOf(st))
    witnessRead(path, options.follow === false ? 'nofollow' : 'follow', st)
    return readFileSync(fd)
  } finally {
    closeSync(fd)
  }
}

export async function readRegularFile(path: string, options: ReadOptions = {}): Promise<Buffer> {
  const handle = await fs.open(path, flagsFor(options))
  try {
    const st = await handle.stat()
    if (!st.isFile()) throw notRegular(path, kindOf(st))
    witnessRead(path, options.follow === false ? 'nofollow' : 'follow', st)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}
