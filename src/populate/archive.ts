/**
 * What a job's container gets: exactly the files the parse reads (the headers, their
 * project-local include closure, the headers of the project include dirs they use) and
 * the worker kit, as one tar stream with explicit directories, root-owned, world-readable,
 * with fixed times. Never the whole project.
 */
import {createReadStream, promises as fs} from 'node:fs'
import {posix} from 'node:path'
import type {Readable} from 'node:stream'
import {pack as tarPack} from 'tar-stream'

export interface ArchiveFile {
  /** POSIX path inside the archive (`headerkit/project/include/a.h`). */
  name: string
  /** Absolute host path to read. */
  path?: string
  /** Or the bytes themselves. */
  bytes?: Buffer
  mode?: number
}

const EPOCH = new Date(0)

function parents(name: string): string[] {
  const out: string[] = []
  for (let dir = posix.dirname(name); dir !== '.' && dir !== '/'; dir = posix.dirname(dir)) out.unshift(dir)
  return out
}

/** A tar stream of the files, parents first. Files are streamed, not loaded whole. */
export function packArchive(files: ArchiveFile[]): Readable {
  const pack = tarPack()
  void (async () => {
    const dirs = new Set<string>()
    for (const file of files) {
      for (const dir of parents(file.name)) {
        if (dirs.has(dir)) continue
        dirs.add(dir)
        pack.entry({name: `${dir}/`, type: 'directory', mode: 0o755, mtime: EPOCH, uid: 0, gid: 0})
      }
      const mode = file.mode ?? 0o644
      if (file.bytes !== undefined) {
        pack.entry({name: file.name, mode, mtime: EPOCH, uid: 0, gid: 0}, file.bytes)
        continue
      }
      const path = file.path!
      const {size} = await fs.stat(path)
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({name: file.name, size, mode, mtime: EPOCH, uid: 0, gid: 0}, (error) => (error ? reject(error) : resolve()))
        createReadStream(path).on('error', reject).pipe(entry)
      })
    }
    pack.finalize()
  })().catch((error: unknown) => pack.destroy(error as Error))
  return pack as unknown as Readable
}
