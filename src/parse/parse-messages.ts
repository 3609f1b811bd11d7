/**
 * What the parse pool (parse-pool.ts) and its threads (parse-thread.ts) say to each other:
 * plain data only, because every message is a structured clone. Errors cross as data and
 * are rebuilt as the same typed errors on the main thread, so a job's report reads as it
 * did when the parse ran in-process (same code, message and hint).
 */
import {HeaderkitError} from '../errors.js'
import {type Diagnostic, LibclangNotFoundError, ParseError} from './errors.js'
import type {ParseRequest, ParseResult} from './types.js'

/** Given to each thread at start: the libclang it loads (once, for its whole life). */
export interface ThreadData {
  libclang: string
}

export type ErrorData =
  | {kind: 'parse'; header: string; diagnostics: Diagnostic[]; hint: string | null}
  | {kind: 'libclang'; message: string; tried: string[]; hint: string | null}
  | {kind: 'headerkit'; code: string; message: string; hint: string | null; exitCode: number}
  | {kind: 'other'; message: string}

/** Main thread -> thread: one parse, or stop (after the current parse). */
export type ToThread =
  | {type: 'parse'; id: number; request: ParseRequest}
  | {type: 'stop'}

/** Thread -> main thread. `ready` comes once, before any answer; `load-failed` ends the thread. */
export type ThreadMessage =
  | {type: 'ready'; version: string}
  | {type: 'load-failed'; error: ErrorData}
  | {type: 'done'; id: number; result: ParseResult}
  | {type: 'failed'; id: number; error: ErrorData}

export function errorToData(error: unknown): ErrorData {
  if (error instanceof ParseError) return {kind: 'parse', header: error.header, diagnostics: error.diagnostics, hint: error.hint ?? null}
  if (error instanceof LibclangNotFoundError) return {kind: 'libclang', message: error.message, tried: error.tried, hint: error.hint ?? null}
  if (error instanceof HeaderkitError) return {kind: 'headerkit', code: error.code, message: error.message, hint: error.hint ?? null, exitCode: error.exitCode}
  return {kind: 'other', message: error instanceof Error ? error.message : String(error)}
}

export function errorFromData(data: ErrorData): Error {
  switch (data.kind) {
    case 'parse': return new ParseError(data.header, data.diagnostics, data.hint ?? undefined)
    case 'libclang': return new LibclangNotFoundError(data.message, data.tried, data.hint ?? '')
    case 'headerkit': return new HeaderkitError(data.code, data.message, {hint: data.hint ?? undefined, exitCode: data.exitCode})
    case 'other': return new Error(data.message)
  }
}
