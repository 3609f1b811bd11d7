/**
 * A universal module imported on arm64: fixtures/universal's store filled by `cache
 * populate` (sysroot engine) for linux/amd64 and linux/arm64 from the bookworm stand-ins
 * and linux/386 from its header stand-in; the universal ctypes and cffi modules written on
 * the host; then python3 under QEMU in the arm64 python stand-in (no network, no node, no
 * libclang) imports them: the aarch64 branch and layout are taken and the real functions
 * of an aarch64 build of the library are called. A module whose aarch64 IR was tampered
 * with refuses to import there, naming the record; a module covering only x86_64 refuses
 * in one line.
 */
import assert from 'node:assert/strict'
import {appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Struct} from '../../src/ir/types.js'
import {getWriter, resolveWriterOptions} from '../../src/writers/index.js'
import {parseJsonOutput, runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import {AARCH64, storedIr, universalProjectDir, X86_64} from '../support/universal-project.js'
import {mustRun} from '../writers/helpers.js'
import {headerStandins, requireDocker, standinImages} from './support/images.js'
import {e2eEnv} from './support/project.js'
import {pythonImage, runInContainer} from './support/python-arm64.js'

const I686 = 'i686-pc-linux-gnu'

/** Runs each case in its own python3 (inside the container) and prints their outcomes as JSON. */
const DRIVER = `
import json, subprocess, sys
CASES = {
    'ctypes': """
import ctypes, json, uni_ctypes as m
p = m.uni_packet(kind=1, flag=1, level=5, value=2 ** 40)
print(json.dumps({'target': m.TARGET, 'arch': m.UNI_ARCH.decode(), 'called': m.uni_arch().decode(), 'mix': m.uni_mix(5, 2.0),
    'arch_only': m.uni_arch_only(), 'scale': m.uni_scale(2 ** 40, 2), 'level': m.uni_packet_level(ctypes.byref(p)),
    'sizes': [ctypes.sizeof(m.uni_regs), m.uni_sizeof_regs(), ctypes.sizeof(m.uni_packet), m.uni_sizeof_packet()],
    'where': [m.uni_packet.where.offset, m.uni_offsetof_where()], 'checked': len(m._LAYOUT)}))
""",
    'cffi': "import json, uni_cffi as m; print(json.dumps({'target': m.TARGET, 'ffi': m.ffi is None, 'cdef': m.CDEF}))",
    'tampered': 'import tampered',
    'x86_only': 'import uni_x86',
}
out = {}
for name, code in CASES.items():
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd='/work')
    out[name] = {'status': r.returncode, 'stdout': r.stdout, 'stderr': r.stderr}
print(json.dumps(out))
`

interface Outcome {
  status: number
  stdout: string
  stderr: string
}

describe('e2e: a universal module imported inside the arm64 container', function () {
  this.timeout(45 * 60_000)

  it('takes the aarch64 branch and layout there, and refuses a tampered aarch64 layout naming the record', async () => {
    await requireDocker()
    const images = await standinImages()
    const headers = await headerStandins()
    const image = await pythonImage(images)

    const project = universalProjectDir('hk-e2e-universal-')
    const platforms: Record<string, string> = {'linux/amd64': images.amd64, 'linux/arm64': images.arm64, 'linux/386': headers['linux/386']!}
    // universal = true: populate fills the IR only; the universal module is made from the merged store.
    const pyproject = join(project, 'pyproject.toml')
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('include_dirs = ["include"]\n', 'include_dirs = ["include"]\nwriters = ["ctypes"]\n'))
    appendFileSync(pyproject, `\n[tool.headerkit.writer.ctypes]\nuniversal = true\n\n[tool.headerkit.cache.populate]\nplatforms = ${JSON.stringify(Object.keys(platforms))}\n\n[tool.headerkit.cache.populate.images]\n${Object.entries(platforms).map(([p, i]) => `"${p}" = "${i}"`).join('\n')}\n`)
    const populate = await runCli(['cache', 'populate', '--engine', 'sysroot'], {cwd: project, env: e2eEnv({HEADERKIT_CACHE_DIR: makeTempDir('hk-e2e-universal-cache-')})})
    assert.equal(populate.exitCode, 0, populate.stdout + populate.stderr)
    assert.equal(existsSync(join(project, '.headerkit/output/ctypes')), false, 'no per-platform rendering stored under the universal options')

    const stage = makeTempDir('hk-e2e-universal-stage-')
    const work = join(stage, 'work')
    mkdirSync(work)
    mustRun('aarch64-linux-gnu-gcc', ['-shared', '-fPIC', '-Iinclude', '-o', join(work, 'libuni.so'), 'src/uni.c'], {cwd: project})
    const generate = async (args: string[]): Promise<string> => {
      const r = await runCli(['include/uni.h', ...args, '--json'], {cwd: project, env: {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so.1'}})
      assert.equal(r.exitCode, 0, r.stderr)
      return parseJsonOutput<{results: {target: string}[]}>(r).results[0]!.target
    }
    // Every populated platform is covered, with no parse (libclang is out of reach).
    assert.equal(await generate(['-w', 'ctypes', '--universal', '-o', `ctypes:${join(work, 'uni_ctypes.py')}`, '--writer-opt', 'ctypes:library=/work/libuni.so', '--allow-outside-project']), `${AARCH64},${I686},${X86_64}`)
    await generate(['-w', 'cffi', '--universal', '-o', `cffi:${join(work, 'uni_cffi.py')}`, '--allow-outside-project'])
    await generate(['-w', 'ctypes', '--universal', '--target', X86_64, '-o', `ctypes:${join(work, 'uni_x86.py')}`, '--allow-outside-project'])
    await generate(['-w', 'cffi', '--target', AARCH64, '-o', 'cffi:arm.cdef.txt'])
    const armCdef = readFileSync(join(project, 'arm.cdef.txt'), 'utf8')
    const text = readFileSync(join(work, 'uni_ctypes.py'), 'utf8')
    assert.match(text, /^(?:el)?if TARGET in \('i686-pc-linux-gnu', 'x86_64-pc-linux-gnu'\):$/m, 'i686 and x86_64 render uni_regs alike: one branch')

    const members = await Promise.all([AARCH64, I686, X86_64].map(async (target) => ({target, ...(await storedIr(project, target))})))
    const regs = members[0]!.ir.declarations.find((d): d is Struct => d.kind === 'struct' && d.name === 'uni_regs')!
    regs.fields[1]!.offset_bits = 128
    const ctypes = getWriter('ctypes')
    writeFileSync(join(work, 'tampered.py'), ctypes.universal!.write(members, resolveWriterOptions(ctypes, {flags: ['ctypes:library=/work/libuni.so']}), {}))
    writeFileSync(join(work, 'driver.py'), DRIVER)

    const r = await runInContainer(image, stage, 'cd /work && python3 driver.py', 'universal')
    assert.equal(r.exitCode, 0, r.stderr)
    const out = JSON.parse(r.stdout.toString()) as Record<string, Outcome>

    assert.equal(out.ctypes!.status, 0, out.ctypes!.stderr)
    assert.deepEqual(JSON.parse(out.ctypes!.stdout), {
      target: AARCH64, arch: 'aarch64', called: 'aarch64', mix: 7, arch_only: 64, scale: 2 ** 41, level: 5,
      sizes: [40, 40, 24, 24], where: [16, 16], checked: 3,
    })
    assert.equal(out.cffi!.status, 0, out.cffi!.stderr)
    assert.deepEqual(JSON.parse(out.cffi!.stdout), {target: AARCH64, ffi: true, cdef: armCdef})

    assert.notEqual(out.tampered!.status, 0)
    assert.match(out.tampered!.stderr.trim().split('\n').pop()!, /^ImportError: tampered: the layout of struct uni_regs disagrees with the IR for aarch64-unknown-linux-gnu: member 'flags' is at byte 32 in ctypes, byte 16 in the IR/)
    assert.notEqual(out.x86_only!.status, 0)
    assert.match(out.x86_only!.stderr.trim().split('\n').pop()!, /^ImportError: uni_x86: no bindings for this platform \(aarch64, gnu libc, 64-bit\); the module covers x86_64-pc-linux-gnu; add the platform to the store with `headerkit cache populate`/)
  })
})
