#!/usr/bin/env node
// Production entry: the bundled CLI (dist/cli.cjs, built by `npm run build`) under
// v8-compile-cache. Anything that is not a known command or topic is routed to the
// root command (generation), so `headerkit include/a.h -w cffi` and
// `headerkit cache status` both work.
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

const require = createRequire(import.meta.url)
require('v8-compile-cache')
const cli = require('../dist/cli.cjs')

const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
// Commands come from the bundle itself, already loaded, not from dist/commands.js.
pjson.oclif.commands = {strategy: 'explicit', target: './dist/cli.cjs', identifier: 'COMMANDS'}
const config = await cli.Config.load({root, pjson})

const DEFAULT_COMMAND = 'generate'
const PASS_THROUGH = new Set(['--help', '-h', '--version', 'help'])
const argv = process.argv.slice(2)
const first = argv[0]
const known = first !== undefined && (PASS_THROUGH.has(first) || Boolean(config.findCommand(first) || config.findTopic(first)))
if (!known) argv.unshift(DEFAULT_COMMAND)
await cli.run(argv, config).then(() => cli.flush()).catch((error) => cli.handle(error))
