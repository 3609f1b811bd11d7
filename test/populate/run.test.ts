/**
 * Running a plan with an engine that needs no Docker (it parses on the host, as the
 * sysroot engine does, with the job's triple): what is merged when a job fails, when the
 * run is aborted, and that the store it writes is the one the per-job staging stores give
 * through `store merge`.
 */
import assert from 'node:assert/strict'
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {HeaderkitError} from '../../src/errors.js'
import {parseHeader} from '../../src/parse/index.js'
import type {EngineJobInput, EngineJobOutput, PopulateEngine} from '../../src/populate/engine.js'
import {preparePopulate} from '../../src/populate/request.js'
import {computeJobWork, engineSet, PopulateAbortedError, runPopulate, stagingName} from '../../src/populate/run.js'
import {lookupIr, openStore, storeMerge} from '../../src/store/index.js'
import {makeTempDir} from '../support/tmp.js'

const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/riscv64']

function project(): string {
  const root = makeTempDir('headerkit-run-')
  mkdirSync(join(root, 'include'))
  // No system headers: every triple parses them without a sysroot.
  writeFileSync(join(root, 'include/one.h'), 'struct pair { long a; char *b; };\nlong one(struct pair *p);\n#define ONE_MAX 7\n')
  writeFileSync(join(root, 'include/two.h'), 'typedef unsigned long word;\nword two(word w, char c);\n')
  writeFileSync(join(root, 'pyproject.toml'), '[project]\nname = "p"\n\n[tool.headerkit]\nwriters = ["cffi", "json"]\n\n[[tool.headerkit.headers]]\npattern = "include/*.h"\n')
  return root
}

/** Parses in-process with the job's triple; `fail` names jobs whose parse throws; `during` runs inside each parse. */
function hostEngine(options: {fail?: string[]; during?: (input: EngineJobInput) => void} = {}): PopulateEngine {
  return {
    name: 'host-test',
    refuse: () => undefined,
    async parse(input): Promise<EngineJobOutput> {
      input.phase('parse')
      options.during?.(input)
      if (options.fail?.includes(input.job.dockerPlatform)) throw new HeaderkitError('E_TEST_ENGINE', `no parse for ${input.job.dockerPlatform}`)
      const parsed = []
      for (const h of input.headers) parsed.push(await parseHeader({header: h.headerAbs, projectRoot: input.projectRoot, target: input.job.triple, args: h.clangArgs}))
      return {parsed, image: {reference: input.job.image.reference, digest: null, id: null}, provenance: {engine: 'host-test', platform: input.job.dockerPlatform}}
    },
    close: () => Promise.resolve(),
  }
}

async function prepare(root: string, storeDir: string) {
  const prepared = await preparePopulate({cwd: root, platforms: PLATFORMS, engine: 'sysroot', storeDir, env: {}})
  return {plan: prepared.plan, work: await computeJobWork(prepared.plan, prepared.generate)}
}

/** Store-relative path -> bytes of every file but the lock leftovers. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(dir, {withFileTypes: true, recursive: true})) {
    if (e.isFile()) out[relative(dir, join(e.parentPath, e.name))] = readFileSync(join(e.parentPath, e.name), 'utf8')
  }
  return out
}

describe('populate: running the jobs', function () {
  this.timeout(60_000)

  it('merges what every job made, as store merge of per-job staging stores does, byte for byte', async () => {
    const root = project()
    const storeDir = join(root, '.headerkit')
    const {plan, work} = await prepare(root, storeDir)
    const kept = join(makeTempDir('headerkit-run-kept-'), 'staging')
    const report = await runPopulate(plan, work, {engines: engineSet(() => Promise.resolve(hostEngine())), keepStaging: kept})
    assert.equal(report.ok, true, JSON.stringify(report.jobs.map((j) => j.error)))
    assert.deepEqual(report.jobs.map((j) => [j.status, j.entries.new, j.outputs.new]), PLATFORMS.map(() => ['populated', 2, 4]))
    assert.equal(report.merge?.new, PLATFORMS.length * 6)
    // The kept staging stores, merged into a fresh store by `store merge`, give the same tree.
    assert.deepEqual(report.jobs.map((j) => j.staging), report.jobs.map((j) => join(kept, stagingName(j.label))))
    const viaStaging = join(makeTempDir('headerkit-run-merge-'), 'store')
    const merged = await storeMerge(report.jobs.map((j) => j.staging!), viaStaging)
    assert.equal(merged.ok, true)
    assert.deepEqual(tree(storeDir), tree(viaStaging))
  })

  it('tells of every job with IR to make while computing the keys, and of none once the store holds it all', async () => {
    const root = project()
    const storeDir = join(root, '.headerkit')
    const prepared = await preparePopulate({cwd: root, platforms: PLATFORMS, engine: 'sysroot', storeDir, env: {}})
    const heard: Array<[string, number]> = []
    const work = await computeJobWork(prepared.plan, prepared.generate, (job, headers) => heard.push([job.dockerPlatform, headers]))
    assert.deepEqual(heard, PLATFORMS.map((p) => [p, 2]))
    await runPopulate(prepared.plan, work, {engines: engineSet(() => Promise.resolve(hostEngine()))})
    heard.length = 0
    await computeJobWork(prepared.plan, prepared.generate, (job, headers) => heard.push([job.dockerPlatform, headers]))
    assert.deepEqual(heard, [])
  })

  it('after a change to a file included by a macro, replaces the stale entries instead of reporting conflicts, same bytes or not', async () => {
    const root = project()
    mkdirSync(join(root, 'include/sub'))
    writeFileSync(join(root, 'include/viamacro.h'), '#define INC "sub/inc.h"\n#include INC\nint uses(struct inc *p);\n')
    writeFileSync(join(root, 'include/sub/inc.h'), 'struct inc { int x; };\n')
    const storeDir = join(root, '.headerkit')
    const engines = () => ({engines: engineSet(() => Promise.resolve(hostEngine()))})
    const needs = async (): Promise<string[]> => {
      const prepared = await preparePopulate({cwd: root, platforms: PLATFORMS, engine: 'sysroot', storeDir, env: {}})
      const heard: string[] = []
      await computeJobWork(prepared.plan, prepared.generate, (job) => heard.push(job.dockerPlatform))
      return heard
    }
    const first = await prepare(root, storeDir)
    assert.equal((await runPopulate(first.plan, first.work, engines())).ok, true)
    assert.deepEqual(await needs(), [])

    for (const [change, sameBytes] of [['struct inc { int x; long y; };\n', false], ['/* a comment */\nstruct inc { int x; long y; };\n', true]] as const) {
      writeFileSync(join(root, 'include/sub/inc.h'), change)
      assert.deepEqual(await needs(), PLATFORMS, 'every platform parses viamacro.h again')
      const {plan, work} = await prepare(root, storeDir)
      const stale = work[0]!.headers.find((h) => h.job.header === 'include/viamacro.h')!
      assert.equal(stale.ir, undefined)
      assert.deepEqual(stale.outputs.map((o) => o.present), [false, false], 'its outputs are made again too')
      const report = await runPopulate(plan, work, engines())
      assert.equal(report.ok, true, JSON.stringify(report.merge))
      assert.deepEqual(report.merge?.conflicts, [])
      assert.equal(report.merge?.replaced, PLATFORMS.length * 3, `${sameBytes ? 'same' : 'new'} bytes: the IR and both outputs of each platform`)
      assert.deepEqual(await needs(), [], 'the store is current again')
    }
    const ir = (await lookupIr(openStore(storeDir), (await prepare(root, storeDir)).work[0]!.headers.find((h) => h.job.header === 'include/viamacro.h')!.keys.irKey))
    assert.ok(ir.hit && JSON.stringify(ir.payload).includes('"y"'), 'the stored IR is the one of the changed file')
  })

  it('lets every queued parse listen to the run\'s signal without Node warning of a leak', async () => {
    const root = project()
    const {plan, work} = await prepare(root, join(root, '.headerkit'))
    const warnings: string[] = []
    const onWarning = (w: Error): void => { warnings.push(w.name) }
    process.on('warning', onWarning)
    try {
      // As the parse pool does: one abort listener per header waiting, many at once.
      const report = await runPopulate(plan, work, {signal: new AbortController().signal, engines: engineSet(() => Promise.resolve(hostEngine({during: (input) => { for (let i = 0; i < 12; i++) input.signal.addEventListener('abort', () => undefined) }})))})
      assert.equal(report.ok, true)
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    assert.deepEqual(warnings.filter((w) => w === 'MaxListenersExceededWarning'), [])
  })

  it('a failed job leaves the others merged and nothing of its own', async () => {
    const root = project()
    const storeDir = join(root, '.headerkit')
    const {plan, work} = await prepare(root, storeDir)
    const report = await runPopulate(plan, work, {engines: engineSet(() => Promise.resolve(hostEngine({fail: ['linux/s390x']})))})
    assert.equal(report.ok, false)
    const byPlatform = new Map(report.jobs.map((j) => [j.dockerPlatform, j]))
    assert.equal(byPlatform.get('linux/s390x')!.status, 'failed')
    assert.deepEqual(byPlatform.get('linux/s390x')!.error, {code: 'E_TEST_ENGINE', message: 'no parse for linux/s390x', hint: null})
    assert.equal(byPlatform.get('linux/s390x')!.staging, null)
    assert.equal(report.merge?.new, 3 * 6)
    const store = openStore(storeDir)
    for (const w of work) {
      for (const h of w.headers) {
        const hit = (await lookupIr(store, h.keys.irKey)).hit
        assert.equal(hit, w.job.dockerPlatform !== 'linux/s390x', `${w.label} ${h.job.header}`)
      }
    }
  })

  it('an abort merges nothing of the run, not even the jobs that finished', async () => {
    const root = project()
    const storeDir = join(root, '.headerkit')
    const {plan, work} = await prepare(root, storeDir)
    const controller = new AbortController()
    let parses = 0
    // The third job's parse is where Ctrl-C lands.
    const engine = hostEngine({during: () => { if (++parses === 3) controller.abort() }})
    await assert.rejects(runPopulate(plan, work, {engines: engineSet(() => Promise.resolve(engine)), signal: controller.signal}), PopulateAbortedError)
    const store = openStore(storeDir)
    for (const w of work) for (const h of w.headers) assert.equal((await lookupIr(store, h.keys.irKey)).hit, false)
  })

  it('with every output present reads no IR payload and parses nothing; a missing output still needs a fresh IR', async () => {
    const root = project()
    const storeDir = join(root, '.headerkit')
    const first = await prepare(root, storeDir)
    assert.equal((await runPopulate(first.plan, first.work, {engines: engineSet(() => Promise.resolve(hostEngine()))})).ok, true)
    // Every IR payload replaced by bytes that do not parse: only a read of it would notice.
    const irDir = join(storeDir, 'ir')
    for (const slug of readdirSync(irDir).filter((n) => !n.includes('.json') && !n.startsWith('.'))) writeFileSync(join(irDir, slug, 'ir.json'), 'not read\n')
    const again = await prepare(root, storeDir)
    assert.ok(again.work.every((w) => w.headers.every((h) => h.irPresent && h.ir === undefined)))
    const report = await runPopulate(again.plan, again.work, {engines: engineSet(() => Promise.reject(new Error('no engine is needed')))})
    assert.equal(report.ok, true)
    assert.ok(report.jobs.every((j) => j.status === 'present'))

    // One output gone: that header's IR is read, found damaged, and parsed again.
    const cffi = join(storeDir, 'output/cffi')
    const index = JSON.parse(readFileSync(join(cffi, 'index.json'), 'utf8')) as {version: number; entries: Record<string, unknown>}
    const gone = Object.keys(index.entries).find((s) => s.startsWith('libclang.one.x86_64'))!
    delete index.entries[gone]
    writeFileSync(join(cffi, 'index.json'), JSON.stringify(index))
    const third = await prepare(root, storeDir)
    const one = third.work.find((w) => w.job.dockerPlatform === 'linux/amd64')!.headers.find((h) => h.job.header === 'include/one.h')!
    assert.equal(one.irPresent, false)
  })
})
