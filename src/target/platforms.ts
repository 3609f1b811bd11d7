/**
 * The seven Linux architectures cibuildwheel builds for, with their Docker (OCI)
 * platform and the target triple a native run on that platform computes. Native
 * detection (host.ts) and populate's plan both read this one table, so an entry
 * populated in a container is hit by a native build on the same platform.
 *
 * Triples follow CPython's HOST_GNU_TYPE (config.guess) spelling, which is what the
 * Python original and native manylinux/musllinux builds report.
 */
export type LinuxArch = 'x86_64' | 'i686' | 'aarch64' | 'ppc64le' | 's390x' | 'armv7l' | 'riscv64'
export type Libc = 'gnu' | 'musl'

export interface LinuxPlatform {
  /** cibuildwheel's arch name, as in identifiers (`cp312-manylinux_aarch64`). */
  arch: LinuxArch
  /** Docker/OCI platform (`linux/arm64`). */
  dockerPlatform: string
  /** Target triples for glibc (manylinux) and musl (musllinux). */
  triple: Record<Libc, string>
  /** Node's process.arch on this platform. */
  nodeArch: string
  bits: 32 | 64
}

export const LINUX_PLATFORMS: readonly LinuxPlatform[] = [
  {arch: 'x86_64', dockerPlatform: 'linux/amd64', nodeArch: 'x64', bits: 64, triple: {gnu: 'x86_64-pc-linux-gnu', musl: 'x86_64-pc-linux-musl'}},
  {arch: 'i686', dockerPlatform: 'linux/386', nodeArch: 'ia32', bits: 32, triple: {gnu: 'i686-pc-linux-gnu', musl: 'i686-pc-linux-musl'}},
  {arch: 'aarch64', dockerPlatform: 'linux/arm64', nodeArch: 'arm64', bits: 64, triple: {gnu: 'aarch64-unknown-linux-gnu', musl: 'aarch64-unknown-linux-musl'}},
  {arch: 'ppc64le', dockerPlatform: 'linux/ppc64le', nodeArch: 'ppc64', bits: 64, triple: {gnu: 'powerpc64le-unknown-linux-gnu', musl: 'powerpc64le-unknown-linux-musl'}},
  {arch: 's390x', dockerPlatform: 'linux/s390x', nodeArch: 's390x', bits: 64, triple: {gnu: 's390x-ibm-linux-gnu', musl: 's390x-ibm-linux-musl'}},
  {arch: 'armv7l', dockerPlatform: 'linux/arm/v7', nodeArch: 'arm', bits: 32, triple: {gnu: 'armv7l-unknown-linux-gnueabihf', musl: 'armv7l-unknown-linux-musleabihf'}},
  {arch: 'riscv64', dockerPlatform: 'linux/riscv64', nodeArch: 'riscv64', bits: 64, triple: {gnu: 'riscv64-unknown-linux-gnu', musl: 'riscv64-unknown-linux-musl'}},
]

export function platformByArch(arch: string): LinuxPlatform | undefined {
  return LINUX_PLATFORMS.find((p) => p.arch === arch)
}

/** `linux/arm64`, `linux/arm64/v8` and `arm64` all name the aarch64 platform. */
export function platformByDocker(platform: string): LinuxPlatform | undefined {
  const p = platform.trim().toLowerCase()
  const full = p.includes('/') ? p : `linux/${p}`
  const withoutV8 = full === 'linux/arm64/v8' ? 'linux/arm64' : full
  return LINUX_PLATFORMS.find((x) => x.dockerPlatform === withoutV8)
}
