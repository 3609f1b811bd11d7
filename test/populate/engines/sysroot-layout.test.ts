/**
 * The layout a populated entry records is the one the wheel's compiler gives: for every
 * Linux target cibuildwheel builds, the records of a probe header parsed as the sysroot
 * engine parses them (its triple and `-march`) have GCC's sizeof, alignof and offsetof.
 * GCC is Debian's cross compiler for the target, given the same `-march`; the probe is
 * compiled, never run: the numbers are read back out of the object's `.rodata`, so
 * neither a libc for the target nor qemu is needed. The probe holds the shapes that once
 * disagreed: an `aligned` attribute on a typedef of a record (libffi's ffi_closure),
 * `__int128` (s390x with libclang 14) and a vector member (s390x without z13's -march).
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Struct} from '../../../src/ir/types.js'
import {parseHeader} from '../../../src/parse/index.js'
import {marchArgs} from '../../../src/populate/engines/sysroot/index.js'
import {LINUX_PLATFORMS, type LinuxArch} from '../../../src/target/platforms.js'
import {gccLayouts, gccMarch, hasCrossGcc, irLayouts} from '../../support/cross-gcc.js'
import {makeTempDir} from '../../support/tmp.js'

const PROBE = `
typedef struct { char c; } t16 __attribute__((aligned(16)));
typedef struct { void *cif; void (*fun)(void); void *user_data; char tramp[12]; } closure_t __attribute__((aligned(8)));
struct holder { char x; t16 t; char y; closure_t c; char z; };
typedef int v4si __attribute__((vector_size(16)));
struct vec { char c; v4si v; int tail; };
struct ld { char c; long double d; };
struct mixed { char c; long long ll; double d; short s; void *p; };
struct __attribute__((packed)) pk { char c; int i; };
#ifdef __SIZEOF_INT128__
struct i128 { char c; __int128 v; };
#endif
`

interface Case {
  arch: LinuxArch
  label: string
  image: {reference: string; shortname: string | null}
}

const CASES: Case[] = [
  ...LINUX_PLATFORMS.map((p) => ({arch: p.arch, label: 'manylinux_2_28', image: {reference: `quay.io/pypa/manylinux_2_28_${p.arch}`, shortname: 'manylinux_2_28'}})),
  {arch: 's390x', label: 'manylinux_2_34', image: {reference: 'quay.io/pypa/manylinux_2_34_s390x', shortname: 'manylinux_2_34'}},
  {arch: 's390x', label: 'manylinux2014', image: {reference: 'quay.io/pypa/manylinux2014_s390x', shortname: 'manylinux2014'}},
]

describe('populate: sysroot parses lay records out as the wheel\'s GCC does', function () {
  this.timeout(120_000)
  const dir = makeTempDir()
  writeFileSync(join(dir, 'probe.h'), PROBE)

  for (const c of CASES) {
    const platform = LINUX_PLATFORMS.find((p) => p.arch === c.arch)!
    const job = {arch: c.arch, libc: 'gnu' as const, image: c.image}
    it(`${c.arch} (${c.label}, ${marchArgs(job).join(' ') || 'no -march'}): sizeof, alignof and offsetof equal GCC's`, async function () {
      if (!hasCrossGcc(c.arch)) this.skip()
      const args = marchArgs(job)
      const r = await parseHeader({header: join(dir, 'probe.h'), projectRoot: dir, target: platform.triple.gnu, args})
      const records = r.ir.declarations.filter((d): d is Struct => (d.kind === 'struct' || d.kind === 'union') && !!d.name && !d.is_opaque)
      const ir = irLayouts(records)
      const gcc = gccLayouts(c.arch, dir, `probe-${c.arch}-${c.label}`, 'probe.h', records, gccMarch(args))
      if (c.arch === 's390x' && !args.includes('-march=z13') && !args.includes('-march=z14')) {
        // Without the vector facility GCC caps the record's alignment at 8 where clang
        // gives the vector's 16; sizes and offsets agree (docs/populate.md).
        assert.deepEqual([ir['struct vec']!.align, gcc['struct vec']!.align], [16, 8])
        ir['struct vec']!.align = gcc['struct vec']!.align
      }
      assert.deepEqual(ir, gcc)
      assert.equal(ir.closure_t!.align, 8, 'the typedef\'s aligned(8), on 32-bit targets too')
      assert.equal(ir.t16!.align, 16)
      if (platform.bits === 64) assert.ok(ir['struct i128'], '__int128 on every 64-bit target')
    })
  }

  it('passes the CPU of the image\'s own compiler for s390x: RHEL 8/9 GCC for manylinux_2_28/2_34, z196 for manylinux2014, musllinux and unknown images', function () {
    const s390x = (libc: 'gnu' | 'musl', shortname: string | null, reference: string): string[] => marchArgs({arch: 's390x', libc, image: {reference, shortname}})
    assert.deepEqual(s390x('gnu', 'manylinux_2_28', 'quay.io/pypa/manylinux_2_28_s390x@sha256:43b1'), ['-march=z13', '-mtune=z14'])
    assert.deepEqual(s390x('gnu', 'manylinux_2_34', 'quay.io/pypa/manylinux_2_34_s390x'), ['-march=z14', '-mtune=z15'])
    assert.deepEqual(s390x('gnu', null, 'registry.example/me/manylinux_2_28_s390x:custom'), ['-march=z13', '-mtune=z14'], 'a custom image named for its policy')
    assert.deepEqual(s390x('gnu', 'manylinux2014', 'quay.io/pypa/manylinux2014_s390x'), ['-march=z196', '-mtune=zEC12'])
    assert.deepEqual(s390x('musl', 'musllinux_1_2', 'quay.io/pypa/musllinux_1_2_s390x'), ['-march=z196', '-mtune=zEC12'])
    assert.deepEqual(s390x('gnu', null, 'debian:bookworm'), ['-march=z196', '-mtune=zEC12'])
    assert.deepEqual(marchArgs({arch: 'aarch64', libc: 'gnu'}), [])
  })

  it('s390x: a vector member is 8-aligned with z13\'s vector facility (manylinux_2_28), 16 without (musllinux)', async function () {
    const parse = async (args: string[]): Promise<Struct> => {
      const r = await parseHeader({header: join(dir, 'probe.h'), projectRoot: dir, target: 's390x-ibm-linux-gnu', args})
      return r.ir.declarations.find((d) => d.name === 'vec') as Struct
    }
    const z13 = await parse(marchArgs({arch: 's390x', libc: 'gnu', image: {reference: 'quay.io/pypa/manylinux_2_28_s390x', shortname: 'manylinux_2_28'}}))
    const musl = await parse(marchArgs({arch: 's390x', libc: 'musl', image: {reference: 'quay.io/pypa/musllinux_1_2_s390x', shortname: 'musllinux_1_2'}}))
    assert.deepEqual([z13.size, z13.fields[1]!.offset_bits], [32, 64])
    assert.deepEqual([musl.size, musl.fields[1]!.offset_bits], [48, 128])
  })
})
