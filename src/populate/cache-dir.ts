/**
 * The per-user cache (DESIGN.md section 7.7): worker kits (koffi's native packages for
 * other architectures, the bundled worker when running from a checkout), extracted
 * sysroots, and the image each tag named last (sysroot-tags/). It is never inside a
 * project: nothing here is committed or shared.
 *
 *   HEADERKIT_CACHE_DIR            when set (must be absolute)
 *   $XDG_CACHE_HOME/headerkit      when XDG_CACHE_HOME is set and absolute
 *   ~/.cache/headerkit             otherwise
 */
import {promises as fs} from 'node:fs'
import {homedir} from 'node:os'
import {isAbsolute, join, resolve} from 'node:path'
import {HeaderkitError} from '../errors.js'
import {processAlive} from '../util/pids.js'

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

/** Work in progress in the cache (an extraction, a download) lives in `.tmp-<pid>-*` until renamed into place. */
export const TEMP_PREFIX = '.tmp-'
/** A temp entry whose owner cannot be told (no pid in its name) is debris after this long. */
const STALE_MS = 60 * 60 * 1000

/** A fresh temp directory in `dir`, named after this process so that a later run can tell it is debris. */
export async function makeTempIn(dir: string): Promise<string> {
  await pruneTemps(dir)
  return fs.mkdtemp(join(dir, `${TEMP_PREFIX}${process.pid}-`))
}

/**
 * Removes what killed runs left in `dir` (SIGKILL, a crash: no cleanup ran): temp entries
 * of processes that no longer exist, and unowned ones older than an hour. A live run's
 * are never touched, however long its extraction or before-all takes.
 */
export async function pruneTemps(dir: string): Promise<void> {
  const now = Date.now()
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(TEMP_PREFIX)) continue
    const pid = Number(/^\.tmp-(\d+)-/.exec(name)?.[1])
    const path = join(dir, name)
    const debris = Number.isInteger(pid) && pid > 0 ? pid !== process.pid && !processAlive(pid) : now - ((await fs.lstat(path).catch(() => undefined))?.mtimeMs ?? now) > STALE_MS
    if (debris) await fs.rm(path, {recursive: true, force: true}).catch(() => undefined)
  }
}
