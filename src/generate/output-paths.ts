/**
 * Where a rendered output template may write. Templates are user text, and a writer's
 * output replaces whatever file it names: inside the store it would overwrite an index
 * or an entry with C text, inside `.git/` it would corrupt the repository, and over a
 * directory it cannot succeed. Paths are compared after resolving symlinks of every
 * part that exists, so a link into the store is caught too.
 */
import {lstatSync} from 'node:fs'
import {sep} from 'node:path'
import {InputError} from '../errors.js'
import {isWithin, realPathOfNew} from '../util/real-paths.js'

/** Throws an InputError when `absolute` is inside the store, inside a `.git` directory, or a directory. */
export function checkOutputPath(absolute: string, storeDir: string, described: string): void {
  const real = realPathOfNew(absolute)
  if (isWithin(real, realPathOfNew(storeDir))) {
    throw new InputError(`${described} writes ${absolute}, inside the store ${storeDir}`, 'outputs go next to the package, never into the store; change the template', 'E_OUTPUT_IN_STORE')
  }
  if (real.split(sep).includes('.git')) {
    throw new InputError(`${described} writes ${absolute}, inside a .git directory`, 'change the template to a path in the working tree', 'E_OUTPUT_IN_GIT')
  }
  if (lstatSync(real, {throwIfNoEntry: false})?.isDirectory()) {
    throw new InputError(`${described} writes ${absolute}, which is a directory`, 'name a file, for example bindings/{stem}.cdef.txt', 'E_OUTPUT_IS_DIR')
  }
}
