/**
 * The wheel build inside the arm64 container: examples/cffi-point, its store filled for
 * linux/arm64 by `headerkit cache populate` (sysroot engine, from the arm64 stand-in's
 * headers), then `pip wheel --no-build-isolation --no-deps .` run under QEMU in an image
 * derived from the arm64 stand-in with Debian's python3, setuptools, wheel and pip, and
 * no node and no libclang, with no network. headerkit_store detects aarch64-unknown-linux-gnu
 * natively and takes that entry: the wheel's bindings are the aarch64 ones, byte for byte
 * what the Node tool serves for that target.
 */
import assert from 'node:assert/strict'
import {appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {REPO_ROOT, runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import {requireDocker, standinImages, type StandinImages} from './support/images.js'
import {e2eEnv, populateConfig} from './support/project.js'
import {pythonImage, runInContainer} from './support/python-arm64.js'

const ARCH_TYPES = `
#if defined(__aarch64__)
typedef int point_arch_aarch64;
#else
typedef int point_arch_other;
#endif
`

describe('e2e: the wheel build inside the arm64 container, from a populated store', function () {
  this.timeout(45 * 60_000)
  let images: StandinImages
  let image: string

  before(async () => {
    await requireDocker()
    images = await standinImages()
    image = await pythonImage(images)
  })

  it('has python3 and setuptools, and neither node nor libclang', async () => {
    const stage = makeTempDir('headerkit-pyarm-')
    const r = await runInContainer(image, stage, 'uname -m; python3 -c "import setuptools, wheel, pip; print(setuptools.__version__)"; command -v node || echo no-node; ls /usr/lib/llvm-* /usr/lib/aarch64-linux-gnu/libclang* 2>/dev/null || echo no-libclang')
    assert.equal(r.exitCode, 0, r.stderr)
    const lines = r.stdout.toString().trim().split('\n')
    assert.equal(lines[0], 'aarch64')
    assert.match(lines[1]!, /^\d+\./)
    assert.deepEqual(lines.slice(2), ['no-node', 'no-libclang'])
  })

  it('pip wheel takes the aarch64 entry: the wheel holds the aarch64 bindings the Node tool serves', async () => {
    const stage = makeTempDir('headerkit-pyarm-')
    const project = join(stage, 'work/project')
    mkdirSync(join(stage, 'work'))
    cpSync(join(REPO_ROOT, 'examples/cffi-point'), project, {recursive: true})
    cpSync(join(REPO_ROOT, 'python'), join(stage, 'work/python'), {recursive: true})
    rmSync(join(stage, 'work/python/headerkit_store/__pycache__'), {recursive: true, force: true})
    // A declaration that differs by architecture, so only the aarch64 entry gives these bytes.
    appendFileSync(join(project, 'include/point/types.h'), ARCH_TYPES)
    const pyproject = join(project, 'pyproject.toml')
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8') + populateConfig(images))

    const populate = await runCli(['cache', 'populate', '--platform', 'linux/arm64', '--engine', 'sysroot'], {cwd: project, env: e2eEnv({HEADERKIT_CACHE_DIR: makeTempDir('headerkit-pyarm-cache-')})})
    assert.equal(populate.exitCode, 0, populate.stdout + populate.stderr)
    const served = await runCli(['include/point.h', '-w', 'cffi', '--target', 'aarch64-unknown-linux-gnu', '-o', 'cffi:arm.cdef.txt'], {cwd: project, env: {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so.1'}})
    assert.equal(served.exitCode, 0, served.stderr)
    assert.match(served.stderr, /\[output cache\]/)
    const expected = readFileSync(join(project, 'arm.cdef.txt'))
    rmSync(join(project, 'arm.cdef.txt'))
    assert.match(expected.toString(), /typedef int point_arch_aarch64;/)

    const script = [
      'set -e',
      'cd /work/project',
      'python3 -c "import sys; sys.path.insert(0, \'/work/python\'); from headerkit_store.target import detect_host_triple; print(detect_host_triple())" >&2',
      'PYTHONPATH=/work/python python3 -m pip wheel --no-build-isolation --no-deps --no-index -q -w /work/out . >&2',
      'python3 -c "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(\'/work/out/pointlib-1.2.0-py3-none-any.whl\').read(\'pointlib/point.cdef.txt\'))"',
    ].join('\n')
    const r = await runInContainer(image, stage, script)
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stderr, /^aarch64-unknown-linux-gnu$/m)
    assert.ok(r.stdout.equals(expected), `the wheel's bindings differ from the aarch64 entry's:\n${r.stdout.toString()}`)
  })
})
