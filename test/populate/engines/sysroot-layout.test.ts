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
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Struct} from '../../../src/ir/types.js'
import {parseHeader} from '../../../src/parse/index.js'
import {marchArgs} from '../../../src/populate/engines/sysroot/index.js'
import {LINUX_PLATFORMS, type LinuxArch} from '../../../src/target/platforms.js'
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

/** Debian's cross compiler prefix per arch (x86_64: the host's gcc). */
const GCC: Record<LinuxArch, string> = {
  x86_64: '', i686: 'i686-linux-gnu-', aarch64: 'aarch64-linux-gnu-', ppc64le: 'powerpc64le-linux-gnu-',
  s390x: 's390x-linux-gnu-', armv7l: 'arm-linux-gnueabihf-', riscv64: 'riscv64-linux-gnu-',
}
const BIG_ENDIAN = new Set<LinuxArch>(['s390x'])

interface Layout {
  size: number
  align: number
  fields: Record<string, number>
}

function has(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], {encoding: 'utf8'}).status === 0
}

/** clang spells some -march values GCC does not take (and GCC's hard-float armv7-a wants its FPU named). */
function gccMarch(args: string[]): string[] {
  return args.map((a) => (a === '-march=armv7a' ? '-march=armv7-a+fp' : a))
}

/** GCC's sizeof/alignof/offsetof of `records`, compiled for the target and read out of the object. */
function gccLayout(arch: LinuxArch, args: string[], dir: string, records: Struct[]): Record<string, Layout> {
  const exprs: Array<[string, string, string?]> = []
  for (const s of records) {
    const c = s.is_typedef ? s.name! : `${s.kind} ${s.name}`
    exprs.push([c, `sizeof(${c})`], [c, `_Alignof(${c})`])
    for (const f of s.fields) if (f.name && f.bit_width === undefined) exprs.push([c, `__builtin_offsetof(${c}, ${f.name})`, f.name])
  }
  const src = join(dir, `probe-${arch}.c`)
  writeFileSync(src, `#include "probe.h"\nconst unsigned long long hk_layout[] = {\n${exprs.map((e) => `  ${e[1]},`).join('\n')}\n};\n`)
  const obj = join(dir, `probe-${arch}.o`)
  const bin = join(dir, `probe-${arch}.bin`)
  const cc = spawnSync(`${GCC[arch]}gcc`, ['-c', '-o', obj, ...gccMarch(args), src], {encoding: 'utf8'})
  assert.equal(cc.status, 0, cc.stderr)
  const copy = spawnSync(`${GCC[arch]}objcopy`, ['-O', 'binary', '--only-section=.rodata', obj, bin], {encoding: 'utf8'})
  assert.equal(copy.status, 0, copy.stderr)
  const bytes = readFileSync(bin)
  const out: Record<string, Layout> = {}
  exprs.forEach(([c, expr, field], i) => {
    const value = Number(BIG_ENDIAN.has(arch) ? bytes.readBigUInt64BE(i * 8) : bytes.readBigUInt64LE(i * 8))
    const l = (out[c] ??= {size: 0, align: 0, fields: {}})
    if (field) l.fields[field] = value
    else if (expr.startsWith('sizeof')) l.size = value
    else l.align = value
  })
  return out
}

function irLayout(records: Struct[]): Record<string, Layout> {
  const out: Record<string, Layout> = {}
  for (const s of records) {
    const fields: Record<string, number> = {}
    for (const f of s.fields) if (f.name && f.bit_width === undefined) fields[f.name] = f.offset_bits! / 8
    out[s.is_typedef ? s.name! : `${s.kind} ${s.name}`] = {size: s.size!, align: s.align!, fields}
  }
  return out
}

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
      if (!has(`${GCC[c.arch]}gcc`)) this.skip()
      const args = marchArgs(job)
      const r = await parseHeader({header: join(dir, 'probe.h'), projectRoot: dir, target: platform.triple.gnu, args})
      const records = r.ir.declarations.filter((d): d is Struct => (d.kind === 'struct' || d.kind === 'union') && !!d.name && !d.is_opaque)
      const ir = irLayout(records)
      const gcc = gccLayout(c.arch, args, dir, records)
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
