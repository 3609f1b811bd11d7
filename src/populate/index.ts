/**
 * `populate(...)`: fill the store for every planned Linux platform. Returns the report
 * and emits progress events; renders nothing. The CLI (commands/cache/populate.ts) only
 * turns flags into a request and renders events and the report.
 */
import {headerkitVersion} from '../version.js'
import {userCacheDir} from '../util/user-cache-dir.js'
import type {PopulateEngine} from './engine.js'
import type {PopulateJob} from './plan.js'
import type {PopulateEvent, PopulateReport} from './report.js'
import type {CheckReport} from './check.js'
import {preparePopulate, type PopulateRequest} from './request.js'
import {computeJobWork, engineSet, newRunId, runPopulate} from './run.js'
import type {EngineName} from './engine-choice.js'

export type {PopulateRequest} from './request.js'
export type {PopulateReport, JobReport, PopulateEvent} from './report.js'
export type {PopulatePlan, PopulateJob} from './plan.js'
export {renderReport} from './report.js'

export {ENGINE_NAMES, type EngineName, type EngineChoice} from './engine-choice.js'
export {renderCheckReport, type CheckReport, type CheckJobReport, type CheckDifference} from './check.js'

export interface PopulateOptions {
  /** Keep each job's staging store in DIR/<platform>; not with `check`. */
  keepStaging?: string
  signal?: AbortSignal
  onEvent?: (event: PopulateEvent) => void
}

/** Engines load only when a job has something to parse: dockerode alone costs ~100 ms of start-up. */
async function makeEngine(name: EngineName, env: NodeJS.ProcessEnv, runId: string): Promise<PopulateEngine> {
  const options = {env, runId, toolVersion: headerkitVersion(), cacheDir: userCacheDir(env)}
  if (name === 'sysroot') return (await import('./engines/sysroot/index.js')).createSysrootEngine(options)
  return (await import('./engines/docker/index.js')).createDockerEngine(options)
}

export async function populate(request: PopulateRequest, options: PopulateOptions = {}): Promise<PopulateReport> {
  const prepared = await preparePopulate(request)
  for (const message of prepared.warnings) options.onEvent?.({type: 'warning', message})
  const runId = newRunId()
  const engines = engineSet((name) => makeEngine(name, request.env ?? process.env, runId))
  // An engine hears of its first job to parse while the other triples' keys are computed.
  const prepare = (job: PopulateJob, headers: number): void => void engines.get(job.engine).then((e) => e.prepare?.(job, headers), () => undefined)
  let work
  try {
    work = await computeJobWork(prepared.plan, prepared.generate, prepare)
  } catch (error) {
    await engines.close()
    throw error
  }
  const report = await runPopulate(prepared.plan, work, {engines, keepStaging: options.keepStaging, signal: options.signal, onEvent: options.onEvent})
  report.warnings.unshift(...prepared.warnings)
  return report
}

/**
 * `cache populate --check`: every job's headers parsed again through its engine, every
 * output made again, all compared with the store; nothing written (check.ts).
 */
export async function populateCheck(request: PopulateRequest, options: Omit<PopulateOptions, 'keepStaging'> = {}): Promise<CheckReport> {
  const prepared = await preparePopulate(request)
  for (const message of prepared.warnings) options.onEvent?.({type: 'warning', message})
  const runId = newRunId()
  const engines = engineSet((name) => makeEngine(name, request.env ?? process.env, runId))
  let work
  try {
    // The keys only: every header is parsed again whatever the store holds, and compared in check.ts.
    // Each engine hears of its jobs as soon as their triple's keys are known, as in populate.
    const prepare = (job: PopulateJob, headers: number): void => void engines.get(job.engine).then((e) => e.prepare?.(job, headers), () => undefined)
    work = await computeJobWork(prepared.plan, prepared.generate, prepare, {lookup: false})
  } catch (error) {
    await engines.close()
    throw error
  }
  const {checkPopulate} = await import('./check.js')
  const report = await checkPopulate(prepared.plan, work, {engines, signal: options.signal, onEvent: options.onEvent})
  report.warnings.unshift(...prepared.warnings)
  return report
}
