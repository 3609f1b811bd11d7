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
import {promises as fs} from 'node:fs'
import {dirname, join} from 'node:path'
import {HeaderkitError, InputError} from '../errors.js'
import {headerFromJson, headerToJson} from '../ir/json.js'
import {IR_SCHEMA_VERSION, type Header} from '../ir/types.js'
import {EXTRACTOR_VERSION} from '../parse/registry.js'
import type {IrKeyInputs} from '../store/keys.js'
import {hashSourceBytes, irKey, outputKey} from '../store/keys.js'
import {openStore, type Store} from '../store/layout.js'
import {lookupIr, lookupOutput} from '../store/lookup.js'
import {writeIr, type WriteIrParams, writeOutput, type WriteOutputParams, type WriteResult} from '../store/write.js'
import type {JsonValue} from '../util/canonical-json.js'
import {canonicalWriterOptions} from '../writers/options.js'
import {WRITER_IMPL_VERSION} from '../writers/registry.js'
import {keyFormOf, searchPaths} from './args.js'
import {dependenciesUnchanged, includeClosure, type Dependency} from './deps.js'
import type {GenerationPlan, HeaderJob, WriterJob} from './request.js'

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

/** The IR key of a job: header bytes, include closure and arguments (DESIGN 6). */
export async function computeIrKey(job: HeaderJob, projectRoot: string): Promise<HeaderKeys> {
  const headerAbs = join(projectRoot, job.header)
  let bytes: Buffer
  try {
    bytes = await fs.readFile(headerAbs)
  } catch (error) {
    throw new InputError(`cannot read header ${job.header}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'check that the file exists and is readable', 'E_HEADER_UNREADABLE')
  }
  const clangArgs = [...job.defines.map((d) => `-D${d}`), ...job.includeDirs.map((d) => `-I${d}`), ...job.extraArgs]
  const deps = await includeClosure(headerAbs, projectRoot, searchPaths(clangArgs), bytes)
  const irInputs: IrKeyInputs = {
    schemaVersion: IR_SCHEMA_VERSION,
    extractorVersion: EXTRACTOR_VERSION,
    backend: job.backend,
    target: job.target,
    header: {path: job.header, hash: await hashSourceBytes(bytes)},
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
export function parsedIncludes(metadataProvenance: Record<string, JsonValue>): Dependency[] {
  const list = metadataProvenance.parsed_includes
  if (!Array.isArray(list)) return []
  return list.filter((d): d is {path: string; hash: string} => typeof d === 'object' && d !== null && !Array.isArray(d) && typeof d.path === 'string' && typeof d.hash === 'string')
}

/** Hashes of the files the parser read; those the include scan already hashed for the key are not read again. */
async function hashIncluded(included: string[], projectRoot: string, scanned: Dependency[]): Promise<Dependency[]> {
  const known = new Map(scanned.map((d) => [d.path, d.hash]))
  const out: Dependency[] = []
  for (const path of included) {
    const hash = known.get(path)
    if (hash !== undefined) {
      out.push({path, hash})
      continue
    }
    try {
      out.push({path, hash: await hashSourceBytes(await fs.readFile(join(projectRoot, path)))})
    } catch {
      // The parser read it a moment ago; if it vanished, the next lookup misses on it.
      out.push({path, hash: 'missing'})
    }
  }
  return out
}

/**
 * The stored IR under a key when it can be served: present, undamaged, and every file the
 * parser read still has the bytes it had. Otherwise undefined (a parse is due).
 */
export async function lookupFreshIr(store: Store, irKeyHex: string, projectRoot: string): Promise<{ir: Header | undefined; warnings: string[]}> {
  const found = await lookupIr(store, irKeyHex)
  const warnings = [...found.warnings]
  if (!found.hit || !(await dependenciesUnchanged(parsedIncludes(found.metadata.provenance), projectRoot))) return {ir: undefined, warnings}
  try {
    return {ir: headerFromJson(found.payload), warnings}
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
export async function parsedIrParams(keys: HeaderKeys, parsed: ParsedHeader, projectRoot: string, provenance: Record<string, JsonValue> = {}): Promise<WriteIrParams> {
  return {
    inputs: keys.irInputs,
    ir: headerToJson(parsed.ir) as JsonValue,
    provenance: {...provenance, libclang_version: parsed.libclangVersion, parsed_includes: (await hashIncluded(parsed.included, projectRoot, keys.irInputs.deps)) as unknown as JsonValue},
  }
}

/** Stores a fresh parse in the IR layer. */
export async function storeParsedIr(store: Store, keys: HeaderKeys, parsed: ParsedHeader, projectRoot: string, provenance: Record<string, JsonValue> = {}): Promise<WriteResult> {
  return writeIr(store, await parsedIrParams(keys, parsed, projectRoot, provenance))
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

/** Stores one writer's text under its output key. */
export async function storeWriterOutput(store: Store, job: HeaderJob, keys: HeaderKeys, w: WriterJob, out: {key: string; options: Record<string, unknown>}, text: string, provenance: Record<string, JsonValue> = {}): Promise<WriteResult> {
  return writeOutput(store, writerOutputParams(job, keys, w, out, text, provenance))
}

/** Writes `text` to `path` atomically, and only when it differs from what is there. */
async function writeOutputFile(path: string, text: string): Promise<boolean> {
  try {
    if ((await fs.readFile(path, 'utf8')) === text) return false
  } catch {
    // absent or unreadable: write it
  }
  await fs.mkdir(dirname(path), {recursive: true})
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.headerkit-tmp`)
  try {
    await fs.writeFile(temp, text)
    await fs.rename(temp, path)
  } catch (error) {
    await fs.rm(temp, {force: true})
    throw new InputError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'check that the directory is writable', 'E_OUTPUT_WRITE')
  }
  return true
}

export async function runGeneration(plan: GenerationPlan, onResult?: (result: GenerationResult) => void): Promise<GenerationRun> {
  const {projectRoot} = plan.context
  const useIr = !plan.switches.noCache && !plan.switches.noIrCache
  const useOutput = !plan.switches.noCache && !plan.switches.noOutputCache
  const store: Store | undefined = useIr || useOutput ? openStore(plan.storeDir) : undefined
  const warnings: string[] = [...plan.warnings]
  const results: GenerationResult[] = []
  let parsed = 0

  for (const job of plan.jobs) {
    const keys = await computeIrKey(job, projectRoot)
    const pending: {index: number; outputKey: string | undefined; keyOptions: Record<string, unknown>}[] = []
    const jobResults: (GenerationResult | undefined)[] = []

    for (const [index, w] of job.writers.entries()) {
      const out = await computeOutputKey(keys.irKey, w)
      const key = out?.key
      const keyOptions = out?.options ?? {}
      if (store && useOutput && key) {
        const found = await lookupOutput(store, w.writer.name, key)
        warnings.push(...found.warnings)
        if (found.hit) {
          jobResults[index] = {header: job.header, writer: w.writer.name, source: 'output-cache', text: found.payload, target: job.target, irKey: keys.irKey, outputKey: key}
          continue
        }
      }
      pending.push({index, outputKey: key, keyOptions})
    }

    if (pending.length > 0) {
      let ir: Header | undefined
      let source: ResultSource = 'ir-cache'
      if (store && useIr) {
        const found = await lookupFreshIr(store, keys.irKey, projectRoot)
        warnings.push(...found.warnings)
        ir = found.ir
      }
      if (!ir) {
        source = 'parsed'
        parsed++
        const {parseHeader, LibclangNotFoundError} = await import('../parse/index.js')
        let result
        try {
          result = await parseHeader({header: keys.headerAbs, projectRoot, target: job.target, args: keys.clangArgs, libclang: plan.libclang, backend: job.backend})
        } catch (error) {
          if (error instanceof LibclangNotFoundError) throw new IrMissWithoutLibclangError(job.header, job.target, error)
          throw error
        }
        ir = result.ir
        if (store && useIr) {
          try {
            warnings.push(...(await storeParsedIr(store, keys, result, projectRoot)).warnings)
          } catch (error) {
            warnings.push(`could not store the IR of ${job.header}: ${(error as Error).message}`)
          }
        }
      }
      for (const {index, outputKey: key, keyOptions} of pending) {
        const w = job.writers[index]!
        const text = w.writer.write(ir, w.options, {cwd: plan.context.cwd, target: job.target})
        if (store && useOutput && w.writer.cacheOutput && key) {
          try {
            warnings.push(...(await storeWriterOutput(store, job, keys, w, {key, options: keyOptions}, text)).warnings)
          } catch (error) {
            warnings.push(`could not store the ${w.writer.name} output of ${job.header}: ${(error as Error).message}`)
          }
        }
        jobResults[index] = {header: job.header, writer: w.writer.name, source, text, target: job.target, irKey: keys.irKey, ...(key ? {outputKey: key} : {})}
      }
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
  return {results, warnings: [...new Set(warnings)], parsed}
}
