/**
 * The bundled standalone worker: esbuild makes one file, which runs under plain
 * `node` (no tsx) next to a node_modules holding only koffi, as it will inside a
 * container of another architecture.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {headerFromJson} from '../../src/ir/json.js'
import {makeTempDir} from '../support/tmp.js'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const TRICKY = `${REPO}fixtures/headers/tricky`

describe('parse: standalone worker bundle', function () {
  let dir: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the worker's JSON, asserted field by field
  const run = (args: string[], input?: string): {code: number | null; out: any; stderr: string} => {
    const r = spawnSync(process.execPath, [`${dir}/worker.mjs`, ...args], {input, encoding: 'utf8', cwd: dir, env: {PATH: process.env.PATH}})
    return {code: r.status, out: JSON.parse(r.stdout), stderr: r.stderr}
  }

  before(function () {
    dir = makeTempDir()
    const b = spawnSync(process.execPath, [`${REPO}scripts/bundle-worker.mjs`, `${dir}/worker.mjs`], {encoding: 'utf8'})
    assert.equal(b.status, 0, b.stderr)
    mkdirSync(`${dir}/node_modules/@koromix`, {recursive: true})
    symlinkSync(`${REPO}node_modules/koffi`, `${dir}/node_modules/koffi`)
    for (const name of readdirSync(`${REPO}node_modules/@koromix`)) symlinkSync(`${REPO}node_modules/@koromix/${name}`, `${dir}/node_modules/@koromix/${name}`)
  })

  it('is one file that imports nothing but node builtins and koffi', function () {
    const text = readFileSync(`${dir}/worker.mjs`, 'utf8')
    const required = [...text.matchAll(/(?:require\d*\(|from\s*|import\()\s*["']([^"']+)["']/g)].map((m) => m[1]!)
    assert.deepEqual([...new Set(required.filter((m) => !m.startsWith('node:')))].sort(), ['koffi'])
    for (const banned of ['execa', 'dockerode', '@oclif', 'hash-wasm', 'blake']) assert.ok(!text.includes(`"${banned}`), banned)
  })

  it('parses a job from stdin and from a file into IR that reads back', function () {
    const job = {header: `${TRICKY}/tricky.h`, projectRoot: TRICKY, target: 'x86_64-pc-linux-gnu', args: []}
    const fromStdin = run([], JSON.stringify(job))
    assert.equal(fromStdin.code, 0, fromStdin.stderr)
    assert.equal(fromStdin.out.ok, true)
    const [result] = fromStdin.out.results
    assert.deepEqual(result.included, ['sub/other.h'])
    const ir = headerFromJson(result.ir)
    assert.ok(ir.declarations.some((d) => d.kind === 'function' && d.name === 'plain_fn'))
    const file = `${dir}/jobs.json`
    writeFileSync(file, JSON.stringify([job, {...job, target: 'aarch64-unknown-linux-gnu', args: ['--sysroot=/usr/aarch64-linux-gnu']}]))
    const fromFile = run([file])
    assert.equal(fromFile.code, 0, fromFile.stderr)
    assert.equal(fromFile.out.results.length, 2)
    assert.deepEqual(fromFile.out.results[0].ir, result.ir)
    assert.equal(fromFile.out.results[1].ir.char_signed, false)
  })

  it('reports a failed parse as JSON with the diagnostics and exit 1, a bad job with exit 2', function () {
    const errors = `${REPO}fixtures/headers/errors`
    const failed = run([], JSON.stringify({header: `${errors}/syntax.h`, projectRoot: errors, target: 'x86_64-pc-linux-gnu', args: []}))
    assert.equal(failed.code, 1)
    assert.equal(failed.out.ok, false)
    assert.equal(failed.out.error.code, 'E_PARSE')
    assert.equal(failed.out.error.diagnostics[0].file, 'syntax.h')
    const bad = run([], '{"header": 3}')
    assert.equal(bad.code, 2)
    assert.equal(bad.out.error.code, 'E_JOB')
  })
})
