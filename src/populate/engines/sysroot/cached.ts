/**
 * The extracted sysroot a populated entry was parsed against, when this machine's
 * per-user cache holds it: found from the entry's provenance (the image and platform the
 * engines record), without Docker. `cache verify --reproduce` parses such entries again.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import type {JsonValue} from '../../../util/canonical-json.js'
import {MARKER, sysrootDir} from './index.js'

const SYSROOT_NAME = /^[0-9a-f]{24}$/

/** The directory of the finished extraction, or undefined when none is cached here. */
export function cachedSysroot(cacheDir: string, provenance: Record<string, JsonValue>): string | undefined {
  const candidates: string[] = []
  // The sysroot engine records the directory's name; a name is all it can be.
  if (typeof provenance.sysroot === 'string' && SYSROOT_NAME.test(provenance.sysroot)) candidates.push(join(cacheDir, 'sysroots', provenance.sysroot))
  const {image_digest: image, platform, before_all: beforeAll} = provenance
  if (typeof image === 'string' && typeof platform === 'string') {
    // The docker engine records `repo@sha256:...` where the image has a registry digest; the sysroot engine keys a pinned image by that digest.
    const key = image.includes('@') ? image.slice(image.lastIndexOf('@') + 1) : image
    candidates.push(sysrootDir(cacheDir, key, platform, typeof beforeAll === 'string' ? beforeAll : undefined))
  }
  return candidates.find((dir) => existsSync(join(dir, MARKER)))
}
