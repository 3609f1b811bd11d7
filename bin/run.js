#!/usr/bin/env node
// Production entry. Anything that is not a known command or topic is routed to the
// root command (generation), so `headerkit include/a.h -w cffi` and
// `headerkit cache status` both work (see docs/cli.md, "default command").
import {Config, flush, handle, run} from '@oclif/core'

const DEFAULT_COMMAND = 'generate'
const PASS_THROUGH = new Set(['--help', '-h', '--version', 'help'])
const config = await Config.load(import.meta.url)
const argv = process.argv.slice(2)
const first = argv[0]
const known = first === undefined || PASS_THROUGH.has(first) || Boolean(config.findCommand(first) || config.findTopic(first))
if (!known || first === undefined) argv.unshift(DEFAULT_COMMAND)
await run(argv, config).then(() => flush()).catch((error) => handle(error))
