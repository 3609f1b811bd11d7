#!/usr/bin/env node
// Production entry: the bundled CLI in dist/bundle/ (built by `npm run build`) under
// v8-compile-cache. Anything that is not a known command or topic is the root
// command (generation), so `headerkit include/a.h -w cffi` and `headerkit cache
// status` both work. Generation and `cache populate` first try the oclif-free fast path
// (src/cli/fast.ts), which hands back to oclif whatever it cannot decide.
import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {setFlagsFromString} from 'node:v8'

// A run is short (bench/README.md, Scale, Memory): TurboFan's compiles cost more memory
// (about 15 MiB at 400 headers) and CPU than they save, and a young generation growing
// to 16 MiB semi-spaces holds garbage, not speed. V8 resets the growth factor when it
// creates an isolate: the parse pool applies these again after starting a thread.
const V8_FLAGS = '--no-opt --semi-space-growth-factor=1'
setFlagsFromString(V8_FLAGS)
globalThis[Symbol.for('headerkit.v8Flags')] = V8_FLAGS

const require = createRequire(import.meta.url)
const BUNDLE = new URL('../dist/bundle/', import.meta.url)
const DEFAULT_COMMAND = 'generate'

async function runBundle() {
  try {
    process.cwd()
  } catch (error) {
    // v8-compile-cache and every command need it; without this, a stack trace.
    process.stderr.write(`Error: the current directory no longer exists (${error.code}); cd into the project and run headerkit again\n`)
    process.exitCode = 1
    return
  }
  // A command whose last run changed nothing, with every input as it was: replayed from
  // its journal (src/journal/journal.ts) before the CLI loads.
  if (existsSync(new URL('noop.cjs', BUNDLE)) && require('../dist/bundle/noop.cjs').replayNoop(process.argv.slice(2))) return
  require('v8-compile-cache')
  const manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', BUNDLE), 'utf8'))
  let argv = process.argv.slice(2)
  if (argv[0] === 'help') argv = [...argv.slice(1), '--help']
  const first = argv[0]
  const ids = Object.keys(manifest.commands)
  const known = first !== undefined && (['--help', '-h', '--version'].includes(first) || ids.includes(first) || ids.some((id) => id.startsWith(`${first}:`)))

  if (!known) argv.unshift(DEFAULT_COMMAND)
  // `cache populate ...` is the command `cache:populate` with its arguments after the two words.
  const fast = argv[0] === DEFAULT_COMMAND ? {id: DEFAULT_COMMAND, file: 'fast.cjs', rest: argv.slice(1)} : argv[0] === 'cache' && argv[1] === 'populate' ? {id: 'cache:populate', file: 'fast-populate.cjs', rest: argv.slice(2)} : undefined
  if (fast) {
    const {fastCommand} = require(`../dist/bundle/${fast.file}`)
    const exitCode = await fastCommand(fast.rest, manifest.commands[fast.id].flags)
    if (exitCode !== undefined) {
      process.exitCode = exitCode
      return
    }
  }
  const cli = require('../dist/bundle/cli.cjs')
  cli.tolerateClosedOutput()
  const config = await cli.Config.load({root: new URL(BUNDLE).pathname})
  // No oclif flush(): the process ends on its own once its output is written, and a stdout
  // closed by its reader (`| head`) never drains: flush() left the process hanging (exit 13).
  await cli.run(argv, config).catch((error) => cli.handleCliError(error, argv, (id) => ids.includes(id)))
}

if (existsSync(new URL('cli.cjs', BUNDLE))) {
  await runBundle()
} else {
  // A checkout that was never built (`npm ci` alone): run from source, slower. The
  // published package always ships dist/.
  const {register} = await import('tsx/esm/api')
  register()
  await import('./dev.js')
}
