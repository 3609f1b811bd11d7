/**
 * Where a generation run parses (DESIGN 11: cold parses use every core). One header to
 * parse: in this thread, as always (a thread's start-up, loading koffi and libclang
 * again, costs more than it would save). Several: on worker threads (the parse pool,
 * src/parse/parse-pool.ts, which populate uses too), one per CPU but this thread's, while
 * this thread renders, stores and writes the headers already parsed. A project's headers
 * are independent parses.
 *
 * With two CPUs or fewer, this thread parses them too, one after another: a parse thread
 * is its own V8 isolate and libclang state, 11-16 MiB resident each, and on the 2-CPU VM
 * one thread put a cold 400-header run at 125 MiB peak RSS, two at 141, this thread alone
 * at 114 (target 120) for a run still far inside its time target (bench/README.md,
 * Memory). Populate's sysroot engine keeps one thread there: its main thread also drives
 * the engine.
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

/**
 * Parsers that run at once for `parses` parses on this machine: one per CPU but the main
 * thread's, never more than the parses, at least one (with two CPUs or fewer, the main
 * thread itself: parsesInThisThread).
 */
export function parseThreadsFor(parses: number, cpus = availableParallelism()): number {
  return Math.max(1, Math.min(cpus - 1, parses))
}

/** Whether the parses run in this thread rather than on worker threads. */
export function parsesInThisThread(parses: number, cpus = availableParallelism()): boolean {
  return parses < 2 || cpus <= 2
}

/**
 * A parser for a run expecting `parses` parses on `cpus` CPUs. `libclang`/`libclangFrom`
 * are the run's explicit libclang (--libclang); the threads load the one locateLibclang
 * finds, which throws LibclangNotFoundError here, before any thread starts, when there is
 * none.
 */
export async function runParser(parses: number, libclang: string | undefined, libclangFrom: string | undefined, cpus = availableParallelism()): Promise<RunParser> {
  const {parseHeader, locateLibclang} = await import('../parse/index.js')
  if (parsesInThisThread(parses, cpus)) {
    return {ahead: 1, parse: (request) => parseHeader(request), close: () => Promise.resolve()}
  }
  const libPath = locateLibclang({explicit: libclang, explicitFrom: libclangFrom})
  // Loaded here, as the parser is: a run with nothing to parse never loads either.
  const {createParsePool} = await import('../parse/parse-pool.js')
  const threads = parseThreadsFor(parses, cpus)
  const pool: ParsePool = createParsePool({libclang: libPath, size: threads})
  pool.warm(threads)
  // Twice the threads: each has its next parse queued while its result is written; more
  // would only hold parsed IR in memory waiting for the writes.
  return {ahead: threads * 2, parse: (request) => pool.parse({...request, libclang: libPath}), close: () => pool.close()}
}
