/** Backends by name. The libclang backend is registered here and loads nothing until it parses. */
import {UsageError} from '../errors.js'
import type {ParserBackend} from './backend.js'
import {parseWithLibclang} from './libclang/parse.js'
import type {ParseRequest, ParseResult} from './types.js'

/**
 * Bump when the libclang extractor's output changes: it is part of every IR cache key.
 * 2: a platform's parse searches only its own headers (parse/sysroot.ts isolationArgs), a
 * typedef's `aligned` attribute reaches its record, and libclang 16+'s typedef-named
 * records are no longer tags; IR made before may differ for the same inputs.
 */
export const EXTRACTOR_VERSION = '2'

const libclangBackend: ParserBackend = {
  name: 'libclang',
  extractorVersion: EXTRACTOR_VERSION,
  // koffi and libclang are loaded inside, on the first parse (ffi.ts), not by importing this.
  parse: (request: ParseRequest): Promise<ParseResult> => Promise.resolve().then(() => parseWithLibclang(request)),
}

const backends = new Map<string, ParserBackend>([[libclangBackend.name, libclangBackend]])

export const DEFAULT_BACKEND = 'libclang'

export function registerBackend(backend: ParserBackend): void {
  backends.set(backend.name, backend)
}

export function getBackend(name: string = DEFAULT_BACKEND): ParserBackend {
  const backend = backends.get(name)
  if (!backend) throw new UsageError(`unknown parser backend '${name}'`, `known backends: ${[...backends.keys()].join(', ')}`)
  return backend
}

/** `name` when a backend of that name exists; otherwise a UsageError naming where it came from. */
export function checkBackend(name: string, source: string): string {
  if (!backends.has(name)) throw new UsageError(`unknown parser backend '${name}' (from ${source})`, `known backends: ${listBackends().join(', ')}`)
  return name
}

export function listBackends(): string[] {
  return [...backends.keys()].sort()
}
