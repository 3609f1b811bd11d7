/**
 * Macro probe cost against header size: headers of N macros that each expand to 4,095
 * tokens (just under the limit for one macro; `#define Bk A11`), parsed in-process, each
 * against `clang-19 -fsyntax-only` of the same header measured in the same run. Without
 * the budget the probe evaluated N x 4,095 tokens (2,000 macros, a 35 KB header: 8.5 s);
 * with it the work is capped at 65,536 tokens plus one per byte, so the time per KB of
 * header stays flat as N grows and a header past the budget is refused.
 *
 *   node --import tsx bench/macros.ts [runs]
 *
 * Prints medians and ratios; not a test (no thresholds), see bench/README.md.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseHeader} from '../src/parse/index.js'

const RUNS = Number(process.argv[2] ?? 5)
const TARGET = 'x86_64-pc-linux-gnu'
const dir = mkdtempSync(join(tmpdir(), 'headerkit-bench-macros-'))

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

function header(copies: number): {file: string; bytes: number} {
  const lines = ['#define A0 1', ...Array.from({length: 11}, (_, i) => `#define A${i + 1} A${i}+A${i}`), ...Array.from({length: copies}, (_, k) => `#define B${k} A11`)]
  const text = `${lines.join('\n')}\n`
  const file = join(dir, `m${copies}.h`)
  writeFileSync(file, text)
  return {file, bytes: Buffer.byteLength(text)}
}

async function parseMs(file: string): Promise<{ms: number; outcome: string}> {
  const t0 = performance.now()
  let outcome: string
  try {
    const r = await parseHeader({header: file, projectRoot: dir, target: TARGET, args: []})
    outcome = `${r.ir.declarations.length} constants`
  } catch (error) {
    outcome = `refused (${(error as Error).message.split(':')[0]})`
  }
  return {ms: performance.now() - t0, outcome}
}

function clangMs(file: string): number {
  const t0 = performance.now()
  const r = spawnSync('clang-19', ['-fsyntax-only', `--target=${TARGET}`, '-x', 'c-header', file], {stdio: 'ignore'})
  if (r.status !== 0) throw new Error(`clang-19 failed on ${file}`)
  return performance.now() - t0
}

console.log(`runs per measurement: ${RUNS} (medians)`)
console.log('macros   header KB   headerkit      clang-19   ratio   ms per KB   outcome')
await parseMs(header(1).file)
for (const copies of [10, 100, 500, 2000, 8000]) {
  const {file, bytes} = header(copies)
  const runs = []
  for (let i = 0; i < RUNS; i++) runs.push(await parseMs(file))
  const hk = median(runs.map((r) => r.ms))
  const clang = median(Array.from({length: RUNS}, () => clangMs(file)))
  const kb = bytes / 1024
  console.log(`${String(copies).padStart(6)}   ${kb.toFixed(1).padStart(9)}   ${hk.toFixed(1).padStart(9)} ms   ${clang.toFixed(1).padStart(7)} ms   ${(hk / clang).toFixed(2).padStart(5)}x   ${(hk / kb).toFixed(2).padStart(9)}   ${runs[0]!.outcome}`)
}
