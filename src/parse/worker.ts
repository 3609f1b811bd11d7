/**
 * The standalone parse worker. Reads a job `{header, projectRoot, target, args,
 * libclang?}` or a list of them as JSON (from the file named by the first argument,
 * or stdin), parses each, and writes one JSON document to stdout:
 *
 *   {"ok": true, "results": [{"header", "ir", "included", "libclangVersion"}, ...]}
 *   {"ok": false, "error": {"code", "message", "hint"?, "diagnostics"?, "job"?}}
 *
 * Exit code 0 on success, 1 when a parse failed, 2 for a malformed job. It depends on
 * koffi, libclang and the parse modules only, so it bundles into one file that runs
 * inside other architectures' containers (scripts/bundle-worker.mjs).
 */
import {readFileSync} from 'node:fs'
import {headerToJson} from '../ir/json.js'
import {isHeaderkitError} from '../errors.js'
import {ParseError} from './errors.js'
import {parseHeader} from './index.js'
import type {ParseRequest} from './types.js'

function readInput(argv: string[]): string {
  const file = argv[0]
  return file !== undefined && file !== '-' ? readFileSync(file, 'utf8') : readFileSync(0, 'utf8')
}

class JobError extends Error {}

function toRequest(value: unknown, index: number): ParseRequest {
  const where = `job ${index}`
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JobError(`${where}: expected an object`)
  const v = value as Record<string, unknown>
  for (const key of ['header', 'projectRoot', 'target'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') throw new JobError(`${where}: '${key}' must be a non-empty string`)
  }
  const args = v.args ?? []
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new JobError(`${where}: 'args' must be an array of strings`)
  if (v.libclang !== undefined && typeof v.libclang !== 'string') throw new JobError(`${where}: 'libclang' must be a string`)
  const req: ParseRequest = {header: v.header as string, projectRoot: v.projectRoot as string, target: v.target as string, args: args}
  if (typeof v.libclang === 'string') req.libclang = v.libclang
  return req
}

function errorJson(error: unknown, job?: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (isHeaderkitError(error)) {
    out.code = error.code
    out.message = error.message
    if (error.hint) out.hint = error.hint
    if (error instanceof ParseError) out.diagnostics = error.diagnostics
  } else {
    out.code = error instanceof JobError ? 'E_JOB' : 'E_INTERNAL'
    out.message = error instanceof Error ? error.message : String(error)
  }
  if (job !== undefined) out.job = job
  return out
}

export async function runWorker(argv: string[]): Promise<{output: unknown; exitCode: number}> {
  let jobs: ParseRequest[]
  try {
    let parsed: unknown
    try {
      parsed = JSON.parse(readInput(argv))
    } catch (error) {
      throw new JobError(`the job is not JSON: ${(error as Error).message}`)
    }
    jobs = (Array.isArray(parsed) ? parsed : [parsed]).map(toRequest)
  } catch (error) {
    return {output: {ok: false, error: errorJson(error)}, exitCode: 2}
  }
  const results: unknown[] = []
  for (const [index, job] of jobs.entries()) {
    try {
      const r = await parseHeader(job)
      results.push({header: job.header, ir: headerToJson(r.ir), included: r.included, libclangVersion: r.libclangVersion})
    } catch (error) {
      return {output: {ok: false, error: errorJson(error, index)}, exitCode: 1}
    }
  }
  return {output: {ok: true, results}, exitCode: 0}
}

const {output, exitCode} = await runWorker(process.argv.slice(2))
process.stdout.write(`${JSON.stringify(output)}\n`, () => process.exit(exitCode))
