/**
 * What a killed run leaves in the per-user cache (an extraction or download cut short by
 * SIGKILL) is removed by a later run; what a live run is still writing is never touched.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, utimesSync} from 'node:fs'
import {join} from 'node:path'
import {makeTempIn, pruneTemps} from '../../src/populate/cache-dir.js'
import {makeTempDir} from '../support/tmp.js'

describe('per-user cache: temp entries of killed runs', function () {
  it('removes those of processes that are gone and unowned ones older than an hour, and keeps the rest', async () => {
    const dir = makeTempDir('headerkit-cache-temps-')
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {encoding: 'utf8'}).stdout.trim()
    const entries = {
      dead: `.tmp-${gone}-abc`,
      live: '.tmp-1-abc', // pid 1 always exists
      own: `.tmp-${process.pid}-abc`,
      oldUnowned: '.tmp-XyZ12',
      newUnowned: '.tmp-AbC34',
      sysroot: '0123456789abcdef01234567',
    }
    for (const name of Object.values(entries)) mkdirSync(join(dir, name, 'usr/include'), {recursive: true})
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000)
    utimesSync(join(dir, entries.oldUnowned), twoHoursAgo, twoHoursAgo)
    await pruneTemps(dir)
    const left = Object.entries(entries).filter(([, name]) => existsSync(join(dir, name))).map(([what]) => what)
    assert.deepEqual(left, ['live', 'own', 'newUnowned', 'sysroot'])
  })

  it('names a new temp directory after this process', async () => {
    const dir = makeTempDir('headerkit-cache-temps-')
    const temp = await makeTempIn(dir)
    assert.match(temp, new RegExp(`/\\.tmp-${process.pid}-[^/]+$`))
    assert.ok(existsSync(temp))
  })
})
