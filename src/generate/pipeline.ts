/**
 * The two-layer pipeline (DESIGN 6). For each header: compute the IR key from the
 * header's bytes, its include closure and its arguments; for each writer the output
 * key. An output hit is served without touching the IR (the original parsed first,
 * B-GEN-2). Otherwise the IR comes from the IR layer, after re-checking the files the
 * parser actually included, or from a parse. The parser (koffi, libclang) is imported
 * only on a true IR miss, so a store that can answer a request answers it without
 * libclang.
 */
import {randomBytes} from 'node:crypto'
import {promises as fs, readFileSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {HeaderkitError, InputError} from '../errors.js'
import {headerFromJson, headerToJson} from '../ir/json.js'
import {IR_SCHEMA_VERSION, type Header} from '../ir/types.js'
import {EXTRACTOR_VERSION} from '../parse/registry.js'
import type {IrKeyInputs} from '../store/keys.js'
import type {OutputMetadata} from '../store/metadata.js'
import {irKey, outputKey} from '../store/keys.js'
import {assertStoreUsable, openStore, type Store} from '../store/layout.js'
import {irIndexed, lookupIr, lookupOutput} from '../store/lookup.js'
import {type PreparedEntry, prepareIr, prepareOutput, type WriteIrParams, type WriteOutputParams, writePreparedBatch} from '../store/write.js'
import type {JsonValue} from '../util/canonical-json.js'
import {kindOf} from '../util/fs-nodes.js'
import {realPathOfNew} from '../util/real-paths.js'
import {witness} from '../util/witness.js'
import {canonicalWriterOptions} from '../writers/options.js'
import {WRITER_IMPL_VERSION} from '../writers/registry.js'
import {keyFormOf, searchPaths} from './args.js'
import {dependenciesUnchanged, includeClosure, type Dependency} from './deps.js'
import {parseThreadsFor, runParser, type RunParser} from './parsers.js'
import {digestSource, newSourceCache, readSource, type SourceCache} from './sources.js'
import type {GenerationPlan, HeaderJob, WriterJob} from './request.js'
import {isUniversal, universalResult} from './universal.js'

/** Where a result came from. */
export type ResultSource = 'output-cache' | 'ir-cache' | 'parsed'

export interface GenerationResult {
  header: string
  writer: string
  source: ResultSource
  text: string
  /** Project-relative output path, when written to a file. */
  outputPath?: string
  /** False when the file already held exactly this text (it is not rewritten). */
  fileChanged?: boolean
  target: string
  irKey: string
  outputKey?: string
}

export interface GenerationRun {
  results: GenerationResult[]
  warnings: string[]
  /** How many headers needed a libclang parse. */
  parsed: number
}

/** The parser failed for lack of libclang on a true IR miss. */
export class IrMissWithoutLibclangError extends HeaderkitError {
  constructor(header: string, target: string, cause: HeaderkitError) {
    super('E_IR_MISS_NO_LIBCLANG', `${header} (${target}) is not in the IR cache and needs a parse, but ${cause.message}`, {
      hint: `${cause.hint ?? 'install libclang'}; or fill the store where libclang is available (headerkit cache populate) and commit it`,
      cause,
    })
  }
}

export interface HeaderKeys {
  headerAbs: string
  clangArgs: string[]
  irInputs: IrKeyInputs
  irKey: string
}

function headerReadError(header: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EISDIR') return new InputError(`not a header: ${header} is a directory`, 'name a header file, or a glob such as "include/**/*.h"', 'E_HEADER_NOT_FILE')
  if (code === 'EFTYPE') return new InputError(`not a header: ${(error as Error).message.replace(/^\S+/, header)}`, 'name a regular header file', 'E_HEADER_NOT_FILE')
  return new InputError(`cannot read header ${header}: ${code ?? (error as Error).message}`, 'check that the file exists and is readable', 'E_HEADER_UNREADABLE')
}

/**
 * The IR key of a job: header bytes, include closure and arguments (DESIGN 6). `cache`
 * holds the files this run has read (src/generate/sources.ts).
 */
export async function computeIrKey(job: HeaderJob, projectRoot: string, cache: SourceCache = newSourceCache()): Promise<HeaderKeys> {
  const headerAbs = join(projectRoot, job.header)
  let bytes: Buffer
  try {
    bytes = readSource(cache, headerAbs)
  } catch (error) {
    throw headerReadError(job.header, error)
  }
  if (bytes.includes(0)) throw new InputError(`not a C header: ${job.header} holds binary data (NUL bytes)`, 'name a C header (text), or leave this file out with --exclude', 'E_HEADER_NOT_TEXT')
  const clangArgs = [...job.defines.map((d) => `-D${d}`), ...job.includeDirs.map((d) => `-I${d}`), ...job.extraArgs]
  const deps = await includeClosure(headerAbs, projectRoot, searchPaths(clangArgs), bytes, cache)
  const irInputs: IrKeyInputs = {
    schemaVersion: IR_SCHEMA_VERSION,
    extractorVersion: EXTRACTOR_VERSION,
    backend: job.backend,
    target: job.target,
    header: {path: job.header, ...(await digestSource(cache, headerAbs, bytes))},
    ...keyFormOf(job, projectRoot),
    deps,
  }
  return {headerAbs, clangArgs, irInputs, irKey: await irKey(irInputs)}
}

/**
 * The output key of one writer over an IR key, with the options object it hashes.
 * Writers whose output is never stored (diff, prompt) may take options JSON cannot
 * hold (a baseline IR object), so they get no output key at all (B-KEY-6).
 */
export async function computeOutputKey(irKeyHex: string, w: WriterJob): Promise<{key: string; options: Record<string, unknown>} | undefined> {
  if (!w.writer.cacheOutput) return undefined
  const options = JSON.parse(canonicalWriterOptions(w.options)) as Record<string, unknown>
  return {key: await outputKey({irKey: irKeyHex, writer: w.writer.name, options, writerCacheVersion: w.writer.cacheVersion, writerImplVersion: WRITER_IMPL_VERSION}), options}
}

/** Files the parser read (recorded at parse time), checked again before an IR hit is served. */
export function parsedIncludes(metadataProvenance: Record<string, JsonValue>): {path: string; hash: string}[] {
  const list = metadataProvenance.parsed_includes
  if (!Array.isArray(list)) return []
  return list.filter((d): d is {path: string; hash: string} => typeof d === 'object' && d !== null && !Array.isArray(d) && typeof d.path === 'string' && typeof d.hash === 'string')
}

/** Hashes of the files the parser read; those the include scan already hashed for the key are not read again. */
async function hashIncluded(included: string[], projectRoot: string, scanned: Dependency[], cache: SourceCache): Promise<Dependency[]> {
  const known = new Map(scanned.map((d) => [d.path, d]))
  const out: Dependency[] = []
  for (const path of included) {
    const digest = known.get(path)
    if (digest !== undefined) {
      out.push({path, hash: digest.hash, sha256: digest.sha256})
      continue
    }
    try {
      out.push({path, ...(await digestSource(cache, join(projectRoot, path)))})
    } catch {
      // The parser read it a moment ago; if it vanished, the next lookup misses on it.
      out.push({path, hash: 'missing', sha256: 'missing'})
    }
  }
  return out
}

/** The files the parser read, with their digests, as IR and output entries record them. */
export async function parsedDependencies(keys: HeaderKeys, parsed: ParsedHeader, projectRoot: string, cache: SourceCache = newSourceCache()): Promise<Dependency[]> {
  return hashIncluded(parsed.included, projectRoot, keys.irInputs.deps, cache)
}

/**
 * Whether a stored output may be served. Its key covers the header and the includes the
 * static scan finds; files the parser read besides (an `#include MACRO`) are recorded
 * with the entry, or with the IR entry it was written from, and must still have their
 * bytes, exactly as for an IR hit.
 */
export async function outputStillFresh(store: Store, metadata: OutputMetadata, projectRoot: string, cache: SourceCache = newSourceCache()): Promise<boolean> {
  if (metadata.provenance.parsed_includes !== undefined) return parserReadsUnchanged(metadata, projectRoot, cache)
  const ir = await lookupIr(store, metadata.ir_cache_key)
  return !ir.hit || (await parserReadsUnchanged(ir.metadata, projectRoot, cache))
}

/** Whether the files an entry records its parser reading still have those bytes in the project. */
function parserReadsUnchanged(metadata: {provenance: Record<string, JsonValue>}, projectRoot: string, cache: SourceCache): Promise<boolean> {
  return dependenciesUnchanged(parsedIncludes(metadata.provenance), projectRoot, cache)
}

/** parserReadsUnchanged for one project: store merge's and populate's readsCurrent. */
export function readsCurrentIn(projectRoot: string, cache: SourceCache = newSourceCache()): (metadata: {provenance: Record<string, JsonValue>}) => Promise<boolean> {
  return (metadata) => parserReadsUnchanged(metadata, projectRoot, cache)
}

/**
 * The stored IR under a key when it can be served: present, undamaged, and every file the
 * parser read still has the bytes it had. Otherwise undefined (a parse is due).
 */
export async function lookupFreshIr(store: Store, irKeyHex: string, projectRoot: string, cache: SourceCache = newSourceCache()): Promise<{ir: Header | undefined; parsedIncludes?: JsonValue; warnings: string[]}> {
  const found = await lookupIr(store, irKeyHex)
  const warnings = [...found.warnings]
  if (!found.hit || !(await parserReadsUnchanged(found.metadata, projectRoot, cache))) return {ir: undefined, warnings}
  try {
    return {ir: headerFromJson(found.payload), parsedIncludes: found.metadata.provenance.parsed_includes, warnings}
  } catch (error) {
    warnings.push(`corrupt cache entry ${found.path}: ${(error as Error).message}; parsing again`)
    return {ir: undefined, warnings}
  }
}

/** What a parse gives back, wherever it ran (in-process, or the worker in a container). */
export interface ParsedHeader {
  ir: Header
  /** Project-relative files the parser read. */
  included: string[]
  libclangVersion: string
}

/**
 * What a fresh parse is stored as in the IR layer. The files the parser read are hashed
 * from this machine's copies, which a lookup re-checks before serving the entry.
 */
export async function parsedIrParams(keys: HeaderKeys, parsed: ParsedHeader, projectRoot: string, provenance: Record<string, JsonValue> = {}, cache: SourceCache = newSourceCache()): Promise<WriteIrParams> {
  return {
    inputs: keys.irInputs,
    ir: headerToJson(parsed.ir) as JsonValue,
    provenance: {libclang_version: parsed.libclangVersion, ...provenance, parsed_includes: provenance.parsed_includes ?? ((await parsedDependencies(keys, parsed, projectRoot, cache)) as unknown as JsonValue)},
  }
}

/** A writer's text and the declarations it left out (its warnings), as stored together. */
export interface RenderedOutput {
  text: string
  warnings: string[]
}

/**
 * Runs one writer. Not strict, a declaration its consumer cannot express is left out
 * with a warning (src/writers/refusals.ts); strict, it is an error.
 */
export function renderOutput(w: WriterJob, ir: Header, context: {cwd: string; target: string}, strict: boolean): RenderedOutput {
  const warnings: string[] = []
  const text = w.writer.write(ir, w.options, {...context, strict, warn: (m) => warnings.push(m)})
  return {text, warnings}
}

/** The provenance key holding a stored output's warnings, repeated whenever it is served. */
export const WRITER_WARNINGS = 'writer_warnings'

/** The warnings stored with an output; a strict run refuses an output that left something out. */
export function storedWarnings(provenance: Record<string, JsonValue>, writer: string, header: string, strict: boolean): string[] {
  const list = provenance[WRITER_WARNINGS]
  const warnings = Array.isArray(list) ? list.filter((m): m is string => typeof m === 'string') : []
  if (strict && warnings.length > 0) throw new StrictOutputError(writer, header, warnings)
  return warnings
}

/** --strict, and the stored output for these inputs leaves declarations out. */
export class StrictOutputError extends HeaderkitError {
  constructor(writer: string, header: string, warnings: string[]) {
    super('E_WRITER_UNSUPPORTED', `the ${writer} output of ${header} leaves declarations out, which --strict refuses:\n  ${warnings.join('\n  ')}`, {
      hint: `leave them out with the ${writer} writer's exclude_patterns option, or run without --strict`,
    })
  }
}


/** What one writer's text is stored as under its output key. */
export function writerOutputParams(job: HeaderJob, keys: HeaderKeys, w: WriterJob, out: {key: string; options: Record<string, unknown>}, text: string, provenance: Record<string, JsonValue> = {}): WriteOutputParams {
  return {
    inputs: {irKey: keys.irKey, writer: w.writer.name, options: out.options, writerCacheVersion: w.writer.cacheVersion, writerImplVersion: WRITER_IMPL_VERSION},
    source: {backend: job.backend, headerPath: job.header, target: job.target, defines: keys.irInputs.defines, includeDirs: keys.irInputs.includeDirs, args: keys.irInputs.args},
    extension: w.writer.extension,
    text,
    provenance,
  }
}


/**
 * Writes `text` to `path` atomically, and only when it differs from what is there. The
 * rename goes into the directory of the real path, so a symlinked output stays a link.
 * A device or pipe (`-o cffi:/dev/null`, `-o cffi:/dev/stdout`, a shell's `>(...)`) is
 * written into, never renamed over: that would replace /dev/null with a plain file.
 */
function readUtf8OrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

async function writeOutputFile(path: string, text: string): Promise<boolean> {
  // Seen before it is compared: a replay of this run (src/journal) needs the file as it is now.
  if (witness(path, 'nofollow')?.[0] === 'l') witness(path)
  const real = realPathOfNew(path)
  // Synchronous checks: in a warm run every output is already there, and a thread-pool
  // round trip per file cost more than the read (DESIGN 11).
  let st
  try {
    st = statSync(real, {throwIfNoEntry: false})
  } catch {
    st = undefined
  }
  if (st !== undefined && !st.isFile()) {
    if (!st.isCharacterDevice() && !st.isFIFO() && !st.isSocket()) throw new InputError(`cannot write ${path}: it is a ${kindOf(st)}`, 'name a file', 'E_OUTPUT_WRITE')
    await fs.writeFile(real, text)
    return true
  }
  if (st !== undefined && st.size === Buffer.byteLength(text) && readUtf8OrUndefined(real) === text) return false
  await fs.mkdir(dirname(real), {recursive: true})
  const temp = join(dirname(real), `.${randomBytes(6).toString('hex')}.headerkit-tmp`)
  try {
    await fs.writeFile(temp, text)
    await fs.rename(temp, real)
  } catch (error) {
    await fs.rm(temp, {force: true})
    throw new InputError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'check that the directory is writable', 'E_OUTPUT_WRITE')
  }
  return true
}

/** Entries a run stores, committed a batch at a time: one lock and one index write per layer and batch. */
const WRITE_BATCH = 64

function storeWrites(store: Store | undefined, warnings: string[]): {add(what: string, prepare: () => Promise<PreparedEntry>): Promise<void>; flush(): Promise<void>} {
  let batch: {what: string; entry: PreparedEntry}[] = []
  const flush = async (): Promise<void> => {
    if (!store || batch.length === 0) return
    const items = batch
    batch = []
    try {
      for (const r of await writePreparedBatch(store, items.map((i) => i.entry))) warnings.push(...r.warnings)
    } catch (error) {
      for (const {what} of items) warnings.push(`could not store ${what}: ${(error as Error).message}`)
    }
  }
  return {
    async add(what, prepare) {
      try {
        batch.push({what, entry: await prepare()})
      } catch (error) {
        warnings.push(`could not store ${what}: ${(error as Error).message}`)
      }
      if (batch.length >= WRITE_BATCH) await flush()
    },
    flush,
  }
}

/** One job's work between the passes of runGeneration. */
interface JobWork {
  job: HeaderJob
  keys?: HeaderKeys
  /** Computing its keys or serving its outputs failed: thrown when the job's turn comes, as if the jobs ran one after another. */
  error?: Error
  /** Writers not served from the output cache. */
  pending: {index: number; outputKey: string | undefined; keyOptions: Record<string, unknown>}[]
  jobResults: (GenerationResult | undefined)[]
  /** Its IR, looked up or parsed ahead of its turn (parses run on other threads meanwhile). */
  ir?: Promise<IrForJob>
}

interface IrForJob {
  ir: Header
  source: ResultSource
  /** Recorded with each output written, so an output hit can check them (outputStillFresh). */
  readByParser: JsonValue | undefined
  /** A fresh parse, to be stored in the IR layer. */
  parse?: ParsedHeader
}

/**
 * Generation in two passes (DESIGN 11). First every job's keys and output lookups, in
 * order, on this thread: a warm run ends there. Then, in order, each job's IR (from the
 * store or parsed), its writers and its writes; the IR of the next jobs is looked up or
 * parsed ahead, a few jobs at a time, so several parses run on other threads while this
 * one writes (src/generate/parsers.ts). Results, writes and errors come in job order.
 */
export async function runGeneration(plan: GenerationPlan, onResult?: (result: GenerationResult) => void): Promise<GenerationRun> {
  const {projectRoot} = plan.context
  const useIr = !plan.switches.noCache && !plan.switches.noIrCache
  const useOutput = !plan.switches.noCache && !plan.switches.noOutputCache
  // Entries are not fsynced one by one, as store merge does not: every read checks their
  // size and hash, so a power loss can only cause a miss; the index is written durably.
  const store: Store | undefined = useIr || useOutput ? openStore(plan.storeDir, {fsync: false}) : undefined
  if (store) await assertStoreUsable(store)
  const warnings: string[] = [...plan.warnings]
  const results: GenerationResult[] = []
  let parsed = 0
  const sources = newSourceCache()
  const writes = storeWrites(store, warnings)

  const works: JobWork[] = []
  let likelyParses = 0
  for (const job of plan.jobs) {
    const work: JobWork = {job, pending: [], jobResults: []}
    works.push(work)
    try {
      const keys = (work.keys = await computeIrKey(job, projectRoot, sources))
      for (const [index, w] of job.writers.entries()) {
        if (isUniversal(w)) {
          work.jobResults[index] = await universalResult({store: useIr ? store : undefined, useOutput, job, keys, w, projectRoot, cwd: plan.context.cwd, strict: plan.strict, warnings})
          continue
        }
        const out = await computeOutputKey(keys.irKey, w)
        const key = out?.key
        const keyOptions = out?.options ?? {}
        if (store && useOutput && key) {
          const found = await lookupOutput(store, w.writer.name, key)
          warnings.push(...found.warnings)
          if (found.hit && (await outputStillFresh(store, found.metadata, projectRoot, sources))) {
            // What the writer left out is said again each time its output is served.
            warnings.push(...storedWarnings(found.metadata.provenance, w.writer.name, job.header, plan.strict))
            work.jobResults[index] = {header: job.header, writer: w.writer.name, source: 'output-cache', text: found.payload, target: job.target, irKey: keys.irKey, outputKey: key}
            continue
          }
        }
        work.pending.push({index, outputKey: key, keyOptions})
      }
      if (work.pending.length > 0 && !(store && useIr && (await irIndexed(store, keys.irKey)))) likelyParses++
    } catch (error) {
      work.error = error as Error
    }
  }

  let parser: Promise<RunParser> | undefined
  const irFor = async (work: JobWork): Promise<IrForJob> => {
    const {job} = work
    const keys = work.keys!
    if (store && useIr) {
      const found = await lookupFreshIr(store, keys.irKey, projectRoot, sources)
      warnings.push(...found.warnings)
      if (found.ir) return {ir: found.ir, source: 'ir-cache', readByParser: found.parsedIncludes}
    }
    parsed++
    try {
      const p = await (parser ??= runParser(likelyParses, plan.libclang, plan.libclangFrom))
      const result = await p.parse({header: keys.headerAbs, projectRoot, target: job.target, args: keys.clangArgs, libclang: plan.libclang, libclangFrom: plan.libclangFrom, backend: job.backend})
      return {ir: result.ir, source: 'parsed', readByParser: undefined, parse: result}
    } catch (error) {
      const {LibclangNotFoundError} = await import('../parse/index.js')
      if (error instanceof LibclangNotFoundError) throw new IrMissWithoutLibclangError(job.header, job.target, error)
      throw error
    }
  }
  const startIr = (work: JobWork | undefined): void => {
    if (!work || work.error !== undefined || work.pending.length === 0 || work.ir) return
    work.ir = irFor(work)
    // Awaited at the job's turn; a job before it may fail first and end the run.
    work.ir.catch(() => undefined)
  }
  const ahead = likelyParses < 2 ? 1 : parseThreadsFor(likelyParses) * 2

  try {
    for (const [at, work] of works.entries()) {
      for (let next = at; next < Math.min(works.length, at + ahead); next++) startIr(works[next])
      if (work.error !== undefined) throw work.error
      const {job, jobResults} = work
      const keys = work.keys!
      if (work.ir) {
        const got = await work.ir
        const ir = got.ir
        let readByParser = got.readByParser
        if (got.parse) {
          readByParser = (await parsedDependencies(keys, got.parse, projectRoot, sources)) as unknown as JsonValue
          if (store && useIr) await writes.add(`the IR of ${job.header}`, async () => prepareIr(store, await parsedIrParams(keys, got.parse!, projectRoot, {parsed_includes: readByParser!}, sources)))
        }
        for (const {index, outputKey: key, keyOptions} of work.pending) {
          const w = job.writers[index]!
          const rendered = renderOutput(w, ir, {cwd: plan.context.cwd, target: job.target}, plan.strict)
          const text = rendered.text
          warnings.push(...rendered.warnings)
          if (store && useOutput && w.writer.cacheOutput && key) {
            const provenance: Record<string, JsonValue> = {}
            if (readByParser !== undefined) provenance.parsed_includes = readByParser
            if (rendered.warnings.length > 0) provenance[WRITER_WARNINGS] = rendered.warnings
            await writes.add(`the ${w.writer.name} output of ${job.header}`, () => prepareOutput(store, writerOutputParams(job, keys, w, {key, options: keyOptions}, text, provenance)))
          }
          jobResults[index] = {header: job.header, writer: w.writer.name, source: got.source, text, target: job.target, irKey: keys.irKey, ...(key ? {outputKey: key} : {})}
        }
        // The IR is not kept once its writers have run (DESIGN 11: memory stays flat).
        work.ir = undefined
      }

      for (const [index, result] of jobResults.entries()) {
        if (!result) continue
        const output = job.writers[index]!.output
        if (output) {
          result.outputPath = output.path
          result.fileChanged = await writeOutputFile(output.absolute, result.text)
        }
        results.push(result)
        onResult?.(result)
      }
    }
  } finally {
    // What the jobs before a failing one made is stored, as when each was stored at once.
    await writes.flush()
    await parser?.then((p) => p.close(), () => undefined)
  }
  return {results, warnings: [...new Set(warnings)], parsed}
}
