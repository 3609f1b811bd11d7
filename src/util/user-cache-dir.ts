/**
 * The per-user cache (DESIGN.md section 7.7): worker kits (koffi's native packages for
 * other architectures, the bundled worker when running from a checkout), extracted
 * sysroots, the image each tag named last (sysroot-tags/), and the no-op journal
 * (journal/). It is never inside a project: nothing here is committed or shared.
 *
 *   HEADERKIT_CACHE_DIR            when set (must be absolute)
 *   $XDG_CACHE_HOME/headerkit      when XDG_CACHE_HOME is set and absolute
 *   ~/.cache/headerkit             otherwise
 */
import {homedir} from 'node:os'
import {isAbsolute, join, resolve} from 'node:path'
import {HeaderkitError} from '../errors.js'

/** A cache location that cannot be used (a relative HEADERKIT_CACHE_DIR, no home directory). */
export class CacheDirError extends HeaderkitError {
  constructor(message: string, hint?: string) {
    super('E_CACHE_DIR', message, {hint})
  }
}

export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env.HEADERKIT_CACHE_DIR
  if (own !== undefined && own !== '') {
    // Rejected rather than resolved: a relative path would resolve against wherever the
    // command happens to run, which is usually the project itself, so the cache would
    // move between runs and land in the source tree.
    if (!isAbsolute(own)) throw new CacheDirError(`HEADERKIT_CACHE_DIR must be an absolute path, not '${own}'`, 'set it to an absolute directory outside the project, or unset it to use ~/.cache/headerkit')
    return resolve(own)
  }
  // The XDG Base Directory spec: "If an implementation encounters a relative path in
  // any of these variables it should consider the path invalid and ignore it."
  const xdg = env.XDG_CACHE_HOME
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(resolve(xdg), 'headerkit')
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir()
  if (!home || !isAbsolute(home)) throw new CacheDirError('cannot locate the per-user cache: no absolute home directory (HOME)', 'set HEADERKIT_CACHE_DIR to an absolute directory')
  return join(resolve(home), '.cache', 'headerkit')
}
