/**
 * The cache does its job exactly: every input that shapes an entry causes a miss when
 * it changes, and nothing else does. Real libclang, real files, the public API.
 */
import assert from 'node:assert/strict'
import {cpSync, readFileSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {generateBatch, type GenerateRequest} from '../../src/generate/index.js'
import {getWriter} from '../../src/writers/registry.js'
import {makeTempDir} from '../support/tmp.js'
import {treeBytes} from '../support/tree.js'

const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url))

function demoProject(): string {
  const dir = join(makeTempDir('headerkit-gen-'), 'demo')
  cpSync(DEMO, dir, {recursive: true})
  return dir
}

async function run(cwd: string, request: GenerateRequest = {}) {
  const report = await generateBatch({cwd, env: {}, ...request})
  return {
    report,
    sources: report.results.map((r) => `${r.writer}:${r.source}`),
    text: (writer: string) => report.results.find((r) => r.writer === writer)!.text,
  }
}

describe('generation through the two-layer cache', function () {
  this.timeout(120_000)

  it('parses once, then serves every writer from the output cache', async () => {
    const dir = demoProject()
    const first = await run(dir)
    assert.deepEqual(first.sources, ['cffi:parsed', 'json:parsed'])
    assert.match(readFileSync(join(dir, 'bindings/demo.cdef.txt'), 'utf8'), /demo_ctx \*demo_open\(const demo_config \*config, demo_status \*status\);/)
    const second = await run(dir)
    assert.deepEqual(second.sources, ['cffi:output-cache', 'json:output-cache'])
    assert.equal(second.text('cffi'), first.text('cffi'))
    assert.equal(second.report.parsed, 0)
  })

  it('builds a new writer from the cached IR without parsing', async () => {
    const dir = demoProject()
    await run(dir)
    const lua = await run(dir, {headers: ['include/demo.h'], writers: ['lua']})
    assert.deepEqual(lua.sources, ['lua:ir-cache'])
    assert.equal(lua.report.parsed, 0)
  })

  const edits: [string, (dir: string) => GenerateRequest | void, RegExp][] = [
    ['editing the header', (dir) => { writeFileSync(join(dir, 'include/demo.h'), readFileSync(join(dir, 'include/demo.h'), 'utf8').replace('double demo_area', 'float demo_area')) }, /float demo_area/],
    ['editing a directly included project header', (dir) => { writeFileSync(join(dir, 'include/demo/config.h'), readFileSync(join(dir, 'include/demo/config.h'), 'utf8').replace('char name[32];', 'char name[64];')) }, /char name\[64\];/],
    ['editing a header included through another header', (dir) => { writeFileSync(join(dir, 'include/demo/types.h'), readFileSync(join(dir, 'include/demo/types.h'), 'utf8').replace('DEMO_ERR_IO = -3', 'DEMO_ERR_IO = -3,\n  DEMO_ERR_BUSY = -4')) }, /DEMO_ERR_BUSY = -4/],
    ['adding a define', () => ({defines: ['DEMO_MAX_POINTS_OVERRIDE=1']}), /demo_open/],
    ['adding an include dir', () => ({includeDirs: ['include/demo']}), /demo_open/],
    ['adding a backend arg', () => ({backendArgs: ['-std=c11']}), /demo_open/],
    ['changing the target', () => ({target: 'aarch64-linux-gnu', backendArgs: ['--sysroot=/usr/aarch64-linux-gnu']}), /demo_open/],
    ['changing a writer option', () => ({writerOptFlags: ['cffi:exclude_patterns=^demo_close$']}), /^(?![\s\S]*demo_close)/],
  ]
  for (const [what, edit, expectInCffi] of edits) {
    it(`misses after ${what}, and serves the new content`, async () => {
      const dir = demoProject()
      await run(dir)
      const request = edit(dir) ?? {}
      const after = await run(dir, request)
      assert.notEqual(after.sources[0], 'cffi:output-cache', `expected a miss after ${what}`)
      assert.match(after.text('cffi'), expectInCffi)
      const again = await run(dir, request)
      assert.deepEqual(again.sources, ['cffi:output-cache', 'json:output-cache'], 'the new entry is then served from the cache')
    })
  }

  it('misses on the IR layer only when the writer option changes, reusing the IR', async () => {
    const dir = demoProject()
    await run(dir)
    const after = await run(dir, {writerOptFlags: ['cffi:exclude_patterns=^demo_close$']})
    assert.deepEqual(after.sources, ['cffi:ir-cache', 'json:output-cache'])
  })

  it('misses when a writer implementation is upgraded (its cacheVersion changes)', async () => {
    const dir = demoProject()
    await run(dir, {headers: ['include/demo.h'], writers: ['json'], outputs: {json: 'out.json'}})
    const json = getWriter('json') as {cacheVersion: string}
    const saved = json.cacheVersion
    try {
      json.cacheVersion = `${saved}-upgraded`
      const after = await run(dir, {headers: ['include/demo.h'], writers: ['json'], outputs: {json: 'out.json'}})
      assert.deepEqual(after.sources, ['json:ir-cache'])
    } finally {
      json.cacheVersion = saved
    }
  })

  it('does not miss when files are touched without changing', async () => {
    const dir = demoProject()
    await run(dir)
    const later = new Date(Date.now() + 60_000)
    for (const f of ['include/demo.h', 'include/demo/types.h', 'include/demo/config.h']) utimesSync(join(dir, f), later, later)
    assert.deepEqual((await run(dir)).sources, ['cffi:output-cache', 'json:output-cache'])
  })

  it('writes byte-identical stores in checkouts at different paths, and each hits the other', async () => {
    const a = demoProject()
    const b = join(makeTempDir('headerkit-elsewhere-'), 'some', 'deeper', 'checkout')
    cpSync(DEMO, b, {recursive: true})
    await run(a)
    await run(b)
    const storeA = treeBytes(join(a, '.headerkit'))
    assert.deepEqual(treeBytes(join(b, '.headerkit')), storeA)
    for (const bytes of storeA.values()) assert.doesNotMatch(Buffer.from(bytes, 'base64').toString('utf8'), /\/tmp\//, 'no absolute path in any store file')
    // A store moved to a third checkout is hit there.
    const c = join(makeTempDir('headerkit-moved-'), 'demo')
    cpSync(DEMO, c, {recursive: true})
    cpSync(join(a, '.headerkit'), join(c, '.headerkit'), {recursive: true})
    assert.deepEqual((await run(c)).sources, ['cffi:output-cache', 'json:output-cache'])
  })

  it('serves what the store can answer with libclang unavailable, and says so on a true IR miss', async () => {
    const dir = demoProject()
    await run(dir)
    const noLibclang = {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so.1'}
    assert.deepEqual((await generateBatch({cwd: dir, env: noLibclang})).results.map((r) => r.source), ['output-cache', 'output-cache'])
    const fromIr = await generateBatch({cwd: dir, env: noLibclang, headers: ['include/demo.h'], writers: ['lua']})
    assert.deepEqual(fromIr.results.map((r) => r.source), ['ir-cache'])
    writeFileSync(join(dir, 'include/demo.h'), `${readFileSync(join(dir, 'include/demo.h'), 'utf8')}\n/* edited */\n`)
    await assert.rejects(generateBatch({cwd: dir, env: noLibclang}), (e: Error & {code?: string}) => e.code === 'E_IR_MISS_NO_LIBCLANG' && /include\/demo\.h/.test(e.message) && /not in the IR cache/.test(e.message))
  })
})
