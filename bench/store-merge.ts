/**
 * store merge vs `cp -a` of the same trees, measured in the same run.
 *
 *   node --import tsx bench/store-merge.ts [ENTRIES_PER_STORE=5000] [RUNS=3]
 *
 * Builds two stores (as two platforms of one project: glibc and musl) of ENTRIES_PER_STORE
 * entry directories each, half IR (2-20 KB of JSON) and half cffi outputs, then times:
 *   A. storeMerge([a, b]) into an empty target, and `cp -a a/. b/.` into an empty dir;
 *   B. the same into a target that already holds store a (half of the entries).
 * Prints the median of RUNS runs, entries per second and the ratio merge / cp -a.
 * Target: merge no slower than 3x cp -a.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, promises as fs, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {irKey, openStore, storeMerge, type Store, verifyStore} from '../src/store/index.js'
import {writeIndex} from '../src/store/layer-index.js'
import {prepareLayerForWrite} from '../src/store/layout.js'
import {prepareIr, prepareOutput, type PreparedEntry, stageEntry} from '../src/store/write.js'

const perStore = Number(process.argv[2] ?? 5000)
const runs = Number(process.argv[3] ?? 3)
const headers = Math.floor(perStore / 2)

/** Deterministic sizes between 2 and 20 KB. */
function sizeFor(i: number): number {
  return 2000 + ((i * 7919) % 18000)
}

function ir(name: string, size: number): unknown {
  const declarations = []
  for (let n = 0; JSON.stringify(declarations).length < size; n++) {
    declarations.push({kind: 'function', name: `${name}_fn${n}`, location: {file: `include/${name}.h`, line: n + 1}, return_type: {kind: 'ctype', name: 'int'}, parameters: [{name: 'buf', type: {kind: 'pointer', pointee: {kind: 'ctype', name: 'char', qualifiers: ['const']}}}, {name: 'len', type: {kind: 'ctype', name: 'size_t'}}]})
  }
  return {kind: 'header', path: `include/${name}.h`, declarations}
}

async function buildStore(dir: string, target: string): Promise<Store> {
  const store = openStore(dir)
  const indexes = new Map<string, {layerDir: string; entries: Map<string, string>; layer: PreparedEntry['layer']}>()
  for (let i = 0; i < headers; i++) {
    const name = `h${i}`
    const inputs = {schemaVersion: 1, extractorVersion: '1.0.0', backend: 'libclang', target, header: {path: `include/${name}.h`, hash: i.toString(16).padStart(64, '0'), sha256: i.toString(16).padStart(64, '0')}, defines: ['NDEBUG'], includeDirs: ['include'], args: ['-std=c11'], deps: []}
    const irEntry = await prepareIr(store, {inputs, ir: ir(name, sizeFor(i)) as never, provenance: {libclang: '14.0.6'}})
    const text = `int ${name}_fn0(const char *buf, size_t len);\n`.repeat(Math.ceil(sizeFor(i) / 200))
    const source = {backend: 'libclang', headerPath: inputs.header.path, target, defines: inputs.defines, includeDirs: inputs.includeDirs, args: inputs.args}
    const outEntry = await prepareOutput(store, {inputs: {irKey: await irKey(inputs), writer: 'cffi', options: {}, writerCacheVersion: '1', writerImplVersion: '0.1.0'}, source, extension: 'py', text})
    for (const e of [irEntry, outEntry]) {
      let idx = indexes.get(e.layer.name)
      if (!idx) {
        await prepareLayerForWrite(store, e.layer)
        idx = {layerDir: e.layer.dir, entries: new Map(), layer: e.layer}
        indexes.set(e.layer.name, idx)
      }
      // Fast fill for the benchmark: stage without fsync and rename; one index write per layer.
      const temp = stageEntry(e.layer, e.files, false)
      await fs.rename(temp, join(e.layer.dir, e.slug))
      idx.entries.set(e.slug, e.key)
    }
  }
  for (const idx of indexes.values()) await writeIndex(idx.layer, idx.entries)
  return store
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function cpA(sources: string[], target: string): void {
  execFileSync('mkdir', ['-p', target])
  for (const s of sources) execFileSync('cp', ['-a', `${s}/.`, target])
}

async function time(fn: () => unknown): Promise<number> {
  const t0 = performance.now()
  await fn()
  return (performance.now() - t0) / 1000
}

const root = mkdtempSync(join(tmpdir(), 'hk-bench-merge-'))
try {
  process.stdout.write(`building two stores of ${perStore} entries (${headers} IR + ${headers} cffi outputs each) in ${root} ...\n`)
  const t0 = performance.now()
  const a = await buildStore(join(root, 'a'), 'x86_64-pc-linux-gnu')
  const b = await buildStore(join(root, 'b'), 'x86_64-pc-linux-musl')
  const bytes = execFileSync('du', ['-sb', a.root, b.root]).toString().split('\n').filter(Boolean).map((l) => Number(l.split('\t')[0])).reduce((x, y) => x + y, 0)
  process.stdout.write(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${(bytes / 1048576).toFixed(1)} MiB in total\n`)
  const total = 2 * perStore

  const scenarios = [
    {name: 'into an empty target', prefill: false, expectNew: total},
    {name: 'into a target holding half', prefill: true, expectNew: perStore},
  ]
  const rows: string[] = []
  for (const sc of scenarios) {
    const mergeTimes: number[] = []
    const cpTimes: number[] = []
    for (let run = 0; run < runs; run++) {
      // Interleave the two so machine noise hits both alike.
      for (const which of ['merge', 'cp'] as const) {
        const target = join(root, `t-${which}`)
        rmSync(target, {recursive: true, force: true})
        if (sc.prefill) cpA([a.root], target)
        execFileSync('sync')
        if (which === 'cp') cpTimes.push(await time(() => cpA([a.root, b.root], target)))
        else {
          let result: Awaited<ReturnType<typeof storeMerge>> | undefined
          mergeTimes.push(await time(async () => (result = await storeMerge([a.root, b.root], target))))
          if (!result!.ok || result!.new !== sc.expectNew) throw new Error(`unexpected merge result: ${JSON.stringify({...result, renamed: result!.renamed.length})}`)
          if (run === 0) {
            const v = await verifyStore(openStore(target))
            if (!v.ok || v.entries !== total) throw new Error(`merged store does not verify: ${v.errors} errors, ${v.entries} entries`)
          }
        }
      }
    }
    const m = median(mergeTimes)
    const c = median(cpTimes)
    // Each merge run is paired with the cp -a run next to it; on a busy machine the median
    // of these paired ratios is steadier than the ratio of the medians.
    const paired = median(mergeTimes.map((t, i) => t / cpTimes[i]!))
    rows.push(`| ${sc.name} | ${total} | ${m.toFixed(2)} s | ${Math.round(total / m)} | ${c.toFixed(2)} s | ${Math.round(total / c)} | ${(m / c).toFixed(2)}x | ${paired.toFixed(2)}x |`)
    process.stdout.write(`${sc.name}: merge ${m.toFixed(2)} s (${Math.round(total / m)} entries/s), cp -a ${c.toFixed(2)} s (${Math.round(total / c)} entries/s), ratio ${(m / c).toFixed(2)}x, paired ${paired.toFixed(2)}x  [runs: merge ${mergeTimes.map((x) => x.toFixed(2)).join(', ')}; cp ${cpTimes.map((x) => x.toFixed(2)).join(', ')}]\n`)
  }
  process.stdout.write(`\n| scenario | source entries | merge (median) | merge entries/s | cp -a (median) | cp -a entries/s | merge / cp -a | paired ratio |\n|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`)
} finally {
  rmSync(root, {recursive: true, force: true})
}
