/**
 * The body of `cache populate`, free of oclif so the fast path (fast.ts) runs exactly the
 * same code: flags in; the plan or report out as the --json value, with the exit code;
 * human lines, progress and warnings written here.
 */
import {UsageError} from '../errors.js'
import type {PopulatePlan} from '../populate/plan.js'
import type {PopulateReport} from '../populate/report.js'
import type {CheckReport} from '../populate/check.js'
import type {PopulateRequest} from '../populate/request.js'

export interface PopulateFlags {
  writer?: string[]
  platform?: string[]
  python?: string[]
  cibuildwheel?: boolean
  'docker-image'?: string
  engine?: string
  timeout?: string
  concurrency?: string
  'include-dir'?: string[]
  define?: string[]
  'backend-arg'?: string[]
  'writer-opt'?: string[]
  backend?: string
  'before-all'?: boolean
  'store-dir'?: string
  config?: string
  'no-config'?: boolean
  'keep-staging'?: string
  'dry-run'?: boolean
  check?: boolean
}

export interface PopulateOutcome {
  /** The --json value (the plan, or the report, also when it failed); none after SIGTERM. */
  value: PopulatePlan | PopulateReport | CheckReport | undefined
  exitCode: number
  /** A real run (not --dry-run or --check) in which every job's entries were already in the store: nothing parsed, staged or merged. */
  changedNothing?: boolean
}

/** A flag's whole number, read as oclif's integer flags read one; the plan checks its range. */
function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\s*-?\d+\s*$/.test(value)) throw new UsageError(`${flag} must be a whole number of at least 1, got '${value}'`)
  return Number(value)
}

export function populateRequest(headers: string[], flags: PopulateFlags, env?: NodeJS.ProcessEnv): PopulateRequest {
  return {
    ...(env ? {env} : {}),
    headers,
    writers: flags.writer,
    platforms: flags.platform,
    pythonVersions: flags.python,
    cibuildwheel: flags.cibuildwheel,
    dockerImage: flags['docker-image'],
    timeout: wholeNumber(flags.timeout, '--timeout'),
    concurrency: wholeNumber(flags.concurrency, '--concurrency'),
    includeDirs: flags['include-dir'],
    defines: flags.define,
    backendArgs: flags['backend-arg'],
    writerOptions: flags['writer-opt'],
    backend: flags.backend,
    engine: flags.engine,
    beforeAll: flags['before-all'],
    storeDir: flags['store-dir'],
    configPath: flags.config,
    noConfig: flags['no-config'],
  }
}

/** `env` defaults to process.env (the no-op journal passes one that records what is read). */
export async function executePopulate(headers: string[], flags: PopulateFlags, json: boolean, env?: NodeJS.ProcessEnv): Promise<PopulateOutcome> {
  const request = populateRequest(headers, flags, env)
  if (flags['dry-run']) {
    const {preparePopulate} = await import('../populate/request.js')
    const {renderPlan} = await import('../populate/plan-render.js')
    const {plan, warnings} = await preparePopulate(request)
    for (const w of warnings) process.stderr.write(`Warning: ${w}\n`)
    if (!json) for (const line of renderPlan(plan)) process.stdout.write(`${line}\n`)
    return {value: plan, exitCode: 0}
  }

  if (flags.check && flags['keep-staging'] !== undefined) throw new UsageError('--check writes nothing, so it keeps no staging stores', 'drop --keep-staging')
  const {populate, populateCheck, renderCheckReport, renderReport} = await import('../populate/index.js')
  const {progressRenderer} = await import('./populate-progress.js')
  const progress = progressRenderer(process.stderr, env)
  const controller = new AbortController()
  let signalled: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second signal while containers are being removed: leave at once.
    if (signalled) process.exit(signal === 'SIGTERM' ? 143 : 130)
    signalled = signal
    process.stderr.write(`\n${signal}: stopping; removing containers in flight...\n`)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let report: PopulateReport | CheckReport
  try {
    const options = {signal: controller.signal, onEvent: (e: Parameters<typeof progress.onEvent>[0]) => progress.onEvent(e)}
    report = flags.check ? await populateCheck(request, options) : await populate(request, {...options, keepStaging: flags['keep-staging']})
  } catch (error) {
    if (signalled === 'SIGTERM' && (error as {code?: string}).code === 'E_ABORTED') {
      progress.stop()
      process.stderr.write('Error: populate was terminated; containers in flight were removed and nothing of this run was merged\n')
      return {value: undefined, exitCode: 143}
    }
    throw error
  } finally {
    progress.stop()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  if (!json) for (const line of flags.check ? renderCheckReport(report as CheckReport) : renderReport(report as PopulateReport)) process.stdout.write(`${line}\n`)
  const changedNothing = 'merge' in report && flags['keep-staging'] === undefined && report.ok && report.totals.populated === 0 && report.merge === null
  return {value: report, exitCode: report.ok ? 0 : 1, changedNothing}
}
