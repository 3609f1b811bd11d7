/**
 * A cold run with several headers to parse parses them on worker threads with more than
 * two CPUs, in the main thread otherwise (DESIGN 11, bench/README.md Memory), and gives
 * exactly what one-header-at-a-time runs give in this thread: the same output files, the
 * same store bytes, results in the order of the headers, and a failing parse reported for
 * its header after the headers before it are written. The threads answer what the main
 * thread answers.
 */
import assert from 'node:assert/strict'
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {generateBatch} from '../../src/generate/index.js'
import {parsesInThisThread, parseThreadsFor, runParser} from '../../src/generate/parsers.js'
import {makeTempDir} from '../support/tmp.js'
import {treeBytes} from '../support/tree.js'

const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon']

function project(broken?: string): string {
  const dir = makeTempDir('headerkit-threads-')
  mkdirSync(join(dir, '.git'))
  mkdirSync(join(dir, 'include/sub'), {recursive: true})
  writeFileSync(join(dir, 'include/sub/point.h'), '#include <stdint.h>\ntypedef struct point { int32_t x, y; } point;\n')
  for (const n of NAMES) {
    const body = n === broken ? 'this is not C;\n' : `enum ${n}_kind { ${n.toUpperCase()}_A, ${n.toUpperCase()}_B };\nstruct ${n}_rec { unsigned f : 3; point p; };\nint ${n}_fn(struct ${n}_rec *r, void (*cb)(int));\n`
    writeFileSync(join(dir, `include/${n}.h`), `#include "sub/point.h"\n#define ${n.toUpperCase()}_V 3\n${body}`)
  }
  writeFileSync(join(dir, '.headerkit.toml'), 'writers = ["cffi", "json"]\n[[headers]]\npattern = "include/*.h"\n[output]\ncffi = "out/{stem}.cdef.txt"\njson = "out/{stem}.json"\n')
  return dir
}

describe('cold generation with several parses', function () {
  this.timeout(300_000)

  it("one parse thread per CPU but the main thread's, never more than the parses; the main thread alone with two CPUs or fewer", () => {
    assert.equal(parseThreadsFor(400, 8), 7)
    assert.equal(parseThreadsFor(400, 4), 3)
    assert.equal(parseThreadsFor(1, 8), 1)
    assert.equal(parseThreadsFor(3, 8), 3)
    assert.equal(parseThreadsFor(0, 2), 1)
    assert.equal(parsesInThisThread(400, 8), false)
    assert.equal(parsesInThisThread(3, 4), false)
    assert.equal(parsesInThisThread(400, 2), true)
    assert.equal(parsesInThisThread(400, 1), true)
    assert.equal(parsesInThisThread(1, 8), true)
  })

  it('parse threads (four CPUs) answer what the main thread (two CPUs) answers, header by header', async () => {
    const dir = project()
    const threads = await runParser(NAMES.length, undefined, undefined, 4)
    const inThread = await runParser(NAMES.length, undefined, undefined, 2)
    try {
      assert.equal(threads.ahead, 6)
      assert.equal(inThread.ahead, 1)
      const request = (n: string) => ({header: join(dir, `include/${n}.h`), projectRoot: dir, target: 'x86_64-pc-linux-gnu', args: ['-I', join(dir, 'include')]})
      const a = await Promise.all(NAMES.map((n) => threads.parse(request(n))))
      const b = await Promise.all(NAMES.map((n) => inThread.parse(request(n))))
      assert.deepEqual(a, b)
      assert.ok(a.every((r, i) => r.ir.path === `include/${NAMES[i]}.h` && r.included.includes('include/sub/point.h')))
    } finally {
      await threads.close()
      await inThread.close()
    }
  })

  it('gives the bytes of one-header-at-a-time runs, in header order, and the same store', async () => {
    const together = project()
    const report = await generateBatch({cwd: together, env: {}})
    assert.equal(report.parsed, NAMES.length)
    const order = [...NAMES].sort()
    assert.deepEqual(report.results.map((r) => `${r.header}:${r.writer}`), order.flatMap((n) => [`include/${n}.h:cffi`, `include/${n}.h:json`]))

    const oneByOne = project()
    for (const n of order) {
      const r = await generateBatch({cwd: oneByOne, env: {}, headers: [`include/${n}.h`]})
      assert.equal(r.parsed, 1)
    }
    assert.deepEqual(treeBytes(join(together, 'out')), treeBytes(join(oneByOne, 'out')))
    assert.deepEqual(treeBytes(join(together, '.headerkit')), treeBytes(join(oneByOne, '.headerkit')))

    const warm = await generateBatch({cwd: together, env: {}})
    assert.equal(warm.parsed, 0)
    assert.ok(warm.results.every((r) => r.source === 'output-cache'))
  })

  it('a header that does not parse fails the run with its own error, after the headers before it are written', async () => {
    const dir = project('delta')
    await assert.rejects(generateBatch({cwd: dir, env: {}}), (error: Error) => {
      assert.match(error.message, /delta\.h/)
      return true
    })
    // alpha, beta come before delta; epsilon and gamma after it.
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['alpha.cdef.txt', 'alpha.json', 'beta.cdef.txt', 'beta.json'])
  })
})
