/**
 * The `archs` option for Linux, as cibuildwheel's architecture.py reads it: tokens split
 * on commas and whitespace, case-insensitive; `auto` is the native arch only (i686 left
 * `auto` in cibuildwheel 3.0), `auto64` the native arch if it is 64-bit, `auto32` the
 * 32-bit arch the native one runs (x86_64 -> i686, aarch64 -> armv7l only when the CPU
 * runs AArch32 code), `native` the host's arch, `all` every Linux arch.
 */
import {UsageError} from '../errors.js'
import type {LinuxArch} from '../target/platforms.js'
import {platformByArch} from '../target/platforms.js'
import {CIBW_LINUX_ARCHS} from './data.js'

export interface ArchHost {
  /** The machine cibuildwheel would run on (the Docker host), as a Linux arch name. */
  native: LinuxArch
  /** Whether an aarch64 host runs 32-bit ARM code (cibuildwheel's `_check_aarch32_el0`). */
  aarch32?: boolean
}

const NON_LINUX_ARCHS = new Set(['arm64', 'universal2', 'amd64', 'x86', 'arm64_v8a', 'armeabi_v7a', 'arm64_iphoneos', 'arm64_iphonesimulator', 'x86_64_iphonesimulator', 'wasm32'])

function auto32(host: ArchHost): LinuxArch[] {
  const {native} = host
  if (platformByArch(native)?.bits === 32) return [native]
  if (native === 'x86_64') return ['i686']
  if (native === 'aarch64' && host.aarch32) return ['armv7l']
  return []
}

/**
 * Parses an archs value (`"auto"`, `"x86_64, aarch64"`, `"auto ppc64le"`) into the set of
 * Linux archs, in cibuildwheel's arch order. `source` names where the value came from.
 */
export function parseArchs(value: string, host: ArchHost, source = 'archs'): LinuxArch[] {
  const result = new Set<LinuxArch>()
  const tokens = value.split(/[\s,]+/).filter((t) => t !== '')
  for (const raw of tokens) {
    const token = raw.toLowerCase()
    if (token === 'auto' || token === 'native') result.add(host.native)
    else if (token === 'auto64') {
      if (platformByArch(host.native)?.bits === 64) result.add(host.native)
    } else if (token === 'auto32') for (const a of auto32(host)) result.add(a)
    else if (token === 'all') for (const a of CIBW_LINUX_ARCHS) result.add(a)
    else if ((CIBW_LINUX_ARCHS as readonly string[]).includes(token)) result.add(token as LinuxArch)
    else {
      const hint = NON_LINUX_ARCHS.has(token)
        ? `'${raw}' is not a Linux arch; Linux archs are ${CIBW_LINUX_ARCHS.join(', ')} (set Linux archs with CIBW_ARCHS_LINUX or [tool.cibuildwheel.linux] archs)`
        : `use auto, auto64, auto32, native, all or one of ${CIBW_LINUX_ARCHS.join(', ')}`
      throw new UsageError(`invalid arch '${raw}' in ${source}`, hint)
    }
  }
  if (result.size === 0) {
    throw new UsageError(`empty archs option set from ${source} ('${value}') on a ${host.native} host`, `Linux supports ${CIBW_LINUX_ARCHS.join(', ')}; name the archs to build, e.g. archs = ["x86_64", "aarch64"]`)
  }
  return CIBW_LINUX_ARCHS.filter((a) => result.has(a))
}
