/**
 * `populate(...)`: fill the store for every planned Linux platform. Returns the report
 * and emits progress events; renders nothing. The CLI (commands/cache/populate.ts) only
 * turns flags into a request and renders events and the report.
 */
import {headerkitVersion} from '../version.js'
import {userCacheDir} from './cache-dir.js'
import type {PopulateEngine} from './engine.js'
import type {PopulateEvent, PopulateReport} from './report.js'
import {preparePopulate, type PopulateRequest} from './request.js'
import {computeJobWork, newRunId, runPopulate} from './run.js'
import {UsageError} from '../errors.js'

export type {PopulateRequest} from './request.js'
export type {PopulateReport, JobReport, PopulateEvent} from './report.js'
export type {PopulatePlan, PopulateJob} from './plan.js'
export {renderReport} from './report.js'

export const ENGINES = ['docker'] as const
export type EngineName = (typeof ENGINES)[number]

export interface PopulateOptions {
  engine?: EngineName
  keepStaging?: string
  signal?: AbortSignal
  onEvent?: (event: PopulateEvent) => void
}

async function makeEngine(name: EngineName, env: NodeJS.ProcessEnv): Promise<PopulateEngine> {
  if (name !== 'docker') throw new UsageError(`unknown engine '${String(name)}'`, `use one of: ${ENGINES.join(', ')}`)
  // Loaded only when a job has something to parse: dockerode alone costs ~100 ms of start-up.
  const {createDockerEngine} = await import('./engines/docker/index.js')
  return createDockerEngine({env, runId: newRunId(), toolVersion: headerkitVersion(), cacheDir: userCacheDir(env)})
}

export async function populate(request: PopulateRequest, options: PopulateOptions = {}): Promise<PopulateReport> {
  const prepared = await preparePopulate(request)
  for (const message of prepared.warnings) options.onEvent?.({type: 'warning', message})
  const work = await computeJobWork(prepared.plan, prepared.generate)
  const name = (options.engine ?? prepared.plan.engine) as EngineName
  const report = await runPopulate(prepared.plan, work, {engine: () => makeEngine(name, request.env ?? process.env), keepStaging: options.keepStaging, signal: options.signal, onEvent: options.onEvent})
  report.warnings.unshift(...prepared.warnings)
  return report
}
