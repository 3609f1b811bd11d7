/**
 * Universal outputs (DESIGN 12): one ctypes or cffi module covering every target for
 * which the store holds a fresh IR of the header with the same arguments. Each
 * candidate target's IR key is the key a native build on that target computes (the
 * request's key inputs with the target swapped), so members are found by key, never by
 * scanning. Candidates are the Linux targets of cibuildwheel (gnu and musl), or the ones
 * `universal_targets` names. The output key is the writer's ordinary output key over
 * `universalIrKey(members)`: any member changing, joining or leaving is a miss.
 */
import {HeaderkitError, UsageError} from '../errors.js'
import {headerFromJson} from '../ir/json.js'
import type {Header} from '../ir/types.js'
import {irKey, universalIrKey} from '../store/keys.js'
import type {Store} from '../store/layout.js'
import {lookupIr, lookupOutput} from '../store/lookup.js'
import {writeOutput} from '../store/write.js'
import {LINUX_PLATFORMS} from '../target/platforms.js'
import type {JsonValue} from '../util/canonical-json.js'
import type {UniversalMember} from '../writers/types.js'
import {WRITER_IMPL_VERSION} from '../writers/registry.js'
import {computeOutputKey, readsCurrentIn, storedWarnings, WRITER_WARNINGS, type GenerationResult, type HeaderKeys} from './pipeline.js'
import type {HeaderJob, WriterJob} from './request.js'

/** Not one covered target, or a target asked for that the store does not hold. */
export class UniversalCoverageError extends HeaderkitError {
  constructor(message: string, hint: string) {
    super('E_UNIVERSAL_COVERAGE', message, {hint})
  }
}

/** The provenance key listing a universal output's members: target, IR key and IR entry. */
export const UNIVERSAL_MEMBERS = 'universal_members'

/** Whether a writer job asks for a universal output. */
export function isUniversal(w: WriterJob): boolean {
  return w.options.universal === true
}

/** The targets a universal output may cover: those named, else every Linux target of cibuildwheel. */
export function candidateTargets(named: string[] | undefined): string[] {
  if (named && named.length > 0) return [...new Set(named)]
  return LINUX_PLATFORMS.flatMap((p) => [p.triple.gnu, p.triple.musl])
}

interface Member extends UniversalMember {
  irKey: string
}

/** The members the store holds fresh IR for (DESIGN 12), in target order. */
export async function universalMembers(store: Store, job: HeaderJob, keys: HeaderKeys, named: string[] | undefined, projectRoot: string, warnings: string[]): Promise<Member[]> {
  const readsCurrent = readsCurrentIn(projectRoot)
  const members: Member[] = []
  const missing: string[] = []
  for (const target of candidateTargets(named)) {
    const key = await irKey({...keys.irInputs, target})
    const found = await lookupIr(store, key)
    warnings.push(...found.warnings)
    let ir: Header | undefined
    if (found.hit && (await readsCurrent(found.metadata))) {
      try {
        ir = headerFromJson(found.payload)
      } catch (error) {
        warnings.push(`corrupt cache entry ${found.path}: ${(error as Error).message}; ${target} is left out of the universal output`)
      }
    }
    if (ir && found.hit) members.push({target, entry: found.path, ir, irKey: key})
    else missing.push(target)
  }
  const add = `fill the store with \`headerkit cache populate\`, or \`headerkit ${job.header} --target TRIPLE\` where that target's headers are, then run again`
  if (named && named.length > 0 && missing.length > 0) {
    throw new UniversalCoverageError(`the store holds no fresh IR of ${job.header} (with these arguments) for ${missing.join(', ')}, which --target names for the universal output`, add)
  }
  if (members.length === 0) throw new UniversalCoverageError(`the store holds no fresh IR of ${job.header} (with these arguments) for any target, so there is nothing for a universal output to cover`, add)
  return members.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0))
}

export interface UniversalRun {
  store: Store | undefined
  useOutput: boolean
  job: HeaderJob
  keys: HeaderKeys
  w: WriterJob
  projectRoot: string
  cwd: string
  strict: boolean
  warnings: string[]
}

/** The universal output of one writer for one header: from the output cache, or rendered from the members' IR and stored. */
export async function universalResult(r: UniversalRun): Promise<GenerationResult> {
  const {store, job, keys, w, warnings} = r
  const render = w.writer.universal
  if (!render) throw new UsageError(`the ${w.writer.name} writer cannot make a universal output`, 'only writers that write an importable module (ctypes, cffi) take --universal')
  if (!store) throw new UsageError('a universal output is made from the IR the store holds for each target, so it needs the store', 'run without --no-cache / --no-ir-cache')
  const members = await universalMembers(store, job, keys, w.options.universal_targets as string[] | undefined, r.projectRoot, warnings)
  const memberKey = await universalIrKey(members)
  const out = (await computeOutputKey(memberKey, w))!
  const target = members.map((m) => m.target).join(',')
  const base = {header: job.header, writer: w.writer.name, target, irKey: memberKey, outputKey: out.key}
  if (r.useOutput) {
    const found = await lookupOutput(store, w.writer.name, out.key)
    warnings.push(...found.warnings)
    // Every member was checked fresh above, and the key covers each member's key.
    if (found.hit) {
      warnings.push(...storedWarnings(found.metadata.provenance, w.writer.name, job.header, r.strict))
      return {...base, source: 'output-cache', text: found.payload}
    }
  }
  const rendered: string[] = []
  const text = render.write(members, w.options, {cwd: r.cwd, strict: r.strict, warn: (m) => rendered.push(m)})
  const unique = [...new Set(rendered)]
  warnings.push(...unique)
  if (r.useOutput) {
    const provenance: Record<string, JsonValue> = {[UNIVERSAL_MEMBERS]: members.map((m) => ({target: m.target, ir_cache_key: m.irKey, entry: m.entry}))}
    if (unique.length > 0) provenance[WRITER_WARNINGS] = unique
    try {
      const stored = await writeOutput(store, {
        inputs: {irKey: memberKey, writer: w.writer.name, options: out.options, writerCacheVersion: w.writer.cacheVersion, writerImplVersion: WRITER_IMPL_VERSION},
        source: {backend: job.backend, headerPath: job.header, target: 'universal', defines: keys.irInputs.defines, includeDirs: keys.irInputs.includeDirs, args: keys.irInputs.args},
        extension: render.extension,
        text,
        provenance,
      })
      warnings.push(...stored.warnings)
    } catch (error) {
      warnings.push(`could not store the universal ${w.writer.name} output of ${job.header}: ${(error as Error).message}`)
    }
  }
  return {...base, source: 'ir-cache', text}
}
