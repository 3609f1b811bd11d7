/**
 * ctypes: an importable Python module (reference 9.2's layout, B-WR-2 fixed).
 *
 * - The library is loaded by the module (`library` option: a name for
 *   `ctypes.util.find_library`, a path, or empty for the symbols already in the process).
 * - Every record is declared first (`class X(ctypes.Structure): pass`) and completed
 *   later with `X._fields_ = [...]`, so self- and mutually-referential records work;
 *   completions and typedefs are ordered so a record is complete before it is used by
 *   value (arrays, by-value members).
 * - Functions are bound through `_function()`, which leaves a symbol the library does
 *   not export as `None` instead of failing the import.
 * - Bitfields are `(name, type, width)`; packed records get `_pack_ = 1`; anonymous
 *   members become `_anonymous_` fields of helper classes.
 * - CPython's ctypes (before 3.14) never lets an ordinary member share a storage unit
 *   with preceding bitfields, which GCC does (`unsigned a:4; unsigned char tail;` puts
 *   `tail` in byte 1). Such a member is written as a bitfield of the open unit's type,
 *   which gives GCC's layout; its value is the same integer.
 */
import type {Constant, Declaration, Enum, Header, TypeExpr} from '../ir/types.js'
import {qualifyTagReferences, referencedTypes, splitTag} from '../ir/walk.js'
import {declName, integerText, isIntegerConstant} from './cdecl.js'
import {pyString, recordDefinition} from './ctypes-records.js'
import {bindingHeader} from './externals.js'
import {LAYOUT_CHECK_FUNCTIONS, LAYOUT_CHECK_OPEN, LAYOUT_CHECK_RUN, layoutChecks} from './ctypes-check.js'
import {canonicalBuiltin, CTYPES_KNOWN, UNSUPPORTED_TYPES} from './known.js'
import {Layouts, pointerSize} from './layout.js'
import {decodeCLiteral} from './lua.js'
import {applyExcludes, EXCLUDE_PATTERNS_OPTION} from './patterns.js'
import {refusalComment, renderWithRefusals, type Refusal} from './refusals.js'
import {universalCtypes} from './universal/ctypes.js'
import {UNIVERSAL_OPTIONS, UnsupportedIrError, type ResolvedOptions, type Writer, type WriterContext} from './types.js'

const PRIMITIVES: Record<string, string> = {
  'char': 'ctypes.c_char', 'signed char': 'ctypes.c_byte', 'unsigned char': 'ctypes.c_ubyte',
  'short': 'ctypes.c_short', 'unsigned short': 'ctypes.c_ushort', 'int': 'ctypes.c_int', 'unsigned int': 'ctypes.c_uint',
  'long': 'ctypes.c_long', 'unsigned long': 'ctypes.c_ulong', 'long long': 'ctypes.c_longlong', 'unsigned long long': 'ctypes.c_ulonglong',
  'float': 'ctypes.c_float', 'double': 'ctypes.c_double', 'long double': 'ctypes.c_longdouble', '_Bool': 'ctypes.c_bool', 'bool': 'ctypes.c_bool',
}

const PY_KEYWORDS = new Set(['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass',
  'raise', 'return', 'try', 'while', 'with', 'yield', 'ctypes', 'sys'])

function pyIdent(name: string): string {
  return PY_KEYWORDS.has(name) || name.startsWith('_lib') ? `${name}_` : name
}

function pyBytes(bytes: number[]): string {
  return `b'${bytes.map((b) => (b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')}'`
}

class Names {
  /** C name (`struct X`, `enum E`, typedef name) -> Python name. */
  readonly py = new Map<string, string>()
  /** Typedef name -> its underlying type, to see through aliases. */
  readonly typedefs = new Map<string, TypeExpr>()
  readonly enums = new Map<string, Enum>()

  constructor(h: Header) {
    const ordinary = new Set<string>()
    for (const d of h.declarations) {
      if (d.kind === 'typedef' || d.kind === 'function' || d.kind === 'variable' || d.kind === 'constant') ordinary.add(d.name)
      if (d.kind === 'enum') for (const v of d.values) ordinary.add(v.name)
      if ((d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum') && d.name && d.is_typedef) ordinary.add(d.name)
    }
    for (const d of h.declarations) {
      if (d.kind === 'typedef') {
        this.typedefs.set(d.name, d.underlying_type)
        this.py.set(d.name, pyIdent(d.name))
      }
      if ((d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum') && d.name) {
        const tag = `${d.kind} ${d.name}`
        // A tag lives in C's tag namespace; in Python it shares the module namespace.
        const aliasOfItself = h.declarations.some((o) => o.kind === 'typedef' && o.name === d.name && o.underlying_type.kind === 'ctype' && o.underlying_type.name === tag)
        const name = d.is_typedef || aliasOfItself || !ordinary.has(d.name) ? pyIdent(d.name) : `${d.kind}_${d.name}`
        this.py.set(tag, name)
        if (d.is_typedef) this.py.set(d.name, name)
        if (d.kind === 'enum') {
          this.enums.set(tag, d)
          if (d.is_typedef) this.enums.set(d.name, d)
        }
      }
    }
  }
}

class CtypesEmitter {
  constructor(private readonly names: Names, private readonly where: string) {}

  fail(what: string): never {
    throw new UnsupportedIrError('ctypes', this.where, what)
  }

  at(where: string): CtypesEmitter {
    return new CtypesEmitter(this.names, where)
  }

  /** The ctypes expression for a type. */
  type(t: TypeExpr): string {
    switch (t.kind) {
      case 'ctype': {
        const name = canonicalBuiltin(t.name)
        if (name === 'void') return 'None'
        if (UNSUPPORTED_TYPES.test(name)) this.fail(`type '${name}' has no ctypes equivalent`)
        if (PRIMITIVES[name]) return PRIMITIVES[name]
        const py = this.names.py.get(name)
        if (py) return py
        const known = CTYPES_KNOWN[name]
        if (known) return known
        if (splitTag(name)) this.fail(`type '${name}' is used by value but its layout is not in the IR`)
        return this.fail(`type '${name}' is declared neither in the IR (as a project or external declaration) nor known to ctypes`)
      }
      case 'pointer':
        return this.pointer(t.pointee)
      case 'array': {
        const size = t.size === undefined ? 0 : Number(t.size)
        if (!Number.isInteger(size)) this.fail(`array size '${t.size}' is not a number`)
        return `(${this.type(t.element_type)} * ${size})`
      }
      case 'function_pointer':
        // A function type where a value is expected decays to a pointer (parameters).
        return this.callback(t)
    }
  }

  private pointer(pointee: TypeExpr): string {
    if (pointee.kind === 'function_pointer') return this.callback(pointee)
    if (pointee.kind === 'ctype') {
      const name = canonicalBuiltin(pointee.name)
      if (name === 'char') return 'ctypes.c_char_p'
      if (name === 'void') return 'ctypes.c_void_p'
      if (name === 'wchar_t') return 'ctypes.c_wchar_p'
      // Pointers to types the IR does not define (opaque system or foreign types) are untyped.
      if (!this.names.py.has(name) && !PRIMITIVES[name] && !CTYPES_KNOWN[name]) return 'ctypes.c_void_p'
    }
    const target = this.type(pointee)
    return target === 'None' ? 'ctypes.c_void_p' : `ctypes.POINTER(${target})`
  }

  /** A parameter: arrays decay to pointers, as in C. */
  param(t: TypeExpr): string {
    return t.kind === 'array' ? this.type({kind: 'pointer', pointee: t.element_type}) : this.type(t)
  }

  private callback(f: {return_type: TypeExpr; parameters: {type: TypeExpr}[]; is_variadic: boolean}): string {
    if (f.is_variadic) this.fail('a variadic function pointer cannot be a ctypes CFUNCTYPE')
    return `ctypes.CFUNCTYPE(${[this.type(f.return_type), ...f.parameters.map((p) => this.param(p.type))].join(', ')})`
  }

}

function enumType(e: Enum): string {
  const name = canonicalBuiltin(e.integer_type?.name ?? 'int')
  return PRIMITIVES[name] ?? CTYPES_KNOWN[name] ?? 'ctypes.c_int'
}

function section(title: string, body: string[]): string[] {
  if (body.length === 0) return []
  return [`# ${'='.repeat(60)}`, `# ${title}`, `# ${'='.repeat(60)}`, '', ...body]
}

function constantLine(c: Constant): string | undefined {
  if (isIntegerConstant(c)) return `${pyIdent(c.name)} = ${integerText(c.value)}`
  if (typeof c.value === 'number') return `${pyIdent(c.name)} = ${Number.isInteger(c.value) ? `${c.value}.0` : String(c.value)}`
  if (typeof c.value === 'string') {
    const bytes = decodeCLiteral(c.value)
    if (!bytes) return undefined
    return c.value.startsWith("'") ? (bytes.length === 1 ? `${pyIdent(c.name)} = ${bytes[0]}` : undefined) : `${pyIdent(c.name)} = ${pyBytes(bytes)}`
  }
  return undefined
}

/** Definitions (typedefs, record completions) ordered so by-value uses come after completion. */
function orderDefinitions(decls: Declaration[], names: Names): Declaration[] {
  const nodes = decls.filter((d) => d.kind === 'typedef' || ((d.kind === 'struct' || d.kind === 'union') && d.name && !d.is_opaque && d.fields.length > 0))
  const key = (d: Declaration): string => (d.kind === 'typedef' ? d.name : `${d.kind} ${d.name}`)
  const index = new Map(nodes.map((d, i) => [key(d), i]))
  const deps = nodes.map((d) => {
    const out = new Set<number>()
    const isAlias = d.kind === 'typedef' && d.underlying_type.kind === 'ctype'
    for (const ref of referencedTypes(d)) {
      const name = canonicalBuiltin(ref.name)
      if (names.typedefs.has(name) && index.has(name)) out.add(index.get(name)!)
      const tag = names.py.has(name) ? name : undefined
      if (tag && splitTag(tag) && ref.byValue && !isAlias && index.has(tag)) out.add(index.get(tag)!)
      // A typedef'd record (`typedef struct {...} T`) used by value by its typedef name.
      if (!splitTag(name) && !names.typedefs.has(name) && ref.byValue && !isAlias) {
        for (const kind of ['struct', 'union']) if (index.has(`${kind} ${name}`)) out.add(index.get(`${kind} ${name}`)!)
      }
    }
    out.delete(nodes.indexOf(d))
    return out
  })
  const done = new Set<number>()
  const order: Declaration[] = []
  while (done.size < nodes.length) {
    let progressed = false
    for (let i = 0; i < nodes.length; i++) {
      if (done.has(i) || [...deps[i]!].some((j) => !done.has(j))) continue
      done.add(i)
      order.push(nodes[i]!)
      progressed = true
      break
    }
    if (!progressed) {
      // Only reachable through a cycle C itself would reject; keep source order.
      for (let i = 0; i < nodes.length; i++) if (!done.has(i)) {
        done.add(i)
        order.push(nodes[i]!)
      }
    }
  }
  return order
}

const PRELUDE = `
def _load_library(name):
    if not name:
        return ctypes.CDLL(None)
    if '/' in name or name.endswith('.so') or '.so.' in name or name.endswith('.dylib') or name.endswith('.dll'):
        return ctypes.CDLL(name)
    path = ctypes.util.find_library(name)
    if path is None:
        raise OSError('ctypes bindings: library %r not found (pass the library option, or install it)' % name)
    return ctypes.CDLL(path)


def _function(name, restype, argtypes):
    try:
        function = getattr(LIB, name)
    except AttributeError:
        return None
    function.restype = restype
    function.argtypes = argtypes
    return function


def _variable(name, ctype):
    try:
        return ctype.in_dll(LIB, name)
    except ValueError:
        return None
`

const knows = (name: string): boolean => CTYPES_KNOWN[name] !== undefined

export function headerToCtypes(ir: Header, options: ResolvedOptions, context: WriterContext = {}): string {
  return renderModule(ctypesModule(ir, options, context), options, context.target)
}

/** A unit of the module a universal module shares or writes per target: one declaration's lines. */
export interface ModuleItem {
  key: string
  lines: string[]
}

/** A titled part of the module; its groups are kept in order, the items within a group ordered as written. */
export interface ModuleSection {
  title: string
  groups: ModuleItem[][]
  /** A blank line after the items (sections whose items carry none). */
  blankAfter?: boolean
  /** Statements before the items and after them (the layout check's set-up and run). */
  open?: string[]
  close?: string[]
}

/** The parts of a ctypes module for one target, before they are joined into text. */
export interface CtypesModule {
  /** Project-relative path of the header. */
  source: string
  refused: Refusal[]
  sections: ModuleSection[]
}

/** The module's parts for one IR (refused declarations left out unless strict, as for the text). */
export function ctypesModule(ir: Header, options: ResolvedOptions, context: WriterContext = {}): CtypesModule {
  const kept = bindingHeader(applyExcludes('ctypes', ir, options), knows)
  let parts: CtypesModule | undefined
  renderWithRefusals('ctypes', kept, context, (h, refused) => {
    parts = ctypesParts(ir, h, [...refused], options, context.target)
    return ''
  })
  return parts!
}

function ctypesParts(ir: Header, bound: Header, refused: Refusal[], options: ResolvedOptions, target: string | undefined): CtypesModule {
  const h = qualifyTagReferences(bound)
  const layouts = new Layouts(h, target)
  const classes = new Map<string, number>()
  const names = new Names(h)
  const em = (d: Declaration): CtypesEmitter => new CtypesEmitter(names, declName(d))

  const constants: ModuleItem[] = []
  const enums: ModuleItem[] = []
  const forward: ModuleItem[] = []
  const definitions: ModuleItem[] = []
  const checks: ModuleItem[] = []
  const functions: ModuleItem[] = []
  const variables: ModuleItem[] = []

  for (const d of h.declarations) {
    if (d.kind === 'constant') {
      const line = constantLine(d)
      if (line) constants.push({key: d.name, lines: [line]})
    } else if (d.kind === 'enum') {
      const name = d.name ? names.py.get(`enum ${d.name}`)! : undefined
      const lines = [`# enum ${d.name ?? 'anonymous'}`]
      if (name) lines.push(`${name} = ${enumType(d)}`)
      for (const v of d.values) lines.push(integerText(v.value) === undefined ? `# ${v.name} = <unknown>` : `${pyIdent(v.name)} = ${integerText(v.value)}`)
      lines.push('')
      enums.push({key: d.name ?? d.values.map((v) => v.name).join(','), lines})
    } else if ((d.kind === 'struct' || d.kind === 'union') && d.name) {
      forward.push({key: `${d.kind} ${d.name}`, lines: [`class ${names.py.get(`${d.kind} ${d.name}`)}(ctypes.${d.kind === 'union' ? 'Union' : 'Structure'}):`, '    pass', '']})
    } else if (d.kind === 'function') {
      const e = em(d)
      // No prototype (K&R `int f()`): argtypes None, so ctypes passes any arguments with C's default promotions.
      const args = d.no_prototype ? 'None' : `[${d.parameters.map((p) => e.param(p.type)).join(', ')}]`
      functions.push({key: d.name, lines: [`${pyIdent(d.name)} = _function(${pyString(d.name)}, ${e.type(d.return_type)}, ${args})`]})
    } else if (d.kind === 'variable') {
      variables.push({key: d.name, lines: [`${pyIdent(d.name)} = _variable(${pyString(d.name)}, ${em(d).type(d.type)})`]})
    }
  }
  for (const d of orderDefinitions(h.declarations, names)) {
    if (d.kind === 'typedef') {
      const py = names.py.get(d.name)!
      const value = em(d).type(d.underlying_type)
      if (value !== py) definitions.push({key: d.name, lines: [`${py} = ${value}`, '']})
    } else if (d.kind === 'struct' || d.kind === 'union') {
      const py = names.py.get(`${d.kind} ${d.name}`)!
      const record = recordDefinition(d, py, em(d), layouts, classes, pointerSize(target))
      definitions.push({key: `${d.kind} ${d.name}`, lines: [...record.lines, '']})
      if (options.layout_check !== false) {
        const lines = layoutChecks(d, py)
        if (lines.length > 0) checks.push({key: `${d.kind} ${d.name}`, lines})
      }
    }
  }

  return {
    source: ir.path,
    refused,
    sections: [
      {title: 'Constants', groups: [constants], blankAfter: true},
      {title: 'Enums', groups: [enums]},
      {title: 'Structures and Unions', groups: [forward, definitions]},
      {title: 'Layout self-check', groups: [checks], blankAfter: true, open: [LAYOUT_CHECK_FUNCTIONS, ...LAYOUT_CHECK_OPEN], close: [...LAYOUT_CHECK_RUN, '']},
      {title: 'Function Prototypes', groups: [functions], blankAfter: true},
      {title: 'Global Variables', groups: [variables], blankAfter: true},
    ],
  }
}

/** A section's lines around the given body; nothing when no target has items in it. */
export function sectionLines(s: ModuleSection, body: string[]): string[] {
  if (body.length === 0) return []
  return section(s.title, [...(s.open ?? []), ...body, ...(s.blankAfter ? [''] : []), ...(s.close ?? [])])
}

/** The imports, the library loading and its helpers: what every ctypes module starts with after its comments. */
export function moduleHeader(extraImports: string[] = []): string[] {
  return ['import ctypes', 'import ctypes.util', ...extraImports, 'import sys', '']
}

export function libraryLines(options: ResolvedOptions): string[] {
  return [`LIBRARY_NAME = ${pyString(options.library as string)}`, PRELUDE, `LIB = _load_library(LIBRARY_NAME)`, `${options.lib_name as string} = LIB`, '']
}

/** Joins module lines into the file text (no trailing blank lines, one final newline). */
export function moduleText(lines: string[]): string {
  return `${lines.join('\n').replace(/\n+$/, '')}\n`
}

function renderModule(m: CtypesModule, options: ResolvedOptions, target: string | undefined): string {
  const lines = [
    `"""ctypes bindings generated from ${m.source}."""`,
    ...refusalComment(m.refused, '#'),
    '',
    ...moduleHeader(),
    `TARGET = ${target === undefined ? 'None' : pyString(target)}`,
    ...libraryLines(options),
    ...m.sections.flatMap((s) => sectionLines(s, s.groups.flat().flatMap((i) => i.lines))),
  ]
  return moduleText(lines)
}

export const ctypesWriter: Writer = {
  name: 'ctypes',
  description: 'an importable Python ctypes module',
  cacheOutput: true,
  cacheVersion: '3',
  extension: '.py',
  defaultOutputPattern: '{dir}/{stem}_ctypes.py',
  options: {
    library: {type: 'string', default: '', description: 'library to load: a name for ctypes.util.find_library ("z"), a path, or empty for the symbols already loaded in the process'},
    exclude_patterns: EXCLUDE_PATTERNS_OPTION,
    lib_name: {type: 'string', default: '_lib', description: 'name of the module variable that holds the loaded library'},
    ...UNIVERSAL_OPTIONS,
    layout_check: {type: 'boolean', default: true, description: "at import, compare ctypes' size, alignment and member offsets of every record with the IR's, and refuse to import on a difference"},
  },
  write: (ir, options, context) => headerToCtypes(ir, options, context),
  universal: {extension: '.py', write: (members, options, context) => universalCtypes(members, options, context)},
}
