/**
 * cibuildwheel's before-all: on the amd64 stand-in, a before-all that installs a -dev
 * package from Debian's mirror makes a header that includes it parse, with either engine.
 * Without it (--no-before-all) the error names the missing header.
 */
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import {requireDocker, standinImages} from './support/images.js'
import {e2eEnv, e2eProject, leftoverContainers, reportOf} from './support/project.js'

const BEFORE_ALL = 'apt-get update -qq && apt-get install -y -qq --no-install-recommends zlib1g-dev'

describe('e2e: before-all from [tool.cibuildwheel]', function () {
  this.timeout(30 * 60_000)
  let project: string
  let cache: string

  before(async () => {
    await requireDocker()
    const images = await standinImages()
    project = e2eProject(images)
    const pyproject = join(project, 'pyproject.toml')
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('[tool.cibuildwheel.linux]\n', `[tool.cibuildwheel.linux]\nbefore-all = "${BEFORE_ALL}"\n`))
    writeFileSync(join(project, 'include/z.h'), '#include <zlib.h>\nint z_use(z_stream *stream);\n')
    cache = makeTempDir('headerkit-before-all-cache-')
  })

  afterEach(async () => {
    assert.deepEqual(await leftoverContainers(), [], 'no headerkit container is left behind')
  })

  it('the plan shows the before-all each job runs', async () => {
    const r = await runCli(['cache', 'populate', 'include/z.h', '--cibuildwheel', '--platform', 'linux/amd64', '--dry-run', '--json'], {cwd: project, env: e2eEnv()})
    assert.equal(r.exitCode, 0, r.stderr)
    const plan = JSON.parse(r.stdout) as {jobs: {beforeAll: {command: string; setBy: string} | null}[]}
    assert.deepEqual(plan.jobs.map((j) => j.beforeAll), [{command: BEFORE_ALL, setBy: '[tool.cibuildwheel.linux] before-all'}])
  })

  for (const engine of ['sysroot', 'docker']) {
    it(`with the ${engine} engine, a header needing the package before-all installs parses`, async () => {
      const r = await runCli(['cache', 'populate', 'include/z.h', '--cibuildwheel', '--platform', 'linux/amd64', '--engine', engine, '--store-dir', `store-${engine}`, '--json'], {cwd: project, env: e2eEnv({HEADERKIT_CACHE_DIR: cache})})
      assert.equal(r.exitCode, 0, r.stdout + r.stderr)
      const job = reportOf(r).jobs[0]!
      assert.equal(job.status, 'populated')
      assert.ok(job.phases['before-all'] !== undefined, JSON.stringify(job.phases))
      const index = JSON.parse(readFileSync(join(project, `store-${engine}/ir/index.json`), 'utf8')) as {entries: Record<string, unknown>}
      const slug = Object.keys(index.entries)[0]!
      const meta = JSON.parse(readFileSync(join(project, `store-${engine}/ir`, slug, 'metadata.json'), 'utf8')) as {provenance: Record<string, string>}
      assert.equal(meta.provenance.before_all, BEFORE_ALL)
    })
  }

  it('the IR is the same from both engines', () => {
    const ir = (engine: string): string => {
      const dir = join(project, `store-${engine}/ir`)
      const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {entries: Record<string, unknown>}
      return readFileSync(join(dir, Object.keys(index.entries)[0]!, 'ir.json'), 'utf8')
    }
    assert.equal(ir('sysroot'), ir('docker'))
  })

  it('--no-before-all: the parse fails and names the missing header', async () => {
    const r = await runCli(['cache', 'populate', 'include/z.h', '--cibuildwheel', '--platform', 'linux/amd64', '--engine', 'sysroot', '--no-before-all', '--store-dir', 'store-none', '--json'], {cwd: project, env: e2eEnv({HEADERKIT_CACHE_DIR: cache})})
    assert.equal(r.exitCode, 1, r.stdout + r.stderr)
    const job = reportOf(r).jobs[0]!
    assert.equal(job.error?.code, 'E_PARSE')
    assert.match(job.error.message, /'zlib\.h' file not found/)
  })
})
