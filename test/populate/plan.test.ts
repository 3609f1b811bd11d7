/**
 * The populate plan for real fixture projects (fixtures/cibuildwheel/<case>/pyproject.toml),
 * read through the real config loader and header resolution, against exact expectations.
 */
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {loadConfigFile, readTomlFile} from '../../src/config/index.js'
import {ConfigError, UsageError} from '../../src/errors.js'
import {resolveHeaders} from '../../src/generate/inputs.js'
import {parsePlatformSpec, planPopulate, type PopulateFlags, type PopulatePlan} from '../../src/populate/plan.js'
import type {LinuxArch} from '../../src/target/platforms.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/cibuildwheel/', import.meta.url))
const CP = ['cp39', 'cp310', 'cp311', 'cp312', 'cp313', 'cp314', 'cp314t', 'cp315', 'cp315t']
const ids = (tags: string[], platformTag: string): string[] => tags.map((t) => `${t}-${platformTag}`)
// cibuildwheel 4.2.0's pins (pinned_docker_images.cfg at the v4.2.0 tag), written out so a changed table fails here.
const PINS: Record<string, string> = {
  manylinux_2_28_aarch64: 'sha256:52e4da6e9348db7cd0b529a827623b62b7c1fe867ba515ae752fa13d41f7f46e',
  manylinux_2_28_i686: 'sha256:605a71b7fa720562ad76147860e33d97b2a884ca9d5a454b2f7f353caec40ded',
  manylinux_2_28_ppc64le: 'sha256:ad99a0b35b8820b0ccd1d117e23097da224df11c98f19e2783735d5b7e717526',
  manylinux_2_28_s390x: 'sha256:43b1c58ab1a37f3bf45d65026c968be18f2a4dddd4f923291d1122b3e42380da',
  manylinux_2_28_x86_64: 'sha256:012f4a50472412f18bb2b450c1cce7158434cfae4ae878591c2748a13a30c2be',
  manylinux_2_31_armv7l: 'sha256:bbd7f67c0fc2a9541ed462a41bd9abbfa696801483533ba44ec5fe3120e8cda6',
  manylinux_2_34_aarch64: 'sha256:86585a1adfa6cdb4e3aea2f5bf11d6fffa37acf17aa902605d7237c55d3c88ce',
  manylinux_2_34_x86_64: 'sha256:db817cd4c670f1191d74db6a94a0b115954af78861db7da660de4e93ebf2984c',
  manylinux_2_39_riscv64: 'sha256:41197d59628c256b0fde14a5dd5bb306e17665c515a8385e43cc72c1da1d7866',
  musllinux_1_2_aarch64: 'sha256:1fa8dcacab5e13769abb36028f98bd2c0a1af4dbde492505f774d7f0ce01e87f',
  musllinux_1_2_armv7l: 'sha256:fd4998e62ec4476d76d7b180b523e21ac7557d7f41f1b1e7d02ced21a3eee8b5',
  musllinux_1_2_i686: 'sha256:2ccf31ab3685cf8952f2d9251f79a29c7ffcb663bbc58c10b2317a15a86ac96d',
  musllinux_1_2_ppc64le: 'sha256:0acbe90fc63807d3ce52249d1d21e5625fe105aee7f3de60583b8485d82401c8',
  musllinux_1_2_riscv64: 'sha256:aaf12357d794dc375e797dce7fd71e92013bc46f269bc4cffe4da1f188080afb',
  musllinux_1_2_s390x: 'sha256:aec126e37ce315e724217342bb62533cbfeae88b4ed5aa2a8bfd5ee4a4a1ca77',
  musllinux_1_2_x86_64: 'sha256:f130bd3e3aebb39abcdec28a89f987f0d31b52d74bac5852318303698e9a5033',
}
const pypa = (name: string): string => `quay.io/pypa/${name}@${PINS[name]}`

interface Options {
  flags?: PopulateFlags
  env?: Record<string, string>
  host?: LinuxArch
}

async function planFor(name: string, o: Options = {}): Promise<PopulatePlan> {
  const root = join(FIXTURES, name)
  const file = join(root, 'pyproject.toml')
  const {loaded} = await loadConfigFile(file, {env: {}})
  const headers = resolveHeaders({patterns: [], projectRoot: root, cwd: root, fromConfig: loaded.config.headers}).headers
  return planPopulate({
    flags: {cibuildwheel: true, ...o.flags},
    config: loaded.config,
    configFile: file,
    pyproject: await readTomlFile(file),
    pyprojectFile: file,
    env: o.env ?? {},
    host: {native: o.host ?? 'x86_64'},
    projectRoot: root,
    cwd: root,
    headers,
    storeDir: join(root, '.headerkit'),
    cpus: 2,
  })
}

/** The parts of each job a reader checks: platform (with libc), triple, image, identifiers. */
function jobs(plan: PopulatePlan): Array<[string, string, string, string[]]> {
  return plan.jobs.map((j) => [j.libc === 'musl' ? `${j.dockerPlatform}:musl` : j.dockerPlatform, j.triple, j.image.reference, j.identifiers])
}

describe('populate plan from cibuildwheel fixtures', () => {
  it('defaults on an x86_64 host: native arch only, manylinux and musllinux, one job each', async () => {
    const plan = await planFor('defaults')
    assert.deepEqual(jobs(plan), [
      ['linux/amd64', 'x86_64-pc-linux-gnu', pypa('manylinux_2_28_x86_64'), ids(CP, 'manylinux_x86_64')],
      ['linux/amd64:musl', 'x86_64-pc-linux-musl', pypa('musllinux_1_2_x86_64'), ids(CP, 'musllinux_x86_64')],
    ])
    assert.equal(plan.platformSource, 'cibuildwheel')
    assert.deepEqual(plan.cibuildwheel, {release: '4.2.0', archs: ['x86_64'], build: '*', skip: '', enable: [], requiresPython: null, identifiers: 18})
    // One IR entry per job, never one per Python version.
    assert.deepEqual(plan.jobs.map((j) => j.entries.map((e) => [e.header, e.slug])), [
      [['include/demo.h', 'libclang.demo.x86_64-linux-gnu']],
      [['include/demo.h', 'libclang.demo.x86_64-linux-musl']],
    ])
    assert.deepEqual(plan.totals, {jobs: 2, identifiers: 18, irEntries: 2, outputs: 2})
    assert.deepEqual(plan.writers, ['cffi'])
  })

  it('defaults on an aarch64 host follow the native arch', async () => {
    const plan = await planFor('defaults', {host: 'aarch64'})
    assert.deepEqual(jobs(plan).map((j) => [j[0], j[1], j[2]]), [
      ['linux/arm64', 'aarch64-unknown-linux-gnu', pypa('manylinux_2_28_aarch64')],
      ['linux/arm64:musl', 'aarch64-unknown-linux-musl', pypa('musllinux_1_2_aarch64')],
    ])
  })

  it('archs = "all": fourteen jobs with each arch\'s default image and native triple', async () => {
    const plan = await planFor('archs-all')
    assert.deepEqual(jobs(plan).map((j) => [j[0], j[1], j[2], j[3].length]), [
      ['linux/amd64', 'x86_64-pc-linux-gnu', pypa('manylinux_2_28_x86_64'), 9],
      ['linux/amd64:musl', 'x86_64-pc-linux-musl', pypa('musllinux_1_2_x86_64'), 9],
      ['linux/386', 'i686-pc-linux-gnu', pypa('manylinux_2_28_i686'), 9],
      ['linux/386:musl', 'i686-pc-linux-musl', pypa('musllinux_1_2_i686'), 9],
      ['linux/arm64', 'aarch64-unknown-linux-gnu', pypa('manylinux_2_28_aarch64'), 9],
      ['linux/arm64:musl', 'aarch64-unknown-linux-musl', pypa('musllinux_1_2_aarch64'), 9],
      ['linux/ppc64le', 'powerpc64le-unknown-linux-gnu', pypa('manylinux_2_28_ppc64le'), 9],
      ['linux/ppc64le:musl', 'powerpc64le-unknown-linux-musl', pypa('musllinux_1_2_ppc64le'), 9],
      ['linux/s390x', 's390x-ibm-linux-gnu', pypa('manylinux_2_28_s390x'), 9],
      ['linux/s390x:musl', 's390x-ibm-linux-musl', pypa('musllinux_1_2_s390x'), 9],
      ['linux/arm/v7', 'armv7l-unknown-linux-gnueabihf', pypa('manylinux_2_31_armv7l'), 9],
      ['linux/arm/v7:musl', 'armv7l-unknown-linux-musleabihf', pypa('musllinux_1_2_armv7l'), 9],
      ['linux/riscv64', 'riscv64-unknown-linux-gnu', pypa('manylinux_2_39_riscv64'), 9],
      ['linux/riscv64:musl', 'riscv64-unknown-linux-musl', pypa('musllinux_1_2_riscv64'), 9],
    ])
  })

  it('archs = ["x86_64", "aarch64"] with musllinux skipped', async () => {
    const plan = await planFor('archs-list')
    assert.deepEqual(jobs(plan), [
      ['linux/amd64', 'x86_64-pc-linux-gnu', pypa('manylinux_2_28_x86_64'), ids(CP, 'manylinux_x86_64')],
      ['linux/arm64', 'aarch64-unknown-linux-gnu', pypa('manylinux_2_28_aarch64'), ids(CP, 'manylinux_aarch64')],
    ])
  })

  it('build = "cp3{11,12}-*" (brace expansion)', async () => {
    const plan = await planFor('build-braces')
    assert.deepEqual(jobs(plan), [
      ['linux/amd64', 'x86_64-pc-linux-gnu', pypa('manylinux_2_28_x86_64'), ids(['cp311', 'cp312'], 'manylinux_x86_64')],
      ['linux/amd64:musl', 'x86_64-pc-linux-musl', pypa('musllinux_1_2_x86_64'), ids(['cp311', 'cp312'], 'musllinux_x86_64')],
    ])
  })

  it('skip as a list: musllinux and two archs', async () => {
    const plan = await planFor('skip-arch')
    assert.deepEqual(jobs(plan).map((j) => j[0]), ['linux/amd64', 'linux/386', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64'])
  })

  it('free-threaded and PyPy identifiers (enable = ["pypy"] lets pp311 through, not the end-of-life pp39/pp310)', async () => {
    const plan = await planFor('freethreaded-pypy')
    assert.deepEqual(jobs(plan).map((j) => [j[0], j[3]]), [
      ['linux/amd64', ['cp314t-manylinux_x86_64', 'pp311-manylinux_x86_64']],
      ['linux/amd64:musl', ['cp314t-musllinux_x86_64']],
      ['linux/386', ['cp314t-manylinux_i686', 'pp311-manylinux_i686']],
      ['linux/386:musl', ['cp314t-musllinux_i686']],
    ])
  })

  it('enable groups, and CIBW_ENABLE adds to them', async () => {
    assert.deepEqual(jobs(await planFor('enable')).map((j) => [j[0], j[3]]), [
      ['linux/amd64', ['pp39-manylinux_x86_64', 'pp310-manylinux_x86_64', 'gp312_250-manylinux_x86_64']],
    ])
    const plan = await planFor('enable', {env: {CIBW_ENABLE: 'pypy'}})
    assert.deepEqual(plan.cibuildwheel?.enable, ['graalpy', 'pypy', 'pypy-eol'])
    assert.deepEqual(jobs(plan)[0]![3], ['pp39-manylinux_x86_64', 'pp310-manylinux_x86_64', 'pp311-manylinux_x86_64', 'gp312_250-manylinux_x86_64'])
  })

  it('requires-python, and CIBW_PROJECT_REQUIRES_PYTHON over it', async () => {
    const plan = await planFor('requires-python')
    assert.deepEqual(jobs(plan)[0]![3], ids(['cp312', 'cp313', 'cp314', 'cp314t', 'cp315', 'cp315t'], 'manylinux_x86_64'))
    assert.equal(plan.cibuildwheel?.requiresPython, '>=3.12')
    const env = await planFor('requires-python', {env: {CIBW_PROJECT_REQUIRES_PYTHON: '>=3.14'}})
    assert.deepEqual(jobs(env)[0]![3], ids(['cp314', 'cp314t', 'cp315', 'cp315t'], 'manylinux_x86_64'))
  })

  it('an override that changes the image splits the platform into two jobs; archs in an override is ignored', async () => {
    const plan = await planFor('overrides-image')
    assert.deepEqual(jobs(plan), [
      ['linux/amd64', 'x86_64-pc-linux-gnu', pypa('manylinux_2_28_x86_64'), ids(['cp39', 'cp310', 'cp311', 'cp312', 'cp313'], 'manylinux_x86_64')],
      ['linux/amd64', 'x86_64-pc-linux-gnu', pypa('manylinux_2_34_x86_64'), ids(['cp314', 'cp314t', 'cp315', 'cp315t'], 'manylinux_x86_64')],
    ])
    assert.equal(plan.jobs[1]!.image.source, 'cibuildwheel')
    assert.match(plan.jobs[1]!.image.setBy, /overrides.*cp31\{4,5\}\*/)
    assert.ok(plan.warnings.some((w) => /"archs" cannot be overridden/.test(w)))
  })

  it('CIBW_ARCHS_LINUX and CIBW_BUILD from the environment; CIBW_BUILD_LINUX is ignored', async () => {
    const plan = await planFor('env-only', {env: {CIBW_ARCHS_LINUX: 'aarch64', CIBW_BUILD: 'cp312-*', CIBW_BUILD_LINUX: 'cp39-*'}})
    assert.deepEqual(jobs(plan), [
      ['linux/arm64', 'aarch64-unknown-linux-gnu', pypa('manylinux_2_28_aarch64'), ['cp312-manylinux_aarch64']],
      ['linux/arm64:musl', 'aarch64-unknown-linux-musl', pypa('musllinux_1_2_aarch64'), ['cp312-musllinux_aarch64']],
    ])
    assert.ok(plan.warnings.some((w) => /CIBW_BUILD_LINUX is ignored/.test(w)))
    // CIBW_ARCHS beats the TOML, CIBW_ARCHS_LINUX beats CIBW_ARCHS.
    const both = await planFor('env-only', {env: {CIBW_ARCHS: 'i686', CIBW_ARCHS_LINUX: 's390x', CIBW_SKIP: '*musl*'}})
    assert.deepEqual(jobs(both).map((j) => [j[0], j[3]]), [['linux/s390x', ['cp310-manylinux_s390x']]])
  })

  it('a custom image per arch: a shortname and a literal reference (from [tool.cibuildwheel.linux])', async () => {
    const plan = await planFor('custom-images')
    const digest = `ghcr.io/example/arm-builder@sha256:${'ab'.repeat(32)}`
    assert.deepEqual(jobs(plan).map((j) => [j[0], j[2]]), [['linux/amd64', pypa('manylinux_2_34_x86_64')], ['linux/arm64', digest]])
    assert.deepEqual([plan.jobs[0]!.image.shortname, plan.jobs[1]!.image.shortname, plan.jobs[1]!.image.pinned], ['manylinux_2_34', null, true])
    // The variable beats the TOML.
    const env = await planFor('custom-images', {env: {CIBW_MANYLINUX_X86_64_IMAGE: 'registry.example/x:1'}})
    assert.equal(env.jobs[0]!.image.reference, 'registry.example/x:1')
    assert.equal(env.jobs[0]!.image.setBy, 'CIBW_MANYLINUX_X86_64_IMAGE')
  })

  it('a config hosts entry sends its platform to that engine; others use DOCKER_HOST', async () => {
    const plan = await planFor('hosts', {env: {DOCKER_HOST: 'tcp://docker.example:2376'}})
    assert.deepEqual(plan.jobs.map((j) => [j.dockerPlatform, j.endpoint]), [
      ['linux/amd64', {host: 'tcp://docker.example:2376', source: 'env'}],
      ['linux/arm64', {host: 'ssh://builder-arm64', source: 'config'}],
    ])
    const local = await planFor('hosts')
    assert.deepEqual(local.jobs[0]!.endpoint, {host: 'unix:///var/run/docker.sock', source: 'default'})
  })

  it('a config engines entry picks its platform\'s engine (a :musl key beats the plain one); --engine beats them all', async () => {
    const plan = await planFor('engines')
    assert.deepEqual(plan.jobs.map((j) => [j.libc === 'musl' ? `${j.dockerPlatform}:musl` : j.dockerPlatform, j.engine, j.engineReason]), [
      ['linux/amd64', 'docker', 'tool.headerkit.cache.populate.engine docker'],
      ['linux/amd64:musl', 'sysroot', 'tool.headerkit.cache.populate.engines."linux/amd64:musl" sysroot'],
      ['linux/arm64', 'sysroot', 'tool.headerkit.cache.populate.engines."linux/arm64" sysroot'],
      ['linux/arm64:musl', 'docker', 'auto: the in-container worker runs on linux/arm64'],
      ['linux/s390x', 'docker', 'tool.headerkit.cache.populate.engine docker'],
      ['linux/s390x:musl', 'docker', 'tool.headerkit.cache.populate.engine docker'],
    ])
    const forced = await planFor('engines', {flags: {engine: 'sysroot'}})
    assert.deepEqual(forced.jobs.map((j) => [j.engine, j.engineReason]), forced.jobs.map(() => ['sysroot', '--engine sysroot']))
  })

  it('[tool.headerkit.cache.populate] platforms beat cibuildwheel, which still names the identifiers served', async () => {
    const plan = await planFor('config-platforms')
    assert.equal(plan.platformSource, 'config')
    assert.deepEqual(jobs(plan), [
      ['linux/arm64:musl', 'aarch64-unknown-linux-musl', pypa('musllinux_1_2_aarch64'), ids(CP, 'musllinux_aarch64')],
      ['linux/riscv64', 'riscv64-unknown-linux-gnu', pypa('manylinux_2_39_riscv64'), ids(CP, 'manylinux_riscv64')],
    ])
    assert.equal(plan.timeout, 120)
  })

  it('flags beat the config: --platform, --docker-image (a shortname resolved per arch), --timeout, --python, -w', async () => {
    const plan = await planFor('config-platforms', {flags: {platforms: ['x86_64', 'linux/arm64'], dockerImage: 'manylinux_2_34', timeout: 30, pythonVersions: ['3.12', '3.14t'], writers: ['json', 'cffi']}})
    assert.equal(plan.platformSource, 'flag')
    assert.deepEqual(jobs(plan), [
      ['linux/amd64', 'x86_64-pc-linux-gnu', pypa('manylinux_2_34_x86_64'), ['cp312-manylinux_x86_64', 'cp314t-manylinux_x86_64']],
      ['linux/arm64', 'aarch64-unknown-linux-gnu', pypa('manylinux_2_34_aarch64'), ['cp312-manylinux_aarch64', 'cp314t-manylinux_aarch64']],
    ])
    assert.deepEqual([plan.timeout, plan.writers, plan.jobs[0]!.image.source], [30, ['json', 'cffi'], 'flag'])
    assert.deepEqual(plan.totals, {jobs: 2, identifiers: 4, irEntries: 2, outputs: 4})
  })

  it('without --cibuildwheel, --platform alone plans the default images and serves the --python identifiers', async () => {
    const plan = await planFor('defaults', {flags: {cibuildwheel: false, platforms: ['musllinux_aarch64', 'linux/arm/v7'], pythonVersions: ['3.13']}})
    assert.deepEqual(jobs(plan), [
      ['linux/arm64:musl', 'aarch64-unknown-linux-musl', pypa('musllinux_1_2_aarch64'), ['cp313-musllinux_aarch64']],
      ['linux/arm/v7', 'armv7l-unknown-linux-gnueabihf', pypa('manylinux_2_31_armv7l'), ['cp313-manylinux_armv7l']],
    ])
    assert.equal(plan.cibuildwheel, null)
  })

  it('reports macOS and Windows selections instead of dropping them, and still plans Linux', async () => {
    const plan = await planFor('non-linux')
    assert.deepEqual(jobs(plan).map((j) => [j[0], j[3]]), [['linux/amd64', ['cp312-manylinux_x86_64']]])
    assert.deepEqual(plan.notPopulatable.map((n) => [n.platform, n.requestedBy]), [
      ['macOS', 'build selector "cp312-macosx_arm64"'],
      ['Windows', 'build selector "cp312-win_amd64"'],
    ])
    assert.match(plan.notPopulatable[0]!.advice, /natively on macOS/)
  })

  it('CIBW_PLATFORM=macos or only --platform macos: nothing to populate, with advice', async () => {
    await assert.rejects(planFor('defaults', {env: {CIBW_PLATFORM: 'macos'}}), (e: unknown) => e instanceof UsageError && /macOS.*CIBW_PLATFORM=macos.*cannot be populated/.test(e.message) && /natively on macOS/.test(e.oneLine()))
    await assert.rejects(planFor('defaults', {flags: {platforms: ['macos/arm64']}}), (e: unknown) => e instanceof UsageError && /macOS/.test(e.message))
  })
})

describe('populate plan errors, before anything runs', () => {
  const rejects = (name: string, o: Options, check: (e: Error) => boolean): Promise<void> =>
    assert.rejects(planFor(name, o), (e: unknown) => e instanceof Error && check(e))

  it('malformed selectors, archs, requires-python and deprecated shortnames name the file and key', async () => {
    await rejects('bad-braces', {}, (e) => e instanceof ConfigError && /unbalanced braces/.test(e.message) && /\[tool.cibuildwheel\] build/.test(e.message))
    await rejects('bad-archs', {}, (e) => e instanceof ConfigError && /invalid arch 'arm64'/.test(e.message) && /\[tool.cibuildwheel.linux\] archs/.test(e.message))
    await rejects('bad-requires-python', {}, (e) => e instanceof ConfigError && /project.requires-python/.test(e.message) && /3.10\+/.test(e.message))
    await rejects('deprecated-image', {}, (e) => e instanceof ConfigError && /manylinux2010.*deprecated/.test(e.message))
    await rejects('defaults', {env: {CIBW_BUILD: 'cp3{9'}}, (e) => e instanceof UsageError && /CIBW_BUILD/.test(e.message))
    await rejects('defaults', {env: {CIBW_ENABLE: 'cpython-freethreading'}}, (e) => /unknown enable group 'cpython-freethreading'/.test(e.message) && /free-threaded/.test((e as UsageError).oneLine()))
  })

  it('a build selector that matches no enabled identifier is refused in cibuildwheel 4.x\'s words; a skip one warns', async () => {
    await rejects('dropped-python', {}, (e) => e instanceof ConfigError && e.message.includes("Invalid build selector: 'cp38-*'. cibuildwheel 4.x no longer supports Python < 3.9. Please use the 3.x series or update `build`. (from [tool.cibuildwheel] build)"))
    await rejects('defaults', {env: {CIBW_BUILD: 'cp312-* cp37-*'}}, (e) => e instanceof UsageError && e.message === "Invalid build selector: 'cp37-*'. cibuildwheel 4.x no longer supports Python < 3.9. Please use the 2.x series or update `build`. (from CIBW_BUILD)")
    await rejects('defaults', {env: {CIBW_BUILD: 'cp27-*'}}, (e) => /Please use the 1\.x series/.test(e.message))
    await rejects('defaults', {env: {CIBW_BUILD: 'cp313t-*'}}, (e) => /no longer supports Python 3\.13 free-threading\. Please use the 3\.x series/.test(e.message))
    await rejects('defaults', {env: {CIBW_BUILD: 'cp39-linux_*'}}, (e) => e.message === "Invalid build selector: 'cp39-linux_*'. (from CIBW_BUILD)")
    await rejects('defaults', {env: {CIBW_BUILD: 'gp*'}}, (e) => /matches a group that wasn't enabled\. Enable it using the `enable` option/.test(e.message))
    // A pattern that only another platform builds, or an enabled group, is valid.
    assert.ok((await planFor('defaults', {env: {CIBW_BUILD: 'cp312-* cp313-macosx_*'}})).jobs.length > 0)
    assert.ok((await planFor('defaults', {env: {CIBW_BUILD: 'cp312-* gp*', CIBW_ENABLE: 'graalpy'}})).jobs.length > 0)
    const skip = await planFor('defaults', {env: {CIBW_SKIP: 'cp38-* *-musllinux_*'}})
    assert.ok(skip.warnings.includes("Invalid skip selector: 'cp38-*'. cibuildwheel 4.x no longer supports Python < 3.9. Please use the 3.x series or update `skip`. This selector will have no effect. (from CIBW_SKIP)"), skip.warnings.join('\n'))
    assert.ok(skip.jobs.every((j) => j.libc === 'gnu'))
  })

  it('unknown platforms, bad python versions, impossible images and no platforms', async () => {
    await rejects('defaults', {flags: {platforms: ['linux/sparc64']}}, (e) => e instanceof UsageError && /unknown platform 'linux\/sparc64'/.test(e.message))
    await rejects('defaults', {flags: {platforms: ['linux/arm64:uclibc']}}, (e) => /unknown libc 'uclibc'/.test(e.message))
    await rejects('defaults', {flags: {pythonVersions: ['3.8']}}, (e) => /Python 3.8.*not built/.test(e.message))
    await rejects('defaults', {flags: {pythonVersions: ['python3']}}, (e) => /invalid Python version 'python3'/.test(e.message))
    await rejects('defaults', {flags: {platforms: ['linux/amd64:musl'], dockerImage: 'manylinux_2_28'}}, (e) => /glibc image/.test(e.message))
    await rejects('defaults', {flags: {platforms: ['riscv64'], dockerImage: 'manylinux_2_28'}}, (e) => /does not exist for riscv64/.test(e.message))
    await rejects('defaults', {flags: {cibuildwheel: false}}, (e) => /no platforms to populate/.test(e.message))
    await rejects('defaults', {flags: {timeout: 0}}, (e) => /--timeout must be a whole number/.test(e.message))
    await rejects('defaults', {flags: {writerOptions: ['cffi-no-colon']}}, (e) => /unscoped --writer-opt: 'cffi-no-colon'; use WRITER:KEY=VALUE/.test(e.message))
  })
})

describe('parsePlatformSpec', () => {
  it('accepts Docker platforms, arch names, tags and a libc qualifier', () => {
    const key = (s: string): string => {
      const r = parsePlatformSpec(s)
      return 'nonLinux' in r ? `non-linux ${r.nonLinux}` : r.key
    }
    assert.deepEqual(['linux/arm64', 'arm64', 'aarch64', 'linux/arm64/v8', 'LINUX/ARM64'].map(key), Array(5).fill('linux/arm64'))
    assert.deepEqual(['linux/arm64:musl', 'aarch64:musl', 'musllinux_aarch64'].map(key), Array(3).fill('linux/arm64:musl'))
    assert.deepEqual(['manylinux_i686', 'i686:gnu', 'linux/386', 'armv7l', 'linux/arm/v7'].map(key), ['linux/386', 'linux/386', 'linux/386', 'linux/arm/v7', 'linux/arm/v7'])
    assert.deepEqual(['macos', 'windows/amd64', 'win_amd64', 'pyodide'].map(key), ['non-linux macOS', 'non-linux Windows', 'non-linux Windows', 'non-linux Pyodide'])
    assert.throws(() => parsePlatformSpec('musllinux_aarch64:gnu'), /names both/)
  })
})

describe('populate plan writer options', () => {
  it('are typed and validated exactly as generation does', async () => {
    const {planPopulate} = await import('../../src/populate/plan.js')
    const base = {flags: {platforms: ['linux/amd64'], writers: ['cffi'], writerOptions: ['cffi:exclude_patterns=^_']}, env: {}, host: {native: 'x86_64' as const}, projectRoot: '/p', cwd: '/p', headers: [{path: 'a.h', entries: []}], storeDir: '/p/.headerkit', cpus: 2}
    const plan = planPopulate(base)
    assert.deepEqual(plan.writerOptions.cffi?.exclude_patterns, ['^_'], 'a list option given once is a one-element list')
    assert.throws(() => planPopulate({...base, flags: {...base.flags, writerOptions: ['cffi:no_such_option=1']}}), /no_such_option/)
  })
})
