/**
 * `cache populate --check` with the sysroot engine, without Docker: the image is pinned
 * by digest and its headers are already in the per-user sysroot cache (seeded here from
 * Debian's aarch64 cross sysroot, laid out as an extraction of an arm64 image), which is
 * exactly when the engine needs no Docker. A clean populated store passes and nothing is
 * written; a doctored aarch64 entry and a missing one fail, named. `cache verify
 * --reproduce` parses the same populated entries again from that cache.
 */
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {populate, populateCheck} from '../../src/populate/index.js'
import {openStore} from '../../src/store/index.js'
import type {IrMetadata} from '../../src/store/metadata.js'
import {reproduceStore} from '../../src/verify/index.js'
import {parseJsonOutput, runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import {AARCH64_SYSROOT, entriesOf, remakeOutputsOf, rewritePayload} from '../verify/support.js'
import {IMAGE, PLATFORM, seededCache} from './support.js'
import {treeHashes} from '../support/tree.js'

function project(): string {
  const root = makeTempDir('headerkit-check-')
  mkdirSync(join(root, '.git'))
  mkdirSync(join(root, 'include'))
  // <stdint.h> needs the C library's headers: the parse uses the sysroot's.
  writeFileSync(join(root, 'include/wire.h'), '#include <stdint.h>\nstruct frame { uint8_t kind; uint64_t stamp; char tag; };\nint send_frame(const struct frame *f);\n')
  writeFileSync(join(root, 'pyproject.toml'), '[project]\nname = "wire"\n\n[tool.headerkit]\nwriters = ["ctypes", "cffi"]\n\n[[tool.headerkit.headers]]\npattern = "include/*.h"\n')
  return root
}

describe('cache populate --check (sysroot engine, headers cached, no Docker)', function () {
  this.timeout(180_000)
  let cache: string
  let root: string
  let store: string
  const request = (): Parameters<typeof populate>[0] => ({cwd: root, platforms: [PLATFORM], dockerImage: IMAGE, engine: 'sysroot', env: {...process.env, HEADERKIT_CACHE_DIR: cache, DOCKER_HOST: 'unix:///nonexistent/docker.sock'}})

  before(async function () {
    if (!existsSync(join(AARCH64_SYSROOT, 'include/stdio.h'))) this.skip()
    cache = seededCache()
    root = project()
    store = join(root, '.headerkit')
    const report = await populate(request())
    assert.equal(report.ok, true, JSON.stringify(report.jobs.map((j) => j.error)))
    assert.deepEqual(report.totals, {jobs: 1, present: 0, populated: 1, failed: 0, entriesNew: 1, outputsNew: 2})
  })

  it('passes the clean populated store, parsing every header again, and writes nothing', async () => {
    const before = treeHashes(store)
    const report = await populateCheck(request())
    assert.equal(report.ok, true, JSON.stringify(report.jobs.map((j) => [j.error, j.differences])))
    assert.deepEqual(report.jobs.map((j) => [j.label, j.engine, j.status, j.ir, j.outputs]), [
      [PLATFORM, 'sysroot', 'identical', {identical: 1, differing: 0, missing: 0, total: 1}, {identical: 2, differing: 0, missing: 0, total: 2}],
    ])
    assert.deepEqual(treeHashes(store), before)
  })

  it('cache verify --reproduce parses the populated entry again from the cached headers; without them it lists it', async () => {
    const found = await reproduceStore({store: openStore(store), projectRoot: root, mode: 'all', env: {...process.env, HEADERKIT_CACHE_DIR: cache}})
    assert.deepEqual([found.ir, found.differences], [{total: 1, identical: 1, failed: 0, notReparsed: 0}, []])
    const elsewhere = await reproduceStore({store: openStore(store), projectRoot: root, mode: 'all', env: {...process.env, HEADERKIT_CACHE_DIR: makeTempDir('headerkit-empty-cache-')}})
    assert.equal(elsewhere.ir.notReparsed, 1)
    assert.match(elsewhere.notReparsed[0]!.reason, /^platform headers of image example\.invalid\/manylinux-arm64@sha256:5{64} \(linux\/arm64\) not extracted here: run `headerkit cache populate --check`$/)
  })

  it('catches a doctored aarch64 IR entry whose outputs agree with it, naming the slug; the CLI exits 1 and writes nothing', async () => {
    const ir = entriesOf<IrMetadata>(store, 'ir')[0]!
    assert.equal(ir.metadata.target, 'aarch64-unknown-linux-gnu')
    const text = readFileSync(join(ir.dir, 'ir.json'), 'utf8')
    assert.ok(text.includes('"offset_bits": 64'))
    await rewritePayload(ir.dir, text.replace('"offset_bits": 64', '"offset_bits": 32'))
    await remakeOutputsOf(store, root, ir.metadata.cache_key)
    const before = treeHashes(store)

    const report = await populateCheck(request())
    assert.equal(report.ok, false)
    const job = report.jobs[0]!
    assert.equal(job.status, 'differs')
    assert.deepEqual(job.differences.map((d) => [d.code, d.layer, d.slug, d.writer]), [
      ['ir-differs', 'ir', ir.slug, null],
      ['output-differs', 'output/ctypes', entriesOf(store, 'output/ctypes')[0]!.slug, 'ctypes'],
      ['output-differs', 'output/cffi', entriesOf(store, 'output/cffi')[0]!.slug, 'cffi'],
    ])
    assert.match(job.differences[0]!.message, /^differs from this platform's parse: \$\.declarations\[\d+\]\.fields\[1\]\.offset_bits: stored 32, made 64$/)

    const env = {HEADERKIT_CACHE_DIR: cache, DOCKER_HOST: 'unix:///nonexistent/docker.sock'}
    const cli = await runCli(['cache', 'populate', '--check', '--platform', PLATFORM, '--docker-image', IMAGE, '--engine', 'sysroot'], {cwd: root, env})
    assert.equal(cli.exitCode, 1, cli.stdout + cli.stderr)
    assert.match(cli.stdout, /^linux\/arm64\s+differs\s+0\/1, 1 differ\s+0\/2, 2 differ/m)
    assert.match(cli.stdout, new RegExp(`^linux/arm64: ir/${ir.slug.replace(/[.]/g, '\\.')}: IR of include/wire\\.h \\(aarch64-unknown-linux-gnu\\): differs from this platform's parse: `, 'm'))
    assert.match(cli.stdout, /^FAILED: 0 platforms identical to the store, 1 differ, 0 failed, in .*; nothing was written$/m)
    const json = await runCli(['cache', 'populate', '--check', '--platform', PLATFORM, '--docker-image', IMAGE, '--engine', 'sysroot', '--json'], {cwd: root, env})
    assert.equal(json.exitCode, 1)
    assert.equal(parseJsonOutput<{jobs: {differences: unknown[]}[]}>(json).jobs[0]!.differences.length, 3)
    assert.deepEqual(treeHashes(store), before)
  })

  it('fails on a missing entry', async () => {
    rmSync(join(store, 'output/cffi'), {recursive: true})
    const report = await populateCheck(request())
    assert.deepEqual(report.jobs[0]!.differences.filter((d) => d.code.endsWith('missing')).map((d) => [d.code, d.writer]), [['output-missing', 'cffi']])
    assert.deepEqual(report.jobs[0]!.outputs, {identical: 0, differing: 1, missing: 1, total: 2})
  })
})
