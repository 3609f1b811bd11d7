/**
 * headerkit's own image (the top-level Dockerfile), built from the amd64 stand-in with the
 * tool from this checkout and nothing from a registry: `docker run` on a mounted project
 * generates its bindings, and what it writes there belongs to the project's owner.
 */
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {chownSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {REPO_ROOT} from '../support/cli.js'
import {requireDocker, standinImages} from './support/images.js'
import {e2eProject} from './support/project.js'

const OWNER = 4321

function walk(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]))
}

describe('e2e: headerkit\'s own image', function () {
  this.timeout(30 * 60_000)
  let tag: string

  before(async () => {
    await requireDocker()
    const images = await standinImages()
    const build = await execa('npm', ['run', '--silent', 'build'], {cwd: REPO_ROOT, reject: false})
    assert.equal(build.exitCode, 0, build.stderr)
    tag = 'headerkit-selftest:latest'
    const r = await execa('docker', ['build', '-q', '--build-arg', `BASE=${images.amd64}`, '-t', tag, '.'], {cwd: REPO_ROOT, env: {DOCKER_BUILDKIT: '0'}, reject: false})
    assert.equal(r.exitCode, 0, r.stderr)
  })

  it('the shipped bundle (bin/run.js) populates with both engines', async () => {
    const images = await standinImages()
    const project = e2eProject(images)
    for (const engine of ['docker', 'sysroot']) {
      const r = await execa(process.execPath, [join(REPO_ROOT, 'bin/run.js'), 'cache', 'populate', '--platform', 'linux/amd64', '--engine', engine, '--store-dir', `by-${engine}`], {cwd: project, env: {CI: '1'}, reject: false})
      assert.equal(r.exitCode, 0, `${engine}: ${r.stdout}\n${r.stderr}`)
      assert.match(r.stdout, /Done: 1 populated/)
    }
  })

  it('generates the bindings of a mounted project as the project owner', async () => {
    const images = await standinImages()
    const project = e2eProject(images)
    for (const p of [project, ...walk(project)]) chownSync(p, OWNER, OWNER)
    const r = await execa('docker', ['run', '--rm', '--network', 'none', '-v', `${project}:/project`, tag], {reject: false})
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    assert.match(readFileSync(join(project, 'bindings/demo.cdef.txt'), 'utf8'), /demo_open/)
    const wrongOwner = walk(project).filter((p) => statSync(p).uid !== OWNER).map((p) => relative(project, p))
    assert.deepEqual(wrongOwner, [], 'every file the container wrote belongs to the project owner')
    const verify = await execa('docker', ['run', '--rm', '--network', 'none', '-v', `${project}:/project`, tag, 'cache', 'verify'], {reject: false})
    assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr)
  })
})
