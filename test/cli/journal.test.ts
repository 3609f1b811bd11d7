/**
 * The shipped CLI answers a repeated no-op from its journal (src/journal/journal.ts)
 * without loading the CLI, prints what the full run printed, and runs in full again as
 * soon as an input changes.
 */
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {BUILT_BIN, buildBundle, demoProject} from '../support/built-cli.js'
import {makeTempDir} from '../support/tmp.js'
import {RACY_MS} from '../../src/journal/journal.js'
import {IMAGE, PLATFORM, seededCache} from '../populate/support.js'
import {AARCH64_SYSROOT} from '../verify/support.js'

/** Runs the shipped CLI and tells whether it ran in full (loaded a command bundle) or was replayed. */
function runner(cwd: string, extraEnv: Record<string, string>) {
  const tmp = makeTempDir('hk-journal-cli-')
  // Writes the modules the process loaded, so a test can tell a replay from a full run.
  const preload = join(tmp, 'modules.cjs')
  const loaded = join(tmp, 'loaded.json')
  writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(Object.keys(require.cache))))\n`)
  const env: Record<string, string | undefined> = {...process.env, NO_COLOR: '1'}
  for (const name of Object.keys(env)) if (name.startsWith('HEADERKIT_')) delete env[name]
  Object.assign(env, extraEnv)
  return async (args: string[] = []) => {
    const r = await execa(process.execPath, ['--require', preload, BUILT_BIN, ...args], {cwd, env, extendEnv: false, reject: false, input: '', all: true})
    const modules = JSON.parse(readFileSync(loaded, 'utf8')) as string[]
    return {exitCode: r.exitCode, stderr: String(r.stderr), stdout: String(r.stdout), all: String(r.all), fullRun: modules.some((m) => /fast(-populate)?\.cjs$/.test(m))}
  }
}

describe('the shipped CLI with the no-op journal', function () {
  this.timeout(120_000)

  it('replays a repeated no-op without loading the CLI, and runs in full after an edit', async () => {
    await buildBundle()
    const dir = demoProject()
    const cache = join(makeTempDir('hk-journal-cache-'), 'cache')
    const run = runner(dir, {HEADERKIT_CACHE_DIR: cache})

    const parsed = await run()
    assert.equal(parsed.exitCode, 0, parsed.stderr)
    assert.match(parsed.stderr, /2 parsed/)
    // Older than the racy window, the inputs' timestamps can be trusted.
    await sleep(RACY_MS + 100)
    const warm = await run()
    assert.equal(warm.fullRun, true)
    assert.match(warm.stderr, /2 from the output cache/)
    assert.equal(readdirSync(join(cache, 'journal')).length, 1)

    const replayed = await run()
    assert.equal(replayed.exitCode, 0)
    assert.equal(replayed.fullRun, false, 'the replay loads no CLI bundle')
    assert.equal(replayed.stderr, warm.stderr)
    assert.equal(replayed.stdout, warm.stdout)

    appendFileSync(join(dir, 'include/demo.h'), '\nDEMO_API int demo_journal_probe(void);\n')
    const edited = await run()
    assert.equal(edited.fullRun, true)
    assert.match(edited.stderr, /2 parsed/)
    assert.match(readFileSync(join(dir, 'bindings/demo.cdef.txt'), 'utf8'), /demo_journal_probe/)
    assert.deepEqual(readdirSync(join(cache, 'journal')), [], 'a run that did something leaves no journal')
  })

  it('replays cache populate with nothing to do, in the order it printed, until a header changes', async function () {
    if (!existsSync(join(AARCH64_SYSROOT, 'include/stdio.h'))) this.skip()
    await buildBundle()
    const cache = seededCache()
    const dir = makeTempDir('hk-journal-populate-')
    mkdirSync(join(dir, '.git'))
    mkdirSync(join(dir, 'include'))
    writeFileSync(join(dir, 'include/wire.h'), '#include <stdint.h>\nstruct frame { uint8_t kind; uint64_t stamp; };\nint send_frame(const struct frame *f);\n')
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "wire"\n\n[tool.headerkit]\nwriters = ["cffi"]\n\n[[tool.headerkit.headers]]\npattern = "include/*.h"\n')
    // No Docker: the image's headers are in the seeded cache, which is all the sysroot engine needs.
    const run = runner(dir, {HEADERKIT_CACHE_DIR: cache, DOCKER_HOST: 'unix:///nonexistent/docker.sock'})
    const args = ['cache', 'populate', '--platform', PLATFORM, '--docker-image', IMAGE, '--engine', 'sysroot']

    const populated = await run(args)
    assert.equal(populated.exitCode, 0, populated.all)
    assert.match(populated.stdout, /1 populated/)
    await sleep(RACY_MS + 100)
    const present = await run(args)
    assert.equal(present.fullRun, true)
    assert.match(present.stdout, /0 populated, 1 already present/)
    const replayed = await run(args)
    assert.equal(replayed.fullRun, false)
    assert.equal(replayed.all, present.all, 'stdout and stderr in the order the run wrote them')
    assert.equal(replayed.exitCode, 0)

    appendFileSync(join(dir, 'include/wire.h'), 'int recv_frame(struct frame *f);\n')
    const again = await run(args)
    assert.equal(again.fullRun, true)
    assert.match(again.stdout, /1 populated/)
  })
})
