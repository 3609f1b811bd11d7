/**
 * Comparing paths the way the file system sees them: symlinks of every part that exists
 * resolved, so a link cannot make a path look elsewhere than it writes.
 */
import {realpathSync} from 'node:fs'
import {basename, dirname, isAbsolute, join, relative, sep} from 'node:path'

/** The real path of `path`, whose last parts may not exist yet. */
export function realPathOfNew(path: string): string {
  const missing: string[] = []
  let at = path
  for (;;) {
    try {
      return join(realpathSync(at), ...missing.reverse())
    } catch {
      const parent = dirname(at)
      if (parent === at) return path
      missing.push(basename(at))
      at = parent
    }
  }
}

/** Whether `child` is `parent` or below it (both already real, absolute paths). */
export function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}
