/**
 * An upper bound on the tokens a macro expands to, from the project's own macro bodies.
 * The probe (macros.ts) asks clang to evaluate each object-like macro as an expression,
 * and clang walks an expression recursively: one of some 32K tokens overflows the stack
 * and kills the process (a segfault, no error to report). Sixteen lines reach that:
 * `#define A1 A0+A0`, `#define A2 A1+A1`, ... A header may define such a macro and never
 * use it, so a compiler accepts it; the probe must not evaluate it. Names that are not
 * project macros (system macros, identifiers) count as one token, parameters too; a
 * function-like macro's use counts its body times its arguments.
 */

/** Macros bigger than this are not evaluated (a crash was measured at 32K tokens; threads have smaller stacks). */
export const MAX_PROBE_TOKENS = 4096

/**
 * What the probe evaluates in all, in tokens of expansion: a fixed allowance plus one
 * token per byte of the project files that define the macros. Each macro alone stays
 * under MAX_PROBE_TOKENS, but thousands of macros just under it (`#define Bk A11`, 4095
 * tokens each) made a 35 KB header cost 8 s of evaluation; with this budget the probe's
 * cost is linear in the size of the headers. Real headers use a small part of it
 * (sqlite3.h, 616 KB: 1,148 tokens; curl.h: 1,232).
 */
export const PROBE_BUDGET_BASE = 65_536

/** The budget for macros defined in files of `sourceBytes` bytes in all. */
export function probeBudget(sourceBytes: number): number {
  return PROBE_BUDGET_BASE + sourceBytes
}

export interface MacroText {
  /** Set for a function-like macro. */
  params?: string[]
  body: string
}

const TOKEN = /[A-Za-z_]\w*|\.?\d(?:[eEpP][+-]|[\w.])*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\S/g

function tokensOf(text: string): string[] {
  return text.match(TOKEN) ?? []
}

/** `(a, b) a+b` -> params and body; undefined when the parameter list does not close. */
export function splitFunctionLike(text: string): MacroText | undefined {
  const close = text.indexOf(')')
  if (!text.startsWith('(') || close < 0) return undefined
  return {params: text.slice(1, close).split(',').map((p) => p.trim()).filter(Boolean), body: text.slice(close + 1)}
}

/** Returns the bound for each macro name, saturating at `limit`. Linear in the bodies' total size. */
export function expansionBound(macros: ReadonlyMap<string, MacroText>, limit = MAX_PROBE_TOKENS): (name: string) => number {
  const bodySize = new Map<string, number>()
  // A macro is not expanded again inside its own expansion: there it is one token.
  const active = new Set<string>()
  const sizeOfBody = (name: string, m: MacroText): number => {
    let size = bodySize.get(name)
    if (size === undefined) {
      active.add(name)
      size = sizeOf(tokensOf(m.body))
      active.delete(name)
      bodySize.set(name, size)
    }
    return size
  }
  const sizeOf = (tokens: string[]): number => {
    let n = 0
    for (let i = 0; i < tokens.length && n < limit; i++) {
      const t = tokens[i]!
      const m = macros.get(t)
      if (!m || active.has(t) || (m.params && tokens[i + 1] !== '(')) {
        n++
        continue
      }
      if (!m.params) {
        n += sizeOfBody(t, m)
        continue
      }
      let depth = 0
      let j = i + 1
      for (; j < tokens.length; j++) {
        if (tokens[j] === '(') depth++
        else if (tokens[j] === ')' && --depth === 0) break
      }
      n += sizeOfBody(t, m) * Math.max(1, sizeOf(tokens.slice(i + 2, j)))
      i = j
    }
    return Math.min(n, limit)
  }
  return (name) => {
    const m = macros.get(name)
    return m ? sizeOfBody(name, m) : 1
  }
}
