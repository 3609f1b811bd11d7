/**
 * The no-op journal: a generation that changed nothing is replayed by the next identical
 * command only while everything it depended on is as it was. Each case records a real
 * generation of the bundled example, changes one thing a user could change, and checks
 * that the replay refuses (and that a full run then gives the new bindings).
 */
import assert from 'node:assert/strict'
import {appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runGenerate} from '../../src/cli/generate-run.js'
import {beginJournal, type Printed, RACY_MS, replayJournal} from '../../src/journal/journal.js'
import {REPO_ROOT} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'

interface Project {
  dir: string
  env: NodeJS.ProcessEnv
  /** Stands in for the bundle that runs the command. */
  tool: string
}

function demo(): Project {
  const root = makeTempDir('hk-journal-')
  const dir = join(root, 'demo')
  cpSync(join(REPO_ROOT, 'examples/demo'), dir, {recursive: true})
  mkdirSync(join(dir, '.git'))
  const tool = join(root, 'fast.cjs')
  writeFileSync(tool, '// build 1\n')
  return {dir, env: {HOME: root, HEADERKIT_CACHE_DIR: join(root, 'cache'), PATH: process.env.PATH}, tool}
}

/**
 * One generation recorded for the journal. Files the test just made are seconds old at
 * most, so the run is dated later than the racy window (as if the user ran it later).
 */
async function recorded(p: Project, argv: string[] = [], options: {settled?: boolean} = {}) {
  const startedAt = options.settled === false ? Date.now() : Date.now() + RACY_MS + 5000
  const journal = beginJournal(argv, p.dir, p.env, p.tool, startedAt)
  try {
    const outcome = await runGenerate(argv, {}, false, {env: journal?.env ?? p.env, cwd: p.dir})
    journal?.finish(printedBy(outcome), outcome.changedNothing)
    return outcome
  } finally {
    journal?.abandon()
  }
}

/** What the shipped CLI prints for a human-mode outcome (src/cli/fast-generate.ts). */
function printedBy(outcome: {stdout: string; stderr: string}): Printed {
  return [[1, outcome.stdout], [2, outcome.stderr]]
}

/** The text a replay writes to one stream. */
function stream(printed: Printed | undefined, fd: 1 | 2): string | undefined {
  return printed?.filter(([to]) => to === fd).map(([, text]) => text).join('')
}

/** A project generated once (parsed) and recorded on its second, no-op run. */
async function journalled(argv: string[] = []): Promise<Project> {
  const p = demo()
  const first = await recorded(p, argv)
  assert.equal(first.changedNothing, false, 'the first run parses')
  assert.equal(replayJournal(argv, p.dir, p.env), undefined, 'a run that did something is not journalled')
  const second = await recorded(p, argv)
  assert.equal(second.changedNothing, true)
  assert.deepEqual(replayJournal(argv, p.dir, p.env), printedBy(second))
  return p
}

describe('the no-op journal', function () {
  this.timeout(120_000)

  it('replays exactly what the run that changed nothing printed, and only for the same command', async () => {
    const p = await journalled()
    const replay = stream(replayJournal([], p.dir, p.env), 2)!
    assert.match(replay, /2 outputs: 2 from the output cache, 0 from cached IR, 0 parsed/)
    assert.ok(replay.includes('cffi: include/demo.h -> bindings/demo.cdef.txt (unchanged) [output cache]'), replay)
    assert.equal(replayJournal(['include/demo.h'], p.dir, p.env), undefined, 'other arguments')
    assert.equal(replayJournal([], join(p.dir, 'include'), p.env), undefined, 'another directory')
  })

  it('replays a single output printed on stdout', async () => {
    const p = demo()
    // No output template for lua in the example's config: its text goes to stdout.
    const argv = ['include/demo.h', '-w', 'lua']
    const run = async () => {
      const startedAt = Date.now() + RACY_MS + 5000
      const journal = beginJournal(argv, p.dir, p.env, p.tool, startedAt)!
      const outcome = await runGenerate(['include/demo.h'], {writer: ['lua']}, false, {env: journal.env, cwd: p.dir})
      journal.finish(printedBy(outcome), outcome.changedNothing)
      return outcome
    }
    await run()
    const second = await run()
    assert.ok(second.stdout.includes('demo_open'), second.stdout)
    assert.equal(stream(replayJournal(argv, p.dir, p.env), 1), second.stdout)
  })

  const changes: [string, (p: Project) => void][] = [
    ['the header is edited', (p) => appendFileSync(join(p.dir, 'include/demo.h'), '\nint demo_added(void);\n')],
    ['a header it includes is edited', (p) => appendFileSync(join(p.dir, 'include/demo/types.h'), '\n/* edited */\n')],
    ['a file appears where an include was looked for and not found', (p) => writeFileSync(join(p.dir, 'include/stdint.h'), 'typedef int shadowed_t;\n')],
    ['an output file is deleted', (p) => rmSync(join(p.dir, 'bindings/demo.json'))],
    ['an output file is edited', (p) => appendFileSync(join(p.dir, 'bindings/demo.cdef.txt'), '/* hand edit */\n')],
    ['an output file is replaced by a link', (p) => {
      renameSync(join(p.dir, 'bindings/demo.json'), join(p.dir, 'bindings/other.json'))
      symlinkSync('other.json', join(p.dir, 'bindings/demo.json'))
    }],
    ['the config is edited', (p) => appendFileSync(join(p.dir, 'pyproject.toml'), '\n# edited\n')],
    ['a .headerkit.toml appears beside the pyproject', (p) => writeFileSync(join(p.dir, '.headerkit.toml'), 'writers = ["json"]\n')],
    ['a stored output is tampered with', (p) => {
      const layer = join(p.dir, '.headerkit/output/cffi')
      const slug = readdirSync(layer).find((n) => n !== 'index.json')!
      appendFileSync(join(layer, slug, 'output.cdef.txt'), ' ')
    }],
    ['a stored entry is removed', (p) => {
      const layer = join(p.dir, '.headerkit/output/json')
      rmSync(join(layer, readdirSync(layer).find((n) => n !== 'index.json')!), {recursive: true})
    }],
    ['the store is removed', (p) => rmSync(join(p.dir, '.headerkit'), {recursive: true})],
    ['another build of headerkit runs it', (p) => writeFileSync(p.tool, '// build 2\n')],
  ]
  for (const [what, change] of changes) {
    it(`refuses to replay when ${what}`, async () => {
      const p = await journalled()
      change(p)
      assert.equal(replayJournal([], p.dir, p.env), undefined)
    })
  }

  it('refuses when a variable the run read, or any HEADERKIT_ variable, is set or changed', async () => {
    const p = await journalled()
    assert.equal(replayJournal([], p.dir, {...p.env, HEADERKIT_TARGET: 'aarch64-unknown-linux-gnu'}), undefined)
    assert.equal(replayJournal([], p.dir, {...p.env, HEADERKIT_SOMETHING_NEW: '1'}), undefined)
    assert.equal(replayJournal([], p.dir, {...p.env, HOME: '/elsewhere', HEADERKIT_CACHE_DIR: p.env.HEADERKIT_CACHE_DIR}), undefined)
    assert.notEqual(replayJournal([], p.dir, {...p.env, UNRELATED: 'x'}), undefined, 'a variable nothing reads')
  })

  it('refuses when a variable the config expands changes', async () => {
    const p = demo()
    const config = join(p.dir, 'pyproject.toml')
    writeFileSync(config, readFileSync(config, 'utf8').replace('defines = ["DEMO_API="]', 'defines = ["DEMO_API=${DEMO_API_VALUE}"]'))
    p.env.DEMO_API_VALUE = ''
    await recorded(p)
    await recorded(p)
    assert.notEqual(replayJournal([], p.dir, p.env), undefined)
    assert.equal(replayJournal([], p.dir, {...p.env, DEMO_API_VALUE: '__attribute__((visibility("default")))'}), undefined)
  })

  it('refuses when a header is added where the config glob looks', async () => {
    const p = demo()
    const config = join(p.dir, 'pyproject.toml')
    writeFileSync(config, readFileSync(config, 'utf8').replace('pattern = "include/demo.h"', 'pattern = "include/**/*.h"'))
    await recorded(p)
    await recorded(p)
    assert.notEqual(replayJournal([], p.dir, p.env), undefined)
    mkdirSync(join(p.dir, 'include/extra'))
    writeFileSync(join(p.dir, 'include/extra/more.h'), 'int more(void);\n')
    assert.equal(replayJournal([], p.dir, p.env), undefined)
    const after = await recorded(p)
    assert.ok(after.stderr.includes('include/extra/more.h'), after.stderr)
  })

  it('does not journal a run whose inputs changed within the racy window, and forgets one that did something', async () => {
    const p = await journalled()
    appendFileSync(join(p.dir, 'include/demo.h'), '\nint demo_new(void);\n')
    const parsed = await recorded(p, [], {settled: false})
    assert.equal(parsed.changedNothing, false)
    assert.equal(replayJournal([], p.dir, p.env), undefined)
    const unchanged = await recorded(p, [], {settled: false})
    assert.equal(unchanged.changedNothing, true)
    assert.equal(replayJournal([], p.dir, p.env), undefined, 'files a second old are not trusted to their timestamps')
    assert.ok(readFileSync(join(p.dir, 'bindings/demo.cdef.txt'), 'utf8').includes('demo_new'), readFileSync(join(p.dir, 'bindings/demo.cdef.txt'), 'utf8'))
  })

  it('is off with HEADERKIT_NO_JOURNAL, and a damaged journal is a miss, never an error', async () => {
    const p = await journalled()
    assert.equal(replayJournal([], p.dir, {...p.env, HEADERKIT_NO_JOURNAL: '1'}), undefined)
    assert.equal(beginJournal([], p.dir, {...p.env, HEADERKIT_NO_JOURNAL: '1'}, p.tool), undefined)
    const dir = join(p.env.HEADERKIT_CACHE_DIR!, 'journal')
    const file = join(dir, readdirSync(dir)[0]!)
    const record = JSON.parse(readFileSync(file, 'utf8')) as {observations: unknown[]}
    for (const damaged of ['{not json', '[]', JSON.stringify({...record, observations: [['/x', 'follow', 'not a fingerprint']]}), JSON.stringify({...record, observations: 7})]) {
      writeFileSync(file, damaged)
      assert.equal(replayJournal([], p.dir, p.env), undefined)
    }
  })

  it('keeps the newest 256 journals and removes what a killed run left', async () => {
    const p = demo()
    const dir = join(p.env.HEADERKIT_CACHE_DIR!, 'journal')
    mkdirSync(dir, {recursive: true})
    const old = new Date(Date.now() - 2 * 3_600_000)
    for (let i = 0; i < 300; i++) {
      writeFileSync(join(dir, `old${i}.json`), '{}')
      utimesSync(join(dir, `old${i}.json`), old, old)
    }
    writeFileSync(join(dir, 'x.json.123.tmp'), '{')
    utimesSync(join(dir, 'x.json.123.tmp'), old, old)
    await recorded(p)
    await recorded(p)
    const left = readdirSync(dir)
    assert.equal(left.length, 256)
    assert.ok(!left.includes('x.json.123.tmp'))
    assert.notEqual(replayJournal([], p.dir, p.env), undefined, 'the newest journal is kept')
  })
})
