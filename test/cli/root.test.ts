import assert from 'node:assert/strict'
import {runCli} from '../support/cli.js'

describe('the CLI shell', () => {
  it('prints help listing the cache and store topics', async () => {
    const result = await runCli(['--help'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stdout, /cache/)
    assert.match(result.stdout, /store/)
  })

  it('prints its version', async () => {
    const result = await runCli(['--version'])
    assert.equal(result.exitCode, 0)
    assert.match(result.stdout, /^headerkit\/\d+\.\d+\.\d+/)
  })

  it('routes an unknown first argument to the root command instead of "command not found"', async () => {
    const result = await runCli(['include/mylib.h', '-w', 'cffi'])
    assert.notEqual(result.exitCode, 0)
    assert.doesNotMatch(result.stderr, /command .* not found/i)
    assert.equal(result.stderr.trim().split('\n').length, 1, `expected one error line, got:\n${result.stderr}`)
  })
})
