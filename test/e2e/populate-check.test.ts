/**
 * `cache populate --check` on a real Docker Engine: the example populated for linux/amd64
 * and linux/arm64 (QEMU) by the docker engine, then checked by both engines (docker: the
 * parse in the arm64 container; sysroot: the image's headers on the host). A clean store
 * passes and is left byte for byte as it was; an aarch64 IR entry doctored with its
 * outputs made again to agree (every integrity check passes) is caught by both engines,
 * named, and still nothing is written. `cache verify --reproduce` then parses the
 * populated entries again from the headers the sysroot check extracted.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {CheckReport} from '../../src/populate/check.js'
import {populate} from '../../src/populate/index.js'
import type {IrMetadata} from '../../src/store/metadata.js'
import type {ReproduceReport} from '../../src/verify/index.js'
import {type CliResult, parseJsonOutput, runCli} from '../support/cli.js'
import {treeHashes} from '../support/tree.js'
import {entriesOf, remakeOutputsOf, rewritePayload} from '../verify/support.js'
import {requireDocker, standinImages} from './support/images.js'
import {e2eEnv, e2eProject, leftoverContainers} from './support/project.js'

function checkOf(r: CliResult): CheckReport {
  return parseJsonOutput<CheckReport>(r)
}

describe('e2e: cache populate --check (docker and sysroot engines, arm64 under QEMU)', function () {
  this.timeout(30 * 60_000)
  let project: string
  let store: string

  const check = (engine: 'docker' | 'sysroot'): Promise<CliResult> => runCli(['cache', 'populate', '--check', '--engine', engine, '--json'], {cwd: project, env: e2eEnv()})

  before(async () => {
    await requireDocker()
    const images = await standinImages()
    project = e2eProject(images)
    store = join(project, '.headerkit')
    // In-process: a first run may build the worker images (minutes under QEMU), longer than a CLI run in the tests may take.
    const env: NodeJS.ProcessEnv = {...process.env, ...e2eEnv()}
    delete env.DOCKER_HOST
    const report = await populate({cwd: project, engine: 'docker', env})
    assert.equal(report.ok, true, JSON.stringify(report.jobs.map((j) => j.error)))
  })

  afterEach(async () => {
    assert.deepEqual(await leftoverContainers(), [], 'no headerkit container is left behind')
  })

  it('passes the clean populated store with either engine, re-parsing every header, and writes nothing', async () => {
    const before = treeHashes(store)
    for (const engine of ['docker', 'sysroot'] as const) {
      const r = await check(engine)
      assert.equal(r.exitCode, 0, `${engine}: ${r.stdout}\n${r.stderr}`)
      const report = checkOf(r)
      assert.deepEqual(report.jobs.map((j) => [j.label, j.engine, j.status, j.ir.identical, j.ir.total, j.outputs.identical, j.outputs.total]), [
        ['linux/amd64', engine, 'identical', 2, 2, 4, 4],
        ['linux/arm64', engine, 'identical', 2, 2, 4, 4],
      ])
      assert.deepEqual(treeHashes(store), before, `${engine}: the store is unchanged`)
    }
    // The sysroot check left the images' headers in the per-user cache (shared by the e2e runs): every populated entry can now be parsed again here.
    const v = await runCli(['cache', 'verify', '--reproduce', '--json'], {cwd: project, env: e2eEnv()})
    assert.equal(v.exitCode, 0, v.stdout + v.stderr)
    const reproduced = parseJsonOutput<{reproduce: ReproduceReport}>(v).reproduce
    assert.deepEqual(reproduced.ir, {total: 4, identical: 4, failed: 0, notReparsed: 0})
    assert.deepEqual(treeHashes(store), before)
  })

  it('catches a doctored aarch64 entry whose outputs agree with it, with both engines, naming the slug', async () => {
    const arm = entriesOf<IrMetadata>(store, 'ir').find((e) => e.metadata.target === 'aarch64-unknown-linux-gnu' && e.metadata.header_path === 'include/demo.h')!
    const text = readFileSync(join(arm.dir, 'ir.json'), 'utf8')
    assert.ok(text.includes('"char_signed": false'), 'aarch64 char is unsigned')
    await rewritePayload(arm.dir, text.replace('"char_signed": false', '"char_signed": true'))
    await remakeOutputsOf(store, project, arm.metadata.cache_key)
    const before = treeHashes(store)
    assert.equal((await runCli(['cache', 'verify'], {cwd: project})).exitCode, 0, 'every integrity check passes the doctored store')

    for (const engine of ['docker', 'sysroot'] as const) {
      const r = await check(engine)
      assert.equal(r.exitCode, 1, `${engine}: ${r.stdout}\n${r.stderr}`)
      const report = checkOf(r)
      assert.deepEqual(report.jobs.map((j) => [j.label, j.status]), [['linux/amd64', 'identical'], ['linux/arm64', 'differs']])
      const d = report.jobs[1]!.differences.find((x) => x.layer === 'ir')!
      assert.deepEqual([d.code, d.slug, d.header], ['ir-differs', arm.slug, 'include/demo.h'])
      assert.match(d.message, /\$\.char_signed: stored true, made false/)
      assert.deepEqual(treeHashes(store), before, `${engine}: the store is unchanged`)
    }
    const v = await runCli(['cache', 'verify', '--reproduce'], {cwd: project, env: e2eEnv()})
    assert.equal(v.exitCode, 1)
    assert.match(v.stdout, new RegExp(`^error {3}ir/${arm.slug.replace(/[.]/g, '\\.')}: ir-differs: IR of include/demo\\.h \\(aarch64-unknown-linux-gnu\\): differs from a parse here against the cached headers of `, 'm'))
  })
})
