/**
 * What a run looked at on disk, for the no-op journal (src/journal/journal.ts, DESIGN 11).
 * A run that changes nothing can be replayed by the next identical command only if every
 * file, directory and absence it based its answer on is still as it was; this module is
 * where the run says what those were. The calls sit in the few places that touch the
 * file system for generation (reads of regular files, include probes, config discovery,
 * header globs, store layers and entries, output files), so a new read that bypasses
 * them is the one way to make a replay stale: read files through util/fs-nodes.ts.
 *
 * One recorder per process, off unless a journal is being recorded: threading an observer
 * through config, generation and store signatures would change every one of them for a
 * concern none of them has. Each path is fingerprinted when first seen, before its bytes
 * are used, so a change during the run shows as a difference at the end.
 */
import {readdirSync, type Stats, statSync, lstatSync} from 'node:fs'
import {join} from 'node:path'

/** How a path was looked at: through links, at the link itself, or only whether something is there. */
export type Look = 'follow' | 'nofollow' | 'exists'

/**
 * A path's identity: kind, size, mtime and ctime (ms, with the fraction the file system
 * keeps), inode and device. Any write, rename over, chmod or touch changes ctime, which
 * no user call can set back. null: nothing there. For `exists`, only the kind.
 */
export type Fingerprint = [kind: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, dev: number] | [kind: string] | null

export interface Observation {
  path: string
  look: Look
  fingerprint: Fingerprint
}

function kindLetter(st: Stats): string {
  return st.isFile() ? 'f' : st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'o'
}

/** The fingerprint of a path now; any error but "nothing there" is a fingerprint of its own. */
export function fingerprintOf(path: string, look: Look): Fingerprint {
  let st: Stats | undefined
  try {
    st = look === 'nofollow' ? lstatSync(path, {throwIfNoEntry: false}) : statSync(path, {throwIfNoEntry: false})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ENOTDIR' ? null : [`error:${code ?? 'unknown'}`]
  }
  if (st === undefined) return null
  return look === 'exists' ? [kindLetter(st)] : fingerprintOfStats(st)
}

function fingerprintOfStats(st: Stats): Fingerprint {
  return [kindLetter(st), st.size, st.mtimeMs, st.ctimeMs, st.ino, st.dev]
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  if (a === null || b === null) return a === b
  return a.length === b.length && a.every((v, i) => v === b[i])
}

interface Recorder {
  seen: Map<string, Observation>
  /** Why this run cannot be journalled, when something made it so. */
  spoiled?: string
}

let recorder: Recorder | undefined

export function startWitness(): void {
  recorder = {seen: new Map()}
}

/** Ends recording: what was seen, or why the run cannot be journalled. */
export function stopWitness(): {observations: Observation[]} | {spoiled: string} {
  const r = recorder
  recorder = undefined
  if (r === undefined) return {spoiled: 'not recording'}
  if (r.spoiled !== undefined) return {spoiled: r.spoiled}
  return {observations: [...r.seen.values()]}
}

/** The first fingerprint recorded for `path` seen this way, taking `now` when it is the first sight. */
function firstSight(path: string, look: Look, now: () => Fingerprint): Fingerprint | undefined {
  if (recorder === undefined) return undefined
  const id = `${look}\0${path}`
  let seen = recorder.seen.get(id)
  if (seen === undefined) recorder.seen.set(id, (seen = {path, look, fingerprint: now()}))
  return seen.fingerprint
}

/** Records that the run's answer depends on `path` as it is now (first sight wins); its fingerprint. */
export function witness(path: string, look: Look = 'follow'): Fingerprint | undefined {
  return firstSight(path, look, () => fingerprintOf(path, look))
}

/** Records a file read through an open descriptor, with the fstat taken before its bytes were read. */
export function witnessRead(path: string, look: 'follow' | 'nofollow', st: Stats): void {
  firstSight(path, look, () => fingerprintOfStats(st))
}

/** A glob walks directories too many to journal; the run is then never replayed. */
const MAX_TREE_DIRS = 20_000

/**
 * Records every directory under `dir`, through links (a glob that follows links sees a
 * header added anywhere below): a file added, removed or renamed changes its directory.
 */
export function witnessTree(dir: string): void {
  if (recorder === undefined) return
  const seenInodes = new Set<string>()
  const stack = [dir]
  let count = 0
  while (stack.length > 0) {
    const at = stack.pop()!
    const fp = witness(at)
    if (!fp || fp[0] !== 'd' || fp.length < 6) continue
    const inode = `${fp[5]}:${fp[4]}`
    if (seenInodes.has(inode)) continue
    seenInodes.add(inode)
    if (++count > MAX_TREE_DIRS) {
      spoilWitness(`a header glob walks more than ${MAX_TREE_DIRS} directories`)
      return
    }
    let names
    try {
      names = readdirSync(at, {withFileTypes: true})
    } catch {
      continue
    }
    for (const child of names) {
      if (child.isDirectory()) stack.push(join(at, child.name))
      else if (child.isSymbolicLink()) {
        const target = join(at, child.name)
        if (witness(target)?.[0] === 'd') stack.push(target)
      }
    }
  }
}

/** Marks the run as one that must not be replayed (what it depends on cannot be fingerprinted). */
export function spoilWitness(why: string): void {
  if (recorder !== undefined) recorder.spoiled ??= why
}
