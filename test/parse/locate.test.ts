/** Finding libclang: explicit path, environment, distro locations; the error when there is none. */
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {LINUX_PLATFORMS} from '../../src/target/platforms.js'
import {crossSysroot, defaultCandidates, LibclangNotFoundError, locateLibclang, multiarchOf} from '../../src/parse/index.js'
import {makeTempDir} from '../support/tmp.js'

describe('parse: locating libclang', function () {
  it('tries the newest LLVM first, then the multiarch names', function () {
    const c = defaultCandidates('x64')
    assert.equal(c[0], '/usr/lib/llvm-21/lib/libclang.so.1')
    assert.ok(c.indexOf('/usr/lib/llvm-19/lib/libclang.so.1') < c.indexOf('/usr/lib/llvm-14/lib/libclang.so.1'))
    assert.ok(c.includes('/usr/lib/x86_64-linux-gnu/libclang-14.so.1'))
    assert.ok(defaultCandidates('arm64').includes('/usr/lib/aarch64-linux-gnu/libclang-16.so.1'))
  })

  it('finds the libclang 19 that setup installs by default, before the 14 beside it', function () {
    assert.equal(locateLibclang({env: {}}), '/usr/lib/llvm-19/lib/libclang-19.so.1')
  })

  it('prefers the flag, then HEADERKIT_LIBCLANG, then LIBCLANG_PATH (a file or a directory)', function () {
    const dir = makeTempDir()
    const a = `${dir}/a.so`
    const b = `${dir}/b.so`
    writeFileSync(a, '')
    writeFileSync(b, '')
    mkdirSync(`${dir}/lib`)
    writeFileSync(`${dir}/lib/libclang-17.so.1`, '')
    assert.equal(locateLibclang({explicit: a, env: {HEADERKIT_LIBCLANG: b}}), a)
    assert.equal(locateLibclang({env: {HEADERKIT_LIBCLANG: b, LIBCLANG_PATH: a}}), b)
    assert.equal(locateLibclang({env: {LIBCLANG_PATH: `${dir}/lib`}}), `${dir}/lib/libclang-17.so.1`)
  })

  it('an explicit path that does not exist is an error, not a silent fallback', function () {
    assert.throws(() => locateLibclang({env: {HEADERKIT_LIBCLANG: '/no/such/libclang.so'}}), /libclang not found at \/no\/such\/libclang\.so \(from HEADERKIT_LIBCLANG\)/)
  })

  it('none found: one error naming the Debian packages to install', function () {
    try {
      locateLibclang({env: {}, candidates: ['/no/such/one.so']})
      assert.fail('expected an error')
    } catch (error) {
      assert.ok(error instanceof LibclangNotFoundError)
      assert.deepEqual(error.tried, ['/no/such/one.so'])
      assert.match(error.oneLine(), /libclang1-19 libclang-common-19-dev/)
    }
  })

  it('suggests the Debian cross sysroot for foreign glibc targets only', function () {
    assert.equal(multiarchOf('aarch64-unknown-linux-gnu'), 'aarch64-linux-gnu')
    assert.equal(multiarchOf('x86_64-pc-linux-musl'), undefined)
    // Every glibc triple of the platform table, spelled as triples spell it (powerpc64le, armv7l).
    assert.deepEqual(LINUX_PLATFORMS.map((p) => multiarchOf(p.triple.gnu)), ['x86_64-linux-gnu', 'i686-linux-gnu', 'aarch64-linux-gnu', 'powerpc64le-linux-gnu', 's390x-linux-gnu', 'arm-linux-gnueabihf', 'riscv64-linux-gnu'])
    assert.equal(crossSysroot('powerpc64le-unknown-linux-gnu', (p) => p === '/usr/powerpc64le-linux-gnu/include/stdio.h'), '/usr/powerpc64le-linux-gnu')
    assert.equal(crossSysroot('aarch64-unknown-linux-gnu'), '/usr/aarch64-linux-gnu')
    assert.equal(crossSysroot('x86_64-pc-linux-gnu'), undefined, 'the host needs none')
    assert.equal(crossSysroot('s390x-ibm-linux-gnu', () => false), undefined, 'not installed')
  })
})
