/**
 * What a parse can fail with. A ParseError carries every diagnostic of the failed
 * parse (not just the first), so a user sees all that clang saw; paths inside the
 * project are project-relative, others stay absolute so they can be found.
 */
import {HeaderkitError} from '../errors.js'

export interface Diagnostic {
  severity: 'note' | 'warning' | 'error' | 'fatal'
  file?: string
  line?: number
  column?: number
  message: string
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file === undefined ? '' : `${d.file}:${d.line ?? 0}:${d.column ?? 0}: `
  return `${where}${d.severity}: ${d.message}`
}

export class ParseError extends HeaderkitError {
  readonly header: string
  readonly diagnostics: Diagnostic[]

  constructor(header: string, diagnostics: Diagnostic[], hint?: string) {
    const errors = diagnostics.filter((d) => d.severity === 'error' || d.severity === 'fatal')
    const shown = errors.length > 0 ? errors : diagnostics
    const summary = shown.map(formatDiagnostic).join('; ')
    super('E_PARSE', `cannot parse ${header}: ${errors.length} error(s): ${summary}`, {hint})
    this.header = header
    this.diagnostics = diagnostics
  }
}

export class LibclangNotFoundError extends HeaderkitError {
  readonly tried: string[]

  constructor(message: string, tried: string[], hint: string) {
    super('E_LIBCLANG', message, {hint})
    this.tried = tried
  }
}
