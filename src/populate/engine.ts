/**
 * What an engine does for populate: turn one planned job's headers into parsed IR
 * somewhere else (a container, or part 3's sysroot). Keys, writers, staging and merge
 * stay on the host, in run.ts, the same for every engine.
 */
import type {HeaderKeys, ParsedHeader} from '../generate/pipeline.js'
import type {JsonValue} from '../util/canonical-json.js'
import type {PopulateJob} from './plan.js'

export type Phase = 'connect' | 'pull' | 'probe' | 'before-all' | 'worker-image' | 'extract' | 'parse' | 'write' | 'merge'

export interface EngineJobInput {
  job: PopulateJob
  /** The headers whose IR is missing, with their keys. */
  headers: HeaderKeys[]
  projectRoot: string
  storeDir: string
  timeoutMs: number
  signal: AbortSignal
  /** Marks the start of a phase (the previous one ends). */
  phase(phase: Phase, detail?: string): void
  warn(message: string): void
}

export interface ImageProvenance {
  reference: string
  /** `repo@sha256:...` when known, else null. */
  digest: string | null
  id: string | null
}

export interface EngineJobOutput {
  parsed: ParsedHeader[]
  image: ImageProvenance
  /** Recorded in every entry's metadata provenance. */
  provenance: Record<string, JsonValue>
}

export interface PopulateEngine {
  readonly name: string
  /** Why this engine cannot serve the job, decided before any Docker call; undefined when it can. */
  refuse(job: PopulateJob): {message: string; hint: string} | undefined
  /**
   * Called as soon as the keys show that a job of this engine has `headers` to parse, well
   * before its parse: starts what the parses need (the sysroot engine's threads load
   * libclang meanwhile). Never throws; a failure shows in the parse.
   */
  prepare?(job: PopulateJob, headers: number): void
  parse(input: EngineJobInput): Promise<EngineJobOutput>
  /** Removes anything the engine left running (after an abort, say). */
  close(): Promise<void>
}
