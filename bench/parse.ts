/**
 * Parser benchmark: sqlite3.h and curl.h, cold (a new node process through the
 * public API) and warm (in-process, repeated), against `clang-19 -fsyntax-only` of the
 * same header with the same target and args (the clang of the libclang headerkit
 * prefers), measured in the same run.
 *
 *   node --import tsx bench/parse.ts [runs]
 *
 * Prints medians and the ratios; not a test (no thresholds), see bench/README.md.
 */
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseHeader, type ParseRequest} from '../src/parse/index.js'

const RUNS = Number(process.argv[2] ?? 7)
const TARGET = 'x86_64-pc-linux-gnu'
const CASES: Array<{name: string; req: ParseRequest}> = [
  {name: 'sqlite3.h', req: {header: '/usr/include/sqlite3.h', projectRoot: '/usr/include', target: TARGET, args: []}},
  {name: 'curl.h', req: {header: '/usr/include/x86_64-linux-gnu/curl/curl.h', projectRoot: '/usr/include/x86_64-linux-gnu/curl', target: TARGET, args: ['-I/usr/include/x86_64-linux-gnu']}},
]

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const ms = (x: number): string => `${x.toFixed(1)} ms`

function timeProcess(cmd: string, args: string[]): number {
  const t0 = performance.now()
  const r = spawnSync(cmd, args, {stdio: ['ignore', 'ignore', 'pipe']})
  const t = performance.now() - t0
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString()}`)
  return t
}

const repo = fileURLToPath(new URL('..', import.meta.url))
const coldScript = join(tmpdir(), `headerkit-bench-cold-${process.pid}.mts`)
writeFileSync(coldScript, `import {parseHeader} from ${JSON.stringify(`${repo}src/index.ts`)}\nawait parseHeader(JSON.parse(process.argv[2]))\n`)
const tsx = import.meta.resolve('tsx')

console.log(`runs per measurement: ${RUNS} (medians)`)
const nodeBaseline = median(Array.from({length: RUNS}, () => timeProcess(process.execPath, ['--import', tsx, '-e', '0'])))
console.log(`baseline: node --import tsx -e 0  ${ms(nodeBaseline)}`)
console.log('')
console.log('header      clang -fsyntax-only   warm in-process   warm/clang   first in-process   cold process   cold/clang')
for (const {name, req} of CASES) {
  const clang = median(Array.from({length: RUNS}, () => timeProcess('clang-19', ['-fsyntax-only', `--target=${req.target}`, ...req.args, '-x', 'c-header', req.header])))
  const t0 = performance.now()
  await parseHeader(req)
  const first = performance.now() - t0
  const warm: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    await parseHeader(req)
    warm.push(performance.now() - t)
  }
  const w = median(warm)
  const cold = median(Array.from({length: Math.max(3, Math.ceil(RUNS / 2))}, () => timeProcess(process.execPath, ['--import', tsx, coldScript, JSON.stringify(req)])))
  console.log(`${name.padEnd(12)}${ms(clang).padStart(19)}${ms(w).padStart(18)}${`${(w / clang).toFixed(2)}x`.padStart(13)}${ms(first).padStart(19)}${ms(cold).padStart(15)}${`${(cold / clang).toFixed(2)}x`.padStart(13)}`)
}
