/**
 * Which headers a run works on, shared by generation and populate.
 *
 * Literal paths typed on the command line are relative to the cwd (what a shell user
 * expects); config patterns and every glob (`**`, `*`, `?`, `[...]`) are relative to the
 * project root (reference 2.8). Results are project-relative POSIX paths, deduplicated
 * and sorted by code point, so keys and slugs never depend on the checkout directory.
 * Unlike the original, a literal path that does not exist, a glob that matches nothing
 * and a header outside the project root are errors here, before any work starts.
 */
import {realpathSync, statSync} from 'node:fs'
import {isAbsolute, relative, resolve, sep} from 'node:path'
import picomatch from 'picomatch'
import {globSync} from 'tinyglobby'
import {InputError, UsageError} from '../errors.js'
import type {HeaderEntry, HeaderOverrides} from '../config/types.js'
import {witness, witnessTree} from '../util/witness.js'

export interface ResolveHeadersOptions {
  /** Headers and globs from the command line; when empty, the config's `headers` are used. */
  patterns: string[]
  /** Exclude globs (config `exclude`), relative to the project root. */
  exclude?: string[]
  /** Where the exclude globs came from (`--exclude`, `exclude in <file>`), for the error when nothing is left. */
  excludeSources?: string[]
  projectRoot: string
  cwd: string
  /** The config's `headers` entries, in file order (for defaults and overrides). */
  fromConfig?: HeaderEntry[]
}

export interface ResolvedHeader {
  /** Project-relative POSIX path. */
  path: string
  /** The config entries whose pattern matches this header, in config order (overrides merge in that order). */
  entries: HeaderEntry[]
}

export interface ResolvedHeaders {
  headers: ResolvedHeader[]
  /** Where the list came from. */
  source: 'command line' | 'config'
}

export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern)
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/')
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** Project-relative POSIX path of an absolute path, or undefined when it is outside the root. */
function insideRoot(absolute: string, root: string): string | undefined {
  const rel = relative(realOrSelf(root), realOrSelf(absolute))
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined
  return toPosix(rel)
}

function literal(pattern: string, base: string, root: string, where: string): string {
  const absolute = resolve(base, pattern)
  witness(absolute)
  let isFile: boolean
  try {
    isFile = statSync(absolute).isFile()
  } catch {
    throw new InputError(`header not found: ${pattern} (${where}, looked for ${absolute})`, 'check the path; command-line paths are relative to the current directory, config paths to the project root', 'E_HEADER_NOT_FOUND')
  }
  if (!isFile) throw new InputError(`not a file: ${pattern} (${where})`, 'name a header file, or a glob such as "include/**/*.h"', 'E_HEADER_NOT_FOUND')
  const rel = insideRoot(absolute, root)
  if (rel === undefined) {
    throw new InputError(`header outside the project root: ${pattern} (${where}; root is ${root})`, 'headers must live inside the project so cache keys are portable; copy the header into the project or run from its project', 'E_HEADER_OUTSIDE_ROOT')
  }
  return rel
}

function glob(pattern: string, root: string, where: string): string[] {
  let relPattern = toPosix(pattern)
  if (isAbsolute(pattern)) {
    const rel = relative(root, pattern)
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new InputError(`glob outside the project root: ${pattern} (${where}; root is ${root})`, 'write globs relative to the project root', 'E_HEADER_OUTSIDE_ROOT')
    }
    relPattern = toPosix(rel)
  }
  if (relPattern.split('/').includes('..')) {
    throw new InputError(`glob leaves the project root: ${pattern} (${where})`, 'write globs relative to the project root, without ..', 'E_HEADER_OUTSIDE_ROOT')
  }
  // A header added or removed anywhere the glob can reach changes a directory there.
  witnessTree(resolve(root, picomatch.scan(relPattern).base))
  const matches = globSync([relPattern], {cwd: root, dot: true, onlyFiles: true, expandDirectories: false, followSymbolicLinks: true})
  const out: string[] = []
  for (const match of matches) {
    // A symlink inside the project may point outside it: such a header is refused.
    const rel = insideRoot(resolve(root, match), root)
    if (rel === undefined) {
      throw new InputError(`header outside the project root: ${match} (matched by ${pattern}, ${where})`, 'the file is a symlink that leaves the project; copy the header into the project', 'E_HEADER_OUTSIDE_ROOT')
    }
    out.push(toPosix(match))
  }
  if (out.length === 0) {
    throw new InputError(`no header matches ${pattern} (${where}, relative to the project root ${root})`, 'globs are relative to the project root; check the pattern', 'E_GLOB_NO_MATCH')
  }
  return out
}

/** Compiled glob matchers by pattern: every header is matched against every entry (DESIGN 11). */
const matchers = new Map<string, (path: string) => boolean>()

/** True when a config entry's pattern names this project-relative header. */
export function entryMatches(entry: HeaderEntry, header: string): boolean {
  const pattern = toPosix(entry.pattern).replace(/^\.\//, '')
  if (entry.form === 'table' || !isGlob(pattern)) return pattern === header
  let match = matchers.get(pattern)
  if (match === undefined) matchers.set(pattern, (match = picomatch(pattern, {dot: true})))
  return match(header)
}

export function resolveHeaders(options: ResolveHeadersOptions): ResolvedHeaders {
  const root = resolve(options.projectRoot)
  const fromConfig = options.fromConfig ?? []
  const useCli = options.patterns.length > 0
  const found = new Set<string>()
  if (useCli) {
    for (const pattern of options.patterns) {
      if (pattern === '-') throw new UsageError('headers must be files, not stdin (-)', 'write the content to a file inside the project first')
      if (pattern.trim() === '') throw new UsageError('an empty header path was given', 'name a header file or a glob')
      const paths = isGlob(pattern) ? glob(pattern, root, 'from the command line') : [literal(pattern, options.cwd, root, 'from the command line')]
      for (const p of paths) found.add(p)
    }
  } else {
    for (const entry of fromConfig) {
      const where = 'from the config headers'
      const paths = entry.form === 'array' && isGlob(entry.pattern) ? glob(entry.pattern, root, where) : [literal(entry.pattern, root, root, where)]
      for (const p of paths) found.add(p)
    }
  }
  const before = found.size
  if (options.exclude && options.exclude.length > 0) {
    const excluded = picomatch(options.exclude.map(toPosix), {dot: true})
    for (const p of [...found]) if (excluded(p)) found.delete(p)
  }
  if (found.size === 0 && before > 0) {
    const by = options.excludeSources?.length ? options.excludeSources.join(' and ') : 'the exclude patterns'
    throw new UsageError(`every header ${useCli ? 'given' : 'configured'} (${before}) was excluded by ${by}`, 'loosen the exclude globs, or name other headers')
  }
  if (found.size === 0) {
    throw new UsageError('no headers given and none configured', 'pass header paths or globs, or set headers in [tool.headerkit] / .headerkit.toml')
  }
  const headers = [...found]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((path) => ({path, entries: fromConfig.filter((entry) => entryMatches(entry, path))}))
  return {headers, source: useCli ? 'command line' : 'config'}
}

/** The overrides of the config `headers` entries matching a header, later entries winning per key (reference 2.9). */
export function mergeOverrides(entries: {overrides: HeaderOverrides}[]): HeaderOverrides {
  const merged: HeaderOverrides = {}
  for (const {overrides} of entries) Object.assign(merged, overrides)
  return merged
}
