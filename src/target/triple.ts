/**
 * Target triples: normalisation of what users type, and the short form used in slugs.
 *
 * Normalisation makes spellings of one platform into one key: `x86_64-linux-gnu`,
 * `X86_64-Unknown-Linux-GNU` and `amd64-pc-linux-gnu` are all `x86_64-pc-linux-gnu`,
 * the triple a native run computes (platforms.ts). Triples for other systems keep
 * their own spelling, lower-cased, with a vendor inserted when one is missing.
 */
import {UsageError} from '../errors.js'
import {LINUX_PLATFORMS, type Libc, type LinuxPlatform} from './platforms.js'

const KNOWN_VENDORS = new Set(['pc', 'apple', 'unknown', 'none', 'ibm', 'scei', 'w64', 'suse', 'redhat', 'amd', 'nvidia', 'mesa', 'oe', 'alpine', 'gentoo'])

const LINUX_ARCH_ALIASES: Record<string, string> = {
  x86_64: 'x86_64', amd64: 'x86_64', x64: 'x86_64',
  i386: 'i686', i486: 'i686', i586: 'i686', i686: 'i686', x86: 'i686',
  aarch64: 'aarch64', arm64: 'aarch64',
  powerpc64le: 'ppc64le', ppc64le: 'ppc64le',
  s390x: 's390x',
  armv7l: 'armv7l', armv7: 'armv7l', armv7hl: 'armv7l', armhf: 'armv7l',
  riscv64: 'riscv64', riscv64gc: 'riscv64',
}

// The architectures clang's triple parser knows (llvm/TargetParser/Triple.cpp), as
// prefixes where it accepts sub-architectures. An arch outside these is refused here,
// with the user's own spelling, instead of by libclang later with a normalised triple.
const CLANG_ARCH = /^(?:x86_64h?|i[3-6]86|amd64|x64|x86|aarch64(?:_be|_32)?|arm64(?:_32|e)?|arm\w*|thumb\w*|xscale\w*|powerpc\w*|ppc\w*|s390x|systemz|riscv(?:32|64)\w*|mips\w*|sparc\w*|wasm(?:32|64)|loongarch(?:32|64)|hexagon|msp430|avr|bpf\w*|amdgcn|r600|nvptx\w*|xcore|lanai|m68k|ve|csky|le(?:32|64)|spir\w*|amdil\w*|hsail\w*|kalimba\w*|shave|renderscript\w*|arc|tce\w*|xtensa|dxil|spirv\w*)$/

export interface TripleParts {
  arch: string
  vendor: string
  os: string
  env: string | undefined
}

export function splitTriple(triple: string): TripleParts {
  const parts = triple.split('-')
  const [arch = '', vendor = 'unknown', os = '', ...rest] = parts
  return {arch, vendor, os, env: rest.length > 0 ? rest.join('-') : undefined}
}

/** The Linux platform a triple names, with its libc, if it is one of the seven. */
export function linuxPlatformOf(triple: string): {platform: LinuxPlatform; libc: Libc} | undefined {
  for (const platform of LINUX_PLATFORMS) {
    if (platform.triple.gnu === triple) return {platform, libc: 'gnu'}
    if (platform.triple.musl === triple) return {platform, libc: 'musl'}
  }
  return undefined
}

/**
 * Normalise a user-supplied triple. Throws a UsageError naming the source (flag,
 * variable or config key) when it has fewer than three parts or bad characters.
 */
export function normalizeTriple(input: string, source = '--target'): string {
  const raw = input.trim().toLowerCase()
  if (!/^[a-z0-9_.]+(-[a-z0-9_.]+){1,4}$/.test(raw)) {
    throw new UsageError(`invalid target triple '${input}' (from ${source})`, 'expected arch-vendor-os[-env], for example x86_64-pc-linux-gnu')
  }
  let parts = raw.split('-')
  if (parts.length < 3) {
    throw new UsageError(`invalid target triple '${input}' (from ${source}): expected at least 3 hyphen-separated parts`, 'for example x86_64-pc-linux-gnu or aarch64-linux-gnu')
  }
  if (!CLANG_ARCH.test(parts[0]!)) {
    throw new UsageError(`unknown architecture '${parts[0]}' in target triple '${input}' (from ${source})`, 'use a triple clang knows, for example x86_64-pc-linux-gnu or aarch64-unknown-linux-gnu')
  }
  if (!KNOWN_VENDORS.has(parts[1]!) && parts.length <= 4) parts = [parts[0]!, 'unknown', ...parts.slice(1)]
  const [arch, , os, ...envParts] = parts
  const env = envParts.join('-')
  const linuxArch = LINUX_ARCH_ALIASES[arch!]
  if (os === 'linux' && linuxArch) {
    const platform = LINUX_PLATFORMS.find((p) => p.arch === linuxArch)!
    if (env === '' || env.startsWith('gnu')) return platform.triple.gnu
    if (env.startsWith('musl')) return platform.triple.musl
  }
  return parts.join('-')
}

/**
 * Short form for slugs: the vendor dropped and OS version digits stripped, the
 * environment kept, so gnu and musl (and eabihf) stay apart:
 * `x86_64-pc-linux-gnu` -> `x86_64-linux-gnu`, `x86_64-pc-linux-musl` ->
 * `x86_64-linux-musl`, `aarch64-apple-darwin23.4.0` -> `aarch64-darwin`.
 */
export function shortTarget(triple: string): string {
  const {arch, os, env} = splitTriple(triple)
  const osName = os.replace(/[\d.]+$/, '') || os
  const parts = [arch, osName]
  if (env) parts.push(env.replace(/[\d.]+$/, '') || env)
  return parts.join('-').replace(/[^A-Za-z0-9_=-]/g, '-')
}
