#!/usr/bin/env -S node --import tsx --no-warnings
// Development entry: runs src/ through tsx. Same routing as bin/run.js.
import {Config, run} from '@oclif/core'
import {handleCliError} from '../src/cli/top-level.ts'

process.env.NODE_ENV ??= 'development'
const DEFAULT_COMMAND = 'generate'
const PASS_THROUGH = new Set(['--help', '-h', '--version', 'help'])
const config = await Config.load({root: new URL('..', import.meta.url).pathname, development: true})
const argv = process.argv.slice(2)
const first = argv[0]
const known = first === undefined || PASS_THROUGH.has(first) || Boolean(config.findCommand(first) || config.findTopic(first))
if (!known || first === undefined) argv.unshift(DEFAULT_COMMAND)
// No flush(): see bin/run.js.
await run(argv, config).catch((error) => handleCliError(error, argv, (id) => Boolean(config.findCommand(id))))
