/**
 * Populate's faults, produced for real: a stopped daemon, a job past its timeout,
 * emulation switched off, a worker recipe that fails, a worker that prints garbage or
 * too much, SIGINT in the middle of a run, and a damaged staging store. Each ends in a
 * clear error and a non-zero exit, the store intact, and no container left behind.
 */
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import {requireDocker, standinImages, type StandinImages} from './support/images.js'
import {e2eEnv, e2eProject, leftoverContainers, reportOf, treeHashes} from './support/project.js'
import {startSecondDaemon} from './support/second-daemon.js'
import {brokenAptImage, misbehavingNodeImage} from './support/variants.js'

const BINFMT_ARM64 = '/proc/sys/fs/binfmt_misc/qemu-aarch64'
const DEV_BIN = fileURLToPath(new URL('../../bin/dev.js', import.meta.url))

/** A header whose aarch64 branch keeps the preprocessor busy for many seconds under QEMU (2^23 macro tokens). */
function addSlowHeader(project: string): void {
  // Everything inside the aarch64 branch: elsewhere neither clang nor headerkit's macro
  // evaluation sees the macros (a skipped group is not expanded).
  const lines = ['#ifndef SLOW_H', '#define SLOW_H', '#if defined(__aarch64__)', '#define SLOW0 0 +']
  for (let i = 1; i <= 23; i++) lines.push(`#define SLOW${i} SLOW${i - 1} SLOW${i - 1}`)
  lines.push('#if SLOW23 0', 'int slow_never;', '#endif', '#endif', 'int slow_value(void);', '#endif', '')
  writeFileSync(join(project, 'include/slow.h'), lines.join('\n'))
}

/** Waits until a running CLI has printed `marker`, then a little longer for its container to start. */
async function untilOutput(child: {all: NodeJS.ReadableStream}, marker: string): Promise<void> {
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never printed ${JSON.stringify(marker)}:\n${output}`)), 10 * 60_000)
    child.all.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(marker)) {
        clearTimeout(timer)
        setTimeout(resolve, 3000)
      }
    })
  })
}

describe('e2e: populate faults', function () {
  this.timeout(30 * 60_000)
  let images: StandinImages

  before(async () => {
    await requireDocker()
    images = await standinImages()
  })

  afterEach(async () => {
    assert.deepEqual(await leftoverContainers(), [], 'no headerkit container is left behind')
  })

  it('a stopped daemon: one clear line naming the endpoint, exit 1, the store untouched', async () => {
    const project = e2eProject(images)
    const seeded = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--json'], {cwd: project, env: e2eEnv()})
    assert.equal(seeded.exitCode, 0, seeded.stdout + seeded.stderr)
    writeFileSync(join(project, 'include/solo.h'), 'int solo_changed(void);\n') // so the run has work to do
    const before = treeHashes(join(project, '.headerkit'))
    const daemon = await startSecondDaemon({images: []})
    await daemon.stop()
    const r = await runCli(['cache', 'populate', '--platform', 'linux/amd64'], {cwd: project, env: e2eEnv({DOCKER_HOST: daemon.host})})
    assert.equal(r.exitCode, 1)
    const socket = daemon.host.replace('unix://', '')
    const lines = r.stdout.split('\n').filter((l) => l.includes('cannot reach'))
    assert.deepEqual(lines.length, 1, r.stdout)
    assert.match(lines[0]!, new RegExp(`^linux/amd64: cannot reach the Docker Engine at ${daemon.host}: no daemon listening on ${socket} \\(start the Docker daemon`))
    assert.deepEqual(treeHashes(join(project, '.headerkit')), before)
  })

  it('an image that cannot be pulled (no registry reachable here): one line saying what to do, nothing written', async () => {
    const project = e2eProject(images)
    const r = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--docker-image', 'manylinux_2_28', '--json'], {cwd: project, env: e2eEnv()})
    assert.equal(r.exitCode, 1, r.stdout + r.stderr)
    const error = reportOf(r).jobs[0]!.error!
    assert.equal(error.code, 'E_IMAGE_PULL')
    assert.match(error.message, /^cannot pull quay\.io\/pypa\/manylinux_2_28_x86_64@sha256:012f4a50472412f18bb2b450c1cce7158434cfae4ae878591c2748a13a30c2be for linux\/amd64 on unix:\/\/\/var\/run\/docker\.sock: /)
    assert.match(error.hint ?? '', /docker login|load the image/)
    assert.ok(!existsSync(join(project, '.headerkit')))
  })

  it('a job past --timeout is killed and removed; the other platform is still merged; exit 1', async () => {
    const project = e2eProject(images)
    addSlowHeader(project)
    const r = await runCli(['cache', 'populate', 'include/slow.h', '--timeout', '8', '--json'], {cwd: project, env: e2eEnv()})
    assert.equal(r.exitCode, 1, r.stdout + r.stderr)
    const report = reportOf(r)
    assert.deepEqual(report.jobs.map((j) => [j.label, j.status, j.error?.code ?? null]), [['linux/amd64', 'populated', null], ['linux/arm64', 'failed', 'E_TIMEOUT']])
    assert.match(report.jobs[1]!.error!.message, /did not finish within 8 s; it was killed and removed/)
    assert.equal(report.merge?.new, 3, 'the amd64 IR and its cffi and json outputs are merged')
    const index = JSON.parse(readFileSync(join(project, '.headerkit/ir/index.json'), 'utf8')) as {entries: Record<string, unknown>}
    assert.deepEqual(Object.keys(index.entries).map((s) => s.split('.')[2]), ['x86_64-linux-gnu'])
  })

  it('arm64 emulation switched off: advice on registering QEMU, no hang, amd64 still done', async function () {
    if (!existsSync(BINFMT_ARM64)) throw new Error(`${BINFMT_ARM64} is missing: scripts/docker-setup.sh registers it`)
    const project = e2eProject(images)
    writeFileSync(BINFMT_ARM64, '0')
    let r
    try {
      r = await runCli(['cache', 'populate', '--json'], {cwd: project, env: e2eEnv()})
    } finally {
      writeFileSync(BINFMT_ARM64, '1')
    }
    assert.equal(r.exitCode, 1, r.stdout + r.stderr)
    const report = reportOf(r)
    assert.deepEqual(report.jobs.map((j) => [j.label, j.status, j.error?.code ?? null]), [['linux/amd64', 'populated', null], ['linux/arm64', 'failed', 'E_NO_EMULATION']])
    const arm = report.jobs[1]!.error!
    assert.match(arm.message, /^linux\/arm64 containers cannot run on the Docker host at unix:\/\/\/var\/run\/docker.sock: exec format error/)
    assert.match(arm.hint ?? '', /apt-get install qemu-user-static binfmt-support/)
    assert.match(arm.hint ?? '', /tonistiigi\/binfmt --install arm64/)
    assert.match(readFileSync(BINFMT_ARM64, 'utf8'), /^enabled/, 'emulation is restored')
  })

  it('a worker recipe that fails to build: one error with the end of the build log', async () => {
    const base = await brokenAptImage(images.amd64)
    const project = e2eProject(images)
    const r = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--docker-image', base], {cwd: project, env: e2eEnv()})
    assert.equal(r.exitCode, 1, r.stdout + r.stderr)
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('linux/amd64: '))
    assert.equal(lines.length, 1, r.stdout)
    assert.match(lines[0]!, /building the debian worker image for linux\/amd64 from headerkit-standin\/broken-apt:\w+ failed: .*\(the recipe is images\/debian\/Dockerfile; the build log ends: .*no libclang1-N with libclang-common-N-dev in this image's apt sources/)
    assert.ok(!existsSync(join(project, '.headerkit')), 'nothing was written')
  })

  it('a worker that prints garbage, or more than the limit: refused, nothing stored', async () => {
    const base = await misbehavingNodeImage(images.amd64)
    const project = e2eProject(images)
    const garbage = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--docker-image', base, '--json'], {cwd: project, env: e2eEnv()})
    assert.equal(garbage.exitCode, 1, garbage.stdout + garbage.stderr)
    const g = reportOf(garbage).jobs[0]!.error!
    assert.equal(g.code, 'E_WORKER_OUTPUT')
    assert.match(g.message, /the linux\/amd64 worker's answer was refused: it is not JSON \(starts with "Segmentation fault/)

    writeFileSync(join(project, 'include/flood.h'), 'int flood(void);\n')
    const flood = await runCli(['cache', 'populate', 'include/flood.h', '--platform', 'linux/amd64', '--docker-image', base, '--json'], {cwd: project, env: e2eEnv()})
    assert.equal(flood.exitCode, 1, flood.stdout + flood.stderr)
    const f = reportOf(flood).jobs[0]!.error!
    assert.equal(f.code, 'E_WORKER_OUTPUT')
    assert.match(f.message, /printed more than 128 MiB; refused and killed/)
    assert.ok(!existsSync(join(project, '.headerkit')), 'nothing was written')
  })

  it('SIGINT in the middle of a run: exit 130, no containers left, the store still verifies', async () => {
    const project = e2eProject(images)
    const seeded = await runCli(['cache', 'populate', '--platform', 'linux/amd64'], {cwd: project, env: e2eEnv()})
    assert.equal(seeded.exitCode, 0, seeded.stdout + seeded.stderr)
    addSlowHeader(project)
    const before = treeHashes(join(project, '.headerkit'))
    const child = execa(process.execPath, ['--import', import.meta.resolve('tsx'), '--no-warnings', DEV_BIN, 'cache', 'populate', 'include/slow.h', '--platform', 'linux/arm64'], {cwd: project, env: {...process.env, CI: '1', NO_COLOR: '1'}, reject: false, all: true})
    await untilOutput(child, 'linux/arm64: parse')
    child.kill('SIGINT')
    const r = await child
    assert.equal(r.exitCode, 130, r.all)
    assert.match(r.all ?? '', /populate was interrupted; containers in flight were removed/)
    assert.deepEqual(treeHashes(join(project, '.headerkit')), before, 'nothing of the run was merged')
    const verify = await runCli(['cache', 'verify'], {cwd: project})
    assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr)
  })

  it('SIGKILL mid-run leaves its container; the next run on that engine removes it', async () => {
    const project = e2eProject(images)
    addSlowHeader(project)
    const child = execa(process.execPath, ['--import', import.meta.resolve('tsx'), '--no-warnings', DEV_BIN, 'cache', 'populate', 'include/slow.h', '--platform', 'linux/arm64'], {cwd: project, env: {...process.env, CI: '1', NO_COLOR: '1'}, reject: false, all: true})
    await untilOutput(child, 'linux/arm64: parse')
    child.kill('SIGKILL')
    await child
    assert.ok((await leftoverContainers()).length >= 1, 'a killed run cannot remove its container')
    const next = await runCli(['cache', 'populate', 'include/solo.h', '--platform', 'linux/arm64'], {cwd: project, env: e2eEnv()})
    assert.equal(next.exitCode, 0, next.stdout + next.stderr)
    assert.match(next.stderr, /Warning: removed 1 container left on unix:\/\/\/var\/run\/docker.sock by a headerkit run that was killed/)
  })

  it('--keep-staging keeps each platform\'s store; a damaged one is refused by store merge', async () => {
    const project = e2eProject(images)
    const staging = makeTempDir('headerkit-staging-e2e-')
    const r = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--keep-staging', staging, '--json'], {cwd: project, env: e2eEnv()})
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    assert.deepEqual(readdirSync(staging), ['linux-amd64'])
    assert.equal(reportOf(r).jobs[0]!.staging, join(staging, 'linux-amd64'))
    const irDir = join(staging, 'linux-amd64/ir')
    const entry = readdirSync(irDir).find((n) => n !== 'index.json')!
    appendFileSync(join(irDir, entry, 'ir.json'), ' ')
    const target = join(makeTempDir('headerkit-merge-target-'), 'store')
    const merged = await runCli(['store', 'merge', join(staging, 'linux-amd64'), '-o', target], {cwd: project})
    assert.notEqual(merged.exitCode, 0, merged.stdout + merged.stderr)
    assert.match(merged.stdout + merged.stderr, new RegExp(entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    assert.ok(!existsSync(join(target, 'ir', entry)), 'the damaged entry was not copied')
  })
})
