import assert from 'node:assert/strict'
import {parseArchs} from '../../src/cibuildwheel/archs.js'
import {UsageError} from '../../src/errors.js'

const x86 = {native: 'x86_64' as const}
const arm = {native: 'aarch64' as const}

describe('cibuildwheel archs', () => {
  it('auto, native and auto64 are the native arch only on Linux', () => {
    assert.deepEqual(parseArchs('auto', x86), ['x86_64'])
    assert.deepEqual(parseArchs('native', arm), ['aarch64'])
    assert.deepEqual(parseArchs('auto64', x86), ['x86_64'])
    assert.deepEqual(parseArchs('auto', {native: 'i686'}), ['i686'])
  })

  it('auto32 follows the native arch (armv7l only when the CPU runs AArch32)', () => {
    assert.deepEqual(parseArchs('auto32', x86), ['i686'])
    assert.deepEqual(parseArchs('auto32', {native: 'aarch64', aarch32: true}), ['armv7l'])
    assert.deepEqual(parseArchs('auto32', {native: 'i686'}), ['i686'])
    assert.throws(() => parseArchs('auto32', arm), /empty archs/)
    assert.deepEqual(parseArchs('auto auto32', arm), ['aarch64'])
  })

  it('all, lists, commas, spaces and case', () => {
    assert.deepEqual(parseArchs('all', x86), ['x86_64', 'i686', 'aarch64', 'ppc64le', 's390x', 'armv7l', 'riscv64'])
    assert.deepEqual(parseArchs('aarch64,x86_64', x86), ['x86_64', 'aarch64'])
    assert.deepEqual(parseArchs(' AUTO ,  PPC64LE s390x ', x86), ['x86_64', 'ppc64le', 's390x'])
  })

  it('rejects unknown and non-Linux arch names with the source', () => {
    assert.throws(() => parseArchs('x86_64 arm64', x86, 'CIBW_ARCHS_LINUX'), (e: unknown) => e instanceof UsageError && /invalid arch 'arm64' in CIBW_ARCHS_LINUX/.test(e.message) && /not a Linux arch/.test(e.oneLine()))
    assert.throws(() => parseArchs('sparc', x86), /invalid arch 'sparc'/)
    assert.throws(() => parseArchs('', x86), /empty archs/)
  })
})
