/**
 * headerkit's own version, from its package.json. Found by walking up from this
 * module, so it works from src/ (tsx), dist/ (tsc) and the one-file bundle alike.
 */
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let cached: string | undefined

export function headerkitVersion(): string {
  if (cached !== undefined) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {name?: string; version?: string}
      if (pkg.name === 'headerkit' && typeof pkg.version === 'string') return (cached = pkg.version)
    } catch {
      // no package.json here: keep walking
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('headerkit: cannot find its own package.json')
    dir = parent
  }
}

/**
 * A file shipped with headerkit (`images/debian/Dockerfile`), found by walking up from
 * this module to the directory that holds it next to headerkit's package.json, so it
 * resolves from src/, dist/ and the bundle (whose own package.json has no images/).
 */
export function headerkitFile(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, ...parts)
    try {
      readFileSync(candidate)
      return candidate
    } catch {
      // not here: keep walking
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`headerkit: cannot find its own ${parts.join('/')}`)
    dir = parent
  }
}
