/**
 * Cross-target sysroots. A plain `--target` does not find another architecture's C
 * library headers (clang would fall back to the host's /usr/include and fail on
 * `bits/...`). Debian's `libc6-dev-<arch>-cross` packages install them under
 * `/usr/<multiarch>/include`, which `--sysroot=/usr/<multiarch>` makes clang use.
 * The sysroot is an argument like any other (it is part of the cache key), so it is
 * never added silently: callers ask `crossSysroot` and pass it in `args`.
 */
import {existsSync} from 'node:fs'
import {detectHostTriple} from '../target/host.js'

/** By a triple's first part, as LINUX_PLATFORMS spells it (`powerpc64le`, not cibuildwheel's `ppc64le`). */
const MULTIARCH: Record<string, string> = {
  x86_64: 'x86_64-linux-gnu', aarch64: 'aarch64-linux-gnu', i686: 'i686-linux-gnu', powerpc64le: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu', armv7l: 'arm-linux-gnueabihf', riscv64: 'riscv64-linux-gnu',
}

/** A triple's first part by Node's process.arch. */
const HOST_ARCH: Record<string, string> = {x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'powerpc64le', s390x: 's390x', arm: 'armv7l', riscv64: 'riscv64'}

/** Debian multiarch name of a glibc Linux triple (`aarch64-unknown-linux-gnu` -> `aarch64-linux-gnu`). */
export function multiarchOf(target: string): string | undefined {
  const [arch = '', , os, env = ''] = target.split('-')
  if (os !== 'linux' || !env.startsWith('gnu')) return undefined
  return MULTIARCH[arch]
}

/**
 * The Debian cross sysroot for a foreign glibc target when it is installed
 * (`/usr/aarch64-linux-gnu` with an `include/` dir), else undefined. The host's own
 * target needs none.
 */
export function crossSysroot(target: string, exists: (p: string) => boolean = existsSync): string | undefined {
  const arch = target.split('-')[0]
  if (arch === HOST_ARCH[process.arch]) return undefined
  const multiarch = multiarchOf(target)
  if (!multiarch) return undefined
  const dir = `/usr/${multiarch}`
  return exists(`${dir}/include/stdio.h`) ? dir : undefined
}

/** Args to add for a cross target: `['--sysroot=/usr/aarch64-linux-gnu']`, or none. */
export function crossSysrootArgs(target: string): string[] {
  const dir = crossSysroot(target)
  return dir ? [`--sysroot=${dir}`] : []
}

/** The `--sysroot` a clang argument list names (joined or separate form), if any. */
export function sysrootOf(args: readonly string[]): string | undefined {
  let found: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a.startsWith('--sysroot=')) found = a.slice('--sysroot='.length)
    else if (a === '--sysroot' && i + 1 < args.length) found = args[++i]
  }
  return found
}

/** Arch and C library of a triple: `aarch64-unknown-linux-gnu` -> `aarch64 gnu`. */
function archAndLibc(triple: string): string {
  const parts = triple.split('-')
  const env = parts.length >= 4 ? parts[3]! : ''
  return `${parts[0]} ${env.startsWith('musl') ? 'musl' : env.startsWith('gnu') ? 'gnu' : env}`
}

/** Whether a triple names the platform this process runs on (arch and libc). */
export function isHostTriple(target: string, host: string = detectHostTriple()): boolean {
  return archAndLibc(target) === archAndLibc(host)
}

/** Flags by which the user chose the system include search themselves: theirs wins. */
const OWN_SEARCH = ['--gcc-toolchain', '--gcc-install-dir', '-nostdinc', '-nostdlibinc', '--no-standard-includes']

/**
 * Clang arguments that make a parse for a platform search only that platform's headers.
 *
 * Clang's driver looks for a GCC installed beside it even when `--sysroot` is given and,
 * when it finds one for the triple (Debian's `gcc-aarch64-linux-gnu` installs
 * `/usr/lib/gcc-cross/aarch64-linux-gnu/12`), clang 14 puts that toolchain's
 * `<prefix>/<triple>/include` (the host's glibc) before the sysroot's `usr/include`. The
 * IR would then depend on what the parsing machine has installed. Two cases:
 *
 * - a `--sysroot`: `--gcc-toolchain=<sysroot>/usr`, so the only GCC clang may find is the
 *   platform's own (as the platform's compiler does); the search is then clang's resource
 *   dir and the sysroot's dirs, in the order clang uses for that triple (multiarch dir
 *   included);
 * - a foreign target (another arch or libc than the host's) without one: `-nostdlibinc`,
 *   so neither the host's /usr/include nor an installed cross toolchain is searched. Only
 *   clang's own headers and the user's `-I`/`-isystem` dirs are; a header that needs the C
 *   library fails with a hint to pass the sysroot, which is then a key input.
 *
 * The host's own target without a sysroot is the host's compiler view, left as it is.
 * These flags follow from the target and args, which are key inputs, so they are not.
 */
export function isolationArgs(target: string, args: readonly string[], host?: string): string[] {
  if (args.some((a) => OWN_SEARCH.some((flag) => a === flag || a.startsWith(`${flag}=`)))) return []
  const sysroot = sysrootOf(args)
  if (sysroot !== undefined) return [`--gcc-toolchain=${sysroot.replace(/\/+$/, '')}/usr`]
  return isHostTriple(target, host) ? [] : ['-nostdlibinc']
}
