import assert from 'node:assert/strict'
import {cpSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {generateBatch} from '../../src/generate/index.js'
import {checkSourcesFresh} from '../../src/generate/freshness.js'
import {makeTempDir} from '../support/tmp.js'

const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url))

function demoProject(): string {
  const dir = join(makeTempDir('headerkit-fresh-'), 'demo')
  cpSync(DEMO, dir, {recursive: true})
  return dir
}

describe('checking the store against the current sources', function () {
  this.timeout(60_000)

  it('passes on a freshly generated store, without libclang', async () => {
    const dir = demoProject()
    await generateBatch({cwd: dir, env: {}})
    const report = await checkSourcesFresh({cwd: dir, env: {HEADERKIT_LIBCLANG: '/nonexistent'}})
    assert.deepEqual(report.problems, [])
    assert.equal(report.checked, 3, 'one IR entry and two outputs')
  })

  it('reports every entry a changed project header makes stale', async () => {
    const dir = demoProject()
    await generateBatch({cwd: dir, env: {}})
    writeFileSync(join(dir, 'include/demo/types.h'), readFileSync(join(dir, 'include/demo/types.h'), 'utf8').replace('DEMO_ERR_IO = -3', 'DEMO_ERR_IO = -4'))
    const report = await checkSourcesFresh({cwd: dir, env: {}})
    assert.deepEqual(report.problems.map((p) => [p.header, p.layer, p.problem]), [
      ['include/demo.h', 'ir', 'missing'],
      ['include/demo.h', 'cffi', 'missing'],
      ['include/demo.h', 'json', 'missing'],
    ])
  })

  it('checks each target asked for, so a platform never populated is reported', async () => {
    const dir = demoProject()
    await generateBatch({cwd: dir, env: {}})
    const report = await checkSourcesFresh({cwd: dir, env: {}}, ['x86_64-pc-linux-gnu', 'aarch64-unknown-linux-gnu'])
    assert.deepEqual([...new Set(report.problems.map((p) => p.target))], ['aarch64-unknown-linux-gnu'])
    assert.equal(report.problems.length, 3)
  })
})
