/**
 * Cross-target sysroots. A plain `--target` does not find another architecture's C
 * library headers (clang would fall back to the host's /usr/include and fail on
 * `bits/...`). Debian's `libc6-dev-<arch>-cross` packages install them under
 * `/usr/<multiarch>/include`, which `--sysroot=/usr/<multiarch>` makes clang use.
 * The sysroot is an argument like any other (it is part of the cache key), so it is
 * never added silently: callers ask `crossSysroot` and pass it in `args`.
 */
import {existsSync} from 'node:fs'

const MULTIARCH: Record<string, string> = {
  x86_64: 'x86_64-linux-gnu', aarch64: 'aarch64-linux-gnu', i686: 'i686-linux-gnu', ppc64le: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu', armv7l: 'arm-linux-gnueabihf', riscv64: 'riscv64-linux-gnu',
}

const HOST_ARCH: Record<string, string> = {x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'ppc64le', s390x: 's390x', arm: 'armv7l', riscv64: 'riscv64'}

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
