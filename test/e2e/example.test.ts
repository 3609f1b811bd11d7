/**
 * `npm run example` (scripts/example.sh) end to end, as the README's first command runs it
 * on a machine where no registry answers: the example's cibuildwheel matrix populated from
 * the stand-in images, the store verified, and the aarch64 bindings served by the Python
 * reader. No container may outlive it.
 */
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {chmodSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {REPO_ROOT, runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import {type ExampleRun, runExample} from './support/example.js'
import {requireDocker} from './support/images.js'
import {leftoverContainers} from './support/project.js'

const AARCH64 = 'aarch64-unknown-linux-gnu'
const X86_64 = 'x86_64-pc-linux-gnu'

/** The target of every IR entry in the store, from its metadata. */
function storedTriples(project: string): string[] {
  const dir = join(project, '.headerkit/ir')
  return readdirSync(dir, {withFileTypes: true}).filter((d) => d.isDirectory())
    .map((d) => (JSON.parse(readFileSync(join(dir, d.name, 'metadata.json'), 'utf8')) as {target: string}).target).sort()
}

/** The script's output of one step, from its "== N." heading to the next. */
function stepOutput(out: string, n: number): string {
  const m = new RegExp(`^== ${n}\\. [^]*?(?=^== \\d\\. |(?![^]))`, 'm').exec(out)
  assert.ok(m, `no step ${n} in the example's output:\n${out}`)
  return m[0]
}

describe('e2e: npm run example (scripts/example.sh) on the stand-in images', function () {
  this.timeout(30 * 60_000)
  let run: ExampleRun

  before(async () => {
    await requireDocker()
    run = await runExample()
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`)
  })

  after(async () => {
    assert.deepEqual(await leftoverContainers(), [], 'no headerkit container is left behind')
  })

  it('says in one line that it uses the stand-ins, and prints the elapsed time of every step', () => {
    assert.equal(run.stdout.match(/^images: .*stand-ins.*\[tool\.headerkit\.cache\.populate\.images\]$/gm)?.length, 1, run.stdout)
    for (const n of [0, 1, 2, 3, 4, 5, 6]) {
      const step = stepOutput(run.stdout, n)
      if (n < 6) assert.match(step, /^ {3}\(\d+\.\d s\)$/m, `step ${n} has no elapsed time:\n${step}`)
    }
    assert.match(stepOutput(run.stdout, 6), /^total: +\d+\.\d s$/m)
  })

  it('populates at least three triples, aarch64 among them: docker for x86_64 and aarch64 manylinux, sysroot for the rest', () => {
    const triples = storedTriples(run.project)
    assert.ok(triples.length >= 3 && triples.includes(AARCH64) && triples.includes(X86_64), triples.join(', '))
    assert.deepEqual(new Set(triples).size, triples.length, 'one entry per triple')
    const engines = Object.fromEntries(readdirSync(join(run.project, '.headerkit/ir'), {withFileTypes: true}).filter((d) => d.isDirectory()).map((d) => {
      const meta = JSON.parse(readFileSync(join(run.project, '.headerkit/ir', d.name, 'metadata.json'), 'utf8')) as {target: string; provenance: {engine: string}}
      return [meta.target, meta.provenance.engine]
    }))
    assert.equal(engines[X86_64], 'docker')
    assert.equal(engines[AARCH64], 'docker')
    for (const [triple, engine] of Object.entries(engines)) if (triple !== X86_64 && triple !== AARCH64) assert.equal(engine, 'sysroot', triple)
    assert.match(stepOutput(run.stdout, 2), new RegExp(`Done: ${triples.length} populated, 0 already present, 0 failed`))
  })

  it('the second run finds everything there and needs no Docker', () => {
    assert.match(stepOutput(run.stdout, 3), /Done: 0 populated, \d+ already present, 0 failed/)
  })

  it('leaves a store that cache verify --sources accepts for every populated triple', async () => {
    assert.match(stepOutput(run.stdout, 4), /^OK: /m)
    const targets = storedTriples(run.project).flatMap((t) => ['--target', t])
    const r = await runCli(['cache', 'verify', '--sources', ...targets], {cwd: run.project})
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
  })

  it('the Python reader serves the aarch64 bindings (the #ifdef __aarch64__ branch), and the script shows them beside x86_64', async () => {
    const py = await execa('python3', ['-m', 'headerkit_store', 'include/demo.h', '-w', 'cffi', '--target', AARCH64], {
      cwd: run.project, env: {PYTHONPATH: join(REPO_ROOT, 'python')}, reject: false,
    })
    assert.equal(py.exitCode, 0, py.stderr)
    assert.match(py.stdout, /uint64_t lanes\[2\];/)
    assert.match(py.stdout, /^#define DEMO_VECTOR_LANES 2$/m)
    assert.doesNotMatch(py.stdout, /uint32_t lanes\[4\];/)
    const step = stepOutput(run.stdout, 5)
    assert.match(step, new RegExp(`${X86_64}\\s+\\|\\s+${AARCH64}`))
    assert.match(step, /#define DEMO_VECTOR_LANES 4\s+\|\s+#define DEMO_VECTOR_LANES 2/)
    assert.match(step, /uint32_t lanes\[4\];\s+\|\s+uint64_t lanes\[2\];/)
  })
})

describe('e2e: npm run example where Docker cannot run (not root, not in the docker group)', function () {
  this.timeout(10 * 60_000)

  it('says in one line what to do, then shows the plan and the store (steps 1 and 4) only', async () => {
    assert.equal(process.getuid?.(), 0, 'this test runs the example as nobody, which needs root (as the e2e tests do)')
    const dir = makeTempDir('headerkit-example-nobody-')
    chmodSync(dir, 0o777)
    const script = `HOME=${dir} bash ${join(REPO_ROOT, 'scripts/example.sh')} --dir ${dir}/x`
    const r = await execa('su', ['nobody', '-s', '/bin/bash', '-c', script], {cwd: dir, reject: false, stdin: 'ignore', env: {DOCKER_HOST: undefined, CI: '1'}})
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`)
    const why = r.stdout.split('\n').filter((l) => l.startsWith('example: '))
    assert.equal(why.length, 1, r.stdout)
    assert.match(why[0]!, /^example: steps 2, 3 and 5 \(they need Docker with QEMU\) cannot run here: .*(usermod -aG docker|docker-setup\.sh)/)
    assert.deepEqual([...r.stdout.matchAll(/^== (\d)\./gm)].map((m) => m[1]), ['0', '1', '4', '6'])
    assert.match(stepOutput(r.stdout, 1), /Populate plan \(dry run\): 6 jobs/)
    assert.match(stepOutput(r.stdout, 4), /^OK: /m)
  })
})
