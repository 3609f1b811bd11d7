/**
 * Object-like macros -> constants. The body text is read from the source (no FFI
 * calls), empty and obviously non-expression bodies are dropped, and the rest are
 * evaluated by clang itself: a second, in-memory translation unit includes the
 * header and declares `static __auto_type __hk_mN = <body>;` per macro, and
 * `clang_Cursor_Evaluate` gives int (any width, signed or not), float or string.
 * Errors inside that probe are expected (a macro that expands to `extern` or a type)
 * and only mean "not a constant".
 */
import {readFileSync} from 'node:fs'
import type {Constant, CType} from '../../ir/types.js'
import type {MacroCandidate} from './extract.js'
import {InputError} from '../../errors.js'
import {expansionBound, MAX_PROBE_TOKENS, type MacroText, PROBE_BUDGET_BASE, probeBudget, splitFunctionLike} from './macro-size.js'
import {type CXCursor, type CXType, type Libclang} from './ffi.js'
import * as K from './kinds.js'

const PREFIX = 'static __auto_type '
const EVAL_INT = 1
const EVAL_FLOAT = 2
const EVAL_STR = 4

/** The replacement text of an object-like macro whose name starts at byte `offset`. */
export function macroBody(source: Buffer, offset: number, name: string): string {
  const start = offset + Buffer.byteLength(name)
  let end = start
  // The definition ends at the first newline not escaped by a backslash.
  while (end < source.length && source[end] !== 0x0a) {
    if (source[end] === 0x5c && source[end + 1] === 0x0d && source[end + 2] === 0x0a) end += 3
    else if (source[end] === 0x5c && source[end + 1] === 0x0a) end += 2
    else end++
  }
  const text = source.subarray(start, end).toString('utf8').replace(/\\\r?\n/g, ' ')
  return stripComments(text).trim()
}

/** Removes C comments outside string and char literals. */
function stripComments(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '"' || ch === '\'') {
      let j = i + 1
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' ? 2 : 1
      out += text.slice(i, j + 1)
      i = j
    } else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2)
      out += ' '
      i = close < 0 ? text.length : close + 1
    } else if (ch === '/' && text[i + 1] === '/') {
      break
    } else {
      out += ch
    }
  }
  return out
}

/** Bodies that cannot be an initializer, or could derail the probe's parse (`{`, `;`). */
function probeable(body: string): boolean {
  if (body === '' || /[{};#]/.test(body.replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, ''))) return false
  let depth = 0
  for (const ch of body) {
    if (ch === '(') depth++
    else if (ch === ')' && --depth < 0) return false
  }
  return depth === 0
}

/** `("a" "b")` -> `"a" "b"`: libclang 14 does not evaluate a parenthesised string. */
function stripParens(body: string): string {
  let b = body.trim()
  while (b.startsWith('(') && b.endsWith(')') && balancedInside(b.slice(1, -1))) b = b.slice(1, -1).trim()
  return b
}

function balancedInside(s: string): boolean {
  let depth = 0
  for (const ch of s.replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, '""')) {
    if (ch === '(') depth++
    else if (ch === ')' && --depth < 0) return false
  }
  return depth === 0
}

/** A C string literal for evaluated string contents. */
export function cStringLiteral(s: string): string {
  let out = '"'
  for (const ch of s) {
    const code = ch.codePointAt(0)!
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`
    else out += ch
  }
  return `${out}"`
}

export interface ProbeInput {
  clang: Libclang
  index: unknown
  header: string
  probePath: string
  args: string[]
  candidates: MacroCandidate[]
}

export interface ProbeResult {
  /** Constants keyed by candidate index. */
  constants: Map<number, Constant>
  /** Plain char signedness under these args and target (`-funsigned-char` included). */
  charSigned: boolean | undefined
}

/** Evaluates macro candidates, and asks the same translation unit what plain char is. */
export function evaluateMacros(input: ProbeInput): ProbeResult {
  const {clang, candidates} = input
  const f = clang.fn
  const out = new Map<number, Constant>()
  const sources = new Map<string, Buffer>()
  const lines: string[] = [`${PREFIX}__hk_char = (char)0;`]
  const probes: Array<{index: number; line: number; charLiteral?: string}> = []
  const bodies = candidates.map((m) => {
    let source = sources.get(m.fileAbs)
    if (!source) {
      source = readFileSync(m.fileAbs)
      sources.set(m.fileAbs, source)
    }
    return macroBody(source, m.offset, m.name)
  })
  const texts = new Map<string, MacroText>()
  for (const [index, m] of candidates.entries()) {
    const text = m.functionLike ? splitFunctionLike(bodies[index]!) : {body: bodies[index]!}
    if (text) texts.set(m.name, text)
  }
  const bound = expansionBound(texts)
  let sourceBytes = 0
  for (const source of sources.values()) sourceBytes += source.length
  const budget = probeBudget(sourceBytes)
  let total = 0
  for (const [index, m] of candidates.entries()) {
    const body = bodies[index]!
    if (m.functionLike || !probeable(body)) continue
    const size = bound(m.name)
    if (size >= MAX_PROBE_TOKENS) continue
    total += size
    if (total > budget) {
      throw new InputError(`${m.location.file}: its macros expand to more than ${budget} tokens in all (${PROBE_BUDGET_BASE} plus one per byte of the files defining them), which headerkit does not evaluate`, 'a header whose macros expand this far is built to exhaust the parser: leave it out, or #undef the macros that expand to huge expressions')
    }
    const expr = stripParens(body)
    // A char literal keeps its C spelling, as the original did ('x', type char).
    const charLiteral = /^'(\\.|[^'\\])+'$/.test(expr) ? expr : undefined
    // Only a macro still defined after the header is a constant its users see (lzma.h #undefs a helper).
    lines.push(`#ifdef ${m.name}`, `${PREFIX}__hk_m${index} = ${expr};`, '#endif')
    probes.push({index, line: lines.length - 1, charLiteral})
  }
  const result: ProbeResult = {constants: out, charSigned: undefined}
  // Plain char depends on the target and flags alone: with no macro to evaluate, the probe
  // does not include the header (a parse of it and everything it includes, saved).
  const prelude = probes.length > 0 ? [`#include "${input.header}"`] : []
  const contents = `${[...prelude, ...lines].join('\n')}\n`
  const unsaved = {Filename: input.probePath, Contents: contents, Length: Buffer.byteLength(contents)}
  const args = [...input.args, '-w', '-ferror-limit=0']
  const tuOut = [null]
  // SkipFunctionBodies | KeepGoing; no preprocessing record needed here.
  const rc = f.clang_parseTranslationUnit2(input.index, input.probePath, args, args.length, [unsaved], 1, 64 | 512, tuOut)
  if (rc !== 0 || !tuOut[0]) return result
  const tu = tuOut[0]
  try {
    const file = f.clang_getFile(tu, input.probePath)
    if (!file) return result
    const column = PREFIX.length + 1
    const charVar: CXCursor = f.clang_getCursor(tu, f.clang_getLocation(tu, file, prelude.length + 1, column))
    if (charVar.kind === K.CURSOR.VarDecl) {
      const kind = f.clang_getCanonicalType(f.clang_getCursorType(charVar)).kind
      result.charSigned = kind === K.CHAR_S ? true : kind === K.CHAR_U ? false : undefined
    }
    for (const probe of probes) {
      const m = candidates[probe.index]!
      const cursor: CXCursor = f.clang_getCursor(tu, f.clang_getLocation(tu, file, prelude.length + probe.line, column))
      if (cursor.kind !== K.CURSOR.VarDecl) continue
      if (probe.charLiteral) {
        out.set(probe.index, {kind: 'constant', name: m.name, value: probe.charLiteral, is_macro: true, type: {kind: 'ctype', name: 'char'}, location: m.location})
        continue
      }
      const value = evaluate(clang, cursor)
      if (value) out.set(probe.index, {kind: 'constant', name: m.name, value: value.value, is_macro: true, type: value.type, location: m.location})
    }
  } finally {
    f.clang_disposeTranslationUnit(tu)
  }
  return result
}

function evaluate(clang: Libclang, cursor: CXCursor): {value: number | string; type: CType} | undefined {
  const f = clang.fn
  const canonical: CXType = f.clang_getCanonicalType(f.clang_getCursorType(cursor))
  const isInt = K.INTEGER_TYPES.has(canonical.kind)
  const isFloat = K.FLOAT_TYPES.has(canonical.kind)
  const isString = canonical.kind === K.TYPE.Pointer
  if (!isInt && !isFloat && !isString) return undefined
  const result = f.clang_Cursor_Evaluate(cursor)
  if (!result) return undefined
  try {
    const kind: number = f.clang_EvalResult_getKind(result)
    if (kind === EVAL_INT && isInt) {
      const raw: number | bigint = f.clang_EvalResult_isUnsignedInt(result) !== 0 ? f.clang_EvalResult_getAsUnsigned(result) : f.clang_EvalResult_getAsLongLong(result)
      return {value: typeof raw === 'bigint' ? String(raw) : raw, type: {kind: 'ctype', name: K.BUILTIN_NAMES.get(canonical.kind)!}}
    }
    if (kind === EVAL_FLOAT && isFloat) {
      const value: number = f.clang_EvalResult_getAsDouble(result)
      if (!Number.isFinite(value)) return undefined
      return {value, type: {kind: 'ctype', name: K.BUILTIN_NAMES.get(canonical.kind)!}}
    }
    if (kind === EVAL_STR && isString) {
      const text: string | null = f.clang_EvalResult_getAsStr(result)
      if (text === null) return undefined
      return {value: cStringLiteral(text), type: {kind: 'ctype', name: 'const char *'}}
    }
    return undefined
  } finally {
    f.clang_EvalResult_dispose(result)
  }
}

