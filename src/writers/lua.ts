/**
 * lua: a LuaJIT FFI module (reference 9.5) with the original's defects fixed:
 * records are declared as types (`struct X {...};`, `typedef struct X {...} X;`),
 * never as variables of an anonymous struct (B-WR-1); enums stay enums; packed
 * records use `__attribute__((packed))`, which LuaJIT's parser supports; bitfields
 * and anonymous members are kept. Declarations stay in IR (source) order, which C
 * guarantees is a valid declaration order.
 *
 * Constants: integers that fit 32 bits are `static const` in the cdef (LuaJIT
 * accepts no wider static consts); wider integers (as `LL`/`ULL` cdata), floats and
 * strings are Lua locals. The module returns a table of those Lua-side constants.
 */
import type {Constant, Declaration, Enum, Field, Header, Struct} from '../ir/types.js'
import {isExternal, referencedTypes} from '../ir/walk.js'
import {buildCModel, declare, declName, enumToC, functionToC, integerText, isIntegerConstant, ordinaryNames, structToC, typedefToC, type CModel} from './cdecl.js'
import {bindingHeader} from './externals.js'
import {LUAJIT_KNOWN} from './known.js'
import {byteBitfields, Layouts, naturalLayoutMatches, paddedEquivalent, wordBitfields} from './layout.js'
import {applyExcludes, EXCLUDE_PATTERNS_OPTION} from './patterns.js'
import {refusalComment, renderWithRefusals, type Refusal} from './refusals.js'
import {UnsupportedIrError, type ResolvedOptions, type Writer, type WriterContext} from './types.js'

/** Decodes a C string or char literal (quotes included) into bytes; undefined if it is not one literal. */
export function decodeCLiteral(text: string): number[] | undefined {
  const quote = text[0]
  if ((quote !== '"' && quote !== "'") || text.length < 2 || text[text.length - 1] !== quote) return undefined
  const body = Buffer.from(text.slice(1, -1), 'utf8')
  const out: number[] = []
  const simple: Record<string, number> = {n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63}
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c !== 0x5c) {
      if (c === quote.charCodeAt(0)) return undefined
      out.push(c)
      continue
    }
    const next = String.fromCharCode(body[++i] ?? 0)
    if (simple[next] !== undefined) out.push(simple[next])
    else if (/[0-7]/.test(next)) {
      let digits = next
      while (digits.length < 3 && /[0-7]/.test(String.fromCharCode(body[i + 1] ?? 0))) digits += String.fromCharCode(body[++i]!)
      out.push(parseInt(digits, 8) & 0xff)
    } else if (next === 'x') {
      let digits = ''
      while (/[0-9a-fA-F]/.test(String.fromCharCode(body[i + 1] ?? 0))) digits += String.fromCharCode(body[++i]!)
      if (!digits) return undefined
      out.push(parseInt(digits.slice(-2), 16))
    } else return undefined
  }
  return out
}

function luaString(bytes: number[]): string {
  return `"${bytes.map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b}`)).join('')}"`
}

interface LuaConstant {
  cdef?: string
  lua?: string
}

function constantToLua(c: Constant): LuaConstant {
  if (isIntegerConstant(c)) {
    const text = integerText(c.value)!
    const n = BigInt(text)
    if (n >= -(2n ** 31n) && n < 2n ** 31n) return {cdef: `static const int ${c.name} = ${text};`}
    if (n >= 0n && n < 2n ** 32n) return {cdef: `static const unsigned int ${c.name} = ${text};`}
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return {lua: `${text}LL`}
    if (n >= 0n && n < 2n ** 64n) return {lua: `${text}ULL`}
    return {}
  }
  if (typeof c.value === 'number') return {lua: Number.isInteger(c.value) ? `${c.value}.0` : String(c.value)}
  if (typeof c.value === 'string') {
    const bytes = decodeCLiteral(c.value)
    if (!bytes) return {}
    if (c.value.startsWith("'")) return bytes.length === 1 ? {cdef: `static const int ${c.name} = ${bytes[0]};`} : {}
    return {lua: luaString(bytes)}
  }
  return {}
}

/** Whether LuaJIT's parser rejects a bitfield of the record: wider than 32 bits, or of a 64-bit type. */
function needsRewrite(s: Struct, layouts: Layouts): boolean {
  const wide = (f: Field): boolean => f.bit_width !== undefined && (f.bit_width > 32 || (layouts.integer(f.type)?.size ?? 0) > 4)
  return s.fields.some((f) => wide(f) || (f.anonymous_struct !== undefined && needsRewrite(f.anonymous_struct, layouts)))
}

/** A record with bitfields LuaJIT cannot take, as its packed layout-equivalent (anonymous members included). */
function luajitRecord(s: Struct, layouts: Layouts): Struct {
  // LuaJIT reads no attribute on a member: a record whose members they moved gets explicit padding.
  if (!s.is_packed && !naturalLayoutMatches(s, layouts)) return paddedEquivalent(s, layouts) ?? s
  // LuaJIT declares a packed record's bitfields but cannot access them (NYI).
  if (s.is_packed && s.fields.some((f) => f.bit_width !== undefined)) {
    const bytes = byteBitfields(s, layouts)
    if (!bytes) throw new UnsupportedIrError('lua', declName(s), 'a packed record with bitfields (LuaJIT cannot access them) whose layout the IR does not give completely')
    return bytes
  }
  if (!needsRewrite(s, layouts)) return s
  const inner: Struct = {...s, fields: s.fields.map((f) => (f.anonymous_struct && needsRewrite(f.anonymous_struct, layouts) ? {...f, anonymous_struct: luajitRecord(f.anonymous_struct, layouts)} : f))}
  if (!s.fields.some((f) => f.bit_width !== undefined && (f.bit_width > 32 || (layouts.integer(f.type)?.size ?? 0) > 4))) return inner
  const words = wordBitfields(inner, layouts)
  if (!words) throw new UnsupportedIrError('lua', declName(s), 'a bitfield wider than 32 bits or of a 64-bit type (LuaJIT takes neither), in a union, a packed record or one whose layout the IR does not give completely')
  return words
}

function declarationToLua(d: Declaration, model: CModel, layouts: Layouts): string | undefined {
  switch (d.kind) {
    case 'struct':
    case 'union': {
      if (!d.name) return undefined
      const record = luajitRecord(d, layouts)
      const note = record === d ? ''
        : d.is_packed ? `/* ${declName(d)}: packed; its bitfields in unpacked byte-wide groups LuaJIT can access (one crossing a byte is split into _0, _1, ...) */\n`
          : !d.fields.some((f) => f.bit_width !== undefined) ? `/* ${declName(d)}: members at the offsets attributes gave them, with explicit padding */\n`
            : `/* ${declName(d)}: 64-bit bitfields as 32-bit ones at the same bits (one crossing a 32-bit boundary is split into _lo and _hi there) */\n`
      return note + structToC(record, model, {writer: 'lua', packed: 'attribute', unnamedBitfields: true})
    }
    case 'enum':
      if (d.values.length === 0) return undefined
      return enumToC(d, model)
    case 'function':
      return functionToC(d)
    case 'typedef':
      return typedefToC(d.name, d.underlying_type, model) || undefined
    case 'variable':
      return `extern ${declare(d.type, d.name)};`
    case 'constant':
      return undefined
  }
}

/** Whether LuaJIT, whose enums are all 32-bit, would give the enum another size or values. */
function isWideEnum(e: Enum): boolean {
  const values = e.values.map((v) => integerText(v.value)).filter((v): v is string => v !== undefined).map((v) => BigInt(v))
  const fitsInt = values.every((v) => v >= -(2n ** 31n) && v < 2n ** 31n)
  const fitsUint = values.every((v) => v >= 0n && v < 2n ** 32n)
  return (e.size !== undefined && e.size !== 4) || !(fitsInt || fitsUint)
}

function renderLua(ir: Header, h: Header, refused: Refusal[], target: string | undefined): string {
  const model = buildCModel('lua', h, (name) => LUAJIT_KNOWN.has(name))
  const layouts = new Layouts(model.header, target)
  // A 64-bit enum has no LuaJIT type: its values become constants, and a declaration using its type is refused.
  const wide = model.header.declarations.filter((d): d is Enum => d.kind === 'enum' && isWideEnum(d))
  const wideNames = new Set(wide.flatMap((e) => (e.name ? [`enum ${e.name}`, ...(e.is_typedef ? [e.name] : [])] : [])))
  for (const d of model.header.declarations) {
    if (d.kind === 'enum') continue
    const uses = referencedTypes(d).find((r) => wideNames.has(r.name))
    if (uses) throw new UnsupportedIrError('lua', declName(d), `it uses ${uses.name}, an enum wider than 32 bits, and LuaJIT enums are all 32-bit`)
  }
  const ordinary = ordinaryNames({...model.header, declarations: model.header.declarations.filter((d) => !(d.kind === 'enum' && wide.includes(d)))})
  const cdef: string[] = []
  const externals: string[] = []
  for (const name of model.opaque) cdef.push(`typedef struct ${name} ${name};`)
  const locals: [string, string][] = []
  for (const d of model.header.declarations) {
    if (d.kind === 'constant') {
      // The enumerator (or function, variable) of that name already gives the value.
      if (ordinary.has(d.name)) continue
      const c = constantToLua(d)
      if (c.cdef) cdef.push(c.cdef)
      if (c.lua) locals.push([d.name, c.lua])
      continue
    }
    if (d.kind === 'enum' && wide.includes(d)) {
      cdef.push(`/* ${declName(d)} is ${d.size ?? 8} bytes in C and LuaJIT enums are 32-bit: its values are constants */`)
      for (const v of d.values) {
        if (ordinary.has(v.name)) continue
        const c = constantToLua({kind: 'constant', name: v.name, value: v.value})
        if (c.cdef) cdef.push(c.cdef)
        if (c.lua) locals.push([v.name, c.lua])
      }
      continue
    }
    const text = declarationToLua(d, model, layouts)
    if (text) (isExternal(d) ? externals : cdef).push(text)
  }
  const body = cdef.join('\n')
  const level = longBracketLevel([body, ...externals])
  const lines = [
    '-- Auto-generated LuaJIT FFI bindings',
    `-- Source: ${ir.path}`,
    '-- Generated by headerkit',
    ...refusalComment(refused, '--'),
    '',
    'local ffi = require("ffi")',
    '',
  ]
  if (externals.length > 0) {
    // ffi.cdef is one namespace per process: another module may have declared the same
    // system record already, which LuaJIT reports as a redefinition.
    lines.push(
      '-- Declarations from outside the project (system and library headers) this module needs.',
      'local function cdef_external(text)',
      '    local ok, err = pcall(ffi.cdef, text)',
      '    if not ok and not tostring(err):find("attempt to redefine", 1, true) then error(err, 2) end',
      'end',
      ...externals.map((text) => `cdef_external[${level}[\n${text}\n]${level}]`),
      '',
    )
  }
  for (const [name, value] of locals) lines.push(`local ${name} = ${value}`)
  if (locals.length > 0) lines.push('')
  lines.push(`ffi.cdef[${level}[`, body, `]${level}]`, '')
  lines.push(locals.length === 0 ? 'return {}' : `return {\n${locals.map(([n]) => `    ${n} = ${n},`).join('\n')}\n}`)
  return `${lines.join('\n')}\n`
}

function longBracketLevel(texts: string[]): string {
  let level = ''
  while (texts.some((t) => t.includes(`]${level}]`))) level += '='
  return level
}

export function headerToLua(ir: Header, options: ResolvedOptions = {}, context: WriterContext = {}): string {
  const kept = bindingHeader(applyExcludes('lua', ir, options), (name) => LUAJIT_KNOWN.has(name))
  return renderWithRefusals('lua', kept, context, (h, refused) => renderLua(ir, h, refused, context.target))
}

export const luaWriter: Writer = {
  name: 'lua',
  description: 'LuaJIT FFI bindings (ffi.cdef)',
  cacheOutput: true,
  cacheVersion: '2',
  extension: '.lua',
  defaultOutputPattern: '{dir}/{stem}_ffi.lua',
  options: {
    exclude_patterns: EXCLUDE_PATTERNS_OPTION,
  },
  write: (ir, options, context) => headerToLua(ir, options, context),
}
