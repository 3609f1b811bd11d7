/**
 * A parser backend turns one header into the IR. Only `libclang` exists; the
 * interface keeps the pipeline from knowing which one ran (the backend name and its
 * extractor version are part of the IR cache key).
 */
import type {ParseRequest, ParseResult} from './types.js'

export interface ParserBackend {
  readonly name: string
  /** Bump when the backend's output for the same input changes. */
  readonly extractorVersion: string
  parse(request: ParseRequest): Promise<ParseResult>
}
