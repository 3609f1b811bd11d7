import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {openStore, verifyStore} from '../../src/store/index.js'
import {REPO_ROOT} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'
import {writeFixtureStore} from './support/fixture-store.js'

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const e of readdirSync(dir, {withFileTypes: true, recursive: true})) if (e.isFile()) out.set(join(e.parentPath, e.name).slice(dir.length), readFileSync(join(e.parentPath, e.name), 'utf8'))
  return out
}

describe('the committed fixture store', () => {
  it('is exactly what the API writes today (the on-disk format has not drifted) and verifies clean', async () => {
    const fixture = join(REPO_ROOT, 'fixtures/stores/good')
    const fresh = join(makeTempDir(), 'good')
    await writeFixtureStore(fresh)
    assert.deepEqual(files(fresh), files(fixture))
    assert.deepEqual((await verifyStore(openStore(fixture))).problems, [])
  })
})
