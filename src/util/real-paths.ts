/**
 * Comparing paths the way the file system sees them: symlinks of every part that exists
 * resolved, so a link cannot make a path look elsewhere than it writes.
 */
import {lstatSync, readlinkSync, realpathSync} from 'node:fs'
import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'

/** The real path of `path`, whose last parts may not exist yet (a dangling link is followed too). */
export function realPathOfNew(path: string, depth = 0): string {
  const missing: string[] = []
  let at = path
  for (;;) {
    try {
      // The system call: one call, where the JavaScript realpath lstats every component.
      return join(realpathSync.native(at), ...missing.reverse())
    } catch {
      // A link to something not there yet: where it points is where a write lands.
      const st = lstatSync(at, {throwIfNoEntry: false})
      if (st?.isSymbolicLink() && depth < 40) return join(realPathOfNew(resolve(dirname(at), readlinkSync(at)), depth + 1), ...missing.reverse())
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
