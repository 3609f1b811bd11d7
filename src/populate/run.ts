/**
 * Running a populate plan. Before any Docker call the host computes, for every job, the
 * IR and output keys a native build on that platform computes (generation's own planning
 * with the job's triple), and looks them up in the project store: a job whose entries are
 * all there is reported present and costs nothing more. For the rest, the engine parses
 * the headers whose IR is missing; the host runs the writers and makes each job's
 * entries in memory; the entries of the jobs that succeeded are merged into the project
 * store with the `store merge` code, as if each job had written its own staging store
 * (mergePrepared), so a failed job leaves the others merged and none of its own. Staging
 * stores are written only when asked for (--keep-staging); writing and merging them cost
 * an index write and two fsyncs per entry, most of a run whose parses are fast.
 */
import {randomBytes} from 'node:crypto'
import {setMaxListeners} from 'node:events'
import {promises as fs} from 'node:fs'
import {join, resolve} from 'node:path'
import pLimit from 'p-limit'
import {HeaderkitError, isHeaderkitError} from '../errors.js'
import {isUniversal} from '../generate/universal.js'
import {computeIrKey, computeOutputKey, type HeaderKeys, lookupFreshIr, outputStillFresh, parsedDependencies, readsCurrentIn, parsedIrParams, renderOutput, WRITER_WARNINGS, writerOutputParams} from '../generate/pipeline.js'
import {planGeneration, type GenerateRequest, type HeaderJob, type WriterJob} from '../generate/request.js'
import {newSourceCache, type SourceCache} from '../generate/sources.js'
import type {Header} from '../ir/types.js'
import {openStore, type Store} from '../store/layout.js'
import {irIndexed, lookupOutput} from '../store/lookup.js'
import {mergePrepared, type PreparedSource} from '../store/merge.js'
import {type PreparedEntry, prepareIr, prepareOutput, writePrepared} from '../store/write.js'
import type {JsonValue} from '../util/canonical-json.js'
import type {Phase, PopulateEngine} from './engine.js'
import type {EngineName} from './engine-choice.js'
import type {PopulateJob, PopulatePlan} from './plan.js'
import {type JobReport, type PopulateEvent, type PopulateReport, REPORT_SCHEMA_VERSION} from './report.js'

export interface OutputWork {
  writer: WriterJob
  key: {key: string; options: Record<string, unknown>}
  present: boolean
}

export interface HeaderWork {
  job: HeaderJob
  keys: HeaderKeys
  /** The stored IR when it was read (present and fresh). */
  ir: Header | undefined
  /**
   * An IR entry stands for these inputs: read and fresh, or, when every output is there
   * and fresh, listed in the index (its payload is not read: nothing needs it).
   */
  irPresent: boolean
  /** The files its parse read, as that IR entry records them (for the outputs written from it). */
  parserReads: JsonValue | undefined
  outputs: OutputWork[]
}

export interface JobWork {
  job: PopulateJob
  label: string
  headers: HeaderWork[]
}

/** The engines of one run, each made on first need: a run with nothing to parse loads none (nor dockerode). */
export interface EngineSet {
  get(name: EngineName): Promise<PopulateEngine>
  /** Closes every engine made so far. */
  close(): Promise<void>
}

export function engineSet(make: (name: EngineName) => Promise<PopulateEngine>): EngineSet {
  const engines = new Map<EngineName, Promise<PopulateEngine>>()
  return {
    get(name) {
      let e = engines.get(name)
      if (!e) engines.set(name, (e = make(name)))
      return e
    },
    async close() {
      await Promise.all([...engines.values()].map(async (e) => (await e.catch(() => undefined))?.close()))
    },
  }
}

export interface RunOptions {
  engines: EngineSet
  /** Keep each job's staging store in DIR/<platform> (CI artifact flows). */
  keepStaging?: string
  signal?: AbortSignal
  onEvent?: (event: PopulateEvent) => void
}

function jobLabels(plan: PopulatePlan): string[] {
  const keys = plan.jobs.map((j) => (j.libc === 'musl' ? `${j.dockerPlatform}:musl` : j.dockerPlatform))
  return keys.map((k, i) => {
    const before = keys.slice(0, i).filter((x) => x === k).length
    return before === 0 ? k : `${k} #${before + 1}`
  })
}

/** A directory name for a label: `linux/arm64:musl` -> `linux-arm64-musl`. */
export function stagingName(label: string): string {
  return label.replace(/ #/g, '-').replace(/[^A-Za-z0-9._-]+/g, '-')
}

/**
 * Every job's keys and what the project store already holds under them (`lookup: false`:
 * the keys only, nothing looked up, as `--check` needs). No Docker.
 * `onParseNeeded` hears of each job with IR to make as soon as its triple's keys are known,
 * before the other triples' (so an engine can start loading its parser meanwhile).
 */
export async function computeJobWork(plan: PopulatePlan, generate: GenerateRequest, onParseNeeded?: (job: PopulateJob, headers: number) => void, options: {lookup?: boolean} = {}): Promise<JobWork[]> {
  const store = openStore(plan.storeDir)
  const labels = jobLabels(plan)
  const triples = [...new Set(plan.jobs.map((j) => j.triple))]
  // One generation plan serves every triple: the target given as a flag is the only thing
  // that differs between them, and it sets each header job's target and nothing else.
  const gen = triples.length > 0 ? await planGeneration({...generate, target: triples[0]}) : undefined
  const byTriple = new Map<string, HeaderWork[]>()
  // Every triple reads the same project files: each is read and hashed once.
  const sources = newSourceCache()
  for (const triple of triples) {
    const headers = await headerWork(options.lookup === false ? undefined : store, gen!.jobs.map((j) => ({...j, target: triple})), gen!.context.projectRoot, sources)
    byTriple.set(triple, headers)
    const missing = headers.filter((h) => !h.irPresent).length
    if (missing > 0 && onParseNeeded) for (const job of plan.jobs) if (job.triple === triple) onParseNeeded(job, missing)
  }
  return plan.jobs.map((job, i) => ({job, label: labels[i]!, headers: byTriple.get(job.triple)!}))
}

/**
 * What each header needs. Its outputs are looked up first, as generation does: when all
 * are there and fresh, the IR entry is only checked in the index (DESIGN 11: a run with
 * nothing to do reads no payload it does not need); otherwise it is read and checked.
 * Without a store (populate --check), nothing counts as present.
 */
async function headerWork(store: Store | undefined, jobs: HeaderJob[], root: string, sources: SourceCache): Promise<HeaderWork[]> {
  const out: HeaderWork[] = []
  for (const job of jobs) {
    const keys = await computeIrKey(job, root, sources)
    const outputs: OutputWork[] = []
    for (const w of job.writers) {
      // A universal output covers every platform: generation makes it from the merged store.
      if (isUniversal(w)) continue
      const key = await computeOutputKey(keys.irKey, w)
      if (!key) continue // diff/prompt: never stored
      if (!store) {
        outputs.push({writer: w, key, present: false})
        continue
      }
      // As generation judges a hit: an output whose parser reads went stale is made again.
      const found = await lookupOutput(store, w.writer.name, key.key)
      outputs.push({writer: w, key, present: found.hit && (await outputStillFresh(store, found.metadata, root, sources))})
    }
    if (store && outputs.every((o) => o.present) && (await irIndexed(store, keys.irKey))) {
      out.push({job, keys, ir: undefined, irPresent: true, parserReads: undefined, outputs})
      continue
    }
    const {ir, parsedIncludes: parserReads} = store ? await lookupFreshIr(store, keys.irKey, root, sources) : {ir: undefined, parsedIncludes: undefined}
    out.push({job, keys, ir, irPresent: ir !== undefined, parserReads, outputs})
  }
  return out
}

export function errorOf(error: unknown): JobReport['error'] {
  if (isHeaderkitError(error)) return {code: error.code, message: error.message, hint: error.hint ?? null}
  if ((error as Error)?.name === 'AbortError') return {code: 'E_ABORTED', message: 'stopped before it finished', hint: null}
  return {code: 'E_INTERNAL', message: (error as Error)?.message ?? String(error), hint: null}
}

export class PopulateAbortedError extends HeaderkitError {
  constructor() {
    super('E_ABORTED', 'populate was interrupted; containers in flight were removed and nothing of this run was merged', {exitCode: 130})
  }
}

/** What a run over the plan's jobs (populate, or its --check) shares: its start, its abort signal, its events and its warnings, each said once. */
export function runContext(options: {signal?: AbortSignal; onEvent?: (event: PopulateEvent) => void}): {started: number; signal: AbortSignal; emit: (event: PopulateEvent) => void; warnings: string[]; warn: (message: string) => void} {
  const signal = options.signal ?? new AbortController().signal
  // Every queued parse and Docker call of every job listens to this one signal: dozens at
  // once are expected, not a leak (Node's warning starts at 11).
  setMaxListeners(0, signal)
  const emit = options.onEvent ?? (() => undefined)
  const warnings: string[] = []
  const warn = (message: string): void => {
    if (warnings.includes(message)) return
    warnings.push(message)
    emit({type: 'warning', message})
  }
  return {started: performance.now(), signal, emit, warnings, warn}
}

export async function runPopulate(plan: PopulatePlan, work: JobWork[], options: RunOptions): Promise<PopulateReport> {
  const {started, signal, emit, warnings, warn} = runContext(options)
  const stagingRoot = options.keepStaging ? resolve(options.keepStaging) : undefined
  const target = openStore(plan.storeDir)
  /** Each populated job's entries, in the order made. */
  const made = new Map<string, PreparedEntry[]>()
  const limit = pLimit(plan.concurrency)
  const projectRoot = plan.projectRoot
  const engine = (name: EngineName): Promise<PopulateEngine> => options.engines.get(name)

  const runJob = async (w: JobWork): Promise<JobReport> => {
    const t0 = performance.now()
    const phases: Partial<Record<Phase, number>> = {}
    let current: {phase: Phase; at: number} | undefined
    const phase = (p: Phase, detail?: string): void => {
      const now = performance.now()
      if (current) phases[current.phase] = (phases[current.phase] ?? 0) + (now - current.at)
      current = {phase: p, at: now}
      emit({type: 'job-phase', job: w.label, phase: p, detail})
    }
    const missingIr = w.headers.filter((h) => !h.irPresent)
    const missingOutputs = w.headers.reduce((n, h) => n + h.outputs.filter((o) => !o.present).length, 0)
    const totalOutputs = w.headers.reduce((n, h) => n + h.outputs.length, 0)
    const report: JobReport = {
      label: w.label,
      dockerPlatform: w.job.dockerPlatform,
      libc: w.job.libc,
      triple: w.job.triple,
      engine: w.job.engine,
      endpoint: w.job.endpoint.host,
      status: 'present',
      image: {reference: w.job.image.reference, digest: w.job.image.pinned ? w.job.image.reference : null, id: null, pinned: w.job.image.pinned},
      entries: {new: 0, present: w.headers.length - missingIr.length, total: w.headers.length},
      outputs: {new: 0, present: totalOutputs - missingOutputs, total: totalOutputs},
      parsed: [],
      phases,
      durationMs: 0,
      staging: null,
      error: null,
    }
    const finish = (): JobReport => {
      if (current) phases[current.phase] = (phases[current.phase] ?? 0) + (performance.now() - current.at)
      current = undefined
      for (const k of Object.keys(phases) as Phase[]) phases[k] = Math.round(phases[k]!)
      report.durationMs = Math.round(performance.now() - t0)
      emit({type: 'job-end', job: w.label, report})
      return report
    }
    if (missingIr.length === 0 && missingOutputs === 0) return finish()

    try {
      if (signal.aborted) throw new PopulateAbortedError()
      const irs = new Map<HeaderWork, Header>()
      // Recorded with every output too, so a later hit re-checks them without reading the IR.
      const reads = new Map<HeaderWork, JsonValue>()
      let provenance: Record<string, JsonValue> = {engine: 'host', platform: w.job.dockerPlatform}
      let parsed: Awaited<ReturnType<PopulateEngine['parse']>>['parsed'] = []
      if (missingIr.length > 0) {
        const e = await engine(w.job.engine)
        const refusal = e.refuse(w.job)
        if (refusal) throw new HeaderkitError('E_ENGINE_REFUSED', refusal.message, {hint: refusal.hint})
        const out = await e.parse({job: w.job, headers: missingIr.map((h) => h.keys), projectRoot, storeDir: plan.storeDir, timeoutMs: plan.timeout * 1000, signal, phase, warn})
        parsed = out.parsed
        provenance = out.provenance
        report.image = {...report.image, digest: out.image.digest, id: out.image.id}
        report.parsed = missingIr.map((h) => h.job.header)
      }
      phase('write')
      const entries: PreparedEntry[] = []
      for (const [i, h] of missingIr.entries()) {
        const p = parsed[i]!
        const parserReads = (await parsedDependencies(h.keys, p, projectRoot)) as unknown as JsonValue
        entries.push(await prepareIr(target, await parsedIrParams(h.keys, p, projectRoot, {...provenance, parsed_includes: parserReads})))
        irs.set(h, p.ir)
        reads.set(h, parserReads)
      }
      for (const h of w.headers) {
        const ir = h.ir ?? irs.get(h)!
        for (const o of h.outputs) {
          if (o.present) continue
          // As generation renders it (not strict), with what it left out kept for every later hit.
          const rendered = renderOutput(o.writer, ir, {cwd: projectRoot, target: h.job.target}, false)
          const outputProvenance: Record<string, JsonValue> = {...provenance}
          const parserReads = h.parserReads ?? reads.get(h)
          if (parserReads !== undefined) outputProvenance.parsed_includes = parserReads
          if (rendered.warnings.length > 0) outputProvenance[WRITER_WARNINGS] = rendered.warnings
          entries.push(await prepareOutput(target, writerOutputParams(h.job, h.keys, o.writer, o.key, rendered.text, outputProvenance)))
        }
      }
      if (stagingRoot) {
        const staging = openStore(join(stagingRoot, stagingName(w.label)), {fsync: false})
        await fs.mkdir(staging.root, {recursive: true})
        report.staging = staging.root
        for (const e of entries) await writePrepared(staging, e)
      }
      report.entries.new += missingIr.length
      report.outputs.new += missingOutputs
      made.set(w.label, entries)
      report.status = 'populated'
    } catch (error) {
      report.status = 'failed'
      report.error = signal.aborted ? errorOf(new PopulateAbortedError()) : errorOf(error)
      if (process.env.DEBUG && !isHeaderkitError(error)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`)
    }
    return finish()
  }

  const closeEngines = (): Promise<void> => options.engines.close()
  let jobs: JobReport[]
  try {
    jobs = await Promise.all(work.map((w) => limit(() => runJob(w))))
  } catch (error) {
    await closeEngines()
    throw error
  }
  // The engines close (parse threads stop, the Docker session looks for leftovers) while
  // the entries are merged: neither needs the other. An abort waits for them first.
  const closing = closeEngines()
  if (signal.aborted) {
    await closing
    throw new PopulateAbortedError()
  }

  let merge: PopulateReport['merge'] = null
  try {
    const sources: PreparedSource[] = jobs.filter((j) => j.status === 'populated' && made.has(j.label)).map((j) => ({name: j.label, entries: made.get(j.label)!}))
    if (sources.length > 0) {
      emit({type: 'merge', sources: sources.length})
      const m0 = performance.now()
      // An entry made by this run is current; one of the target's under the same key whose
      // recorded parser reads went stale (an #include MACRO that changed) is superseded.
      const result = await mergePrepared(sources, plan.storeDir, {readsCurrent: readsCurrentIn(projectRoot)})
      merge = {
        new: result.new,
        skipped: result.skipped,
        renamed: result.renamed.length,
        replaced: result.replaced.length,
        conflicts: result.conflicts.map((c) => ({layer: c.layer, key: c.key, slug: c.slug})),
        errors: result.errors,
        durationMs: Math.round(performance.now() - m0),
      }
      for (const j of jobs) if (sources.some((s) => s.name === j.label)) j.phases.merge = merge.durationMs
    }
  } finally {
    await closing
  }

  const failed = jobs.filter((j) => j.status === 'failed').length
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    ok: failed === 0 && (merge === null || (merge.conflicts.length === 0 && merge.errors.length === 0)),
    storeDir: plan.storeDir,
    jobs,
    merge,
    warnings,
    totals: {
      jobs: jobs.length,
      present: jobs.filter((j) => j.status === 'present').length,
      populated: jobs.filter((j) => j.status === 'populated').length,
      failed,
      entriesNew: jobs.reduce((n, j) => n + j.entries.new, 0),
      outputsNew: jobs.reduce((n, j) => n + j.outputs.new, 0),
    },
    durationMs: Math.round(performance.now() - started),
  }
}

/** A run id for labels: short, random, never reused. */
export function newRunId(): string {
  return randomBytes(6).toString('hex')
}
