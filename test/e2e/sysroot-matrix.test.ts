/**
 * The sysroot engine across the rest of cibuildwheel's Linux matrix: linux/386,
 * linux/arm/v7, linux/ppc64le, linux/s390x and linux/riscv64, from header-only stand-ins
 * (never started, no emulation). What each ABI makes of the IR (char signedness, pointer
 * and long sizes, record layout, long double) is checked against clang itself, run by the
 * test with the same --target and --sysroot. It runs the shipped CLI (bin/run.js on the
 * bundle), whose populate takes the oclif-free path and the bundled parse thread.
 */
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {appendFileSync, cpSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {REPO_ROOT} from '../support/cli.js'
import {buildBundle, runBuilt} from '../support/built-cli.js'
import {makeTempDir} from '../support/tmp.js'
import {multiarchArgs} from '../../src/populate/engines/sysroot/index.js'
import {headerStandins, requireDocker} from './support/images.js'
import {e2eEnv, leftoverContainers, reportOf} from './support/project.js'

const ABI_HEADER = `#ifndef ABI_H
#define ABI_H
struct abi_probe {
  char c;
  long l;
  void *p;
  long double ld;
  short s;
};
#endif
`

/** What each platform's ABI must give (known facts, cross-checked with clang below). */
const EXPECTED: Record<string, {triple: string; charSigned: boolean; pointerBits: number}> = {
  'linux/386': {triple: 'i686-pc-linux-gnu', charSigned: true, pointerBits: 32},
  'linux/arm/v7': {triple: 'armv7l-unknown-linux-gnueabihf', charSigned: false, pointerBits: 32},
  'linux/ppc64le': {triple: 'powerpc64le-unknown-linux-gnu', charSigned: false, pointerBits: 64},
  'linux/s390x': {triple: 's390x-ibm-linux-gnu', charSigned: false, pointerBits: 64},
  'linux/riscv64': {triple: 'riscv64-unknown-linux-gnu', charSigned: false, pointerBits: 64},
}

interface Field {name: string; offset_bits: number}
interface Struct {kind: string; name: string; size: number; align: number; fields: Field[]}

describe('e2e: the sysroot engine on i686, armv7l, ppc64le, s390x and riscv64', function () {
  this.timeout(30 * 60_000)

  it('populates each platform, and each IR has the ABI clang gives that target', async () => {
    await requireDocker()
    const images = await headerStandins()
    const project = join(makeTempDir('headerkit-matrix-'), 'demo')
    cpSync(join(REPO_ROOT, 'examples/demo'), project, {recursive: true})
    writeFileSync(join(project, 'include/abi.h'), ABI_HEADER)
    const platforms = Object.keys(EXPECTED)
    appendFileSync(join(project, 'pyproject.toml'), `\n[tool.headerkit.cache.populate]\nplatforms = ${JSON.stringify(platforms)}\n\n[tool.headerkit.cache.populate.images]\n${platforms.map((p) => `"${p}" = "${images[p]}"`).join('\n')}\n`)
    const cache = makeTempDir('headerkit-matrix-cache-')
    await buildBundle()
    const r = await runBuilt(['cache', 'populate', 'include/abi.h', 'include/demo.h', '--json'], {cwd: project, env: e2eEnv({HEADERKIT_CACHE_DIR: cache}), timeoutMs: 20 * 60_000})
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    const report = reportOf(r)
    assert.deepEqual(report.jobs.map((j) => [j.dockerPlatform, j.engine, j.status, j.triple]), platforms.map((p) => [p, 'sysroot', 'populated', EXPECTED[p]!.triple]))

    const index = JSON.parse(readFileSync(join(project, '.headerkit/ir/index.json'), 'utf8')) as {entries: Record<string, unknown>}
    for (const platform of platforms) {
      const {triple, charSigned, pointerBits} = EXPECTED[platform]!
      const short = triple.replace(/-(pc|unknown|ibm)-/, '-')
      const slug = Object.keys(index.entries).find((s) => s.startsWith(`libclang.abi.${short}`))
      assert.ok(slug, `${platform}: no entry among ${Object.keys(index.entries).join(', ')}`)
      const ir = JSON.parse(readFileSync(join(project, '.headerkit/ir', slug, 'ir.json'), 'utf8')) as {char_signed: boolean; declarations: Struct[]}
      const meta = JSON.parse(readFileSync(join(project, '.headerkit/ir', slug, 'metadata.json'), 'utf8')) as {provenance: {engine: string; sysroot: string}}
      assert.equal(meta.provenance.engine, 'sysroot')
      const s = ir.declarations.find((d) => d.kind === 'struct' && d.name === 'abi_probe')!
      assert.equal(ir.char_signed, charSigned, `${platform}: plain char`)
      const off = (name: string): number => s.fields.find((f) => f.name === name)!.offset_bits / 8
      assert.equal(off('p') - off('l'), pointerBits / 8 === 4 ? 4 : 8, `${platform}: long is as wide as a pointer on Linux`)

      // clang itself, on the same sysroot, must agree with every number the IR holds.
      const sysroot = join(cache, 'sysroots', meta.provenance.sysroot)
      const check = join(project, `check-${short}.c`)
      writeFileSync(check, [
        '#include <stddef.h>',
        '#include "include/abi.h"',
        `_Static_assert(sizeof(struct abi_probe) == ${s.size}, "size");`,
        `_Static_assert(_Alignof(struct abi_probe) == ${s.align}, "align");`,
        ...s.fields.map((f) => `_Static_assert(offsetof(struct abi_probe, ${f.name}) == ${f.offset_bits / 8}, "${f.name}");`),
        `_Static_assert(((char)-1 < 0) == ${charSigned ? 1 : 0}, "char");`,
        `_Static_assert(sizeof(void *) * 8 == ${pointerBits}, "pointer");`,
        '#include <stdio.h>', // from the sysroot: the extracted headers are complete enough to parse against
      ].join('\n'))
      // The multiarch dir as the engine adds it (clang 14 did not know riscv64's); clang 19, the libclang the engine prefers.
      const clang = await execa('clang-19', ['-fsyntax-only', `--target=${triple}`, `--sysroot=${sysroot}`, ...multiarchArgs(sysroot, triple), check], {reject: false})
      assert.equal(clang.exitCode, 0, `${platform}: clang disagrees with the IR:\n${clang.stderr}`)
    }
    const ppc = JSON.parse(readFileSync(join(project, '.headerkit/ir', Object.keys(index.entries).find((k) => k.startsWith('libclang.abi.powerpc64le'))!, 'ir.json'), 'utf8')) as {declarations: Struct[]}
    const ld = ppc.declarations.find((d) => d.name === 'abi_probe')!.fields
    assert.equal(ld.find((f) => f.name === 's')!.offset_bits / 8 - ld.find((f) => f.name === 'ld')!.offset_bits / 8, 16, 'ppc64le glibc long double is 16 bytes (IBM double-double)')
    assert.deepEqual(readdirSync(join(cache, 'sysroots')).filter((n) => !n.startsWith('.')).length, platforms.length)
    assert.deepEqual(await leftoverContainers(), [])
  })
})
