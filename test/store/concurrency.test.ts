import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {lookupIr, openStore, rebuildIndex, verifyStore} from '../../src/store/index.js'
import {irKey} from '../../src/store/index.js'
import {makeTempDir} from '../support/tmp.js'
import {irInputs} from './support/entries.js'

const WRITER = fileURLToPath(new URL('support/write-entries.ts', import.meta.url))

function startWriter(store: string, prefix: string, count: number, size = 2000) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--no-warnings', WRITER, store, prefix, String(count), String(size)], {stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>((resolve) => child.on('close', (code, signal) => resolve({code, signal, stdout, stderr})))
  /** Resolves once the writer reports `n` entries written (or ends). */
  const wrote = (n: number) => new Promise<void>((resolve) => {
    const check = () => {
      if (stdout.includes(`wrote ${n}\n`) || child.exitCode !== null) resolve()
      else setTimeout(check, 2)
    }
    check()
  })
  return {child, done, wrote}
}

const entriesOf = (file: string): string[] => Object.keys((JSON.parse(readFileSync(file, 'utf8')) as {entries: object}).entries)

describe('store under concurrent and crashing writers', function () {
  this.timeout(240_000)

  it('8 processes writing distinct entries at once lose none', async () => {
    const store = openStore(join(makeTempDir(), 'store'))
    const perProcess = 12
    const runs = Array.from({length: 8}, (_, p) => startWriter(store.root, `p${p}`, perProcess))
    const results = await Promise.all(runs.map((r) => r.done))
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    assert.equal(entriesOf(join(store.root, 'ir/index.json')).length, 8 * perProcess)
    assert.equal(entriesOf(join(store.root, 'output/cffi/index.json')).length, 8 * perProcess)
    for (let p = 0; p < 8; p++) for (let n = 0; n < perProcess; n++) assert.ok((await lookupIr(store, await irKey(irInputs(`p${p}-${n}`)))).hit, `p${p}-${n}`)
    const v = await verifyStore(store)
    assert.deepEqual(v.problems, [])
    assert.equal(v.entries, 2 * 8 * perProcess)
  })

  it('a writer killed with SIGKILL at random moments never leaves a store verify rejects', async () => {
    const store = openStore(join(makeTempDir(), 'store'))
    const rounds = Number(process.env.HEADERKIT_CRASH_ROUNDS ?? 16)
    let killedMidway = 0
    for (let round = 0; round < rounds; round++) {
      // Two writers per round, so kills also land while the other holds or waits for the lock.
      const a = startWriter(store.root, `r${round}a`, 40, 6000)
      const b = startWriter(store.root, `r${round % 3}b`, 40, 6000)
      // Kill after a random number of finished entries plus a random part of the next
      // one, so the kill lands mid-write whatever the machine's speed.
      await a.wrote(1 + Math.floor(Math.random() * 30))
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 15))
      a.child.kill('SIGKILL')
      const [ra, rb] = await Promise.all([a.done, b.done])
      assert.equal(rb.code, 0, rb.stderr)
      const written = entriesOf(join(store.root, 'ir/index.json')).filter((s) => s.startsWith(`libclang.r${round}a-`)).length
      if (ra.signal === 'SIGKILL' && written > 0 && written < 40) killedMidway++
      const v = await verifyStore(store)
      assert.deepEqual(v.problems.filter((p) => p.severity === 'error'), [], `round ${round}`)
      assert.doesNotThrow(() => entriesOf(join(store.root, 'ir/index.json')))
    }
    assert.ok(killedMidway >= rounds / 4, `only ${killedMidway} of ${rounds} writers were killed while writing; the test proved little`)
    await rebuildIndex(store)
    const v = await verifyStore(store)
    assert.deepEqual(v.problems.filter((p) => p.code !== 'leftover' && p.code !== 'lock'), [])
  })
})
