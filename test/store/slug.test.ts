import assert from 'node:assert/strict'
import {irSlug, isValidSlug, isValidWriterName} from '../../src/store/index.js'

const base = {backend: 'libclang', headerPath: 'include/mylib.h', target: 'x86_64-pc-linux-gnu', defines: [], includeDirs: [], args: []}

describe('store slugs', () => {
  it('read like the original and keep gnu and musl apart', () => {
    assert.equal(irSlug(base), 'libclang.mylib.x86_64-linux-gnu')
    assert.equal(irSlug({...base, target: 'x86_64-pc-linux-musl'}), 'libclang.mylib.x86_64-linux-musl')
    assert.equal(irSlug({...base, defines: ['VERSION=2', 'DEBUG'], includeDirs: ['/usr/local/include', 'include'], args: ['-std=c11']}), 'libclang.mylib.x86_64-linux-gnu.d.DEBUG_VERSION=2.i.include_include.args.std=c11')
  })

  it('sanitise hostile inputs into one safe path segment', () => {
    const s = irSlug({backend: 'Lib Clang', headerPath: '../../etc/My Lib.v2.H', target: 'x86_64-pc-linux-gnu', defines: ['STR="a b"', '../x'], includeDirs: ['C:\\inc\\foo'], args: ['--sysroot=/opt/sys root']})
    assert.ok(isValidSlug(s), s)
    assert.ok(!s.includes('/'))
    assert.equal(s, 'lib-clang.my-lib-v2.x86_64-linux-gnu.d.STR=-a-b_x.i.C-inc-foo.args.sysroot=-opt-sys-root')
    assert.ok(isValidSlug(irSlug({...base, headerPath: '.h', backend: '..'})))
  })

  it('hash groups that do not fit, keeping the slug bounded', () => {
    const defines = Array.from({length: 10}, (_, i) => `DEFINE_NUMBER_${i}=VALUE_${i}`)
    const s = irSlug({...base, headerPath: 'a.h', target: 'x86_64-unknown-linux-gnu', defines})
    assert.match(s, /^libclang\.a\.x86_64-linux-gnu\.d\.[0-9a-f]{8}$/)
    const long = irSlug({...base, headerPath: `${'x'.repeat(300)}.h`, defines: Array.from({length: 40}, (_, i) => `D${i}=${'v'.repeat(20)}`), includeDirs: Array.from({length: 30}, (_, i) => `/p/dir_${i}`), args: Array.from({length: 30}, (_, i) => `-Wflag-${i}`)})
    assert.ok(isValidSlug(long) && long.length <= 200, long)
  })

  it('validate names read from files with a strict character set', () => {
    for (const bad of ['', '.', '..', '../../x', 'a/b', '.tmp-1', '-x', 'a b', 'x\0', 'é', 'a'.repeat(201)]) assert.equal(isValidSlug(bad), false, bad)
    for (const good of ['libclang.a.x86_64-linux-gnu', 'a..b', 'x=1', '_u']) assert.equal(isValidSlug(good), true, good)
    assert.equal(isValidWriterName('cffi'), true)
    assert.equal(isValidWriterName('..'), false)
    assert.equal(isValidWriterName('a/b'), false)
  })
})
