/**
 * GCC as the layout oracle for every Linux target: Debian's cross compilers
 * (gcc-<arch>-linux-gnu, scripts/setup.sh --tests) compile a probe whose sizeof, _Alignof and
 * offsetof values are an array of constants, and the numbers are read back out of the
 * object's `.rodata`. Nothing is linked or run, so no qemu is needed (the target's libc
 * headers are, for a header that includes them: libc6-dev-<arch>-cross).
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Struct} from '../../src/ir/types.js'
import type {LinuxArch} from '../../src/target/platforms.js'

/** Debian's cross compiler triple per arch (x86_64: the host's own gcc). */
export const CROSS_PREFIX: Record<LinuxArch, string> = {
  x86_64: '', i686: 'i686-linux-gnu', aarch64: 'aarch64-linux-gnu', ppc64le: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu', armv7l: 'arm-linux-gnueabihf', riscv64: 'riscv64-linux-gnu',
}
const BIG_ENDIAN = new Set<LinuxArch>(['s390x'])

const tool = (arch: LinuxArch, name: string): string => (CROSS_PREFIX[arch] ? `${CROSS_PREFIX[arch]}-${name}` : name)

export function hasCrossGcc(arch: LinuxArch): boolean {
  return spawnSync(tool(arch, 'gcc'), ['--version'], {encoding: 'utf8'}).status === 0
}

/** Debian's cross libc headers for the arch (`/usr/<triple>`), when installed; the host needs none. */
export function crossLibcRoot(arch: LinuxArch): string | undefined {
  if (!CROSS_PREFIX[arch]) return undefined
  const root = `/usr/${CROSS_PREFIX[arch]}`
  return existsSync(`${root}/include/stdio.h`) ? root : undefined
}

/** clang spells some -march values GCC does not take (and GCC's hard-float armv7-a wants its FPU named). */
export function gccMarch(args: string[]): string[] {
  return args.map((a) => (a === '-march=armv7a' ? '-march=armv7-a+fp' : a))
}

export interface RecordLayout {
  size: number
  align: number
  /** Byte offsets of the named members that are not bitfields. */
  fields: Record<string, number>
}

/** How C names a record of the IR: `struct X`, or the typedef name for typedef'd records. */
export function cName(s: Struct): string {
  return s.is_typedef ? s.name! : `${s.kind} ${s.name}`
}

/** The IR's own view of the same numbers. */
export function irLayouts(records: Struct[]): Record<string, RecordLayout> {
  const out: Record<string, RecordLayout> = {}
  for (const s of records) {
    const fields: Record<string, number> = {}
    for (const f of s.fields) if (f.name && f.bit_width === undefined && f.offset_bits !== undefined) fields[f.name] = f.offset_bits / 8
    out[cName(s)] = {size: s.size!, align: s.align!, fields}
  }
  return out
}

/**
 * GCC's layout of `records`, declared by `include`, for the arch: `flags` are GCC's (-I,
 * -isystem, -march in GCC's spelling). `name` keeps probes of one directory apart.
 */
export function gccLayouts(arch: LinuxArch, dir: string, name: string, include: string, records: Struct[], flags: string[]): Record<string, RecordLayout> {
  const exprs: Array<{record: string; what: 'size' | 'align' | 'field'; field?: string; c: string}> = []
  for (const s of records) {
    const c = cName(s)
    exprs.push({record: c, what: 'size', c: `sizeof(${c})`}, {record: c, what: 'align', c: `_Alignof(${c})`})
    for (const f of s.fields) if (f.name && f.bit_width === undefined && f.offset_bits !== undefined) exprs.push({record: c, what: 'field', field: f.name, c: `__builtin_offsetof(${c}, ${f.name})`})
  }
  const src = join(dir, `${name}.c`)
  const obj = join(dir, `${name}.o`)
  const bin = join(dir, `${name}.bin`)
  writeFileSync(src, `#include "${include}"\nconst unsigned long long hk_layout[] = {\n${exprs.map((e) => `  ${e.c},`).join('\n')}\n  0\n};\n`)
  const cc = spawnSync(tool(arch, 'gcc'), ['-w', '-c', '-o', obj, ...flags, src], {encoding: 'utf8'})
  assert.equal(cc.status, 0, `${tool(arch, 'gcc')} ${name}: ${cc.stderr.slice(0, 3000)}`)
  const copy = spawnSync(tool(arch, 'objcopy'), ['-O', 'binary', '--only-section=.rodata', obj, bin], {encoding: 'utf8'})
  assert.equal(copy.status, 0, copy.stderr)
  const bytes = readFileSync(bin)
  const out: Record<string, RecordLayout> = {}
  exprs.forEach((e, i) => {
    const value = Number(BIG_ENDIAN.has(arch) ? bytes.readBigUInt64BE(i * 8) : bytes.readBigUInt64LE(i * 8))
    const l = (out[e.record] ??= {size: 0, align: 0, fields: {}})
    if (e.what === 'field') l.fields[e.field!] = value
    else l[e.what] = value
  })
  return out
}
