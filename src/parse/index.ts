/** Parsing C headers into the IR. Nothing here loads koffi or libclang until parseHeader runs. */
import {getBackend} from './registry.js'
import type {ParseRequest, ParseResult} from './types.js'

export type {ParseRequest, ParseResult} from './types.js'
export type {ParserBackend} from './backend.js'
export {EXTRACTOR_VERSION, DEFAULT_BACKEND, getBackend, listBackends, registerBackend} from './registry.js'
export {ParseError, LibclangNotFoundError, formatDiagnostic, type Diagnostic} from './errors.js'
export {crossSysroot, crossSysrootArgs, multiarchOf} from './sysroot.js'
export {defaultCandidates, locateLibclang} from './libclang/locate.js'

/**
 * Parses one header. Throws ParseError (with every diagnostic) when clang reports an
 * error, LibclangNotFoundError when no libclang can be loaded, UsageError for an
 * unknown target or a header outside the project.
 */
export async function parseHeader(request: ParseRequest): Promise<ParseResult> {
  return getBackend(request.backend).parse(request)
}
