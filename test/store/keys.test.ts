import assert from 'node:assert/strict'
import {blake3Hex} from '../../src/hash/blake3.js'
import {hashSourceBytes, irKey, outputKey} from '../../src/store/index.js'
import {irInputs} from './support/entries.js'

describe('store keys', () => {
  it('are 64 hex digits and stable for the same inputs', async () => {
    const a = await irKey(irInputs('a'))
    assert.match(a, /^[0-9a-f]{64}$/)
    assert.equal(await irKey(irInputs('a')), a)
  })

  it('change with every IR input, including each dependency hash', async () => {
    const base = await irKey(irInputs('a', {deps: [{path: 'include/b.h', hash: '1', sha256: 'd'.repeat(64)}]}))
    const variants = [
      irInputs('a', {deps: [{path: 'include/b.h', hash: '2', sha256: 'd'.repeat(64)}]}),
      irInputs('a', {deps: []}),
      irInputs('a', {schemaVersion: 2, deps: [{path: 'include/b.h', hash: '1', sha256: 'd'.repeat(64)}]}),
      irInputs('a', {extractorVersion: '1.0.1', deps: [{path: 'include/b.h', hash: '1', sha256: 'd'.repeat(64)}]}),
      irInputs('a', {target: 'x86_64-pc-linux-musl', deps: [{path: 'include/b.h', hash: '1', sha256: 'd'.repeat(64)}]}),
      irInputs('a', {header: {path: 'include/a.h', hash: 'b'.repeat(64), sha256: 'b'.repeat(64)}, deps: [{path: 'include/b.h', hash: '1', sha256: 'd'.repeat(64)}]}),
      irInputs('a', {defines: ['DEBUG', 'X=1'], deps: [{path: 'include/b.h', hash: '1', sha256: 'd'.repeat(64)}]}),
      irInputs('a', {includeDirs: ['include', 'vendor'], deps: [{path: 'include/b.h', hash: '1', sha256: 'd'.repeat(64)}]}),
      irInputs('a', {backend: 'other', deps: [{path: 'include/b.h', hash: '1', sha256: 'd'.repeat(64)}]}),
    ]
    const keys = await Promise.all(variants.map(irKey))
    assert.equal(new Set([base, ...keys]).size, variants.length + 1)
  })

  it('keep argument order (order matters to clang) but not dependency order', async () => {
    const ab = await irKey(irInputs('a', {includeDirs: ['a', 'b']}))
    const ba = await irKey(irInputs('a', {includeDirs: ['b', 'a']}))
    assert.notEqual(ab, ba)
    const d1 = await irKey(irInputs('a', {deps: [{path: 'x.h', hash: '1', sha256: 'd'.repeat(64)}, {path: 'y.h', hash: '2', sha256: 'd'.repeat(64)}]}))
    const d2 = await irKey(irInputs('a', {deps: [{path: 'y.h', hash: '2', sha256: 'd'.repeat(64)}, {path: 'x.h', hash: '1', sha256: 'd'.repeat(64)}]}))
    assert.equal(d1, d2)
  })

  it('never let an IR key and an output key coincide, and hash options canonically', async () => {
    const k = await irKey(irInputs('a'))
    const o1 = await outputKey({irKey: k, writer: 'cffi', options: {b: 1, a: [1, 2]}, writerCacheVersion: '1', writerImplVersion: '1'})
    const o2 = await outputKey({irKey: k, writer: 'cffi', options: {a: [1, 2], b: 1}, writerCacheVersion: '1', writerImplVersion: '1'})
    assert.equal(o1, o2)
    assert.notEqual(o1, k)
    assert.notEqual(await outputKey({irKey: k, writer: 'cffi', options: {b: '1', a: [1, 2]}, writerCacheVersion: '1', writerImplVersion: '1'}), o1)
    assert.notEqual(await outputKey({irKey: k, writer: 'cffi', options: {b: 1, a: [1, 2]}, writerCacheVersion: '1', writerImplVersion: '2'}), o1)
  })

  it('reject option values that are not JSON with a store error', async () => {
    await assert.rejects(outputKey({irKey: 'k', writer: 'diff', options: {baseline: () => 1}, writerCacheVersion: '1', writerImplVersion: '1'}), /cannot compute a cache key: options of writer 'diff'/)
  })

  it('hash CRLF, CR and LF sources alike', async () => {
    const lf = await hashSourceBytes(Buffer.from('int a;\nint b;\n'))
    assert.equal(await hashSourceBytes(Buffer.from('int a;\r\nint b;\r\n')), lf)
    assert.equal(await hashSourceBytes(Buffer.from('int a;\rint b;\r')), lf)
    assert.equal(lf, await blake3Hex(Buffer.from('int a;\nint b;\n')))
    assert.notEqual(await hashSourceBytes(Buffer.from('int a;\n\nint b;\n')), lf)
  })
})
