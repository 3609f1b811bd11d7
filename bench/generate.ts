/**
 * End-to-end generation through the shipped CLI (bin/run.js on the bundle), on the
 * bundled example and on sqlite3.h: a warm hit (served from the output cache), a warm
 * output miss built from the cached IR (--no-output-cache), and a cold parse
 * (--no-cache). Each is a median over interleaved runs, printed with its ratio to
 * `node -e 0` measured in the same run. NODE_EXTRA_CA_CERTS is removed from the
 * environment of every process: Node 20 parses those certificates at each start,
 * which is machine configuration, not the tool (node-toolchain-notes §0.2).
 *
 * Rerun: `npm run build && node --import tsx bench/generate.ts [rounds]` (default 15).
 * Target: warm hit within 3.5x of `node -e 0`.
 */
import {spawnSync} from 'node:child_process'
import {copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median} from './median.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin/run.js')
const rounds = Number(process.argv[2] ?? 15)
const env = {...process.env}
delete env.NODE_EXTRA_CA_CERTS

function time(args: string[], cwd: string): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, {cwd, env, stdio: ['ignore', 'ignore', 'pipe']})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed in ${cwd}: ${result.stderr.toString()}`)
  return ms
}

const work = mkdtempSync(join(tmpdir(), 'headerkit-bench-'))
try {
  const demo = join(work, 'demo')
  cpSync(join(ROOT, 'examples/demo'), demo, {recursive: true})
  const sqlite = join(work, 'sqlite')
  mkdirSync(sqlite)
  copyFileSync('/usr/include/sqlite3.h', join(sqlite, 'sqlite3.h'))
  const sqliteArgs = [BIN, 'sqlite3.h', '-w', 'cffi', '-o', 'cffi:sqlite3.cdef.txt', '--no-config']

  const cases: {name: string; cwd: string; args: string[]}[] = [
    {name: 'node -e 0 (baseline)', cwd: work, args: ['-e', '0']},
    {name: 'example: warm hit', cwd: demo, args: [BIN]},
    {name: 'example: output miss from cached IR', cwd: demo, args: [BIN, '--no-output-cache']},
    {name: 'example: cold parse', cwd: demo, args: [BIN, '--no-cache']},
    {name: 'sqlite3.h: warm hit', cwd: sqlite, args: sqliteArgs},
    {name: 'sqlite3.h: output miss from cached IR', cwd: sqlite, args: [...sqliteArgs, '--no-output-cache']},
    {name: 'sqlite3.h: cold parse', cwd: sqlite, args: [...sqliteArgs, '--no-cache']},
  ]
  // Fill the stores, then warm the page cache and V8's code cache.
  time([BIN], demo)
  time(sqliteArgs, sqlite)
  for (const c of cases) for (let i = 0; i < 3; i++) time(c.args, c.cwd)

  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]))
  for (let r = 0; r < rounds; r++) for (const c of cases) samples.get(c.name)!.push(time(c.args, c.cwd))

  const baseline = median(samples.get(cases[0]!.name)!)
  console.log(`generation through bin/run.js, ${rounds} interleaved rounds, medians (node ${process.version})`)
  for (const c of cases) {
    const m = median(samples.get(c.name)!)
    console.log(`  ${c.name.padEnd(40)} ${m.toFixed(1).padStart(7)} ms   ${(m / baseline).toFixed(2)}x node -e 0`)
  }
  const warm = median(samples.get('example: warm hit')!) / baseline
  console.log(`target: warm hit within 3.5x of node -e 0 -> example ${warm.toFixed(2)}x ${warm <= 3.5 ? '(met)' : '(NOT met)'}`)
} finally {
  rmSync(work, {recursive: true, force: true})
}
