/**
 * Compiler arguments as headerkit sees them: `-I`, `-D`, `--backend-arg` values in the
 * user's order (clang's include search and paired flags depend on it: the original
 * sorted them, B-KEY-8). Paths are made project-relative for the cache key, so a
 * checkout in another directory or on another machine gets the same key, and
 * absolute for clang.
 */
import {isAbsolute, relative, resolve, sep} from 'node:path'
import type {HeaderOverrides} from '../config/types.js'
import {UsageError} from '../errors.js'

/** Flags whose value is a path, in joined (`-Idir`) or separate (`-I dir`) form. */
const PATH_FLAGS = ['-I', '-iquote', '-isystem', '-idirafter', '-include', '-imacros', '--sysroot', '-isysroot'] as const
type PathFlag = (typeof PATH_FLAGS)[number]

export interface CompilerArgs {
  /** `-D` values (`NAME` or `NAME=VALUE`), in order. */
  defines: string[]
  /** `-I` directories, in order, as given. */
  includeDirs: string[]
  /** Everything else (`--backend-arg`), in order. */
  extraArgs: string[]
}

export interface SearchPaths {
  /** Searched for `#include "..."` after the including file's directory. */
  quote: string[]
  /** Searched for both forms (`-I`). */
  angle: string[]
  /** `-isystem`/`-idirafter`: never project-local, so never scanned. */
  system: string[]
  /** `-include`/`-imacros`: files read before the header. */
  forced: string[]
}

function splitPathFlag(arg: string): {flag: PathFlag; value: string | undefined} | undefined {
  for (const flag of PATH_FLAGS) {
    if (arg === flag) return {flag, value: undefined}
    if (flag === '--sysroot' && arg.startsWith('--sysroot=')) return {flag, value: arg.slice('--sysroot='.length)}
    if (flag !== '--sysroot' && flag !== '-isysroot' && arg.startsWith(flag) && arg.length > flag.length) {
      // `-include` must not be read as `-I nclude`.
      if (flag === '-I' && (arg.startsWith('-include') || arg.startsWith('-imacros') || arg.startsWith('-iquote') || arg.startsWith('-isystem') || arg.startsWith('-idirafter') || arg.startsWith('-isysroot'))) continue
      return {flag, value: arg.slice(flag.length)}
    }
  }
  return undefined
}

/**
 * The full argument list handed to the parser, in order: defines, include dirs, then
 * extra args. Relative paths are resolved against `base` (the cwd for flags).
 */
export function toClangArgs(args: CompilerArgs, base: string): string[] {
  const out: string[] = []
  for (const d of args.defines) out.push(`-D${d}`)
  for (const dir of args.includeDirs) out.push(`-I${resolve(base, dir)}`)
  const extra = args.extraArgs
  for (let i = 0; i < extra.length; i++) {
    const arg = extra[i]!
    const split = splitPathFlag(arg)
    if (!split) {
      out.push(arg)
      continue
    }
    const value = split.value ?? extra[++i]
    if (value === undefined) throw new UsageError(`backend argument '${arg}' needs a value`, `write it as ${arg}<value> or give the value as the next --backend-arg`)
    out.push(split.flag === '--sysroot' ? `--sysroot=${resolve(base, value)}` : `${split.flag}${resolve(base, value)}`)
  }
  return out
}

/** Where includes are searched, from absolute clang arguments. */
export function searchPaths(clangArgs: string[]): SearchPaths {
  const paths: SearchPaths = {quote: [], angle: [], system: [], forced: []}
  for (const arg of clangArgs) {
    const split = splitPathFlag(arg)
    if (!split || split.value === undefined) continue
    switch (split.flag) {
      case '-I': paths.angle.push(split.value); break
      case '-iquote': paths.quote.push(split.value); break
      case '-isystem':
      case '-idirafter': paths.system.push(split.value); break
      case '-include':
      case '-imacros': paths.forced.push(split.value); break
      default: break
    }
  }
  return paths
}

/**
 * The key form of absolute clang arguments: every path inside the project becomes
 * project-relative (`-I@/include`), so the key does not depend on where the project
 * is checked out. Paths outside the project stay absolute: they are machine state
 * (a system SDK), and a different one should miss.
 */
export function keyArgs(clangArgs: string[], projectRoot: string): string[] {
  return clangArgs.map((arg) => {
    const split = splitPathFlag(arg)
    if (!split || split.value === undefined) return arg
    const rel = projectRelative(split.value, projectRoot)
    const value = rel === undefined ? split.value : `@/${rel}`
    return split.flag === '--sysroot' ? `--sysroot=${value}` : `${split.flag}${value}`
  })
}

/** POSIX path of `path` relative to `root`, or undefined when it lies outside. */
export function projectRelative(path: string, root: string): string | undefined {
  const rel = relative(root, path)
  if (rel === '') return '.'
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined
  return rel.split(sep).join('/')
}

/** Where a header's compiler arguments come from. */
export interface ArgumentSources {
  /** The config's global lists (paths relative to the project root). */
  config: {defines?: string[]; includeDirs?: string[]; backendArgs?: string[]}
  /** The merged overrides of the config `headers` entries matching this header. */
  override: HeaderOverrides
  /** Command-line (or API) lists (paths relative to the cwd). */
  flags: {defines?: string[]; includeDirs?: string[]; backendArgs?: string[]}
  projectRoot: string
  cwd: string
}

/**
 * One header's compiler arguments, absolute, in the order clang gets them: the
 * config's lists (a header override replaces them for that header), then the flags'.
 * Generation and populate both call this, so a populated entry has the key a native
 * run computes.
 */
export function headerArgs(s: ArgumentSources): CompilerArgs {
  const absolute = (args: string[], base: string): string[] => toClangArgs({defines: [], includeDirs: [], extraArgs: args}, base)
  return {
    defines: [...(s.override.defines ?? s.config.defines ?? []), ...(s.flags.defines ?? [])],
    includeDirs: [...(s.override.includeDirs ?? s.config.includeDirs ?? []).map((d) => resolve(s.projectRoot, d)), ...(s.flags.includeDirs ?? []).map((d) => resolve(s.cwd, d))],
    extraArgs: [...absolute(s.override.extraArgs ?? s.config.backendArgs ?? [], s.projectRoot), ...absolute(s.flags.backendArgs ?? [], s.cwd)],
  }
}

/** The key form of absolute arguments (what IR keys, slugs and metadata hold): project paths as `@/rel`. */
export function keyFormOf(args: CompilerArgs, projectRoot: string): {defines: string[]; includeDirs: string[]; args: string[]} {
  return {
    defines: args.defines,
    includeDirs: args.includeDirs.map((d) => {
      const rel = projectRelative(d, projectRoot)
      return rel === undefined ? d : `@/${rel}`
    }),
    args: keyArgs(args.extraArgs, projectRoot),
  }
}

/**
 * Absolute clang arguments from their key form (what metadata records): `@/rel` paths
 * placed under `root`, the inverse of keyFormOf. `root` is the project here, or where the
 * project is unpacked (a container's copy).
 */
export function argsFromKeyForm(form: {defines: readonly string[]; includeDirs: readonly string[]; args: readonly string[]}, root: string): string[] {
  const place = (value: string): string => (value.startsWith('@/') ? `${root}/${value.slice(2)}` : value)
  return [
    ...form.defines.map((d) => `-D${d}`),
    ...form.includeDirs.map((d) => `-I${place(d)}`),
    ...form.args.map((a) => a.replace(/^(-I|-iquote|-isystem|-idirafter|-include|-imacros|-isysroot|--sysroot=)@\//, `$1${root}/`)),
  ]
}
