#!/usr/bin/env node
// Production entry: the bundled CLI in dist/bundle/ (built by `npm run build`) under
// v8-compile-cache. Anything that is not a known command or topic is routed to the
// root command (generation), so `headerkit include/a.h -w cffi` and
// `headerkit cache status` both work.
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

const require = createRequire(import.meta.url)
require('v8-compile-cache')
const cli = require('../dist/bundle/cli.cjs')
const config = await cli.Config.load({root: fileURLToPath(new URL('../dist/bundle/', import.meta.url))})

const DEFAULT_COMMAND = 'generate'
const PASS_THROUGH = new Set(['--help', '-h', '--version'])
let argv = process.argv.slice(2)
if (argv[0] === 'help') argv = [...argv.slice(1), '--help']
const first = argv[0]
const known = first !== undefined && (PASS_THROUGH.has(first) || Boolean(config.findCommand(first) || config.findTopic(first)))
if (!known) argv.unshift(DEFAULT_COMMAND)
await cli.run(argv, config).then(() => cli.flush()).catch((error) => cli.handle(error))
