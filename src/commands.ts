/**
 * Every command, by id. oclif finds commands through this map (the "explicit"
 * strategy) instead of scanning a directory, so the production build can be one
 * bundled file that starts fast (bench/README.md). A test checks that every file in
 * src/commands/ is listed here.
 */
import CacheClear from './commands/cache/clear.js'
import CachePopulate from './commands/cache/populate.js'
import CacheRebuildIndex from './commands/cache/rebuild-index.js'
import CacheStatus from './commands/cache/status.js'
import CacheVerify from './commands/cache/verify.js'
import Generate from './commands/generate.js'
import StoreMerge from './commands/store/merge.js'

export const COMMANDS = {
  generate: Generate,
  'cache:clear': CacheClear,
  'cache:populate': CachePopulate,
  'cache:rebuild-index': CacheRebuildIndex,
  'cache:status': CacheStatus,
  'cache:verify': CacheVerify,
  'store:merge': StoreMerge,
}
