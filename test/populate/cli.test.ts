/** `headerkit cache populate` through the real CLI: --dry-run, --json, and error exits. */
import assert from 'node:assert/strict'
import {cpSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseJsonOutput, runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import type {PopulatePlan} from '../../src/populate/plan.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/cibuildwheel/', import.meta.url))
/** Keep the developer's Docker and cibuildwheel settings out of the run. */
const CLEAN_ENV = {DOCKER_HOST: undefined, CIBW_ARCHS: undefined, CIBW_ARCHS_LINUX: undefined, CIBW_BUILD: undefined, CIBW_SKIP: undefined, CIBW_ENABLE: undefined, CIBW_PLATFORM: undefined, CIBW_PROJECT_REQUIRES_PYTHON: undefined}

describe('headerkit cache populate (CLI)', function () {
  before(function () {
    // cibuildwheel's default archs follow the host; the expectations below are for x86_64.
    if (process.arch !== 'x64') this.skip()
  })

  it('--dry-run prints the plan per job, then totals, and exits 0', async () => {
    const r = await runCli(['cache', 'populate', '--cibuildwheel', '--dry-run'], {cwd: join(FIXTURES, 'archs-list'), env: CLEAN_ENV})
    assert.equal(r.exitCode, 0, r.stderr)
    const out = r.stdout
    assert.match(out, /Job 1: linux\/amd64 \(manylinux, gnu\)/)
    assert.match(out, /triple: +x86_64-pc-linux-gnu/)
    assert.match(out, /Job 2: linux\/arm64 \(manylinux, gnu\)/)
    assert.match(out, /image: +quay\.io\/pypa\/manylinux_2_28_aarch64/)
    assert.match(out, /serves: +cp39-manylinux_aarch64, cp310-manylinux_aarch64/)
    assert.match(out, /include\/demo\.h -> libclang\.demo\.aarch64-linux-gnu/)
    assert.match(out, /Total: 2 jobs, 2 IR entries, 2 outputs, 18 cibuildwheel identifiers served/)
  })

  it('--dry-run --json prints the plan with stable field names', async () => {
    const r = await runCli(['cache', 'populate', '-w', 'json', 'include/demo.h', '-w', 'cffi', '--platform', 'linux/arm64:musl', '--platform', 'x86_64', '--python', '3.12', '--dry-run', '--json'], {cwd: join(FIXTURES, 'defaults'), env: CLEAN_ENV})
    assert.equal(r.exitCode, 0, r.stderr)
    const plan = parseJsonOutput<PopulatePlan>(r)
    assert.equal(plan.schemaVersion, 1)
    assert.deepEqual(plan.headers, ['include/demo.h'])
    assert.deepEqual(plan.writers, ['json', 'cffi'])
    assert.deepEqual(plan.jobs.map((j) => [j.dockerPlatform, j.libc, j.triple, j.image.reference, j.identifiers, j.entries.map((e) => e.slug)]), [
      ['linux/arm64', 'musl', 'aarch64-unknown-linux-musl', 'quay.io/pypa/musllinux_1_2_aarch64@sha256:1fa8dcacab5e13769abb36028f98bd2c0a1af4dbde492505f774d7f0ce01e87f', ['cp312-musllinux_aarch64'], ['libclang.demo.aarch64-linux-musl']],
      ['linux/amd64', 'gnu', 'x86_64-pc-linux-gnu', 'quay.io/pypa/manylinux_2_28_x86_64@sha256:012f4a50472412f18bb2b450c1cce7158434cfae4ae878591c2748a13a30c2be', ['cp312-manylinux_x86_64'], ['libclang.demo.x86_64-linux-gnu']],
    ])
    assert.deepEqual(plan.totals, {jobs: 2, identifiers: 2, irEntries: 2, outputs: 4})
  })

  it('with no Docker daemon at the endpoint: one line naming it and what to do, exit 1, nothing written', async () => {
    const dir = join(makeTempDir('headerkit-nodaemon-'), 'p')
    cpSync(join(FIXTURES, 'defaults'), dir, {recursive: true})
    const socket = join(dir, 'no-such-docker.sock')
    const r = await runCli(['cache', 'populate', '--cibuildwheel'], {cwd: dir, env: {...CLEAN_ENV, DOCKER_HOST: `unix://${socket}`}})
    assert.equal(r.exitCode, 1)
    const errors = r.stdout.split('\n').filter((l) => l.includes('cannot reach'))
    assert.equal(errors.length, 1, r.stdout)
    assert.match(errors[0]!, new RegExp(`^linux/amd64, linux/amd64:musl: cannot reach the Docker Engine at unix://${socket}: no daemon listening on ${socket} \\(start the Docker daemon`))
    assert.ok(!existsSync(join(dir, '.headerkit')), 'no store is created')
  })

  it('with --engine docker, refuses before any Docker call the platforms and images the in-container worker cannot run on', async () => {
    const dir = join(makeTempDir('headerkit-refuse-'), 'p')
    cpSync(join(FIXTURES, 'defaults'), dir, {recursive: true})
    // No daemon at this endpoint: a refusal that needed Docker would say "cannot reach" instead.
    const env = {...CLEAN_ENV, DOCKER_HOST: `unix://${join(dir, 'none.sock')}`}
    const s390x = await runCli(['cache', 'populate', '--platform', 'linux/s390x', '--engine', 'docker', '--json'], {cwd: dir, env})
    assert.equal(s390x.exitCode, 1)
    const job = (parseJsonOutput<{jobs: {error: {code: string; message: string; hint: string}}[]}>(s390x)).jobs[0]!
    assert.equal(job.error.code, 'E_ENGINE_REFUSED')
    assert.match(job.error.message, /the in-container worker cannot run on linux\/s390x: koffi has no prebuilt/)
    assert.match(job.error.hint, /--engine sysroot/)
    const m2014 = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--docker-image', 'manylinux2014', '--engine', 'docker', '--json'], {cwd: dir, env})
    assert.equal(m2014.exitCode, 1)
    const j2014 = (parseJsonOutput<{jobs: {error: {code: string; message: string}}[]}>(m2014)).jobs[0]!
    assert.equal(j2014.error.code, 'E_ENGINE_REFUSED')
    assert.match(j2014.error.message, /manylinux2014 .*glibc 2\.17/)
    assert.ok(!existsSync(join(dir, '.headerkit')))
  })

  it('the plan shows each job\'s engine and why: auto takes docker where its worker runs, sysroot elsewhere', async () => {
    const r = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--platform', 'linux/s390x', '--platform', 'linux/arm64:musl', '--dry-run', '--json'], {cwd: join(FIXTURES, 'defaults'), env: CLEAN_ENV})
    assert.equal(r.exitCode, 0, r.stderr)
    const plan = parseJsonOutput<{engine: string; jobs: {dockerPlatform: string; libc: string; engine: string; engineReason: string}[]}>(r)
    assert.equal(plan.engine, 'auto')
    assert.deepEqual(plan.jobs.map((j) => [j.dockerPlatform, j.libc, j.engine]), [['linux/amd64', 'gnu', 'docker'], ['linux/s390x', 'gnu', 'sysroot'], ['linux/arm64', 'musl', 'docker']])
    assert.match(plan.jobs[1]!.engineReason, /^auto: no in-container worker for linux\/s390x: koffi has no prebuilt/)
    const m2014 = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--docker-image', 'manylinux2014', '--dry-run'], {cwd: join(FIXTURES, 'defaults'), env: CLEAN_ENV})
    assert.match(m2014.stdout, /engine: {6}sysroot \(auto: no in-container worker for manylinux2014/)
    const forced = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--engine', 'sysroot', '--dry-run', '--json'], {cwd: join(FIXTURES, 'defaults'), env: CLEAN_ENV})
    assert.deepEqual(parseJsonOutput<{jobs: {engine: string; engineReason: string}[]}>(forced).jobs.map((j) => [j.engine, j.engineReason]), [['sysroot', '--engine sysroot']])
  })

  it('a build selector naming only a Python cibuildwheel 4.x dropped: --dry-run and a real run refuse alike, before any Docker call', async () => {
    const cwd = join(FIXTURES, 'dropped-python')
    const env = {...CLEAN_ENV, DOCKER_HOST: 'tcp://127.0.0.1:1'}
    const dry = await runCli(['cache', 'populate', '--cibuildwheel', '--dry-run'], {cwd, env})
    const real = await runCli(['cache', 'populate', '--cibuildwheel'], {cwd, env})
    for (const r of [dry, real]) {
      assert.equal(r.exitCode, 1)
      assert.match(r.stderr, /^Error: config error in .*dropped-python\/pyproject\.toml: Invalid build selector: 'cp38-\*'\. cibuildwheel 4\.x no longer supports Python < 3\.9\. Please use the 3\.x series or update `build`\./)
      assert.doesNotMatch(r.stderr + r.stdout, /cannot reach|127\.0\.0\.1/)
    }
    const env2 = await runCli(['cache', 'populate', '--cibuildwheel', '--dry-run'], {cwd: join(FIXTURES, 'defaults'), env: {...CLEAN_ENV, CIBW_BUILD: 'cp38-*'}})
    assert.equal(env2.exitCode, 2)
    assert.match(env2.stderr, /^Error: Invalid build selector: 'cp38-\*'\. .* \(from CIBW_BUILD\)/)
  })

  it('bad input is one error line and a non-zero exit', async () => {
    const unknown = await runCli(['cache', 'populate', '--platform', 'linux/sparc64', '--dry-run'], {cwd: join(FIXTURES, 'defaults'), env: CLEAN_ENV})
    assert.equal(unknown.exitCode, 2)
    assert.match(unknown.stderr.trim(), /^Error: unknown platform 'linux\/sparc64' \(from --platform\) \(use a Docker platform/)
    assert.equal(unknown.stderr.trim().split('\n').length, 1)

    const braces = await runCli(['cache', 'populate', '--cibuildwheel', '--dry-run'], {cwd: join(FIXTURES, 'bad-braces'), env: CLEAN_ENV})
    assert.equal(braces.exitCode, 1)
    assert.match(braces.stderr, /^Error: config error in .*bad-braces\/pyproject\.toml: .*unbalanced braces/)

    const missing = await runCli(['cache', 'populate', 'include/nope.h', '--platform', 'aarch64', '--dry-run'], {cwd: join(FIXTURES, 'defaults'), env: CLEAN_ENV})
    assert.equal(missing.exitCode, 1)
    assert.match(missing.stderr, /^Error: header not found: include\/nope\.h/)

    const writer = await runCli(['cache', 'populate', '-w', 'pascal', '--platform', 'aarch64', '--dry-run'], {cwd: join(FIXTURES, 'defaults'), env: CLEAN_ENV})
    assert.equal(writer.exitCode, 2)
    assert.match(writer.stderr, /^Error: unknown writer 'pascal' \(available writers: .*cffi.*json/)

    const json = await runCli(['cache', 'populate', '--python', '2.7', '--cibuildwheel', '--dry-run', '--json'], {cwd: join(FIXTURES, 'defaults'), env: CLEAN_ENV})
    assert.equal(json.exitCode, 2)
    const body = parseJsonOutput<{status: string; error: {code: string; message: string}}>(json)
    assert.equal(body.status, 'error')
    assert.match(body.error.message, /invalid Python version '2.7' \(from --python\)/)
  })
})
