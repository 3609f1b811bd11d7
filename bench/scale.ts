/**
 * Scale (DESIGN 11, issue 19): generation, the Python reader and backend on a generated
 * project of 100 and of 400 headers (bench/scale-project.ts: macros, an enum, a record
 * with a bitfield struct, a typedef, a callback and four functions each, one shared
 * header; writers cffi and json; outputs by template), through the shipped CLI
 * (bin/run.js on the bundle) and Debian's /usr/bin/python3. Every case is a median over
 * interleaved rounds, printed with its ratio to its floor measured in the same run
 * (`node -e 0`, `python3 -c 0`, sequential `clang-14 -fsyntax-only` over the same
 * headers) and with time(400)/time(100). Peak RSS comes from GNU time (%M).
 *
 *   node cold      an empty store (.headerkit and bindings/ removed), every header parsed
 *   node warm      nothing changed, run again: replayed from the no-op journal (docs/store.md)
 *   node warm, full  the same with HEADERKIT_NO_JOURNAL=1: every output served from the
 *                  store and compared with its file, nothing rewritten
 *   node edit      one header edited (a comment changes): one parse, the rest served
 *   node single    one header alone (`bin/run.js include/m1.h -w cffi`), a warm hit
 *                  replayed from the journal; `node single, full` without the journal
 *   py backend     headerkit_store.build_backend.write_outputs(): N headers x 2 writers
 *   py load        headerkit_store.load("include/m0.h", "cffi")
 *   populate cold  (--populate) `cache populate --engine sysroot` for linux/amd64 and
 *                  linux/arm64 into an empty store (headers of the e2e stand-in images
 *                  extracted once, before the rounds), against node cold
 *   populate none  (--populate) the same with every entry present, run again: replayed
 *                  from the no-op journal; `populate none, full` without it; against node -e 0
 *
 * Rerun: `npm run build && node --import tsx bench/scale.ts [ROUNDS=3] [--sizes=100,400]
 * [--only=name,...] [--populate]` (--populate needs Docker: bash scripts/docker-setup.sh).
 * Targets (issue 19): 400/100 <= 4.4 everywhere; warm 400 <= 8x node -e 0; single warm
 * hit <= 2x node -e 0; cold 400 <= 0.8x sequential clang -fsyntax-only; backend 400 x 2
 * writers <= 25x python3 -c 0, a single load() <= 3x; peak RSS 400: cold <= 120 MiB, warm
 * <= 70 MiB; populate with nothing to do, 2 platforms x 400 <= 12x node -e 0, cold <= 2.2x
 * node cold.
 */
import {spawnSync} from 'node:child_process'
import {appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {headerText, writeScaleProject} from './scale-project.js'
import {median} from './median.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin/run.js')
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3'
const CLANG = process.env.CLANG ?? 'clang-14'
const args = process.argv.slice(2)
const rounds = Number(args.find((a) => !a.startsWith('--')) ?? 3)
const sizes = (args.find((a) => a.startsWith('--sizes='))?.slice(8) ?? '100,400').split(',').map(Number)
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',')
const withPopulate = args.includes('--populate')

const env: NodeJS.ProcessEnv = {...process.env}
delete env.NODE_EXTRA_CA_CERTS
const pyEnv = (home: string): NodeJS.ProcessEnv => ({PATH: '/usr/bin:/bin', HOME: home, PYTHONPATH: join(ROOT, 'python'), LANG: 'C.UTF-8'})

interface Sample {
  ms: number
  rssKiB: number
  stdout: Buffer
}

/** Runs a command under GNU time; its wall time from here, its peak RSS from time's %M. */
function run(cmd: string, argv: string[], cwd: string, runEnv: NodeJS.ProcessEnv = env): Sample {
  const rssFile = join(tmpdir(), `headerkit-scale-rss-${process.pid}`)
  const start = process.hrtime.bigint()
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...argv], {cwd, env: runEnv, maxBuffer: 256 << 20})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed in ${cwd} (${r.status}): ${r.stderr.toString().slice(0, 2000)}`)
  const rssKiB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop())
  rmSync(rssFile, {force: true})
  return {ms, rssKiB, stdout: r.stdout}
}

interface Case {
  name: string
  floor?: string
  /** Runs once, untimed, before each timed run (what a replay needs: a run that journals it). */
  prime?: () => void
  /** Runs once; returns a sample. */
  run: () => Sample
}

/** The e2e stand-in images for linux/amd64 and linux/arm64 (built on first use), as populate config. */
async function populateSection(): Promise<string> {
  const {standinImages} = await import('../test/e2e/support/images.js')
  const {populateConfig} = await import('../test/e2e/support/project.js')
  return populateConfig(await standinImages())
}

const work = mkdtempSync(join(tmpdir(), 'headerkit-bench-scale-'))
try {
  const populateToml = withPopulate ? await populateSection() : ''
  const sysrootCache = join(work, 'sysroot-cache')
  const popEnv: NodeJS.ProcessEnv = {...env, CI: '1', HEADERKIT_CACHE_DIR: sysrootCache}
  delete popEnv.DOCKER_HOST
  const populate = ['cache', 'populate', '--engine', 'sysroot']
  const projects = sizes.map((n) => {
    const dir = join(work, `p${n}`)
    const headers = writeScaleProject(dir, n)
    if (withPopulate) appendFileSync(join(dir, 'pyproject.toml'), populateToml)
    return {n, dir, headers}
  })
  const cases: {n: number; c: Case}[] = []
  /** When each project's files last changed (a run that writes: when it ended). */
  const changedAt = new Map<number, number>()
  const changes = (n: number, sample: Sample): Sample => {
    changedAt.set(n, Date.now())
    return sample
  }
  for (const {n, dir, headers} of projects) {
    let edits = 0
    // Each project its own per-user cache, so the journal a case relies on can be seen.
    const journals = join(work, `cache${n}`, 'journal')
    const genEnv: NodeJS.ProcessEnv = {...env, HEADERKIT_CACHE_DIR: join(work, `cache${n}`)}
    const fullEnv: NodeJS.ProcessEnv = {...genEnv, HEADERKIT_NO_JOURNAL: '1'}
    /** A run that journals: files written less than a second ago are racily clean (docs/store.md). */
    const journalled = (argv: string[]) => () => {
      const wait = (changedAt.get(n) ?? 0) + 1100 - Date.now()
      if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait)
      run(process.execPath, [BIN, ...argv], dir, genEnv)
      if (readdirSync(journals).length === 0) throw new Error(`no journal after a no-op run of ${argv.join(' ') || 'the project'}`)
    }
    const add = (c: Case): void => {
      if (!only || only.some((o) => c.name.startsWith(o))) cases.push({n, c})
    }
    add({name: 'node -e 0', run: () => run(process.execPath, ['-e', '0'], dir)})
    add({name: 'python3 -c 0', run: () => run(PYTHON, ['-c', '0'], dir, pyEnv(work))})
    add({
      name: `${CLANG} -fsyntax-only, sequential`,
      run: () => {
        const start = process.hrtime.bigint()
        let rssKiB = 0
        for (const h of headers) rssKiB = Math.max(rssKiB, run(CLANG, ['-fsyntax-only', '-Iinclude', '-x', 'c', h], dir).rssKiB)
        return {ms: Number(process.hrtime.bigint() - start) / 1e6, rssKiB, stdout: Buffer.alloc(0)}
      },
    })
    add({
      name: 'node cold',
      floor: `${CLANG} -fsyntax-only, sequential`,
      run: () => {
        rmSync(join(dir, '.headerkit'), {recursive: true, force: true})
        rmSync(join(dir, 'bindings'), {recursive: true, force: true})
        return changes(n, run(process.execPath, [BIN], dir, genEnv))
      },
    })
    add({name: 'node warm', floor: 'node -e 0', prime: journalled([]), run: () => run(process.execPath, [BIN], dir, genEnv)})
    add({name: 'node warm, full', floor: 'node -e 0', run: () => run(process.execPath, [BIN], dir, fullEnv)})
    add({
      name: 'node edit',
      floor: 'node -e 0',
      run: () => {
        writeFileSync(join(dir, headers[0]!), headerText(0, `edit ${++edits}`))
        return changes(n, run(process.execPath, [BIN], dir, genEnv))
      },
    })
    add({name: 'node single', floor: 'node -e 0', prime: journalled([headers[1]!, '-w', 'cffi']), run: () => run(process.execPath, [BIN, headers[1]!, '-w', 'cffi'], dir, genEnv)})
    add({name: 'node single, full', floor: 'node -e 0', run: () => run(process.execPath, [BIN, headers[1]!, '-w', 'cffi'], dir, fullEnv)})
    add({
      name: 'py backend',
      floor: 'python3 -c 0',
      run: () => run(PYTHON, ['-c', 'from headerkit_store.build_backend import write_outputs; write_outputs()'], dir, pyEnv(work)),
    })
    add({name: 'py load', floor: 'python3 -c 0', run: () => run(PYTHON, ['-c', `import headerkit_store; headerkit_store.load(${JSON.stringify(headers[1])}, "cffi")`], dir, pyEnv(work))})
    if (withPopulate) {
      add({
        name: 'populate cold',
        floor: 'node cold',
        run: () => {
          rmSync(join(dir, '.headerkit'), {recursive: true, force: true})
          return changes(n, run(process.execPath, [BIN, ...populate], dir, popEnv))
        },
      })
      add({
        name: 'populate none',
        floor: 'node -e 0',
        prime: () => {
          const wait = (changedAt.get(n) ?? 0) + 1100 - Date.now()
          if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait)
          run(process.execPath, [BIN, ...populate], dir, popEnv)
        },
        run: () => run(process.execPath, [BIN, ...populate], dir, popEnv),
      })
      add({name: 'populate none, full', floor: 'node -e 0', run: () => run(process.execPath, [BIN, ...populate], dir, {...popEnv, HEADERKIT_NO_JOURNAL: '1'})})
    }
  }

  // Fill every store, check the Python reader serves the Node tool's bytes, warm caches.
  for (const {dir, headers} of projects) {
    if (withPopulate) run(process.execPath, [BIN, ...populate], dir, popEnv) // extracts the sysroots once
    run(process.execPath, [BIN], dir)
    const py = run(PYTHON, ['-m', 'headerkit_store', headers[1]!, '-w', 'cffi'], dir, pyEnv(work)).stdout
    if (!py.equals(readFileSync(join(dir, 'bindings/m1.cdef.txt')))) throw new Error('python3 -m headerkit_store printed other bytes than the Node tool wrote')
  }
  for (const {c} of cases) if (!c.name.includes('cold') && !c.name.includes('sequential')) c.run()
  for (const {n} of projects) changedAt.set(n, Date.now())
  for (const {c} of cases) c.prime?.()

  const samples = new Map<string, Sample[]>()
  for (let r = 0; r < rounds; r++) {
    for (const {n, c} of cases) {
      c.prime?.()
      const s = c.run()
      const id = `${n}:${c.name}`
      samples.set(id, [...(samples.get(id) ?? []), s])
      process.stderr.write(`round ${r + 1}/${rounds} N=${n} ${c.name}: ${s.ms.toFixed(0)} ms, ${(s.rssKiB / 1024).toFixed(0)} MiB\n`)
    }
    // `node edit` leaves one header changed: the next `node warm` would parse it.
    for (const {n, dir} of projects) {
      run(process.execPath, [BIN], dir, {...env, HEADERKIT_NO_JOURNAL: '1'})
      changedAt.set(n, Date.now())
    }
  }

  const med = (n: number, name: string): number | undefined => {
    const s = samples.get(`${n}:${name}`)
    return s ? median(s.map((x) => x.ms)) : undefined
  }
  console.log(`scale: ${rounds} interleaved rounds, medians (node ${process.version}, ${PYTHON}, ${CLANG}), load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  console.log('| N | case | median | ratio to floor | peak RSS (max) | 400/100 |')
  console.log('|---|---|---|---|---|---|')
  for (const {n, c} of cases) {
    const m = med(n, c.name)!
    const floor = c.floor ? med(n, c.floor) : undefined
    const rss = Math.max(...samples.get(`${n}:${c.name}`)!.map((s) => s.rssKiB)) / 1024
    const small = n === Math.max(...sizes) && sizes.length > 1 ? med(Math.min(...sizes), c.name) : undefined
    console.log(`| ${n} | ${c.name} | ${m.toFixed(1)} ms | ${floor ? `${(m / floor).toFixed(2)}x ${c.floor}` : ''} | ${rss.toFixed(0)} MiB | ${small ? (m / small).toFixed(2) : ''} |`)
  }
} finally {
  rmSync(work, {recursive: true, force: true})
}
