/**
 * Unpacking an image's header directories (a `getArchive` tar stream) into a sysroot on
 * the host, treating the archive as hostile: no entry lands outside the sysroot (absolute
 * names, `..`, writes through a link); absolute links are rewritten to point inside the
 * sysroot and relative links that climb out of it are dropped, so the parse can never
 * reach a host header; devices, FIFOs and sockets are skipped; sizes are capped.
 */
import {lstatSync, mkdirSync, promises as fs, writeFileSync} from 'node:fs'
import {posix} from 'node:path'
import type {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {extract as tarExtract, type Header} from 'tar-stream'
import {HeaderkitError} from '../../../errors.js'

export interface UnpackLimits {
  maxFileBytes: number
  maxTotalBytes: number
  maxEntries: number
}

export const DEFAULT_LIMITS: UnpackLimits = {maxFileBytes: 64 * 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024, maxEntries: 200_000}

export interface UnpackReport {
  files: number
  bytes: number
  /** Entries not unpacked, with why (a device, a link that leaves the sysroot, an oversized file). */
  skipped: {name: string; why: string}[]
  /** Absolute links made to point inside the sysroot. */
  rewritten: number
}

export class UnpackError extends HeaderkitError {
  constructor(message: string, hint?: string) {
    super('E_SYSROOT_UNPACK', message, {hint})
  }
}

/** The archive name made safe and placed: `include/stdio.h` from /usr/include -> `usr/include/stdio.h`; undefined when it is not safe. */
export function placeEntry(name: string, sourceDir: string): string | undefined {
  if (name.includes('\0') || name.startsWith('/')) return undefined
  const parts = name.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.length === 0 || parts.some((p) => p === '..')) return undefined
  // getArchive names entries after the last component of the path asked for.
  const base = posix.basename(sourceDir)
  if (parts[0] !== base) return undefined
  return posix.join(sourceDir.replace(/^\/+/, ''), ...parts.slice(1))
}

/**
 * Where a link at `linkPath` (sysroot-relative) to `target` should point, relative to its
 * own directory, so that it resolves inside the sysroot; undefined when it would leave it.
 */
export function containedLink(linkPath: string, target: string): string | undefined {
  if (target === '' || target.includes('\0')) return undefined
  const from = posix.dirname(linkPath)
  const resolved = target.startsWith('/') ? posix.normalize(target).replace(/^\/+/, '') : posix.normalize(posix.join(from, target))
  if (resolved === '..' || resolved.startsWith('../') || posix.isAbsolute(resolved)) return undefined
  const rel = posix.relative(from, resolved || '.')
  return rel === '' ? '.' : rel
}

/**
 * Makes `rel` under root one component at a time; false when a component is not a real
 * directory (a link the archive planted). lstat on each component, so a write can never
 * pass through a link; directories already checked in this unpack are remembered (nothing
 * can turn them into links afterwards: a link is never made over an existing path).
 */
function ensureRealDir(root: string, rel: string, known: Set<string>): boolean {
  // Synchronous, like the store's own small-file writes: a header tree is thousands of
  // small files, and per-call promise overhead dominated the unpack.
  let at = root
  for (const part of rel.split('/').filter(Boolean)) {
    at = posix.join(at, part)
    if (known.has(at)) continue
    const st = lstatSync(at, {throwIfNoEntry: false})
    if (!st) mkdirSync(at)
    else if (!st.isDirectory()) return false
    known.add(at)
  }
  return true
}

export async function unpackInto(stream: Readable, root: string, sourceDir: string, report: UnpackReport, limits: UnpackLimits = DEFAULT_LIMITS): Promise<void> {
  const ex = tarExtract()
  let entries = 0
  const hardlinks: {path: string; target: string}[] = []
  const dirs = new Set<string>()
  ex.on('entry', (header: Header, source, next) => {
    const body = source as unknown as Readable
    // Errors are reported once, through next(); the entry stream must not throw on its own.
    body.on('error', () => undefined)
    let drained = false
    const done = (error?: unknown): void => {
      if (error) return next(error instanceof Error ? error : new Error('unpacking failed'))
      // tar-stream's entry streams are streamx streams: an ended one emits no more 'end'.
      if (drained) return next()
      body.once('end', () => next())
      body.resume()
    }
    const through = (what: string): void => {
      report.skipped.push({name: what, why: 'its path passes through a link'})
      done()
    }
    void (async () => {
      entries++
      if (entries > limits.maxEntries) throw new UnpackError(`the image's ${sourceDir} holds more than ${limits.maxEntries} entries`, 'this is not a header tree; check the image')
      const name = placeEntry(header.name, sourceDir)
      if (name === undefined) {
        report.skipped.push({name: header.name, why: 'unsafe name'})
        return done()
      }
      const abs = posix.join(root, name)
      switch (header.type) {
        case 'directory':
          if (!(ensureRealDir(root, name, dirs))) return through(name)
          return done()
        case 'file':
        case 'contiguous-file': {
          const size = header.size ?? 0
          if (size > limits.maxFileBytes) {
            report.skipped.push({name, why: `larger than ${limits.maxFileBytes} bytes`})
            return done()
          }
          if (report.bytes + size > limits.maxTotalBytes) throw new UnpackError(`the image's ${sourceDir} holds more than ${limits.maxTotalBytes} bytes`, 'this is not a header tree; check the image')
          if (!(ensureRealDir(root, posix.dirname(name), dirs))) return through(name)
          const chunks: Buffer[] = []
          body.on('data', (c: Buffer) => chunks.push(c))
          await new Promise<void>((resolve, reject) => body.once('end', resolve).once('error', reject))
          drained = true
          try {
            // 'wx': never through an existing file or link; no setuid, no exec bits needed.
            writeFileSync(abs, Buffer.concat(chunks), {flag: 'wx', mode: 0o644})
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
            report.skipped.push({name, why: 'a second entry of the same name'})
            return done()
          }
          report.files++
          report.bytes += size
          return done()
        }
        case 'symlink': {
          const target = containedLink(name, header.linkname ?? '')
          if (target === undefined) {
            report.skipped.push({name, why: `link to ${header.linkname ?? ''} leaves the sysroot`})
            return done()
          }
          if (!(ensureRealDir(root, posix.dirname(name), dirs))) return through(name)
          if (lstatSync(abs, {throwIfNoEntry: false})) {
            report.skipped.push({name, why: 'a link over an entry already unpacked'})
            return done()
          }
          if (header.linkname?.startsWith('/')) report.rewritten++
          await fs.symlink(target, abs)
          return done()
        }
        case 'link': {
          const target = placeEntry(header.linkname ?? '', sourceDir)
          if (target === undefined) report.skipped.push({name, why: 'hard link to an unsafe name'})
          else hardlinks.push({path: name, target})
          return done()
        }
        default:
          report.skipped.push({name, why: `a ${header.type ?? 'special'} entry`})
          return done()
      }
    })().catch(done)
  })
  await pipeline(stream, ex as unknown as NodeJS.WritableStream)
  for (const h of hardlinks) {
    // Copied, not linked: the target was checked as a regular file of this sysroot.
    const st = await fs.lstat(posix.join(root, h.target)).catch(() => undefined)
    if (!st?.isFile()) {
      report.skipped.push({name: h.path, why: 'hard link to a file that is not there'})
      continue
    }
    if (!(ensureRealDir(root, posix.dirname(h.path), dirs))) {
      report.skipped.push({name: h.path, why: 'its path passes through a link'})
      continue
    }
    await fs.copyFile(posix.join(root, h.target), posix.join(root, h.path))
    report.files++
  }
}
