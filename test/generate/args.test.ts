import assert from 'node:assert/strict'
import {keyArgs, searchPaths, toClangArgs} from '../../src/generate/args.js'
import {UsageError} from '../../src/errors.js'

describe('compiler arguments', () => {
  it('keeps the user order and pairs, resolving paths against the base directory', () => {
    const args = toClangArgs({defines: ['B=2', 'A'], includeDirs: ['include', '/opt/x'], extraArgs: ['-isystem', 'vendor', '-std=c11', '-include', 'cfg.h', '-Iextra']}, '/p')
    assert.deepEqual(args, ['-DB=2', '-DA', '-I/p/include', '-I/opt/x', '-isystem/p/vendor', '-std=c11', '-include/p/cfg.h', '-I/p/extra'])
  })

  it('does not read -include or -isystem as -I', () => {
    assert.deepEqual(searchPaths(['-include/p/a.h', '-isystem/s', '-iquote/q', '-I/i', '-idirafter/d']), {quote: ['/q'], angle: ['/i'], system: ['/s', '/d'], forced: ['/p/a.h']})
  })

  it('makes project paths relative for the key, so the checkout location does not matter', () => {
    const a = keyArgs(toClangArgs({defines: [], includeDirs: ['include'], extraArgs: ['--sysroot=/usr/aarch64-linux-gnu']}, '/home/alice/proj'), '/home/alice/proj')
    const b = keyArgs(toClangArgs({defines: [], includeDirs: ['include'], extraArgs: ['--sysroot=/usr/aarch64-linux-gnu']}, '/ci/work/proj'), '/ci/work/proj')
    assert.deepEqual(a, b)
    assert.deepEqual(a, ['-I@/include', '--sysroot=/usr/aarch64-linux-gnu'])
  })

  it('says what to do when a path flag has no value', () => {
    assert.throws(() => toClangArgs({defines: [], includeDirs: [], extraArgs: ['-isystem']}, '/p'), UsageError)
  })
})
