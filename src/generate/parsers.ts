/**
 * Where a generation run parses (DESIGN 11: cold parses use every core). One header to
 * parse: in this thread, as always (a thread's start-up, loading koffi and libclang
 * again, costs more than it would save). Several: on worker threads, one per CPU
 * (the parse pool, src/parse/parse-pool.ts, which populate uses too), while this thread renders, stores
 * and writes the headers already parsed. A project's headers are independent parses.
 */
import {availableParallelism} from 'node:os'
import type {ParsePool} from '../parse/parse-pool.js'
import type {ParseRequest, ParseResult} from '../parse/types.js'

export interface RunParser {
  parse(request: ParseRequest): Promise<ParseResult>
  /** Parses asked for before the caller needs them: how far ahead of the writes parses may run. */
  readonly ahead: number
  close(): Promise<void>
}

/** Threads for `parses` parses on this machine: one per CPU, never more than the parses. */
export function parseThreadsFor(parses: number, cpus = availableParallelism()): number {
  return Math.max(1, Math.min(cpus, parses))
}

/**
 * A parser for a run expecting `parses` parses. `libclang`/`libclangFrom` are the run's
 * explicit libclang (--libclang); the threads load the one locateLibclang finds, which
 * throws LibclangNotFoundError here, before any thread starts, when there is none.
 */
export async function runParser(parses: number, libclang: string | undefined, libclangFrom: string | undefined): Promise<RunParser> {
  const {parseHeader, locateLibclang} = await import('../parse/index.js')
  const threads = parseThreadsFor(parses)
  if (parses < 2) {
    return {ahead: 1, parse: (request) => parseHeader(request), close: () => Promise.resolve()}
  }
  const libPath = locateLibclang({explicit: libclang, explicitFrom: libclangFrom})
  // Loaded here, as the parser is: a run with nothing to parse never loads either.
  const {createParsePool} = await import('../parse/parse-pool.js')
  const pool: ParsePool = createParsePool({libclang: libPath, size: threads})
  pool.warm(threads)
  // Twice the threads: each has its next parse queued while its result is written; more
  // would only hold parsed IR in memory waiting for the writes.
  return {ahead: threads * 2, parse: (request) => pool.parse({...request, libclang: libPath}), close: () => pool.close()}
}
