/**
 * The parse a worker does elsewhere (inside a container): what it is asked, which files it
 * needs, and how its answer is judged. The answer is untrusted input: it must be the
 * worker's JSON for exactly the headers asked, each IR valid as IR JSON, each included
 * path project-relative; anything else is refused before it reaches a store.
 */
import {promises as fs} from 'node:fs'
import {posix} from 'node:path'
import {glob} from 'tinyglobby'
import {HeaderkitError} from '../errors.js'
import {headerFromJson} from '../ir/json.js'
import {argsFromKeyForm, projectRelative, searchPaths} from '../generate/args.js'
import type {HeaderKeys, ParsedHeader} from '../generate/pipeline.js'

/** Where the job's archive is unpacked: every image has /tmp, and putArchive needs an existing directory. */
export const ARCHIVE_AT = '/tmp'
/** Where the kit, the project files and the job go inside the container. */
export const WORKER_ROOT = `${ARCHIVE_AT}/headerkit`
export const WORKER_PROJECT = `${WORKER_ROOT}/project`
export const WORKER_KIT = `${WORKER_ROOT}/kit`
export const WORKER_JOB = `${WORKER_ROOT}/job.json`

const HEADER_GLOB = '**/*.{h,H,hh,hpp,hxx,h++,inc,def,x}'
const MAX_DIR_FILES = 5000
const MAX_LIBCLANG_VERSION = 200

/** The name inside the archive of a path under WORKER_ROOT (`/tmp/headerkit/kit/x` -> `headerkit/kit/x`). */
export function archiveName(containerPath: string): string {
  return containerPath.slice(ARCHIVE_AT.length + 1)
}

export class WorkerOutputError extends HeaderkitError {
  constructor(platform: string, what: string) {
    super('E_WORKER_OUTPUT', `the ${platform} worker's answer was refused: ${what}`, {hint: 'nothing from it was stored; run again with DEBUG=headerkit to see the worker output'})
  }
}

export class WorkerParseError extends HeaderkitError {
  readonly diagnostics: string[]
  constructor(platform: string, message: string, diagnostics: string[], hint?: string) {
    super('E_PARSE', `${platform}: ${message}`, {hint})
    this.diagnostics = diagnostics
  }
}

export interface WorkerRequest {
  header: string
  projectRoot: string
  target: string
  args: string[]
}

/** Key-form arguments (`-I@/include`) made absolute under the container's project root. */
export function containerArgs(keys: HeaderKeys): string[] {
  return argsFromKeyForm(keys.irInputs, WORKER_PROJECT)
}

export function workerRequests(keys: HeaderKeys[], triple: string): WorkerRequest[] {
  return keys.map((k) => ({header: `${WORKER_PROJECT}/${k.irInputs.header.path}`, projectRoot: WORKER_PROJECT, target: triple, args: containerArgs(k)}))
}

/**
 * The project files the parses read: each header, its scanned include closure, and the
 * headers of the project-local include directories it uses (an include computed by a
 * macro is not in the closure, but is found there). Project-relative, sorted.
 */
export async function filesForParse(keys: HeaderKeys[], projectRoot: string, storeDir: string): Promise<{files: string[]; warnings: string[]}> {
  const files = new Set<string>()
  const warnings: string[] = []
  const dirs = new Set<string>()
  for (const k of keys) {
    files.add(k.irInputs.header.path)
    for (const d of k.irInputs.deps) files.add(d.path)
    const paths = searchPaths(k.clangArgs)
    for (const dir of [...paths.angle, ...paths.quote, ...paths.system]) {
      const rel = projectRelative(dir, projectRoot)
      if (rel !== undefined) dirs.add(rel)
    }
    for (const forced of paths.forced) {
      const rel = projectRelative(forced, projectRoot)
      if (rel !== undefined) files.add(rel)
    }
  }
  const storeRel = projectRelative(storeDir, projectRoot)
  for (const dir of [...dirs].sort()) {
    const found = await glob(HEADER_GLOB, {cwd: posix.join(projectRoot, dir), ignore: ['**/node_modules/**', '**/.git/**', ...(storeRel && storeRel !== '.' ? [`${storeRel}/**`] : [])], onlyFiles: true, followSymbolicLinks: false, dot: false})
    if (found.length > MAX_DIR_FILES) {
      warnings.push(`include dir ${dir} holds ${found.length} headers; only the include closure of each header is sent to the containers (an #include computed by a macro may then fail)`)
      continue
    }
    for (const f of found) files.add(posix.normalize(dir === '.' ? f : `${dir}/${f}`))
  }
  // Regular files only: a symlink or a device is not sent (the closure scan reads through links; the container gets the bytes).
  const regular: string[] = []
  for (const f of [...files].sort()) {
    try {
      if ((await fs.stat(posix.join(projectRoot, f))).isFile()) regular.push(f)
    } catch {
      // vanished since the key was computed: the parse reports it
    }
  }
  return {files: regular, warnings}
}

function isProjectPath(p: unknown): p is string {
  return typeof p === 'string' && p !== '' && !p.startsWith('/') && !p.split('/').some((s) => s === '..' || s === '') && !p.includes('\0')
}

/** Judges the worker's stdout; returns one ParsedHeader per request, in order. */
export function parseWorkerOutput(stdout: Buffer, exitCode: number, stderr: string, requests: WorkerRequest[], platform: string): ParsedHeader[] {
  const text = stdout.toString('utf8').trim()
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    if (text === '') {
      const last = stderr.trim().split('\n').slice(-3).join(' | ')
      throw new WorkerOutputError(platform, `it printed nothing and exited with ${exitCode}${last ? ` (${last.slice(0, 300)})` : ''}`)
    }
    throw new WorkerOutputError(platform, `it is not JSON (starts with ${JSON.stringify(text.slice(0, 60))})`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof (doc as {ok?: unknown}).ok !== 'boolean') throw new WorkerOutputError(platform, 'it is not the worker\'s result object')
  const d = doc as {ok: boolean; results?: unknown; error?: {code?: unknown; message?: unknown; hint?: unknown; diagnostics?: unknown; job?: unknown}}
  if (!d.ok) {
    const e = d.error ?? {}
    const message = typeof e.message === 'string' ? e.message.slice(0, 2000) : 'the parse failed'
    const diagnostics = Array.isArray(e.diagnostics) ? e.diagnostics.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).slice(0, 50) : []
    const job = typeof e.job === 'number' ? requests[e.job] : undefined
    const where = job ? `${job.header.slice(WORKER_PROJECT.length + 1)}: ` : ''
    throw new WorkerParseError(platform, `${where}${message}`, diagnostics, typeof e.hint === 'string' ? e.hint.slice(0, 500) : undefined)
  }
  if (exitCode !== 0) throw new WorkerOutputError(platform, `it reported success but exited with ${exitCode}`)
  if (!Array.isArray(d.results) || d.results.length !== requests.length) throw new WorkerOutputError(platform, `expected ${requests.length} results`)
  return d.results.map((r: unknown, i): ParsedHeader => {
    const req = requests[i]!
    const rel = req.header.slice(WORKER_PROJECT.length + 1)
    if (typeof r !== 'object' || r === null) throw new WorkerOutputError(platform, `result ${i} is not an object`)
    const res = r as {header?: unknown; ir?: unknown; included?: unknown; libclangVersion?: unknown}
    if (res.header !== req.header) throw new WorkerOutputError(platform, `result ${i} is for ${String(res.header)}, not ${req.header}`)
    if (!Array.isArray(res.included) || !res.included.every(isProjectPath)) throw new WorkerOutputError(platform, `the included files of ${rel} are not project-relative paths`)
    if (typeof res.libclangVersion !== 'string' || res.libclangVersion.length > MAX_LIBCLANG_VERSION) throw new WorkerOutputError(platform, `the libclang version of ${rel} is missing or malformed`)
    let ir
    try {
      ir = headerFromJson(res.ir)
    } catch (error) {
      throw new WorkerOutputError(platform, `the IR of ${rel} is not valid IR JSON: ${(error as Error).message}`)
    }
    if (ir.path !== rel) throw new WorkerOutputError(platform, `the IR of ${rel} names ${ir.path}`)
    return {ir, included: res.included, libclangVersion: res.libclangVersion}
  })
}
