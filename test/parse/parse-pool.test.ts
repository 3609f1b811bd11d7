/**
 * The parse pool against the real libclang: threads answer what an in-process parse
 * answers, start only as parses need them, keep one failure to its own parse, stop on an
 * abort, and close.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {LibclangNotFoundError, ParseError, parseHeader} from '../../src/parse/index.js'
import {locateLibclang} from '../../src/parse/libclang/locate.js'
import {openLibclang} from '../../src/parse/libclang/parse.js'
import type {ParseRequest} from '../../src/parse/types.js'
import {createParsePool, type ParsePool, ParsePoolClosedError} from '../../src/parse/parse-pool.js'
import {makeTempDir} from '../support/tmp.js'

const X86 = 'x86_64-pc-linux-gnu'

describe('parse: the parse pool', function () {
  // Each thread loads tsx, koffi and libclang from the sources: seconds under load.
  this.timeout(120_000)
  let root: string
  let libclang: string
  const pools: ParsePool[] = []
  const pool = (size: number, lib = libclang): ParsePool => {
    const p = createParsePool({libclang: lib, size})
    pools.push(p)
    return p
  }
  const request = (name: string): ParseRequest => ({header: join(root, name), projectRoot: root, target: X86, args: []})

  before(() => {
    libclang = locateLibclang()
    root = makeTempDir('headerkit-pool-')
    writeFileSync(join(root, 'a.h'), '#include <stddef.h>\nstruct point { long x; char *name; };\nint area(struct point *p, size_t n);\n#define A_MAX 42\n')
    writeFileSync(join(root, 'b.h'), 'typedef enum {RED = 1, GREEN = 2} color;\ndouble mix(color c, float k);\n#define B_NAME "b"\n')
    writeFileSync(join(root, 'c.h'), 'unsigned long long wide(unsigned char c);\n')
    writeFileSync(join(root, 'broken.h'), 'struct s { int x };\nint f(undeclared_t y);\n')
    // Long enough to be still running when the test aborts it.
    writeFileSync(join(root, 'big.h'), Array.from({length: 6000}, (_, i) => `struct s${i} { int a; long b; char c[${i % 7 + 1}]; };\nint f${i}(struct s${i} *p, unsigned n);\n#define M${i} (${i} * 3 + 1)\n`).join(''))
  })

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()))
  })

  it('answers exactly what an in-process parse answers, with the same libclang version', async () => {
    const p = pool(2)
    const names = ['a.h', 'b.h', 'c.h']
    const threaded = await Promise.all(names.map((n) => p.parse(request(n))))
    for (const [i, n] of names.entries()) assert.deepEqual(threaded[i], await parseHeader({...request(n), libclang}))
    assert.equal(await p.version(), openLibclang(libclang).version)
  })

  it('starts threads only as parses wait for them, never more than its size', async () => {
    const one = pool(4)
    await one.parse(request('a.h'))
    await one.parse(request('b.h'))
    assert.equal(one.started, 1, 'parses one after another share one thread')

    const two = pool(2)
    await Promise.all(['a.h', 'b.h', 'c.h', 'a.h', 'b.h'].map((n) => two.parse(request(n))))
    assert.equal(two.started, 2)

    const warmed = pool(3)
    warmed.warm(2)
    assert.equal(warmed.started, 2)
    warmed.warm(10)
    assert.equal(warmed.started, 3, 'warm stays within the size')
    await warmed.parse(request('c.h'))
    assert.equal(warmed.started, 3)
  })

  it('fails a broken header with the parse error an in-process parse gives, and nothing else', async () => {
    const p = pool(2)
    const [bad, good] = await Promise.allSettled([p.parse(request('broken.h')), p.parse(request('a.h'))])
    assert.equal(bad.status, 'rejected')
    const inProcess = await parseHeader({...request('broken.h'), libclang}).then(() => undefined, (e: unknown) => e)
    assert.ok(inProcess instanceof ParseError)
    const error = bad.reason as unknown
    assert.ok(error instanceof ParseError, `expected a ParseError, got ${String(error)}`)
    assert.equal(error.message, inProcess.message)
    assert.deepEqual(error.diagnostics, inProcess.diagnostics)
    assert.equal(error.code, 'E_PARSE')
    assert.equal(good.status, 'fulfilled')
    // The thread that reported the failure goes on parsing.
    assert.equal((await p.parse(request('c.h'))).ir.path, 'c.h')
    assert.equal(p.started, 2)
  })

  it('rejects a running parse on abort at once; the thread finishes it unseen and goes on', async () => {
    const p = pool(1)
    await p.version()
    const controller = new AbortController()
    const running = p.parse(request('big.h'), controller.signal)
    const t0 = performance.now()
    controller.abort(new Error('stop now'))
    await assert.rejects(running, /stop now/)
    const rejectedAfter = performance.now() - t0
    // The same thread takes the next parse once the aborted one is done.
    const next = await p.parse(request('c.h'))
    const nextAfter = performance.now() - t0
    assert.equal(next.ir.path, 'c.h')
    assert.equal(p.started, 1, 'the thread is reused, not replaced')
    assert.ok(rejectedAfter < nextAfter / 4, `the abort took ${rejectedAfter.toFixed(0)} ms, the aborted parse ${nextAfter.toFixed(0)} ms: the abort must not wait for it`)
  })

  it('survives aborts at any moment of a parse, and close() then ends every thread', async () => {
    // Ending a thread mid-parse (Worker.terminate) crashed the process at some of these delays.
    const p = pool(1)
    await p.version()
    for (const delay of [0, 5, 20, 60, 150]) {
      const controller = new AbortController()
      const parse = p.parse(request('big.h'), controller.signal)
      setTimeout(() => controller.abort(), delay)
      await assert.rejects(parse)
    }
    await p.close()
    assert.equal(p.started, 1)
  })

  it('drops a waiting parse on abort and leaves the running one alone', async () => {
    const p = pool(1)
    const controller = new AbortController()
    const first = p.parse(request('big.h'))
    const waiting = p.parse(request('a.h'), controller.signal)
    controller.abort()
    await assert.rejects(waiting, /aborted|AbortError/)
    assert.equal((await first).ir.path, 'big.h')
    assert.equal(p.started, 1)
    await assert.rejects(p.parse(request('a.h'), controller.signal), 'an already aborted signal is refused at once')
  })

  it('close() after an abort keeps the process alive until the thread that still parses has ended', () => {
    // The aborted parse answers after close() asked the thread to stop; were the thread
    // unreferenced then, the process would end with close() never settling (exit 0, no output).
    const script = join(root, 'close-after-abort.mts')
    writeFileSync(script, [
      `import {createParsePool} from ${JSON.stringify(fileURLToPath(new URL('../../src/parse/parse-pool.ts', import.meta.url)))}`,
      `const pool = createParsePool({libclang: ${JSON.stringify(libclang)}, size: 2})`,
      'pool.warm(2)',
      'const controller = new AbortController()',
      `const request = {header: ${JSON.stringify(join(root, 'big.h'))}, projectRoot: ${JSON.stringify(root)}, target: 'x86_64-pc-linux-gnu', args: []}`,
      'const parses = [pool.parse(request, controller.signal), pool.parse(request, controller.signal)]',
      'await pool.version()',
      '// Both parses under way (big.h takes about a second), then the abort.',
      'await new Promise((resolve) => setTimeout(resolve, 300))',
      'controller.abort()',
      'await Promise.allSettled(parses)',
      'await pool.close()',
      'console.log("closed")',
    ].join('\n'))
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], {encoding: 'utf8', timeout: 60_000})
    assert.equal(r.stdout.trim(), 'closed', r.stderr)
    assert.equal(r.status, 0)
  })

  it('close() fails what is waiting or running, and refuses new parses', async () => {
    const p = pool(2)
    p.warm(2)
    const running = p.parse(request('big.h'))
    const waiting = p.parse(request('a.h'))
    // Threads still loading koffi and libclang are waited for, not killed (that aborts the process).
    await p.close()
    await assert.rejects(running, ParsePoolClosedError)
    await assert.rejects(waiting, ParsePoolClosedError)
    await assert.rejects(p.parse(request('a.h')), ParsePoolClosedError)
  })

  it('a libclang that cannot be loaded fails every parse with its error, without starting threads over', async () => {
    const notALibrary = join(root, 'a.h')
    const p = pool(2, notALibrary)
    const results = await Promise.allSettled([p.parse(request('a.h')), p.parse(request('b.h')), p.parse(request('c.h'))])
    for (const r of results) {
      assert.equal(r.status, 'rejected')
      assert.ok(r.reason instanceof LibclangNotFoundError)
    }
    await assert.rejects(p.version(), LibclangNotFoundError)
    await assert.rejects(p.parse(request('a.h')), LibclangNotFoundError)
    assert.ok(p.started <= 2)
  })
})
