/**
 * A parse for a platform sees only that platform's headers. Debian's cross compilers
 * (gcc-aarch64-linux-gnu, gcc-powerpc64le-linux-gnu, ...) put a GCC beside clang whose
 * include dir (the host's glibc) clang 14 searches before the sysroot's; these tests give
 * the parse a stand-in sysroot whose libc headers differ from every host's (a marker
 * type), so a host directory in the search shows as a missing marker. They run on every
 * libclang installed here: clang 19 no longer leaks with a sysroot, clang 14 does.
 */
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {isolationArgs, isHostTriple, sysrootOf} from '../../src/parse/sysroot.js'
import {ParseError, parseHeader} from '../../src/parse/index.js'
import type {Struct} from '../../src/ir/types.js'
import {makeTempDir} from '../support/tmp.js'

const LIBCLANGS = [14, 19]
  .map((v) => ({version: v, path: [`/usr/lib/llvm-${v}/lib/libclang.so.1`, `/usr/lib/llvm-${v}/lib/libclang-${v}.so.1`].find(existsSync)}))
  .filter((l): l is {version: number; path: string} => l.path !== undefined)

/** A project whose header needs the platform's stdio.h and multiarch header. */
function project(): {root: string; header: string} {
  const root = makeTempDir('headerkit-isolation-')
  const header = join(root, 'uses.h')
  writeFileSync(header, '#include <stdio.h>\n#include <hk_arch.h>\nstruct uses { hk_marker_file file; hk_arch_t arch; };\n')
  return {root, header}
}

/** A sysroot laid out as an image's: usr/include, and the Debian multiarch dir when given. */
function markerSysroot(multiarch?: string): string {
  const root = makeTempDir('headerkit-sysroot-')
  mkdirSync(join(root, 'usr/include'), {recursive: true})
  writeFileSync(join(root, 'usr/include/stdio.h'), '#pragma once\ntypedef struct { char hk_marker[77]; } hk_marker_file;\n')
  const archDir = multiarch ? join(root, 'usr/include', multiarch) : join(root, 'usr/include')
  mkdirSync(archDir, {recursive: true})
  writeFileSync(join(archDir, 'hk_arch.h'), '#pragma once\ntypedef struct { char bytes[5]; } hk_arch_t;\n')
  return root
}

describe('parse: a platform\'s parse sees only its own headers', function () {
  it('has a libclang to check', function () {
    assert.ok(LIBCLANGS.length > 0, 'no libclang 14 or 19 installed')
  })

  for (const {version, path: libclang} of LIBCLANGS) {
    for (const {target, multiarch} of [
      {target: 'aarch64-unknown-linux-gnu', multiarch: 'aarch64-linux-gnu'},
      {target: 'powerpc64le-unknown-linux-musl', multiarch: undefined},
      {target: 'armv7l-unknown-linux-gnueabihf', multiarch: 'arm-linux-gnueabihf'},
    ]) {
      it(`libclang ${version}, ${target}: the sysroot's libc headers, never an installed cross GCC's`, async function () {
        const {root, header} = project()
        const sysroot = markerSysroot(multiarch)
        const r = await parseHeader({header, projectRoot: root, target, args: [`--sysroot=${sysroot}`], libclang})
        const uses = r.ir.declarations.find((d): d is Struct => d.kind === 'struct' && d.name === 'uses')
        assert.ok(uses, 'struct uses parsed')
        assert.equal(uses.size, 77 + 5, 'both fields come from the stand-in sysroot')
      })
    }

    it(`libclang ${version}: a foreign target without a sysroot searches no host libc, and says to pass one`, async function () {
      const {root, header} = project()
      writeFileSync(header, '#include <stdio.h>\nint uses_file(FILE *f);\n')
      let error: unknown
      try {
        await parseHeader({header, projectRoot: root, target: 'aarch64-unknown-linux-gnu', args: [], libclang})
      } catch (e) {
        error = e
      }
      assert.ok(error instanceof ParseError, `expected a parse failure, got ${String(error)}`)
      assert.match(error.message, /'stdio\.h' file not found/)
      assert.match(error.hint ?? '', /cross target without a sysroot: pass --sysroot=/)
    })

    it(`libclang ${version}: a foreign target without a sysroot still has clang's own headers`, async function () {
      const {root, header} = project()
      writeFileSync(header, '#include <stddef.h>\n#include <stdint.h>\nstruct s { size_t n; int64_t v; };\n')
      const r = await parseHeader({header, projectRoot: root, target: 'armv7l-unknown-linux-gnueabihf', args: [], libclang})
      const s = r.ir.declarations.find((d): d is Struct => d.kind === 'struct' && d.name === 's')
      assert.equal(s?.size, 16, 'a 4-byte size_t, an 8-aligned int64_t')
    })
  }
})

describe('parse: isolation arguments', function () {
  const HOST = 'x86_64-pc-linux-gnu'
  it('a sysroot names the only GCC installation clang may use', function () {
    assert.deepEqual(isolationArgs('aarch64-unknown-linux-gnu', ['-DX', '--sysroot=/s/'], HOST), ['--gcc-toolchain=/s/usr'])
    assert.deepEqual(isolationArgs(HOST, ['--sysroot', '/s'], HOST), ['--gcc-toolchain=/s/usr'])
  })

  it('a foreign arch or libc without a sysroot searches no system dir; the host target is left alone', function () {
    assert.deepEqual(isolationArgs('aarch64-unknown-linux-gnu', [], HOST), ['-nostdlibinc'])
    assert.deepEqual(isolationArgs('x86_64-pc-linux-musl', [], HOST), ['-nostdlibinc'])
    assert.deepEqual(isolationArgs('x86_64-unknown-linux-gnu', [], HOST), [])
  })

  it('a user who chose the search keeps it', function () {
    for (const own of ['--gcc-toolchain=/opt/gcc', '-nostdinc', '--gcc-install-dir=/x']) {
      assert.deepEqual(isolationArgs('aarch64-unknown-linux-gnu', ['--sysroot=/s', own], HOST), [])
    }
  })

  it('reads the last sysroot in either form, and compares arch and libc', function () {
    assert.equal(sysrootOf(['--sysroot=/a', '--sysroot', '/b']), '/b')
    assert.equal(sysrootOf(['-I/x']), undefined)
    assert.ok(isHostTriple('x86_64-unknown-linux-gnu', HOST))
    assert.ok(!isHostTriple('x86_64-pc-linux-musl', HOST))
    assert.ok(isHostTriple('armv7l-unknown-linux-gnueabihf', 'armv7l-unknown-linux-gnueabihf'))
  })
})
