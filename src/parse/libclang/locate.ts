/**
 * Where libclang is. Order: the explicit path (`--libclang`), `HEADERKIT_LIBCLANG`,
 * `LIBCLANG_PATH` (a file, or a directory holding libclang as bindgen users set it),
 * then the distro locations, newest LLVM first. An explicit path that does not exist
 * is an error of its own: silently falling back to another libclang would give a
 * different parse than the one asked for.
 */
import {existsSync, readdirSync, realpathSync, statSync} from 'node:fs'
import path from 'node:path'
import {LibclangNotFoundError} from '../errors.js'

const NEWEST = 21
const OLDEST = 14

/** Debian/Ubuntu multiarch directory of the running Node, for `/usr/lib/<multiarch>/libclang-N.so.1`. */
export function hostMultiarch(arch: string = process.arch): string | undefined {
  const table: Record<string, string> = {
    x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', ia32: 'i386-linux-gnu', arm: 'arm-linux-gnueabihf',
    ppc64: 'powerpc64le-linux-gnu', s390x: 's390x-linux-gnu', riscv64: 'riscv64-linux-gnu',
  }
  return table[arch]
}

/** Every default location, in the order they are tried. */
export function defaultCandidates(arch: string = process.arch): string[] {
  const out: string[] = []
  const multiarch = hostMultiarch(arch)
  for (let v = NEWEST; v >= OLDEST; v--) {
    out.push(`/usr/lib/llvm-${v}/lib/libclang.so.1`, `/usr/lib/llvm-${v}/lib/libclang-${v}.so.1`)
    if (multiarch) out.push(`/usr/lib/${multiarch}/libclang-${v}.so.1`)
  }
  // RPM-based systems (the manylinux images) and hand-built LLVMs.
  for (let v = NEWEST; v >= OLDEST; v--) out.push(`/usr/lib64/libclang.so.${v}`, `/usr/lib64/llvm${v}/lib/libclang.so.${v}`)
  out.push('/usr/lib64/libclang.so', '/usr/local/lib/libclang.so', '/usr/lib/libclang.so')
  return out
}

/** libclang inside a directory (LIBCLANG_PATH=/usr/lib/llvm-19/lib), newest name first. */
function inDirectory(dir: string): string | undefined {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return undefined
  }
  const hits = names.filter((n) => /^libclang(-\d+)?\.so(\.\d+)*$/.test(n)).sort().reverse()
  return hits.length > 0 ? path.join(dir, hits[0]!) : undefined
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}

const INSTALL_HINT = 'install libclang (Debian/Ubuntu: apt-get install libclang1-19 libclang-common-19-dev), or point --libclang / HEADERKIT_LIBCLANG at libclang.so'

export interface LocateOptions {
  explicit?: string
  /** Where `explicit` came from, for the error (default `--libclang`). */
  explicitFrom?: string
  env?: NodeJS.ProcessEnv
  candidates?: string[]
}

/** The libclang to load, or LibclangNotFoundError saying what was tried and what to install. */
export function locateLibclang(options: LocateOptions = {}): string {
  const env = options.env ?? process.env
  const named: Array<[string, string | undefined]> = [
    [options.explicitFrom ?? '--libclang', options.explicit],
    ['HEADERKIT_LIBCLANG', env.HEADERKIT_LIBCLANG],
    ['LIBCLANG_PATH', env.LIBCLANG_PATH],
  ]
  for (const [source, value] of named) {
    if (value === undefined || value === '') continue
    if (isFile(value)) return path.resolve(value)
    if (existsSync(value)) {
      const found = inDirectory(value)
      if (found) return found
    }
    throw new LibclangNotFoundError(`libclang not found at ${value} (from ${source})`, [value], `check the path, or unset ${source} to use the default locations`)
  }
  const tried = options.candidates ?? defaultCandidates()
  for (const candidate of tried) if (isFile(candidate)) return candidate
  throw new LibclangNotFoundError('libclang not found in the default locations (/usr/lib/llvm-N/lib, /usr/lib/<multiarch>, /usr/lib64)', tried, INSTALL_HINT)
}

/**
 * The resource directory (builtin headers: stddef.h, stdarg.h, ...) of a libclang, for an
 * explicit `-resource-dir`. A libclang computes it relative to its own location, which
 * goes wrong for a relocated library, and with `--sysroot` a wrong one silently loses the
 * builtin headers. `version` is clang_getClangVersion() ("Debian clang version 14.0.6").
 */
export function resourceDirFor(libPath: string, version: string): string | undefined {
  const full = /(\d+)\.(\d+)\.(\d+)/.exec(version)
  if (!full) return undefined
  const major = full[1]!
  const dirs = new Set([path.dirname(libPath)])
  try {
    dirs.add(path.dirname(realpathSync(libPath)))
  } catch {
    // a dangling path: the candidates below still apply
  }
  const candidates: string[] = []
  for (const d of dirs) candidates.push(path.join(d, 'clang', full[0]), path.join(d, 'clang', major))
  candidates.push(`/usr/lib/llvm-${major}/lib/clang/${full[0]}`, `/usr/lib/llvm-${major}/lib/clang/${major}`, `/usr/lib64/clang/${major}`, `/usr/lib/clang/${major}`, `/usr/lib/llvm${major}/lib/clang/${major}`)
  return candidates.find((c) => isFile(path.join(c, 'include', 'stddef.h')))
}
