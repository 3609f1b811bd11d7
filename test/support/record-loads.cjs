'use strict'
// Preloaded with --require in tests: records every CommonJS module id the process
// loads (ESM imports of CJS packages such as koffi go through Module._load too) and
// writes them to HEADERKIT_TEST_LOADS at exit, so a test can assert what a run loaded.
const Module = require('node:module')
const {writeFileSync} = require('node:fs')
const seen = new Set()
const load = Module._load
Module._load = function (request, ...rest) {
  seen.add(request)
  return load.call(this, request, ...rest)
}
process.on('exit', () => {
  if (process.env.HEADERKIT_TEST_LOADS) writeFileSync(process.env.HEADERKIT_TEST_LOADS, [...seen].join('\n'))
})
