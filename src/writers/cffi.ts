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
import {buildCModel, declName, enumToC, functionToC, integerText, isIntegerConstant, ordinaryNames, structToC, typedefToC, declare, type CModel} from './cdecl.js'
import {bindingHeader} from './externals.js'
import {BUILTIN_VA_LIST, CFFI_KNOWN} from './known.js'
import {Layouts, naturalLayoutMatches} from './layout.js'
import {applyExcludes, compilePatterns, EXCLUDE_PATTERNS_OPTION} from './patterns.js'
import {refusalComment, renderWithRefusals, type Refusal} from './refusals.js'
import {UNIVERSAL_OPTIONS, type ResolvedOptions, type Writer, type WriterContext} from './types.js'
import {recordCName} from './ctypes-check.js'
import {pyString} from './ctypes-records.js'
import type {Item} from './universal/merge.js'
import {universalCffi} from './universal/cffi.js'

const knows = (name: string): boolean => CFFI_KNOWN.has(name)

function constantToCffi(c: Constant, fromCompiler: boolean): string | undefined {
  if (fromCompiler) {
    if (isIntegerConstant(c)) return `#define ${c.name} ...`
    if (typeof c.value === 'string' && c.value.startsWith('"')) return `static const char *const ${c.name};`
    if (typeof c.value === 'number') return `static const double ${c.name};`
    return undefined
  }
  return isIntegerConstant(c) ? `#define ${c.name} ${integerText(c.value)}` : undefined
}

function declarationToCffi(d: Declaration, model: CModel, fromCompiler: (name: string) => boolean, vaLists: Set<string>, layouts: Layouts): string | undefined {
  switch (d.kind) {
    case 'constant':
      return constantToCffi(d, fromCompiler(d.name))
    case 'struct':
    case 'union':
      if (!d.name) return undefined
      // Members an attribute moved (`int i __attribute__((aligned(16)))`): cffi's cdef has no
      // attributes, so the record is marked aligned and gets `...;` (layout from the compiler).
      if (!d.is_packed && d.aligned === undefined && !naturalLayoutMatches(d, layouts)) return structToC({...d, aligned: d.align}, model, {writer: 'cffi', packed: 'ellipsis', unnamedBitfields: true})
      return structToC(d, model, {writer: 'cffi', packed: 'ellipsis', unnamedBitfields: true})
    case 'enum':
      if (d.values.length === 0) return undefined
      if (!d.name) return enumToC(d, model)
      return enumToC(d, model)
    case 'function':
      return functionToC(d)
    case 'typedef':
      // The compiler's va_list, reached through a system header's typedef chain: each link
      // is a type of unknown layout to cffi (a typedef of a `...` typedef breaks API mode).
      if (vaLists.has(d.name)) return `typedef ... ${d.name};`
      return typedefToC(d.name, d.underlying_type, model) || undefined
    case 'variable':
      return `extern ${declare(d.type, d.name)};`
  }
}

/** One cdef item per declaration, in output order; and the layout checks of the records cffi lays out itself. */
export interface CffiParts {
  source: string
  refused: Refusal[]
  items: Item[]
  /** `_check((record, size, align, ((member, offset), ...)))` per record whose layout the cdef fixes (not `...;` ones). */
  checks: Item[]
}

function cffiParts(h: Header, refused: Refusal[], options: ResolvedOptions, target: string | undefined): CffiParts {
  const defines = compilePatterns('cffi', 'define_patterns', options.define_patterns as string[] | undefined)
  const fromCompiler = (name: string): boolean => defines.some((re) => re.test(name))
  const model = buildCModel('cffi', h, knows)
  const layouts = new Layouts(model.header, target)
  const items: Item[] = []
  const comment = refusalComment(refused, '//')
  if (comment.length > 0) items.push({key: 'left out', lines: [comment.join('\n')]})
  for (const name of model.opaque) items.push({key: `opaque ${name}`, lines: [`typedef struct ${name} ${name};`]})
  // cffi has no va_list; `typedef ... T;` lets it through as a type of unknown layout.
  // The builtin itself is only reached through typedefs, which are printed that way.
  for (const name of model.vaLists) if (name !== BUILTIN_VA_LIST) items.push({key: `va_list ${name}`, lines: [`typedef ... ${name};`]})
  const ordinary = ordinaryNames(model.header)
  const vaLists = new Set([BUILTIN_VA_LIST, ...model.vaLists])
  for (const d of model.header.declarations) {
    if (d.kind === 'typedef' && d.underlying_type.kind === 'ctype' && !d.underlying_type.qualifiers?.length && vaLists.has(d.underlying_type.name)) vaLists.add(d.name)
  }
  const checks: Item[] = []
  for (const d of model.header.declarations) {
    // `#define X X` for an enumerator X: the enumerator already declares it.
    if (d.kind === 'constant' && ordinary.has(d.name)) continue
    const text = declarationToCffi(d, model, fromCompiler, vaLists, layouts)
    if (!text) continue
    const key = declName(d)
    items.push({key, lines: [text]})
    if ((d.kind === 'struct' || d.kind === 'union') && d.name && !d.is_opaque && d.fields.length > 0 && d.size !== undefined && !d.is_packed && d.aligned === undefined && naturalLayoutMatches(d, layouts)) {
      const members = d.fields.filter((f) => f.name && f.bit_width === undefined && f.offset_bits !== undefined && f.offset_bits % 8 === 0).map((f) => `(${pyString(f.name!)}, ${f.offset_bits! / 8})`)
      const tuple = members.length === 0 ? '()' : `(${members.join(', ')}${members.length === 1 ? ',' : ''})`
      checks.push({key, lines: [`_check((${pyString(recordCName(d))}, ${d.size}, ${d.align ?? 'None'}, ${tuple}))`]})
    }
  }
  ;((options.extra_cdef as string[] | undefined) ?? []).forEach((line, i) => items.push({key: `extra ${i}`, lines: [line]}))
  return {source: h.path, refused, items, checks}
}

/** The cdef parts for one IR (refused declarations left out unless strict, as for the text). */
export function cffiModuleParts(ir: Header, options: ResolvedOptions, context: WriterContext = {}): CffiParts {
  const kept = bindingHeader(applyExcludes('cffi', ir, options), knows)
  let parts: CffiParts | undefined
  renderWithRefusals('cffi', kept, context, (h, refused) => {
    parts = cffiParts(h, [...refused], options, context.target)
    return ''
  })
  return parts!
}

/** The cdef text of parts: what the cffi writer writes for one target. */
export function cdefText(items: Item[]): string {
  return `${items.map((i) => i.lines.join('\n')).join('\n')}\n`
}

export function headerToCffi(ir: Header, options: ResolvedOptions, context: WriterContext = {}): string {
  return cdefText(cffiModuleParts(ir, options, context).items)
}

export const cffiWriter: Writer = {
  name: 'cffi',
  description: 'CFFI cdef declarations for ffi.cdef()',
  cacheOutput: true,
  cacheVersion: '2',
  extension: '.cdef.txt',
  defaultOutputPattern: '{dir}/{stem}.cdef.txt',
  options: {
    exclude_patterns: EXCLUDE_PATTERNS_OPTION,
    define_patterns: {type: 'string-list', default: [], description: 'regular expressions; matching macro constants take their value from the compiler in API mode (`#define NAME ...`)'},
    extra_cdef: {type: 'string-list', default: [], description: 'lines appended verbatim to the cdef'},
    ...UNIVERSAL_OPTIONS,
    layout_check: {type: 'boolean', description: "universal module: when it creates an FFI, compare ffi.sizeof, ffi.alignof and member offsets of every record cffi lays out itself with the IR's, and refuse to import on a difference (default on)"},
  },
  write: (ir, options, context) => headerToCffi(ir, options, context),
  universal: {extension: '.py', write: (members, options, context) => universalCffi(members, options, context)},
}
