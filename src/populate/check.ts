/**
 * `cache populate --check`: the plan run as populate runs it, through each job's engine,
 * except that every header of every job is parsed, present or not, every output is made
 * again from that parse, and everything is compared byte for byte with the project store.
 * Nothing is written: not the store, not a staging store. What it proves: every
 * platform's entries are what that platform's image gives (nix-build --check for the
 * store). A job whose image or libclang is not the one an entry records says so next to
 * any difference: a toolchain change is not tampering, but still a difference.
 */
import pLimit from 'p-limit'
import {HeaderkitError} from '../errors.js'
import {renderOutput} from '../generate/pipeline.js'
import {headerToJson} from '../ir/json.js'
import {readEntry} from '../store/entry.js'
import {readIndex} from '../store/layer-index.js'
import {irLayer, type Layer, openStore, outputLayer} from '../store/layout.js'
import type {EntryMetadata} from '../store/metadata.js'
import {irSlug} from '../store/slug.js'
import {canonicalJsonFile, compareCodePoints, type JsonValue} from '../util/canonical-json.js'
import {firstJsonTextDifference, firstLineDifference} from '../util/first-difference.js'
import type {Phase, PopulateEngine} from './engine.js'
import type {PopulatePlan} from './plan.js'
import type {PopulateEvent} from './report.js'
import {type EngineSet, errorOf, type HeaderWork, type JobWork, PopulateAbortedError, runContext} from './run.js'

export const CHECK_SCHEMA_VERSION = 1

/** An entry of the store that is not what the sources make: which, where, and the first difference. */
export interface EntryDifference<Code extends string> {
  code: Code
  /** `ir` or `output/<writer>`. */
  layer: string
  /** The entry's slug in the store (for a missing entry, the slug it would get). */
  slug: string
  /** The writer of an output entry; null for IR. */
  writer: string | null
  header: string
  target: string
  /** The first differing line or JSON path, or why it could not be made; one line. */
  message: string
}

/** differs: the store holds other bytes; missing: the store holds nothing under the key. */
export type CheckDifference = EntryDifference<'ir-differs' | 'ir-missing' | 'output-differs' | 'output-missing'>

export interface CheckCounts {
  identical: number
  differing: number
  missing: number
  total: number
}

export interface CheckJobReport {
  label: string
  dockerPlatform: string
  libc: 'gnu' | 'musl'
  triple: string
  engine: string
  /** identical: every entry made again equals the store's; differs: some differ or are missing; failed: the parse did not run. */
  status: 'identical' | 'differs' | 'failed'
  image: {reference: string; digest: string | null; id: string | null}
  ir: CheckCounts
  outputs: CheckCounts
  differences: CheckDifference[]
  durationMs: number
  error: {code: string; message: string; hint: string | null} | null
}

export interface CheckReport {
  schemaVersion: number
  ok: boolean
  storeDir: string
  jobs: CheckJobReport[]
  warnings: string[]
  totals: {jobs: number; identical: number; differs: number; failed: number}
  durationMs: number
}

export interface CheckOptions {
  engines: EngineSet
  signal?: AbortSignal
  onEvent?: (event: PopulateEvent) => void
}

/** The store's entries by key, read once per layer: its index, first slug in code-point order per key. */
function storeReader(): (layer: Layer, key: string) => Promise<{slug: string; payload: Buffer; metadata: EntryMetadata} | {slug: undefined; problem?: string}> {
  const indexes = new Map<string, Promise<Map<string, string>>>()
  const byKey = (layer: Layer): Promise<Map<string, string>> => {
    let found = indexes.get(layer.name)
    if (!found) {
      found = readIndex(layer).then((index) => {
        const out = new Map<string, string>()
        for (const [slug, key] of [...index.entries].sort((a, b) => compareCodePoints(a[0], b[0]))) if (!out.has(key)) out.set(key, slug)
        return out
      })
      indexes.set(layer.name, found)
    }
    return found
  }
  return async (layer, key) => {
    const slug = (await byKey(layer)).get(key)
    if (slug === undefined) return {slug: undefined}
    const read = await readEntry(layer, slug, key)
    return read.ok ? {slug, payload: read.payload, metadata: read.metadata} : {slug: undefined, problem: `${layer.name}/${slug} is damaged: ${read.detail}`}
  }
}

/** `14.0.6` out of `Debian clang version 14.0.6`. */
export function versionNumber(version: string): string {
  return /\d+\.\d+\.\d+/.exec(version)?.[0] ?? version
}

/** What differs between the toolchain an entry records and the one used now, as ` (recorded ..., here ...)`, or ''. */
export function toolchainNote(recorded: Record<string, JsonValue>, libclangHere: string, imageHere?: JsonValue): string {
  const notes: string[] = []
  if (typeof recorded.libclang_version === 'string' && versionNumber(recorded.libclang_version) !== versionNumber(libclangHere)) notes.push(`recorded libclang ${versionNumber(recorded.libclang_version)}, here ${versionNumber(libclangHere)}`)
  if (typeof recorded.image_digest === 'string' && typeof imageHere === 'string' && recorded.image_digest !== imageHere) notes.push(`recorded image ${recorded.image_digest}, here ${imageHere}`)
  return notes.length > 0 ? ` (${notes.join('; ')})` : ''
}

const counts = (): CheckCounts => ({identical: 0, differing: 0, missing: 0, total: 0})

export async function checkPopulate(plan: PopulatePlan, work: JobWork[], options: CheckOptions): Promise<CheckReport> {
  const {started, signal, emit, warnings, warn} = runContext(options)
  const store = openStore(plan.storeDir)
  const stored = storeReader()
  const limit = pLimit(plan.concurrency)

  const checkJob = async (w: JobWork): Promise<CheckJobReport> => {
    const t0 = performance.now()
    const phase = (p: Phase, detail?: string): void => emit({type: 'job-phase', job: w.label, phase: p, detail})
    const report: CheckJobReport = {
      label: w.label,
      dockerPlatform: w.job.dockerPlatform,
      libc: w.job.libc,
      triple: w.job.triple,
      engine: w.job.engine,
      status: 'identical',
      image: {reference: w.job.image.reference, digest: w.job.image.pinned ? w.job.image.reference : null, id: null},
      ir: counts(),
      outputs: counts(),
      differences: [],
      durationMs: 0,
      error: null,
    }
    const finish = (): CheckJobReport => {
      report.durationMs = Math.round(performance.now() - t0)
      emit({type: 'job-checked', job: w.label, status: report.status, differences: report.differences.length, durationMs: report.durationMs})
      return report
    }
    try {
      if (signal.aborted) throw new PopulateAbortedError()
      const e: PopulateEngine = await options.engines.get(w.job.engine)
      const refusal = e.refuse(w.job)
      if (refusal) throw new HeaderkitError('E_ENGINE_REFUSED', refusal.message, {hint: refusal.hint})
      // Every header, present or not: a present entry is exactly what is to be proved.
      const out = await e.parse({job: w.job, headers: w.headers.map((h) => h.keys), projectRoot: plan.projectRoot, storeDir: plan.storeDir, timeoutMs: plan.timeout * 1000, signal, phase, warn})
      report.image = {reference: w.job.image.reference, digest: out.image.digest, id: out.image.id}
      phase('write', 'comparing with the store')
      for (const [i, h] of w.headers.entries()) await compareHeader(h, out.parsed[i]!, out.provenance, report)
      report.status = report.differences.length === 0 ? 'identical' : 'differs'
    } catch (error) {
      report.status = 'failed'
      report.error = signal.aborted ? errorOf(new PopulateAbortedError()) : errorOf(error)
      if (process.env.DEBUG && !(error instanceof HeaderkitError)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`)
    }
    return finish()
  }

  const compareHeader = async (h: HeaderWork, parsed: {ir: Parameters<typeof headerToJson>[0]; libclangVersion: string}, provenance: Record<string, JsonValue>, report: CheckJobReport): Promise<void> => {
    const {job, keys} = h
    const i = keys.irInputs
    const irName = irSlug({backend: i.backend, headerPath: i.header.path, target: i.target, defines: i.defines, includeDirs: i.includeDirs, args: i.args})
    const made = canonicalJsonFile(headerToJson(parsed.ir))
    const difference = (d: Omit<CheckDifference, 'header' | 'target'>): void => void report.differences.push({...d, header: job.header, target: job.target})
    report.ir.total++
    const ir = await stored(irLayer(store), keys.irKey)
    if (ir.slug === undefined) {
      report.ir.missing++
      difference({code: 'ir-missing', layer: 'ir', slug: irName, writer: null, message: ir.problem ?? `no IR entry under its key in the store (run \`headerkit cache populate\` and commit .headerkit/)`})
    } else if (ir.payload.equals(Buffer.from(made, 'utf8'))) {
      report.ir.identical++
    } else {
      report.ir.differing++
      const note = toolchainNote(ir.metadata.provenance, parsed.libclangVersion, provenance.image_digest)
      difference({code: 'ir-differs', layer: 'ir', slug: ir.slug, writer: null, message: `differs from this platform's parse: ${firstJsonTextDifference(ir.payload.toString('utf8'), made) ?? 'the bytes differ'}${note}`})
    }
    for (const o of h.outputs) {
      report.outputs.total++
      const layer = outputLayer(store, o.writer.writer.name)
      // As populate renders it for the store: not strict.
      const text = renderOutput(o.writer, parsed.ir, {cwd: plan.projectRoot, target: job.target}, false).text
      const found = await stored(layer, o.key.key)
      if (found.slug === undefined) {
        report.outputs.missing++
        difference({code: 'output-missing', layer: layer.name, slug: irName, writer: o.writer.writer.name, message: found.problem ?? 'no output entry under its key in the store (run `headerkit cache populate` and commit .headerkit/)'})
      } else if (found.payload.equals(Buffer.from(text, 'utf8'))) {
        report.outputs.identical++
      } else {
        report.outputs.differing++
        difference({code: 'output-differs', layer: layer.name, slug: found.slug, writer: o.writer.writer.name, message: `differs from what the ${o.writer.writer.name} writer makes of this platform's parse: ${firstLineDifference(found.payload.toString('utf8'), text) ?? 'the bytes differ'}`})
      }
    }
  }

  let jobs: CheckJobReport[]
  try {
    jobs = await Promise.all(work.map((w) => limit(() => checkJob(w))))
  } finally {
    await options.engines.close()
  }
  if (signal.aborted) throw new PopulateAbortedError()
  const total = (status: CheckJobReport['status']): number => jobs.filter((j) => j.status === status).length
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    ok: jobs.every((j) => j.status === 'identical'),
    storeDir: plan.storeDir,
    jobs,
    warnings,
    totals: {jobs: jobs.length, identical: total('identical'), differs: total('differs'), failed: total('failed')},
    durationMs: Math.round(performance.now() - started),
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd())
}

const cell = (c: CheckCounts): string => `${c.identical}/${c.total}${c.differing ? `, ${c.differing} differ` : ''}${c.missing ? `, ${c.missing} missing` : ''}`

/** The final table, one row per platform, then one line per difference and per failure. */
export function renderCheckReport(report: CheckReport): string[] {
  const rows = [['PLATFORM', 'RESULT', 'IR identical', 'OUTPUTS identical', 'TIME', 'ENGINE']]
  for (const j of report.jobs) rows.push([j.label, j.status, cell(j.ir), cell(j.outputs), seconds(j.durationMs), j.engine])
  const lines = pad(rows)
  for (const j of report.jobs) {
    for (const d of j.differences) lines.push(`${j.label}: ${d.layer}/${d.slug}: ${d.writer ? `${d.writer} output of ` : 'IR of '}${d.header} (${d.target}): ${d.message}`)
    if (j.error) lines.push(`${j.label}: ${j.error.message}${j.error.hint ? ` (${j.error.hint})` : ''}`)
  }
  const t = report.totals
  lines.push(`${report.ok ? 'OK' : 'FAILED'}: ${t.identical} platform${t.identical === 1 ? '' : 's'} identical to the store, ${t.differs} differ, ${t.failed} failed, in ${seconds(report.durationMs)}; nothing was written`)
  return lines
}
