/**
 * Does the store hold fresh entries for the project's current sources? Computes, for
 * every configured header and writer (and each target asked for), the keys generation
 * would look up, and checks the store answers each one: an IR entry whose recorded
 * includes are unchanged, and an output entry for every writer whose output is
 * stored. Read-only, and needs neither libclang nor Docker: it is what CI runs to fail
 * on a stale committed store (`headerkit cache verify --sources`).
 */
import {openStore} from '../store/layout.js'
import {lookupIr, lookupOutput} from '../store/lookup.js'
import {computeIrKey, computeOutputKey, parsedIncludes} from './pipeline.js'
import {dependenciesUnchanged} from './deps.js'
import {planGeneration, type GenerateRequest, type HeaderJob, type WriterJob} from './request.js'
import {isUniversal, universalMembers, UniversalCoverageError} from './universal.js'
import type {HeaderKeys} from './pipeline.js'
import type {Store} from '../store/layout.js'
import {universalIrKey} from '../store/keys.js'

export interface FreshnessProblem {
  header: string
  target: string
  /** `ir`, or the writer whose output entry is missing. */
  layer: string
  /** missing: no entry under the current key (sources or options changed, or never generated); stale-includes: a file the parser read has changed; damaged: the entry is unreadable. */
  problem: 'missing' | 'stale-includes' | 'damaged'
  detail: string
}

const MISSING = 'nothing stored under the current key: the header, a header it includes, an argument or an option changed since the store was filled, or it was never generated for this target (run headerkit, or headerkit cache populate, and commit .headerkit/)'

export interface FreshnessReport {
  storeDir: string
  checked: number
  problems: FreshnessProblem[]
  warnings: string[]
}

/**
 * `targets`: the triples to check (e.g. every platform the project populates); empty
 * means the one generation would use here.
 */
export async function checkSourcesFresh(request: GenerateRequest, targets: string[] = []): Promise<FreshnessReport> {
  const runs = targets.length > 0 ? targets : [undefined]
  const problems: FreshnessProblem[] = []
  const warnings: string[] = []
  let checked = 0
  let storeDir = ''
  // A universal output does not depend on the target asked for: checked once.
  const seenUniversal = new Set<string>()
  for (const target of runs) {
    // allowOutsideProject: output templates are irrelevant here, nothing is written.
    const plan = await planGeneration({...request, ...(target ? {target} : {}), allowOutsideProject: true})
    storeDir = plan.storeDir
    const store = openStore(plan.storeDir)
    const root = plan.context.projectRoot
    for (const job of plan.jobs) {
      const keys = await computeIrKey(job, root)
      checked++
      const ir = await lookupIr(store, keys.irKey)
      warnings.push(...ir.warnings)
      if (!ir.hit) {
        problems.push({header: job.header, target: job.target, layer: 'ir', problem: ir.reason === 'not-indexed' ? 'missing' : 'damaged', detail: ir.reason === 'not-indexed' ? MISSING : ir.detail})
      } else if (!(await dependenciesUnchanged(parsedIncludes(ir.metadata.provenance), root))) {
        problems.push({header: job.header, target: job.target, layer: 'ir', problem: 'stale-includes', detail: `${ir.path}: a header the parser read has changed since`})
      }
      for (const w of job.writers) {
        if (isUniversal(w)) {
          const universal = await universalFreshness(store, job, keys, w, root, warnings)
          if (universal === undefined || seenUniversal.has(universal.key)) continue
          seenUniversal.add(universal.key)
          checked++
          if (universal.problem) problems.push(universal.problem)
          continue
        }
        const out = await computeOutputKey(keys.irKey, w)
        if (!out) continue
        checked++
        const found = await lookupOutput(store, w.writer.name, out.key)
        warnings.push(...found.warnings)
        if (!found.hit) problems.push({header: job.header, target: job.target, layer: w.writer.name, problem: found.reason === 'not-indexed' ? 'missing' : 'damaged', detail: found.reason === 'not-indexed' ? MISSING : found.detail})
      }
    }
  }
  return {storeDir, checked, problems, warnings: [...new Set(warnings)]}
}

/**
 * The universal output of a writer: present under the key its current members give. The
 * members are the targets the store holds fresh IR for (or those `universal_targets`
 * names, each of which must be there).
 */
async function universalFreshness(store: Store, job: HeaderJob, keys: HeaderKeys, w: WriterJob, root: string, warnings: string[]): Promise<{key: string; problem?: FreshnessProblem} | undefined> {
  const named = w.options.universal_targets as string[] | undefined
  const at = {header: job.header, target: named?.length ? named.join(',') : 'universal', layer: w.writer.name}
  let members
  try {
    members = await universalMembers(store, job, keys, named, root, warnings)
  } catch (error) {
    if (!(error instanceof UniversalCoverageError)) throw error
    return {key: `${w.writer.name}:${job.header}:${at.target}`, problem: {...at, problem: 'missing', detail: `universal output: ${error.message}`}}
  }
  const out = (await computeOutputKey(await universalIrKey(members), w))!
  const found = await lookupOutput(store, w.writer.name, out.key)
  warnings.push(...found.warnings)
  if (found.hit) return {key: out.key}
  const covering = members.map((m) => m.target).join(', ')
  return {key: out.key, problem: {...at, problem: found.reason === 'not-indexed' ? 'missing' : 'damaged', detail: found.reason === 'not-indexed' ? `no universal output covering ${covering} (the targets the store holds now): write it with \`headerkit ${job.header} -w ${w.writer.name} --universal\` and commit .headerkit/` : found.detail}}
}
