/**
 * Work in progress in the per-user cache (src/util/user-cache-dir.ts): temp directories
 * named after their process, so that a later run can tell what a killed one left.
 */
import {promises as fs} from 'node:fs'
import {join} from 'node:path'
import {processAlive} from '../util/pids.js'

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
