/** What the bundled CLI (dist/cli.cjs) exports to bin/run.js: the commands and oclif's runner. */
export {COMMANDS} from '../commands.js'
export {Config, flush, handle, run} from '@oclif/core'
