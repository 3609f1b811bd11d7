/**
 * cache populate with the docker engine, through the shipped CLI (bin/run.js on the
 * bundle), on the example project for linux/amd64 and linux/arm64 (QEMU), from the e2e
 * stand-in images, with base and worker images already built (a warm-up run builds them).
 * All in one run:
 *
 *  - parallelism: both platforms at once (a fresh store each round) against the slower
 *    platform alone. Target <= 1.3x.
 *  - nothing to do: a second populate with every entry present against a warm headerkit
 *    generation of the same headers. Target <= 2x.
 *  - cold-run breakdown: the time of each phase (pull/import, worker image, probe, parse,
 *    write, merge) per platform, from the --json report of the parallel rounds.
 *  - sysroot engine, arm64: with the headers not yet extracted (a fresh per-user cache
 *    each round), and with them cached, against the docker engine (worker image built).
 *    Targets <= 0.25x and <= 0.1x.
 *  - all seven archs (amd64 and arm64 stand-ins, and the header-only stand-ins of i686,
 *    armv7l, ppc64le, s390x, riscv64) through the sysroot engine, headers extracted, against
 *    a native cold generation (--no-cache) of the same headers. Target <= 3x.
 *
 * Rerun: `npm run build && node --import tsx bench/populate.ts [rounds]` (default 5),
 * as root with Docker and QEMU set up (bash scripts/docker-setup.sh). `--seven` runs the
 * seven-arch case alone (no docker engine, no worker images, no QEMU), quicker to repeat.
 */
import {spawnSync} from 'node:child_process'
import {appendFileSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {PopulateReport} from '../src/populate/report.js'
import {headerStandins, standinImages} from '../test/e2e/support/images.js'
import {e2eProject} from '../test/e2e/support/project.js'
import {removeTempDirs} from '../test/support/tmp.js'
import {median} from './median.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin/run.js')
const args = process.argv.slice(2)
const sevenOnly = args.includes('--seven')
const rounds = Number(args.find((a) => !a.startsWith('--')) ?? 5)
const env: NodeJS.ProcessEnv = {...process.env, CI: '1'}
delete env.NODE_EXTRA_CA_CERTS
delete env.DOCKER_HOST

function run(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): {ms: number; stdout: string} {
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [BIN, ...args], {cwd, env: {...env, ...extraEnv}, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`headerkit ${args.join(' ')} failed in ${cwd} (${r.status}): ${r.stdout}\n${r.stderr}`)
  return {ms, stdout: r.stdout}
}

const images = await standinImages()
const others = await headerStandins()
const project = e2eProject(images, {prefix: 'headerkit-bench-populate-'})
// The images of the five other archs, in the images table that ends the config.
appendFileSync(join(project, 'pyproject.toml'), Object.entries(others).map(([p, t]) => `"${p}" = "${t}"\n`).join(''))
const store = join(project, '.headerkit')
const fresh = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): {ms: number; report: PopulateReport} => {
  rmSync(store, {recursive: true, force: true})
  const r = run(['cache', 'populate', '--json', ...args], project, extraEnv)
  return {ms: r.ms, report: JSON.parse(r.stdout) as PopulateReport}
}

try {
  const samples = {both: [] as number[], amd64: [] as number[], arm64: [] as number[], present: [] as number[], generate: [] as number[], sysCold: [] as number[], sysWarm: [] as number[]}
  const sysCache = mkdtempSync(join(tmpdir(), 'headerkit-bench-sysroot-'))
  const phases = new Map<string, Map<string, number[]>>()
  if (!sevenOnly) {
    // Warm-up: builds the worker images and fills the per-user kit cache.
    fresh([])
    const arm = ['--platform', 'linux/arm64']
    for (let i = 0; i < rounds; i++) {
      const both = fresh([])
      samples.both.push(both.ms)
      for (const job of both.report.jobs) {
        const byPhase = phases.get(job.label) ?? new Map<string, number[]>()
        for (const [phase, ms] of Object.entries(job.phases)) byPhase.set(phase, [...(byPhase.get(phase) ?? []), ms])
        byPhase.set('job total', [...(byPhase.get('job total') ?? []), job.durationMs])
        phases.set(job.label, byPhase)
      }
      samples.amd64.push(fresh(['--platform', 'linux/amd64']).ms)
      samples.arm64.push(fresh([...arm, '--engine', 'docker']).ms)
      rmSync(sysCache, {recursive: true, force: true})
      samples.sysCold.push(fresh([...arm, '--engine', 'sysroot'], {HEADERKIT_CACHE_DIR: sysCache}).ms)
      samples.sysWarm.push(fresh([...arm, '--engine', 'sysroot'], {HEADERKIT_CACHE_DIR: sysCache}).ms)
    }
  }
  rmSync(sysCache, {recursive: true, force: true})
  // All seven archs through the sysroot engine (headers extracted by a warm-up run), against
  // a native cold generation of the same headers.
  const sevenEnv = {HEADERKIT_CACHE_DIR: sysCache}
  const platforms = ['linux/amd64', 'linux/arm64', ...Object.keys(others)]
  const sevenArgs = [...platforms.flatMap((p) => ['--platform', p]), '--engine', 'sysroot']
  const seven = (): number => fresh(sevenArgs, sevenEnv).ms
  seven()
  const sevenSamples: number[] = []
  const nativeCold: number[] = []
  for (let i = 0; i < rounds; i++) {
    sevenSamples.push(seven())
    nativeCold.push(run(['--no-cache'], project).ms)
  }
  rmSync(sysCache, {recursive: true, force: true})

  if (!sevenOnly) {
    // Everything present: the store of a full run, then populate again and generate warm.
    fresh([])
    run([], project) // generation: fills the bindings/ and the native entries' outputs
    for (let i = 0; i < 2; i++) {
      run(['cache', 'populate'], project)
      run([], project)
    }
    for (let i = 0; i < rounds * 3; i++) {
      samples.present.push(run(['cache', 'populate'], project).ms)
      samples.generate.push(run([], project).ms)
    }

  }
  const m = (xs: number[]): number => median(xs)
  console.log(`cache populate, example project, ${rounds} rounds, medians (node ${process.version})`)
  if (!sevenOnly) {
    const slower = Math.max(m(samples.amd64), m(samples.arm64))
    console.log(`  linux/amd64 alone                   ${m(samples.amd64).toFixed(0).padStart(7)} ms`)
    console.log(`  linux/arm64 alone (QEMU)            ${m(samples.arm64).toFixed(0).padStart(7)} ms`)
    console.log(`  both at once                        ${m(samples.both).toFixed(0).padStart(7)} ms   ${(m(samples.both) / slower).toFixed(2)}x the slower alone (target <= 1.3x)`)
    console.log(`  nothing to do (all present)         ${m(samples.present).toFixed(0).padStart(7)} ms   ${(m(samples.present) / m(samples.generate)).toFixed(2)}x warm generation (target <= 2x)`)
    console.log(`  warm generation of the same headers ${m(samples.generate).toFixed(0).padStart(7)} ms`)
    console.log(`  arm64, sysroot engine, cold        ${m(samples.sysCold).toFixed(0).padStart(7)} ms   ${(m(samples.sysCold) / m(samples.arm64)).toFixed(2)}x the docker engine (target <= 0.25x)`)
    console.log(`  arm64, sysroot engine, cached      ${m(samples.sysWarm).toFixed(0).padStart(7)} ms   ${(m(samples.sysWarm) / m(samples.arm64)).toFixed(2)}x the docker engine (target <= 0.1x)`)
  }
  console.log(`  seven archs, sysroot engine         ${m(sevenSamples).toFixed(0).padStart(7)} ms   ${(m(sevenSamples) / m(nativeCold)).toFixed(2)}x native cold generation (target <= 3x)`)
  console.log(`  native cold generation (--no-cache) ${m(nativeCold).toFixed(0).padStart(7)} ms`)
  // Rounds alternate the two, so a burst of load from elsewhere shows as one bad pair.
  console.log(`  seven archs / native, per round:    ${sevenSamples.map((x, i) => (x / nativeCold[i]!).toFixed(2)).join(' ')}`)
  if (!sevenOnly) {
    console.log('  cold-run breakdown, both at once (median ms per phase):')
    for (const [label, byPhase] of phases) {
      const cells = ['connect', 'pull', 'probe', 'worker-image', 'parse', 'write', 'merge', 'job total'].filter((p) => byPhase.has(p)).map((p) => `${p} ${m(byPhase.get(p)!).toFixed(0)}`)
      console.log(`    ${label.padEnd(12)} ${cells.join(', ')}`)
    }
  }
} finally {
  removeTempDirs()
}
