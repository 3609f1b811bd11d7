/**
 * A populate that needs no Docker: the sysroot engine with an image pinned by digest whose
 * headers are already in the per-user sysroot cache (seeded from Debian's aarch64 cross
 * sysroot, laid out as an extraction of an arm64 image).
 */
import {cpSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {MARKER, sysrootDir} from '../../src/populate/engines/sysroot/index.js'
import {makeTempDir} from '../support/tmp.js'
import {AARCH64_SYSROOT} from '../verify/support.js'

export const IMAGE = `example.invalid/manylinux-arm64@sha256:${'5'.repeat(64)}`
export const PLATFORM = 'linux/arm64'

/** A per-user cache holding the "extracted" headers of IMAGE for linux/arm64. */
export function seededCache(): string {
  const cache = makeTempDir('headerkit-check-cache-')
  const dir = sysrootDir(cache, `sha256:${'5'.repeat(64)}`, PLATFORM, undefined)
  mkdirSync(join(dir, 'usr'), {recursive: true})
  cpSync(join(AARCH64_SYSROOT, 'include'), join(dir, 'usr/include'), {recursive: true, dereference: true})
  writeFileSync(join(dir, MARKER), `${JSON.stringify({format: 1, image: IMAGE, platform: PLATFORM, seeded: 'test'})}\n`)
  return cache
}
