/**
 * --universal end to end on this host: a store holding uni.h's IR for x86_64 (parsed
 * natively) and aarch64 (parsed with Debian's cross sysroot, stored under the key an
 * aarch64 build computes, as populate's sysroot engine does); the universal ctypes and
 * cffi modules written from it, imported by /usr/bin/python3, which takes the x86_64
 * branch and calls the real library compiled here. Also: served again from the output
 * cache byte for byte, a miss when a member joins, a module covering only aarch64
 * refusing in one line, a tampered IR refused naming the record, and the usage errors.
 */
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Struct} from '../../src/ir/types.js'
import {getWriter, resolveWriterOptions} from '../../src/writers/index.js'
import {parseJsonOutput, runCli} from '../support/cli.js'
import {AARCH64, fillTarget, storedIr, universalProject, X86_64} from '../support/universal-project.js'
import {mustRun, PYTHON, run} from '../writers/helpers.js'

interface JsonReport {
  results: {source: string; target: string; outputPath: string | null}[]
}

async function generate(dir: string, args: string[]): Promise<JsonReport> {
  const r = await runCli(['include/uni.h', ...args, '--json'], {cwd: dir})
  assert.equal(r.exitCode, 0, r.stderr)
  return parseJsonOutput<JsonReport>(r)
}

function python(dir: string, script: string): {status: number | null; stdout: string; stderr: string} {
  return run(PYTHON, ['-c', script], {cwd: dir})
}

describe('--universal (x86_64 + aarch64 in the store, imported natively)', function () {
  this.timeout(240_000)
  let dir: string
  let lib: string

  before(async () => {
    dir = await universalProject([X86_64, AARCH64])
    lib = join(dir, 'libuni.so')
    mustRun('gcc', ['-shared', '-fPIC', '-Iinclude', '-o', lib, 'src/uni.c'], {cwd: dir})
  })

  it('writes one ctypes module: shared declarations once, the others per target, and python3 takes the x86_64 branch and calls the library', async () => {
    const report = await generate(dir, ['-w', 'ctypes', '--universal', '-o', 'ctypes:pkg/uni_ctypes.py', '--writer-opt', `ctypes:library=${lib}`])
    assert.equal(report.results[0]!.target, `${AARCH64},${X86_64}`)
    const text = readFileSync(join(dir, 'pkg/uni_ctypes.py'), 'utf8')
    assert.match(text, /# {3}aarch64-unknown-linux-gnu: ir\/libclang\.uni\.aarch64-linux-gnu[^\n]*\n# {3}x86_64-pc-linux-gnu: ir\/libclang\.uni\.x86_64-linux-gnu/)
    const lines = text.split('\n')
    assert.equal(lines.filter((l) => l === 'uni_point._fields_ = [').length, 1, 'the same on both targets: written once')
    assert.equal(lines.filter((l) => l === '    uni_regs._fields_ = [').length, 2, 'different on each target: one branch each')
    const out = python(join(dir, 'pkg'), `
import ctypes, json, uni_ctypes as m
p = m.uni_packet(kind=1, flag=1, level=5, value=7)
print(json.dumps({
  'target': m.TARGET, 'arch': m.UNI_ARCH.decode(), 'called': m.uni_arch().decode(), 'add': m.uni_add(2, 3), 'mix': m.uni_mix(5),
  'scale': m.uni_scale(2**31, 2), 'arch_only': hasattr(m, 'uni_arch_only'), 'level': m.uni_packet_level(ctypes.byref(p)),
  'sizes': [ctypes.sizeof(m.uni_regs), m.uni_sizeof_regs(), ctypes.sizeof(m.uni_packet), m.uni_sizeof_packet()],
  'where': [m.uni_packet.where.offset, m.uni_offsetof_where()]}))
`)
    assert.equal(out.status, 0, out.stderr)
    const r = JSON.parse(out.stdout) as Record<string, unknown>
    assert.deepEqual(r, {
      target: X86_64, arch: 'x86_64', called: 'x86_64', add: 5, mix: -5, scale: 0, arch_only: false, level: 5,
      sizes: [12, 12, 16, 16], where: [8, 8],
    })
  })

  it('serves it again from the output cache, byte for byte', async () => {
    const args = ['-w', 'ctypes', '--universal', '-o', 'ctypes:again.py', '--writer-opt', `ctypes:library=${lib}`]
    const report = await generate(dir, args)
    assert.equal(report.results[0]!.source, 'output-cache')
    assert.equal(readFileSync(join(dir, 'again.py'), 'utf8'), readFileSync(join(dir, 'pkg/uni_ctypes.py'), 'utf8'))
  })

  it('writes one cffi module whose CDEF is the x86_64 cdef, with a ready ffi checked against the IR', async () => {
    await generate(dir, ['-w', 'cffi', '--universal', '-o', 'cffi:uni_cffi.py'])
    await generate(dir, ['-w', 'cffi', '-o', 'cffi:uni.cdef.txt'])
    writeFileSync(join(dir, 'cdef.py'), `
import json, uni_cffi as m
lib = m.ffi.dlopen(${JSON.stringify(lib)})
print(json.dumps({'target': m.TARGET, 'cdef': m.CDEF, 'mix': lib.uni_mix(4), 'packet': m.ffi.sizeof('struct uni_packet'), 'bits': lib.UNI_WORD_BITS}))
`)
    const out = python(dir, 'import cdef')
    assert.equal(out.status, 0, out.stderr)
    const r = JSON.parse(out.stdout) as {target: string; cdef: string; mix: number; packet: number; bits: number}
    assert.equal(r.cdef, readFileSync(join(dir, 'uni.cdef.txt'), 'utf8'))
    assert.deepEqual({...r, cdef: undefined}, {target: X86_64, cdef: undefined, mix: -4, packet: 16, bits: 32})
  })

  it('makes a module covering only aarch64 with --target, which refuses to import on x86_64 in one line', async () => {
    const report = await generate(dir, ['-w', 'ctypes', '--universal', '--target', 'aarch64-linux-gnu', '-o', 'ctypes:uni_arm.py'])
    assert.equal(report.results[0]!.target, AARCH64)
    const out = python(dir, 'import uni_arm')
    assert.notEqual(out.status, 0)
    const last = out.stderr.trim().split('\n').pop()!
    assert.equal(last, "ImportError: uni_arm: no bindings for this platform (x86_64, gnu libc, 64-bit); the module covers aarch64-unknown-linux-gnu; add the platform to the store with `headerkit cache populate` (or `headerkit HEADER --target TRIPLE`) and write the module again with `headerkit include/uni.h -w ctypes --universal`")
    assert.ok(out.stderr.trim().split('\n').length <= 5, out.stderr)
  })

  it('refuses to import a module whose x86_64 IR was tampered with, naming the record', async () => {
    const arm = await storedIr(dir, AARCH64)
    const x86 = await storedIr(dir, X86_64)
    const point = x86.ir.declarations.find((d): d is Struct => d.kind === 'struct' && d.name === 'uni_point')!
    point.fields[1]!.offset_bits = 16
    const ctypes = getWriter('ctypes')
    writeFileSync(join(dir, 'tampered.py'), ctypes.universal!.write([{target: AARCH64, ...arm}, {target: X86_64, ...x86}], resolveWriterOptions(ctypes, {}), {}))
    const out = python(dir, 'import tampered')
    assert.match(out.stderr.trim().split('\n').pop()!, /^ImportError: tampered: the layout of struct uni_point disagrees with the IR for x86_64-pc-linux-gnu: member 'y' is at byte 4 in ctypes, byte 2 in the IR/)
  })

  it('is a miss when a target joins: the new module covers it', async () => {
    const one = await universalProject([X86_64], 'hk-universal-join-')
    const first = await generate(one, ['-w', 'ctypes', '--universal', '-o', 'ctypes:u.py'])
    assert.equal(first.results[0]!.target, X86_64)
    assert.equal((await generate(one, ['-w', 'ctypes', '--universal', '-o', 'ctypes:u.py'])).results[0]!.source, 'output-cache')
    await fillTarget(one, AARCH64)
    const joined = await generate(one, ['-w', 'ctypes', '--universal', '-o', 'ctypes:u.py'])
    assert.deepEqual([joined.results[0]!.source, joined.results[0]!.target], ['ir-cache', `${AARCH64},${X86_64}`])
    assert.match(readFileSync(join(one, 'u.py'), 'utf8'), /# {3}aarch64-unknown-linux-gnu: /)
  })

  it('says in one line what is wrong with a request it cannot serve', async () => {
    const twoTargets = await runCli(['include/uni.h', '-w', 'ctypes', '--target', X86_64, '--target', AARCH64], {cwd: dir})
    assert.equal(twoTargets.exitCode, 2, twoTargets.stderr)
    assert.match(twoTargets.stderr, /--target was given 2 times, but generation without --universal takes one target/)
    const json = await runCli(['include/uni.h', '-w', 'json', '--universal'], {cwd: dir})
    assert.equal(json.exitCode, 2, json.stderr)
    assert.match(json.stderr, /--universal: the json writer cannot make a universal output/)
    const absent = await runCli(['include/uni.h', '-w', 'ctypes', '--universal', '--target', 'riscv64-linux-gnu'], {cwd: dir})
    assert.equal(absent.exitCode, 1, absent.stderr)
    assert.match(absent.stderr, /the store holds no fresh IR of include\/uni\.h \(with these arguments\) for riscv64-unknown-linux-gnu, .*fill the store with `headerkit cache populate`/)
  })
})

describe('universal = true in the config, and cache verify --sources', function () {
  this.timeout(240_000)

  it('writes the universal module from the config alone, and verify --sources wants it present for the targets the store holds', async () => {
    const dir = await universalProject([X86_64, AARCH64], 'hk-universal-config-')
    writeFileSync(join(dir, 'pyproject.toml'), `[tool.headerkit]
include_dirs = ["include"]
writers = ["ctypes"]

[[tool.headerkit.headers]]
pattern = "include/uni.h"

[tool.headerkit.output]
ctypes = "pkg/_uni.py"

[tool.headerkit.writer.ctypes]
universal = true
`)
    const before = await runCli(['cache', 'verify', '--sources'], {cwd: dir})
    assert.equal(before.exitCode, 1, before.stdout + before.stderr)
    assert.match(before.stdout, /include\/uni\.h: source-missing: no fresh ctypes output entry for universal: no universal output covering aarch64-unknown-linux-gnu, x86_64-pc-linux-gnu/)
    const made = await runCli(['--json'], {cwd: dir})
    assert.equal(made.exitCode, 0, made.stderr)
    assert.equal(parseJsonOutput<JsonReport>(made).results[0]!.target, `${AARCH64},${X86_64}`)
    assert.match(readFileSync(join(dir, 'pkg/_uni.py'), 'utf8'), /^TARGET, _problem = _select\(\)$/m)
    const after = await runCli(['cache', 'verify', '--sources'], {cwd: dir})
    assert.equal(after.exitCode, 0, after.stdout + after.stderr)
  })
})
