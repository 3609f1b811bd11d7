/**
 * Serving sqlite3.h's cffi output from a store with the Python standard library alone
 * (python/headerkit_store), against `python3 -c 0` measured in the same run: the CLI
 * (`python3 -m headerkit_store sqlite3.h -w cffi`) and the library (`load()` from a
 * `-c` script). Medians over interleaved runs. The store is filled once by the Node tool
 * (library API, in this process). Debian's /usr/bin/python3 unless PYTHON is set.
 *
 * Rerun: `node --import tsx bench/python-reader.ts [rounds]` (default 21).
 * Target: serving within 10x of `python3 -c 0`.
 */
import {spawnSync} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {generateBatch} from '../src/generate/index.js'
import {median} from './median.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3'
const rounds = Number(process.argv[2] ?? 21)

const work = mkdtempSync(join(tmpdir(), 'headerkit-pybench-'))
try {
  const project = join(work, 'sqlite')
  mkdirSync(join(project, '.git'), {recursive: true})
  mkdirSync(join(project, 'include'))
  copyFileSync('/usr/include/sqlite3.h', join(project, 'include/sqlite3.h'))
  const report = await generateBatch({cwd: project, headers: ['include/sqlite3.h'], writers: ['cffi'], env: {}})
  const expected = report.results[0]!.text

  const env = {PATH: '/usr/bin:/bin', HOME: work, PYTHONPATH: join(ROOT, 'python'), LANG: 'C.UTF-8'}
  const cases: {name: string; args: string[]}[] = [
    {name: 'python3 -c 0 (baseline)', args: ['-c', '0']},
    {name: 'python3 -m headerkit_store include/sqlite3.h -w cffi', args: ['-m', 'headerkit_store', 'include/sqlite3.h', '-w', 'cffi']},
    {name: 'headerkit_store.load("include/sqlite3.h", "cffi")', args: ['-c', 'import headerkit_store; headerkit_store.load("include/sqlite3.h", "cffi")']},
  ]
  const time = (args: string[]): {ms: number; stdout: Buffer} => {
    const start = process.hrtime.bigint()
    const r = spawnSync(PYTHON, args, {cwd: project, env, maxBuffer: 64 << 20})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (r.status !== 0) throw new Error(`${PYTHON} ${args.join(' ')} failed: ${r.stderr.toString()}`)
    return {ms, stdout: r.stdout}
  }
  // The CLI must print what the Node tool made, or the figures mean nothing.
  if (!time(cases[1]!.args).stdout.equals(Buffer.from(expected, 'utf8'))) throw new Error('python3 -m headerkit_store printed other bytes than the Node tool')
  for (const c of cases) for (let i = 0; i < 3; i++) time(c.args) // page cache and .pyc files

  const samples = cases.map(() => [] as number[])
  for (let r = 0; r < rounds; r++) cases.forEach((c, i) => samples[i]!.push(time(c.args).ms))
  const base = median(samples[0]!)
  console.log(`${PYTHON} (${spawnSync(PYTHON, ['--version']).stdout.toString().trim()}), sqlite3.h ${(Buffer.byteLength(expected) / 1024).toFixed(0)} KiB of cffi output, ${rounds} rounds`)
  console.log('| case | median | ratio to `python3 -c 0` |')
  console.log('|---|---|---|')
  cases.forEach((c, i) => {
    const m = median(samples[i]!)
    console.log(`| ${c.name} | ${m.toFixed(1)} ms | ${(m / base).toFixed(2)}x |`)
  })
} finally {
  rmSync(work, {recursive: true, force: true})
}
