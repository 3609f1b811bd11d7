/**
 * The triple of the machine we run on, spelled as a native build on that platform
 * spells it (platforms.ts), so entries populated in containers are hit natively.
 */
import {readFileSync} from 'node:fs'
import {LINUX_PLATFORMS, type Libc} from './platforms.js'

/**
 * glibc or musl. /proc/self/maps names the loader that is mapped (cheap, on the warm
 * path); Node's diagnostic report (slow to build) is the fallback.
 */
export function detectLibc(): Libc {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8')
    if (maps.includes('ld-musl')) return 'musl'
    if (maps.includes('libc.so.6') || maps.includes('ld-linux')) return 'gnu'
  } catch {
    // /proc unavailable: ask the report
  }
  const report = process.report?.getReport() as {header?: {glibcVersionRuntime?: string}} | undefined
  return report?.header?.glibcVersionRuntime ? 'gnu' : 'musl'
}

export function detectHostTriple(): string {
  if (process.platform === 'linux') {
    const platform = LINUX_PLATFORMS.find((p) => p.nodeArch === process.arch)
    if (platform) return platform.triple[detectLibc()]
    return `${process.arch}-unknown-linux-gnu`
  }
  const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch
  if (process.platform === 'darwin') return `${arch}-apple-darwin`
  if (process.platform === 'win32') return `${arch}-pc-windows-msvc`
  return `${arch}-unknown-${process.platform}`
}
