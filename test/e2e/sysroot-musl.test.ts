/**
 * The sysroot engine on musllinux: header-only stand-ins laid out as a musllinux image's
 * /usr/include is (musl-standins.sh), populated beside the glibc stand-in of the same
 * arch. gnu and musl stay apart (their own triples, keys and slugs), and the IR has the
 * ABI each C library gives: on ppc64le glibc's long double is 16 bytes, musl's 8, which
 * clang itself, run by the test on the same sysroot, must confirm.
 */
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {appendFileSync, cpSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {REPO_ROOT, runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import {headerStandins, muslStandins, requireDocker} from './support/images.js'
import {e2eEnv, leftoverContainers, reportOf} from './support/project.js'

const ABI_HEADER = '#include <stdint.h>\nstruct abi_probe { char c; long double ld; int64_t i; void *p; };\n'

interface Field {name: string; offset_bits: number}
interface Struct {kind: string; name: string; size: number; align: number; fields: Field[]}

const EXPECTED: Record<string, {triple: string; slug: string; longDouble: number}> = {
  'linux/ppc64le': {triple: 'powerpc64le-unknown-linux-gnu', slug: 'libclang.abi.powerpc64le-linux-gnu', longDouble: 16},
  'linux/ppc64le:musl': {triple: 'powerpc64le-unknown-linux-musl', slug: 'libclang.abi.powerpc64le-linux-musl', longDouble: 8},
  'linux/amd64:musl': {triple: 'x86_64-pc-linux-musl', slug: 'libclang.abi.x86_64-linux-musl', longDouble: 16},
}

describe('e2e: the sysroot engine on musllinux', function () {
  this.timeout(20 * 60_000)

  it('keeps gnu and musl apart, and each IR has the long double its C library gives, as clang says', async () => {
    await requireDocker()
    const images: Record<string, string> = {...(await muslStandins()), 'linux/ppc64le': (await headerStandins())['linux/ppc64le']!}
    const platforms = Object.keys(EXPECTED)
    const project = join(makeTempDir('headerkit-musl-'), 'demo')
    cpSync(join(REPO_ROOT, 'examples/demo'), project, {recursive: true})
    writeFileSync(join(project, 'include/abi.h'), ABI_HEADER)
    appendFileSync(join(project, 'pyproject.toml'), `\n[tool.headerkit.cache.populate]\nplatforms = ${JSON.stringify(platforms)}\n\n[tool.headerkit.cache.populate.images]\n${platforms.map((p) => `"${p}" = "${images[p]}"`).join('\n')}\n`)
    const cache = makeTempDir('headerkit-musl-cache-')
    const r = await runCli(['cache', 'populate', 'include/abi.h', 'include/demo.h', '--engine', 'sysroot', '--json'], {cwd: project, env: e2eEnv({HEADERKIT_CACHE_DIR: cache})})
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    const report = reportOf(r)
    assert.deepEqual(report.jobs.map((j) => [j.label, j.status, j.triple]), platforms.map((p) => [p, 'populated', EXPECTED[p]!.triple]))

    const index = JSON.parse(readFileSync(join(project, '.headerkit/ir/index.json'), 'utf8')) as {entries: Record<string, string>}
    const slugs = Object.keys(index.entries)
    assert.equal(slugs.length, 2 * platforms.length, `one abi.h and one demo.h entry per platform: ${slugs.join(', ')}`)
    for (const platform of platforms) {
      const {triple, slug: prefix, longDouble} = EXPECTED[platform]!
      const slug = slugs.find((s) => s.startsWith(prefix))
      assert.ok(slug, `${platform}: no ${prefix}* among ${slugs.join(', ')}`)
      const ir = JSON.parse(readFileSync(join(project, '.headerkit/ir', slug, 'ir.json'), 'utf8')) as {declarations: Struct[]}
      const meta = JSON.parse(readFileSync(join(project, '.headerkit/ir', slug, 'metadata.json'), 'utf8')) as {provenance: {engine: string; sysroot: string; image: string}}
      assert.deepEqual([meta.provenance.engine, meta.provenance.image], ['sysroot', images[platform]])
      const s = ir.declarations.find((d) => d.kind === 'struct' && d.name === 'abi_probe')!
      const off = (name: string): number => s.fields.find((f) => f.name === name)!.offset_bits / 8
      assert.equal(off('i') - off('ld'), longDouble, `${platform}: long double`)

      const sysroot = join(cache, 'sysroots', meta.provenance.sysroot)
      const check = join(project, `check-${prefix}.c`)
      writeFileSync(check, [
        '#include <stddef.h>',
        '#include "include/abi.h"',
        `_Static_assert(sizeof(long double) == ${longDouble}, "long double");`,
        `_Static_assert(sizeof(struct abi_probe) == ${s.size}, "size");`,
        ...s.fields.map((f) => `_Static_assert(offsetof(struct abi_probe, ${f.name}) == ${f.offset_bits / 8}, "${f.name}");`),
        '#include <stdio.h>',
      ].join('\n'))
      const clang = await execa('clang-19', ['-fsyntax-only', `--target=${triple}`, `--sysroot=${sysroot}`, check], {reject: false})
      assert.equal(clang.exitCode, 0, `${platform}: clang disagrees with the IR:\n${clang.stderr}`)
    }
    assert.deepEqual(await leftoverContainers(), [])
  })
})
