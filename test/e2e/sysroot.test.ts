/**
 * The sysroot engine on a real Docker Engine: headers copied out of the stand-in images,
 * parsed on the host. Its IR is byte-identical to the docker engine's; arm64 needs no
 * QEMU at all; a hostile image cannot make the parse see a host header; and a second run
 * reuses the extracted headers.
 */
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import {requireDocker, standinImages, type StandinImages} from './support/images.js'
import {e2eEnv, e2eProject, leftoverContainers, reportOf} from './support/project.js'
import {variantImage} from './support/variants.js'

const BINFMT_ARM64 = '/proc/sys/fs/binfmt_misc/qemu-aarch64'

function irFiles(store: string): Record<string, string> {
  const dir = join(store, 'ir')
  return Object.fromEntries(readdirSync(dir).filter((n) => n !== 'index.json' && !n.startsWith('.')).map((slug) => [slug, readFileSync(join(dir, slug, 'ir.json'), 'utf8')]))
}

describe('e2e: the sysroot engine', function () {
  this.timeout(30 * 60_000)
  let images: StandinImages
  let cache: string

  before(async () => {
    await requireDocker()
    images = await standinImages()
    cache = makeTempDir('headerkit-sysroot-cache-')
  })

  afterEach(async () => {
    assert.deepEqual(await leftoverContainers(), [], 'no headerkit container is left behind')
  })

  it('writes byte-for-byte the IR the docker engine writes, for every entry of the example', async () => {
    const project = e2eProject(images)
    const docker = await runCli(['cache', 'populate', '--engine', 'docker', '--store-dir', 'by-docker'], {cwd: project, env: e2eEnv()})
    assert.equal(docker.exitCode, 0, docker.stdout + docker.stderr)
    const sysroot = await runCli(['cache', 'populate', '--engine', 'sysroot', '--store-dir', 'by-sysroot', '--json'], {cwd: project, env: e2eEnv({HEADERKIT_CACHE_DIR: cache})})
    assert.equal(sysroot.exitCode, 0, sysroot.stdout + sysroot.stderr)
    const report = reportOf(sysroot)
    assert.deepEqual(report.jobs.map((j) => [j.label, j.engine, j.status]), [['linux/amd64', 'sysroot', 'populated'], ['linux/arm64', 'sysroot', 'populated']])
    assert.ok(report.jobs.every((j) => j.phases.extract !== undefined && j.phases.probe === undefined && j.phases['worker-image'] === undefined))
    const a = irFiles(join(project, 'by-docker'))
    const b = irFiles(join(project, 'by-sysroot'))
    assert.equal(Object.keys(a).length, 4)
    assert.deepEqual(b, a)
    const armSlug = Object.keys(b).find((s) => s.includes('aarch64'))!
    const meta = JSON.parse(readFileSync(join(project, 'by-sysroot/ir', armSlug, 'metadata.json'), 'utf8')) as {provenance: Record<string, string>}
    assert.equal(meta.provenance.engine, 'sysroot')
    assert.equal(meta.provenance.image, images.arm64)
    // The worker image installs the libclang the host's lookup prefers (19, from bookworm's point release).
    const libclang = (store: string): string[] => Object.keys(a).map((slug) => (JSON.parse(readFileSync(join(project, store, 'ir', slug, 'metadata.json'), 'utf8')) as {provenance: {libclang_version: string}}).provenance.libclang_version)
    assert.deepEqual(libclang('by-docker'), libclang('by-sysroot'))
    assert.match(libclang('by-docker')[0]!, /clang version 19\./)
  })

  it('needs no QEMU: arm64 with its binfmt handler switched off, headers reused from the cache', async () => {
    const project = e2eProject(images)
    writeFileSync(BINFMT_ARM64, '0')
    let r
    try {
      r = await runCli(['cache', 'populate', '--platform', 'linux/arm64', '--engine', 'sysroot', '--json'], {cwd: project, env: e2eEnv({HEADERKIT_CACHE_DIR: cache})})
    } finally {
      writeFileSync(BINFMT_ARM64, '1')
    }
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    const job = reportOf(r).jobs[0]!
    assert.equal(job.status, 'populated')
    assert.equal(job.phases.extract, undefined, 'the extracted headers of the first test were reused')
    const served = await runCli(['include/demo.h', '-w', 'cffi', '--target', 'aarch64-unknown-linux-gnu'], {cwd: project, env: {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so'}})
    assert.equal(served.exitCode, 0, served.stderr)
  })

  it('a hostile image: links out of the sysroot, a FIFO and a huge file are not extracted, and no host header is ever parsed', async () => {
    const hostile = await variantImage(images.amd64, 'hostile-headers', 'linux/amd64', {}, [
      'RUN ln -s /etc /usr/include/evil && ln -s ../../../../../etc /usr/include/up && mkfifo /usr/include/pipe.h && head -c 80000000 /dev/zero > /usr/include/huge.h',
    ])
    const project = e2eProject(images)
    // /etc/hostname exists on the host; through either link it would be the host's.
    writeFileSync(join(project, 'include/sneaky.h'), '#include <evil/hostname>\nint sneaky(void);\n')
    const r = await runCli(['cache', 'populate', 'include/sneaky.h', '--platform', 'linux/amd64', '--engine', 'sysroot', '--docker-image', hostile, '--json'], {cwd: project, env: e2eEnv({HEADERKIT_CACHE_DIR: cache})})
    assert.equal(r.exitCode, 1, r.stdout + r.stderr)
    const job = reportOf(r).jobs[0]!
    assert.equal(job.error?.code, 'E_PARSE')
    assert.match(job.error.message, /'evil\/hostname' file not found/)
    assert.match(r.stderr, /entries of its headers not extracted \(.*usr\/include\/pipe\.h: a fifo entry/)
    assert.match(r.stderr, /usr\/include\/huge\.h: larger than/)
    assert.match(r.stderr, /usr\/include\/up: link to \.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc leaves the sysroot/)
    assert.ok(!existsSync(join(project, '.headerkit/ir')), 'nothing stored')
  })
})
