import assert from 'node:assert/strict'
import {Parser} from '@oclif/core'
import {projectFlags, targetFlag} from '../../src/cli/flags.js'

const flags = {...projectFlags, target: targetFlag}

async function parse(argv: string[]) {
  const {flags: parsed} = await Parser.parse(argv, {flags, strict: true})
  return parsed
}

describe('shared CLI flags', () => {
  it('parse --config, --store-dir and --target values', async () => {
    const parsed = await parse(['--config', 'ci.toml', '--store-dir', 'st', '--target', 'aarch64-linux-gnu'])
    assert.equal(parsed.config, 'ci.toml')
    assert.equal(parsed['store-dir'], 'st')
    assert.equal(parsed.target, 'aarch64-linux-gnu')
    assert.equal(parsed['no-config'], undefined)
  })

  it('parse --no-config as its own boolean flag', async () => {
    const parsed = await parse(['--no-config'])
    assert.equal(parsed['no-config'], true)
    assert.equal(parsed.config, undefined)
  })

  it('reject --config together with --no-config', async () => {
    await assert.rejects(parse(['--config', 'a.toml', '--no-config']), (error: Error & {oclif?: {exit?: number}}) => {
      assert.match(error.message, /--config=a.toml cannot also be provided when using --no-config/)
      assert.equal(error.message.match(/cannot also be provided/g)?.length, 1, 'reported once')
      assert.equal(error.oclif?.exit, 2)
      return true
    })
  })
})
