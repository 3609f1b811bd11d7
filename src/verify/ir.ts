/**
 * IR entries parsed again where this machine can repeat their parse, and compared byte
 * for byte with the stored ir.json:
 *
 * - an entry made here by generation for the host's own target (host libclang, host headers);
 * - an entry whose recorded arguments name a `--sysroot` present here;
 * - an entry for a foreign target without a sysroot, whose parse searches no system
 *   directory (parse/sysroot.ts isolationArgs) and so depends on libclang alone;
 * - a populated entry (docker or sysroot engine) whose platform headers are in the per-user
 *   sysroot cache: parsed as the sysroot engine parses.
 *
 * Every other entry is listed with the reason, and never counts as passed. The entry's
 * sources must be the ones recorded (header, include closure, files the parser read):
 * otherwise it is stale for this checkout, which `--sources` reports, and is not parsed.
 * Parses run on populate's parse threads. Nothing is written.
 */
import {statSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {resolve} from 'node:path'
import {argsFromKeyForm, projectRelative} from '../generate/args.js'
import {dependenciesUnchanged} from '../generate/deps.js'
import {parsedIncludes} from '../generate/pipeline.js'
import {headerToJson} from '../ir/json.js'
import {IR_SCHEMA_VERSION} from '../ir/types.js'
import {locateLibclang, resourceDirFor} from '../parse/libclang/locate.js'
import {sysrootOf} from '../parse/sysroot.js'
import {EXTRACTOR_VERSION, listBackends} from '../parse/registry.js'
import type {ParseRequest} from '../parse/types.js'
import {userCacheDir} from '../util/user-cache-dir.js'
import {cachedSysroot} from '../populate/engines/sysroot/cached.js'
import {parseThreadsFor, sysrootParseArgs} from '../populate/engines/sysroot/index.js'
import {toolchainNote} from '../populate/check.js'
import {createParsePool} from '../parse/parse-pool.js'
import {readEntry} from '../store/entry.js'
import {irLayer, type Store} from '../store/layout.js'
import type {IrMetadata} from '../store/metadata.js'
import {listLayer} from '../store/scan.js'
import {type Libc, type LinuxArch, platformByDocker} from '../target/platforms.js'
import {canonicalJsonFile, type JsonValue} from '../util/canonical-json.js'
import {firstJsonTextDifference} from '../util/first-difference.js'
import type {NotReparsed, ReproduceDifference} from './report.js'

export interface IrResult {
  total: number
  identical: number
  differences: ReproduceDifference[]
  notReparsed: NotReparsed[]
}

/** How an entry's parse is repeated here. */
type Reparse =
  | {how: 'here'; args: string[]}
  | {how: 'sysroot'; args: string[]; sysroot: string; job: {arch: LinuxArch; libc: Libc; triple: string; image?: {reference: string}}}

const isDir = (path: string): boolean => statSync(path, {throwIfNoEntry: false})?.isDirectory() === true

/** Whether the project's files are those the entry was made from; the reason when not. */
async function sourcesChanged(m: IrMetadata, projectRoot: string): Promise<string | undefined> {
  const recorded = [{path: m.header_path, hash: m.header_hash}, ...m.deps, ...parsedIncludes(m.provenance)]
  for (const dep of recorded) {
    if (projectRelative(resolve(projectRoot, dep.path), projectRoot) === undefined) return `it records ${dep.path}, outside the project`
    if (!(await dependenciesUnchanged([dep], projectRoot))) return `${dep.path} is not the file it was made from (changed or missing in this checkout; \`cache verify --sources\` says which entries are stale)`
  }
  return undefined
}

/** How to parse the entry again here, or why it cannot be. */
async function planReparse(m: IrMetadata, projectRoot: string, cacheDir: string | undefined): Promise<Reparse | {reason: string}> {
  if (!listBackends().includes(m.backend_name)) return {reason: `parser backend '${m.backend_name}' is not available here`}
  if (m.extractor_version !== EXTRACTOR_VERSION || m.ir_schema_version !== IR_SCHEMA_VERSION) {
    return {reason: `made by extractor ${m.extractor_version} (IR schema ${m.ir_schema_version}); this headerkit has ${EXTRACTOR_VERSION} (${IR_SCHEMA_VERSION}) and never serves it`}
  }
  const changed = await sourcesChanged(m, projectRoot)
  if (changed !== undefined) return {reason: changed}
  const args = argsFromKeyForm({defines: m.defines, includeDirs: m.includes, args: m.other_args}, projectRoot)
  const engine = m.provenance.engine
  if (engine === 'docker' || engine === 'sysroot') {
    const platform = typeof m.provenance.platform === 'string' ? m.provenance.platform : undefined
    const image = typeof m.provenance.image === 'string' ? m.provenance.image : 'its image'
    const linux = platform === undefined ? undefined : platformByDocker(platform)
    const libc: Libc = m.target.includes('musl') ? 'musl' : 'gnu'
    if (linux === undefined || linux.triple[libc] !== m.target) return {reason: `populated for platform ${platform ?? '(none recorded)'}, which does not give target ${m.target}`}
    const sysroot = cacheDir === undefined ? undefined : cachedSysroot(cacheDir, m.provenance)
    if (sysroot === undefined) return {reason: `platform headers of image ${image} (${platform}) not extracted here: run \`headerkit cache populate --check\``}
    return {how: 'sysroot', args, sysroot, job: {arch: linux.arch, libc, triple: m.target, ...(typeof m.provenance.image === 'string' ? {image: {reference: m.provenance.image}} : {})}}
  }
  const sysroot = sysrootOf(args)
  if (sysroot !== undefined) return isDir(sysroot) ? {how: 'here', args} : {reason: `its --sysroot ${sysroot} is not present here`}
  // The host's own platform is parsed with this machine's headers, as its maker's were with
  // theirs; a foreign target without a sysroot searches no system directory at all
  // (isolationArgs), so its parse depends on libclang alone.
  return {how: 'here', args}
}

export async function reproduceIr(store: Store, projectRoot: string, env: NodeJS.ProcessEnv): Promise<IrResult> {
  const layer = irLayer(store)
  const result: IrResult = {total: 0, identical: 0, differences: [], notReparsed: []}
  let cacheDir: string | undefined
  try {
    cacheDir = userCacheDir(env)
  } catch {
    // An unusable HEADERKIT_CACHE_DIR: populated entries are then not parsed again (said per entry).
  }

  const planned: {slug: string; m: IrMetadata; stored: Buffer; reparse: Reparse}[] = []
  for (const slug of (await listLayer(layer)).entries) {
    const read = await readEntry(layer, slug)
    if (!read.ok || read.metadata.kind !== 'ir') continue // damaged: the structural check reports it
    result.total++
    const m = read.metadata
    const reparse = await planReparse(m, projectRoot, cacheDir)
    if ('reason' in reparse) result.notReparsed.push({slug, header: m.header_path, target: m.target, reason: reparse.reason})
    else planned.push({slug, m, stored: read.payload, reparse})
  }
  if (planned.length === 0) return result

  const notHere = (reason: string): IrResult => {
    for (const p of planned) result.notReparsed.push({slug: p.slug, header: p.m.header_path, target: p.m.target, reason})
    return result
  }
  let libPath: string
  try {
    libPath = locateLibclang({env})
  } catch (error) {
    return notHere((error as Error).message)
  }
  const pool = createParsePool({libclang: libPath, size: Math.min(planned.length, parseThreadsFor(availableParallelism()))})
  try {
    pool.warm(planned.length)
    let version: string
    try {
      version = await pool.version()
    } catch (error) {
      return notHere((error as Error).message)
    }
    const resourceDir = planned.some((p) => p.reparse.how === 'sysroot') ? resourceDirFor(libPath, version) : undefined
    const requests = planned.map((p): ParseRequest | string => {
      const base = {header: resolve(projectRoot, p.m.header_path), projectRoot, target: p.m.target, libclang: libPath, backend: p.m.backend_name}
      if (p.reparse.how === 'here') return {...base, args: p.reparse.args}
      if (resourceDir === undefined) return `cannot find the builtin headers (resource directory) of ${libPath}: install libclang-common-N-dev`
      return {...base, args: sysrootParseArgs(p.reparse.args, p.reparse.sysroot, p.reparse.job, resourceDir)}
    })
    const settled = await Promise.allSettled(requests.map((r) => (typeof r === 'string' ? Promise.reject(new Error(r)) : pool.parse(r))))
    for (const [i, p] of planned.entries()) {
      const r = settled[i]!
      const request = requests[i]!
      if (typeof request === 'string') {
        result.notReparsed.push({slug: p.slug, header: p.m.header_path, target: p.m.target, reason: request})
        continue
      }
      const diff = (code: ReproduceDifference['code'], message: string): void => void result.differences.push({code, layer: 'ir', slug: p.slug, writer: null, header: p.m.header_path, target: p.m.target, message})
      const toolchain = toolchainNote(p.m.provenance, r.status === 'fulfilled' ? r.value.libclangVersion : version)
      const where = p.reparse.how === 'sysroot' ? ` against the cached headers of ${typeof p.m.provenance.image === 'string' ? p.m.provenance.image : 'its image'}` : ''
      if (r.status === 'rejected') {
        diff('ir-parse-failed', `the parse here${where} failed: ${(r.reason as Error).message.split('\n')[0]}${toolchain}`)
        continue
      }
      const made = Buffer.from(canonicalJsonFile(headerToJson(r.value.ir) as JsonValue), 'utf8')
      if (made.equals(p.stored)) {
        result.identical++
        continue
      }
      const difference = firstJsonTextDifference(p.stored.toString('utf8'), made.toString('utf8')) ?? 'the bytes differ'
      diff('ir-differs', `differs from a parse here${where}: ${difference}${toolchain}`)
    }
  } finally {
    await pool.close()
  }
  return result
}
