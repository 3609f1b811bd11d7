/**
 * `headerkit cache populate` end to end, on a real Docker Engine with real QEMU: the
 * example populated for linux/amd64 and linux/arm64 from stand-in manylinux images, then
 * served natively without libclang, verified, not redone, and redone only where a header
 * changed. No container may outlive a test.
 */
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, type CliResult} from '../support/cli.js'
import type {PopulateReport} from '../../src/populate/report.js'
import {requireDocker, standinImages} from './support/images.js'
import {e2eEnv, e2eProject, leftoverContainers, reportOf, SOLO_HEADER} from './support/project.js'

const TRIPLES = {amd64: 'x86_64-pc-linux-gnu', arm64: 'aarch64-unknown-linux-gnu'}

interface Decl {kind: string; name?: string; value?: unknown; fields?: {name: string; type: {kind: string; name?: string; element?: {name?: string}}}[]}

function irOf(project: string, header: string, triple: string): {char_signed?: boolean; declarations: Decl[]} {
  const index = JSON.parse(readFileSync(join(project, '.headerkit/ir/index.json'), 'utf8')) as {entries: Record<string, unknown>}
  const stem = header.replace(/^include\//, '').replace(/\.h$/, '')
  const short = triple.replace(/-(pc|unknown)-/, '-')
  const slug = Object.keys(index.entries).find((s) => s.startsWith(`libclang.${stem}.${short}`))
  assert.ok(slug, `no IR entry for ${header} on ${triple} in ${Object.keys(index.entries).join(', ')}`)
  return JSON.parse(readFileSync(join(project, '.headerkit/ir', slug, 'ir.json'), 'utf8')) as {char_signed?: boolean; declarations: Decl[]}
}

async function populate(project: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(['cache', 'populate', '--json', ...args], {cwd: project, env: e2eEnv(env)})
}

describe('e2e: cache populate with the docker engine (amd64 + arm64 under QEMU)', function () {
  this.timeout(30 * 60_000)
  let project: string
  let first: PopulateReport

  before(async function () {
    await requireDocker()
    const images = await standinImages()
    project = e2eProject(images)
    const r = await populate(project)
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`)
    first = reportOf(r)
  })

  afterEach(async () => {
    assert.deepEqual(await leftoverContainers(), [], 'no headerkit container is left behind')
  })

  it('populates both platforms, one job each, every entry new, image and engine recorded', () => {
    assert.deepEqual(first.jobs.map((j) => [j.label, j.status, j.triple, j.entries, j.outputs.new]), [
      ['linux/amd64', 'populated', TRIPLES.amd64, {new: 2, present: 0, total: 2}, 4],
      ['linux/arm64', 'populated', TRIPLES.arm64, {new: 2, present: 0, total: 2}, 4],
    ])
    for (const j of first.jobs) {
      assert.match(j.image.id ?? '', /^sha256:[0-9a-f]{64}$/)
      assert.ok(j.phases.parse! > 0 && j.phases['worker-image'] !== undefined, JSON.stringify(j.phases))
    }
    assert.ok(first.jobs[1]!.phases.probe !== undefined, 'the foreign platform was probed')
    assert.equal(first.jobs[0]!.phases.probe, undefined, 'the native one was not')
    const meta = JSON.parse(readFileSync(join(project, '.headerkit/ir/index.json'), 'utf8')) as {entries: Record<string, unknown>}
    const armSlug = Object.keys(meta.entries).find((s) => s.includes('aarch64-linux-gnu'))!
    const provenance = (JSON.parse(readFileSync(join(project, '.headerkit/ir', armSlug, 'metadata.json'), 'utf8')) as {provenance: Record<string, string>}).provenance
    assert.equal(provenance.engine, 'docker')
    assert.equal(provenance.platform, 'linux/arm64')
    assert.equal(provenance.image, first.jobs[1]!.image.reference)
    assert.equal(provenance.image_digest, first.jobs[1]!.image.id)
  })

  it('parsed each platform for its own target: the aarch64 branch and unsigned plain char on arm64', () => {
    const arm = irOf(project, 'include/demo.h', TRIPLES.arm64)
    const x86 = irOf(project, 'include/demo.h', TRIPLES.amd64)
    assert.equal(arm.char_signed, false)
    assert.equal(x86.char_signed, true)
    const archName = (ir: typeof arm): unknown => ir.declarations.find((d) => d.name === 'DEMO_ARCH_NAME')?.value
    assert.equal(archName(arm), '"aarch64"')
    assert.equal(archName(x86), '"generic"')
    const lanes = (ir: typeof arm): unknown => JSON.stringify(ir.declarations.find((d) => d.kind === 'struct' && d.name === 'demo_vector')?.fields?.[0]?.type)
    assert.match(String(lanes(arm)), /uint64_t/)
    assert.match(String(lanes(x86)), /uint32_t/)
  })

  it('is served natively from the store for aarch64 with no libclang to load', async () => {
    const r = await runCli(['include/demo.h', '-w', 'cffi', '--target', TRIPLES.arm64], {cwd: project, env: {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so'}})
    assert.equal(r.exitCode, 0, r.stderr)
    const cdef = readFileSync(join(project, 'bindings/demo.cdef.txt'), 'utf8')
    assert.match(cdef, /uint64_t lanes\[2\]/)
    assert.doesNotMatch(cdef, /uint32_t lanes/)
  })

  it('leaves a store that cache verify accepts, fresh for both targets', async () => {
    const plain = await runCli(['cache', 'verify'], {cwd: project})
    assert.equal(plain.exitCode, 0, plain.stdout + plain.stderr)
    const sources = await runCli(['cache', 'verify', '--sources', '--target', TRIPLES.amd64, '--target', TRIPLES.arm64], {cwd: project})
    assert.equal(sources.exitCode, 0, sources.stdout + sources.stderr)
  })

  it('a second populate of unchanged sources needs no Docker at all: every entry present', async () => {
    // A daemon that does not exist: any Docker call would fail the run.
    const r = await populate(project, [], {DOCKER_HOST: 'unix:///nonexistent/docker.sock'})
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    const report = reportOf(r)
    assert.deepEqual(report.jobs.map((j) => [j.status, j.entries, Object.keys(j.phases)]), [
      ['present', {new: 0, present: 2, total: 2}, []],
      ['present', {new: 0, present: 2, total: 2}, []],
    ])
    assert.equal(report.merge, null)
  })

  it('after one header is edited, only that header is parsed again, on each platform', async () => {
    writeFileSync(join(project, SOLO_HEADER), '#ifndef SOLO_H\n#define SOLO_H\nlong solo_value(long x);\nint solo_other(void);\n#endif\n')
    const r = await populate(project)
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    const report = reportOf(r)
    assert.deepEqual(report.jobs.map((j) => [j.label, j.status, j.parsed, j.entries]), [
      ['linux/amd64', 'populated', [SOLO_HEADER], {new: 1, present: 1, total: 2}],
      ['linux/arm64', 'populated', [SOLO_HEADER], {new: 1, present: 1, total: 2}],
    ])
    const served = await runCli([SOLO_HEADER, '-w', 'cffi', '--target', TRIPLES.arm64], {cwd: project, env: {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so'}})
    assert.equal(served.exitCode, 0, served.stderr)
    assert.match(readFileSync(join(project, 'bindings/solo.cdef.txt'), 'utf8'), /solo_other/)
  })
})
