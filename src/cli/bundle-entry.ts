/** What the bundled CLI (dist/cli.cjs) exports to bin/run.js: the commands oclif's runner, and the last catch. */
export {COMMANDS} from '../commands.js'
export {Config, run} from '@oclif/core'
export {handleCliError} from './top-level.js'
export {tolerateClosedOutput} from './render.js'
