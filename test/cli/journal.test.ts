/**
 * The shipped CLI answers a repeated no-op from its journal (src/journal/journal.ts)
 * without loading the CLI, prints what the full run printed, and runs in full again as
 * soon as an input changes.
 */
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {appendFileSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {BUILT_BIN, buildBundle, demoProject} from '../support/built-cli.js'
import {makeTempDir} from '../support/tmp.js'
import {RACY_MS} from '../../src/journal/journal.js'

describe('the shipped CLI with the no-op journal', function () {
  this.timeout(120_000)

  it('replays a repeated no-op without loading the CLI, and runs in full after an edit', async () => {
    await buildBundle()
    const dir = demoProject()
    const tmp = makeTempDir('hk-journal-cli-')
    const cache = join(tmp, 'cache')
    // Writes the modules the process loaded, so a test can tell a replay from a full run.
    const preload = join(tmp, 'modules.cjs')
    const loaded = join(tmp, 'loaded.json')
    writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(Object.keys(require.cache))))\n`)
    const env: Record<string, string | undefined> = {...process.env, HEADERKIT_CACHE_DIR: cache, NO_COLOR: '1'}
    for (const name of Object.keys(env)) if (name.startsWith('HEADERKIT_') && name !== 'HEADERKIT_CACHE_DIR') delete env[name]
    const run = async () => {
      const r = await execa(process.execPath, ['--require', preload, BUILT_BIN], {cwd: dir, env, extendEnv: false, reject: false, input: ''})
      const modules = JSON.parse(readFileSync(loaded, 'utf8')) as string[]
      return {exitCode: r.exitCode, stderr: String(r.stderr), stdout: String(r.stdout), fullRun: modules.some((m) => m.endsWith('fast.cjs'))}
    }

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
})
