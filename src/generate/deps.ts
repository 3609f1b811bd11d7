/**
 * The closure of project-local headers a header includes, found without libclang by
 * scanning `#include` lines and resolving them the way clang does (the including
 * file's directory for quotes, then -iquote, then -I). Every branch of every `#if` is
 * followed, so the closure over-approximates what a parse reads, which is safe: an
 * edit to any file in it causes a miss. Includes named by macros cannot be scanned;
 * the parser's own include list (recorded in the entry's metadata and re-checked on
 * lookup) covers those.
 *
 * Files outside the project root, or under an -isystem/-idirafter directory, are
 * system state: not followed, not hashed.
 */
import {dirname, resolve} from 'node:path'
import {InputError} from '../errors.js'
import {kindOf} from '../util/fs-nodes.js'
import {projectRelative, type SearchPaths} from './args.js'
import {digestSource, newSourceCache, readSource, type SourceCache, statSource} from './sources.js'

export interface Dependency {
  /** Project-relative POSIX path. */
  path: string
  /** BLAKE3 of the bytes with line endings normalised (see store/keys.ts). */
  hash: string
  /** SHA-256 of the same bytes, recorded for the Python reader. */
  sha256: string
}

// `#  include "x.h"` / `#include <x.h>` / `#include_next`, with the comment forms
// headers really use. Computed includes (`#include FOO`) do not match.
const INCLUDE_LINE = /^[ \t]*#[ \t]*(?:include|include_next|import)[ \t]*(?:"([^"\n]+)"|<([^>\n]+)>)/gm

const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g

/**
 * Include directives of a file, skipping those inside block comments (a line comment
 * cannot precede `#` on a directive line, so the pattern already excludes those).
 * Matches directive lines directly and checks them against comment spans, so a large
 * header (sqlite3.h, 600 KB) costs one pass of each regular expression.
 */
export function scanIncludes(text: string): {quoted: string[]; angled: string[]} {
  const quoted: string[] = []
  const angled: string[] = []
  const comments: number[] = [] // [start0, end0, start1, end1, ...], in order
  if (text.includes('/*')) for (const c of text.matchAll(BLOCK_COMMENT)) comments.push(c.index, c.index + c[0].length)
  let span = 0
  for (const match of text.matchAll(INCLUDE_LINE)) {
    const at = match.index
    while (span < comments.length && comments[span + 1]! <= at) span += 2
    if (span < comments.length && comments[span]! <= at) continue
    if (match[1] !== undefined) quoted.push(match[1])
    else if (match[2] !== undefined) angled.push(match[2])
  }
  return {quoted, angled}
}

/**
 * Whether an include candidate is a regular file. A FIFO, socket or device there is an
 * error: clang would open it while resolving the include and block in that open, on
 * the main thread, where not even SIGTERM's handler can run.
 */
function isFile(path: string, includedFrom: string, cache: SourceCache): boolean {
  const st = statSource(cache, path)
  if (st === undefined) return false
  if (st.isFile()) return true
  if (st.isDirectory()) return false
  throw new InputError(`include ${path} (from ${includedFrom}) is a ${kindOf(st)}, not a regular file`, 'replace it with a regular file, or remove it', 'E_INCLUDE_NOT_FILE')
}

function isUnder(path: string, dirs: string[]): boolean {
  return dirs.some((dir) => projectRelative(path, dir) !== undefined)
}

/**
 * Walks the include graph from `header` (absolute). Returns the project-local files
 * it can reach, excluding the header itself, sorted by path, each with its hash.
 * `cache` holds the files a run has read already (src/generate/sources.ts).
 */
export async function includeClosure(header: string, projectRoot: string, paths: SearchPaths, headerBytes?: Uint8Array, cache: SourceCache = newSourceCache()): Promise<Dependency[]> {
  const seen = new Map<string, {hash: string; sha256: string}>() // absolute path -> digests
  const queue: string[] = [header, ...paths.forced.map((f) => resolve(f))]
  const visited = new Set<string>()

  const isProjectLocal = (file: string): boolean => projectRelative(file, projectRoot) !== undefined && !isUnder(file, paths.system)

  function resolveInclude(name: string, from: string, quoted: boolean): string | undefined {
    const dirs = quoted ? [dirname(from), ...paths.quote, ...paths.angle] : paths.angle
    for (const dir of dirs) {
      const candidate = resolve(dir, name)
      if (isFile(candidate, from, cache)) return candidate
    }
    return undefined
  }

  while (queue.length > 0) {
    const file = queue.shift()!
    if (visited.has(file)) continue
    visited.add(file)
    let bytes: Uint8Array
    try {
      bytes = file === header && headerBytes ? headerBytes : readSource(cache, file)
    } catch (error) {
      // A forced include that does not exist: the parse reports it. One that is not a
      // regular file would block clang's open of it (see isFile).
      if ((error as NodeJS.ErrnoException).code === 'EFTYPE') throw new InputError(`forced include ${file} is a ${(error as {kind?: string}).kind}, not a regular file`, 'replace it with a regular file, or drop the -include', 'E_INCLUDE_NOT_FILE')
      continue
    }
    if (file !== header && isProjectLocal(file)) seen.set(file, await digestSource(cache, file, bytes))
    const {quoted, angled} = scanIncludes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
    for (const [names, isQuoted] of [[quoted, true], [angled, false]] as const) {
      for (const name of names) {
        const target = resolveInclude(name, file, isQuoted)
        if (target && isProjectLocal(target) && !visited.has(target)) queue.push(target)
      }
    }
  }

  return [...seen.entries()]
    .map(([abs, digest]) => ({path: projectRelative(abs, projectRoot)!, ...digest}))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/**
 * Re-checks recorded dependencies (from an entry's metadata) against the files now on
 * disk: true when every one still exists with the same hash.
 */
export async function dependenciesUnchanged(recorded: {path: string; hash: string}[], projectRoot: string, cache: SourceCache = newSourceCache()): Promise<boolean> {
  for (const dep of recorded) {
    const abs = resolve(projectRoot, dep.path)
    if (projectRelative(abs, projectRoot) === undefined) return false
    let digest: {hash: string}
    try {
      digest = await digestSource(cache, abs)
    } catch {
      return false
    }
    if (digest.hash !== dep.hash) return false
  }
  return true
}
