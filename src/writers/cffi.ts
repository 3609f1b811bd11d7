/**
 * cffi: text for `ffi.cdef()`, in the original's format (reference 9.1) with its
 * defects fixed: function pointers are valid C in every position (B-BE-7),
 * bitfields keep their width, `exclude_patterns` is always a list (B-OPT-1), and
 * integer macros are never printed twice (B-WR-2).
 *
 * Packed records: cffi has no per-struct packing syntax (only `ffi.cdef(..., packed=True)`
 * for a whole cdef), so a packed record is printed with `...;` as its last member.
 * In API mode (`set_source` + `compile`) cffi then takes the layout from the C
 * compiler, which knows the attribute; in ABI mode cffi refuses to use the record
 * instead of silently using an unpacked layout.
 *
 * `define_patterns` selects macro constants of the IR (not raw source text, so the
 * output depends on the IR and the options only, B-KEY-5) whose value cffi should
 * take from the compiler in API mode: integers become `#define NAME ...`, strings
 * `static const char *const NAME;`, floats `static const double NAME;`.
 */
import type {Constant, Declaration, Header} from '../ir/types.js'
import {buildCModel, enumToC, functionToC, integerText, isIntegerConstant, structToC, typedefToC, declare, type CModel} from './cdecl.js'
import {compilePatterns, EXCLUDE_PATTERNS_OPTION} from './patterns.js'
import {SYSTEM_TYPES} from './systypes.js'
import type {ResolvedOptions, Writer} from './types.js'

/** Typedef names cffi knows without a declaration (cffi.commontypes and its primitive types). */
const CFFI_KNOWN = new Set([
  'FILE', 'bool', 'char16_t', 'char32_t', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t',
  'int_fast8_t', 'int_fast16_t', 'int_fast32_t', 'int_fast64_t', 'uint_fast8_t', 'uint_fast16_t', 'uint_fast32_t', 'uint_fast64_t',
  'int_least8_t', 'int_least16_t', 'int_least32_t', 'int_least64_t', 'uint_least8_t', 'uint_least16_t', 'uint_least32_t', 'uint_least64_t',
  'intmax_t', 'uintmax_t', 'intptr_t', 'uintptr_t', 'ptrdiff_t', 'size_t', 'ssize_t', 'wchar_t',
])

function systemPrelude(model: CModel): string[] {
  const lines: string[] = []
  for (const name of model.undeclared) {
    if (CFFI_KNOWN.has(name)) continue
    if (model.opaque.has(name)) {
      lines.push(`typedef struct ${name} ${name};`)
      continue
    }
    const sys = SYSTEM_TYPES[name]!
    if (sys.c === 'va_list') lines.push(`typedef ... ${name};`)
    else if (sys.c === 'opaque') lines.push(`typedef struct ${name} ${name};`)
    else lines.push(`typedef ${sys.c} ${name};`)
  }
  return lines
}

function constantToCffi(c: Constant, fromCompiler: boolean): string | undefined {
  if (fromCompiler) {
    if (isIntegerConstant(c)) return `#define ${c.name} ...`
    if (typeof c.value === 'string' && c.value.startsWith('"')) return `static const char *const ${c.name};`
    if (typeof c.value === 'number') return `static const double ${c.name};`
    return undefined
  }
  return isIntegerConstant(c) ? `#define ${c.name} ${integerText(c.value)}` : undefined
}

function declarationToCffi(d: Declaration, model: CModel, fromCompiler: (name: string) => boolean): string | undefined {
  switch (d.kind) {
    case 'constant':
      return constantToCffi(d, fromCompiler(d.name))
    case 'struct':
    case 'union':
      if (!d.name) return undefined
      return structToC(d, model, {writer: 'cffi', packed: 'ellipsis', unnamedBitfields: true})
    case 'enum':
      if (d.values.length === 0) return undefined
      if (!d.name) return enumToC(d, model)
      return enumToC(d, model)
    case 'function':
      return functionToC(d)
    case 'typedef':
      return typedefToC(d.name, d.underlying_type, model) || undefined
    case 'variable':
      return `extern ${declare(d.type, d.name)};`
  }
}

export function headerToCffi(ir: Header, options: ResolvedOptions): string {
  const exclude = compilePatterns('cffi', 'exclude_patterns', options.exclude_patterns as string[] | undefined)
  const defines = compilePatterns('cffi', 'define_patterns', options.define_patterns as string[] | undefined)
  const kept: Header = {...ir, declarations: ir.declarations.filter((d) => !(d.name && exclude.some((re) => re.test(d.name!))))}
  const model = buildCModel('cffi', kept)
  const fromCompiler = (name: string): boolean => defines.some((re) => re.test(name))
  const out = systemPrelude(model)
  for (const d of model.header.declarations) {
    const text = declarationToCffi(d, model, fromCompiler)
    if (text) out.push(text)
  }
  out.push(...((options.extra_cdef as string[] | undefined) ?? []))
  return `${out.join('\n')}\n`
}

export const cffiWriter: Writer = {
  name: 'cffi',
  description: 'CFFI cdef declarations for ffi.cdef()',
  cacheOutput: true,
  cacheVersion: '1',
  extension: '.cdef.txt',
  defaultOutputPattern: '{dir}/{stem}.cdef.txt',
  options: {
    exclude_patterns: EXCLUDE_PATTERNS_OPTION,
    define_patterns: {type: 'string-list', default: [], description: 'regular expressions; matching macro constants take their value from the compiler in API mode (`#define NAME ...`)'},
    extra_cdef: {type: 'string-list', default: [], description: 'lines appended verbatim to the cdef'},
  },
  write: (ir, options) => headerToCffi(ir, options),
}
