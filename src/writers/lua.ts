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
import type {Constant, Declaration, Header} from '../ir/types.js'
import {buildCModel, declare, declName, enumToC, functionToC, integerText, isIntegerConstant, structToC, typedefToC, type CModel} from './cdecl.js'
import {compilePatterns, EXCLUDE_PATTERNS_OPTION} from './patterns.js'
import {SYSTEM_TYPES} from './systypes.js'
import {UnsupportedIrError, type ResolvedOptions, type Writer} from './types.js'

/** Typedef names LuaJIT's ffi knows without a declaration. */
const LUAJIT_KNOWN = new Set([
  'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'intptr_t', 'uintptr_t',
  'ptrdiff_t', 'size_t', 'ssize_t', 'wchar_t', 'va_list', '__builtin_va_list', '__gnuc_va_list', 'bool',
])

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

function declarationToLua(d: Declaration, model: CModel): string | undefined {
  switch (d.kind) {
    case 'struct':
    case 'union':
      return d.name ? structToC(d, model, {writer: 'lua', packed: 'attribute', unnamedBitfields: true}) : undefined
    case 'enum': {
      if (d.values.length === 0) return undefined
      const values = d.values.map((v) => integerText(v.value)).filter((v): v is string => v !== undefined).map((v) => BigInt(v))
      const fitsInt = values.every((v) => v >= -(2n ** 31n) && v < 2n ** 31n)
      const fitsUint = values.every((v) => v >= 0n && v < 2n ** 32n)
      if ((d.size !== undefined && d.size !== 4) || !(fitsInt || fitsUint)) {
        throw new UnsupportedIrError('lua', declName(d), `LuaJIT enums are 32-bit, this one is ${d.size ?? '?'} bytes (${d.integer_type?.name ?? 'values out of range'})`,
          'exclude it with the exclude_patterns option')
      }
      return enumToC(d, model)
    }
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

export function headerToLua(ir: Header, options: ResolvedOptions = {}): string {
  const exclude = compilePatterns('lua', 'exclude_patterns', options.exclude_patterns as string[] | undefined)
  const kept: Header = {...ir, declarations: ir.declarations.filter((d) => !(d.name && exclude.some((re) => re.test(d.name!))))}
  const model = buildCModel('lua', kept)
  const cdef: string[] = []
  for (const name of model.undeclared) {
    if (LUAJIT_KNOWN.has(name)) continue
    const sys = SYSTEM_TYPES[name]
    cdef.push(!sys || sys.c === 'opaque' ? `typedef struct ${name} ${name};` : `typedef ${sys.c === 'va_list' ? 'va_list' : sys.c} ${name};`)
  }
  const locals: [string, string][] = []
  for (const d of model.header.declarations) {
    if (d.kind === 'constant') {
      const c = constantToLua(d)
      if (c.cdef) cdef.push(c.cdef)
      if (c.lua) locals.push([d.name, c.lua])
      continue
    }
    const text = declarationToLua(d, model)
    if (text) cdef.push(text)
  }
  const body = cdef.join('\n')
  let level = ''
  while (body.includes(`]${level}]`)) level += '='
  const lines = [
    '-- Auto-generated LuaJIT FFI bindings',
    `-- Source: ${ir.path}`,
    '-- Generated by headerkit',
    '',
    'local ffi = require("ffi")',
    '',
  ]
  for (const [name, value] of locals) lines.push(`local ${name} = ${value}`)
  if (locals.length > 0) lines.push('')
  lines.push(`ffi.cdef[${level}[`, body, `]${level}]`, '')
  lines.push(locals.length === 0 ? 'return {}' : `return {\n${locals.map(([n]) => `    ${n} = ${n},`).join('\n')}\n}`)
  return `${lines.join('\n')}\n`
}

export const luaWriter: Writer = {
  name: 'lua',
  description: 'LuaJIT FFI bindings (ffi.cdef)',
  cacheOutput: true,
  cacheVersion: '1',
  extension: '.lua',
  defaultOutputPattern: '{dir}/{stem}_ffi.lua',
  options: {
    exclude_patterns: EXCLUDE_PATTERNS_OPTION,
  },
  write: (ir, options) => headerToLua(ir, options),
}
