/**
 * What a populate run reports, per job and in all: the shape `--json` prints (documented
 * in docs/populate.md; field names are stable) and the final table a human reads.
 */
import type {Phase} from './engine.js'

export const REPORT_SCHEMA_VERSION = 1

export type JobStatus = 'present' | 'populated' | 'failed'

export interface JobReport {
  /** `linux/arm64` or `linux/arm64:musl`, plus ` #2` when one platform has several images. */
  label: string
  dockerPlatform: string
  libc: 'gnu' | 'musl'
  triple: string
  engine: string
  endpoint: string
  status: JobStatus
  image: {reference: string; digest: string | null; id: string | null; pinned: boolean}
  /** IR entries: written by this run, already in the store, in all. */
  entries: {new: number; present: number; total: number}
  /** Writer outputs, the same way. */
  outputs: {new: number; present: number; total: number}
  /** Headers parsed in a container (the others were present or served from stored IR). */
  parsed: string[]
  /** Milliseconds spent in each phase this job went through. */
  phases: Partial<Record<Phase, number>>
  durationMs: number
  staging: string | null
  error: {code: string; message: string; hint: string | null} | null
}

export interface PopulateReport {
  schemaVersion: number
  ok: boolean
  storeDir: string
  jobs: JobReport[]
  merge: null | {new: number; skipped: number; renamed: number; replaced: number; conflicts: {layer: string; key: string; slug: string}[]; errors: {path: string; message: string}[]; durationMs: number}
  warnings: string[]
  totals: {jobs: number; present: number; populated: number; failed: number; entriesNew: number; outputsNew: number}
  durationMs: number
}

export type PopulateEvent =
  | {type: 'job-phase'; job: string; phase: Phase; detail?: string}
  | {type: 'job-end'; job: string; report: JobReport}
  /** `cache populate --check`: a job's entries were made again and compared. */
  | {type: 'job-checked'; job: string; status: 'identical' | 'differs' | 'failed'; differences: number; durationMs: number}
  | {type: 'merge'; sources: number}
  | {type: 'warning'; message: string}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`
}

function imageCell(j: JobReport): string {
  const digest = j.image.digest?.split('@')[1] ?? j.image.id
  const name = j.image.reference.split('@')[0]!
  return digest ? `${name}@${digest.slice(0, 19)}` : name
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd())
}

/** The final table: one row per job, then the merge and the errors. */
export function renderReport(report: PopulateReport): string[] {
  const rows = [['PLATFORM', 'STATUS', 'ENTRIES new/present', 'OUTPUTS new/present', 'TIME', 'IMAGE']]
  for (const j of report.jobs) {
    rows.push([j.label, j.status, `${j.entries.new}/${j.entries.present}`, `${j.outputs.new}/${j.outputs.present}`, seconds(j.durationMs), imageCell(j)])
  }
  const lines = pad(rows)
  // One line per distinct failure: an unreachable engine fails every job the same way.
  const failures = new Map<string, string[]>()
  for (const j of report.jobs) {
    if (!j.error) continue
    const line = `${j.error.message}${j.error.hint ? ` (${j.error.hint})` : ''}`
    failures.set(line, [...(failures.get(line) ?? []), j.label])
  }
  for (const [line, labels] of failures) lines.push(`${labels.join(', ')}: ${line}`)
  const m = report.merge
  if (m) lines.push(`Merged into ${report.storeDir}: ${m.new} new, ${m.skipped} already there${m.replaced ? `, ${m.replaced} replaced` : ''}${m.renamed ? `, ${m.renamed} renamed` : ''}${m.conflicts.length ? `, ${m.conflicts.length} CONFLICTS` : ''}`)
  for (const c of m?.conflicts ?? []) lines.push(`conflict: ${c.layer}/${c.slug} (key ${c.key.slice(0, 12)}) differs between platforms or from the store`)
  for (const e of m?.errors ?? []) lines.push(`merge error: ${e.path}: ${e.message}`)
  const t = report.totals
  lines.push(`${report.ok ? 'Done' : 'Failed'}: ${t.populated} populated, ${t.present} already present, ${t.failed} failed, in ${seconds(report.durationMs)}`)
  return lines
}
