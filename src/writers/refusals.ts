/**
 * Leaving out what a consumer cannot express. Strict, a refusal fails the output with
 * the UnsupportedIrError naming the declaration. Otherwise the declaration is left
 * out and the output rendered again, so whatever depended on it is left out too (a
 * function taking a refused record by value fails on the next round); the output
 * then says in a comment what is missing and why, and each refusal is a warning.
 */
import type {Declaration, Header} from '../ir/types.js'
import {declName} from './cdecl.js'
import {UnsupportedIrError, type WriterContext} from './types.js'

export interface Refusal {
  declaration: string
  reason: string
}

/** Comment lines naming what was left out; `prefix` is the consumer's comment marker. */
export function refusalComment(refused: Refusal[], prefix: string): string[] {
  if (refused.length === 0) return []
  return [`${prefix} Left out (the consumer cannot express them; generate with --strict to fail instead):`, ...refused.map((r) => `${prefix}   ${r.declaration}: ${r.reason}`)]
}

/** The warning for one refusal, as printed on stderr and kept with the stored output. */
export function refusalWarning(writer: string, path: string, r: Refusal): string {
  return `${writer} output of ${path}: left out ${r.declaration}: ${r.reason}`
}

/** Renders `ir`, leaving out refused declarations unless the context is strict. */
export function renderWithRefusals(writer: string, ir: Header, context: WriterContext, render: (h: Header, refused: Refusal[]) => string): string {
  if (context.strict !== false) return render(ir, [])
  const refused: Refusal[] = []
  let declarations: Declaration[] = ir.declarations
  for (;;) {
    try {
      const text = render({...ir, declarations}, refused)
      for (const r of refused) context.warn?.(refusalWarning(writer, ir.path, r))
      return text
    } catch (error) {
      if (!(error instanceof UnsupportedIrError) || error.writer !== writer) throw error
      const index = declarations.findIndex((d) => declName(d) === error.declaration)
      if (index < 0) throw error
      refused.push({declaration: error.declaration, reason: error.reason})
      declarations = declarations.filter((_, i) => i !== index)
    }
  }
}
