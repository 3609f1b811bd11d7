/**
 * cython: a `.pxd` (reference 9.3) declaring the header inside
 * `cdef extern from "<project-relative path>"`. Declarators come from `declareC`
 * with Cython's spellings substituted (B-BE-7 fixed: function pointers are valid
 * everywhere). Because the C compiler sees the real header, the `.pxd` only has to
 * name things: bitfields are plain members, packing is left to C, and the members of
 * an anonymous struct/union are listed in the enclosing record (C accesses them so).
 * Names Cython reserves get a `_` suffix and their C name in quotes.
 */
import {declareC} from '../ir/text.js'
import type {Constant, Declaration, Enum, Field, Header, Struct, TypeExpr} from '../ir/types.js'
import {qualifyTagReferences, referencedTypes, splitTag} from '../ir/walk.js'
import {declName, integerText, isIntegerConstant} from './cdecl.js'
import {C_BUILTIN_TYPES, canonicalBuiltin, SYSTEM_TYPES, UNSUPPORTED_TYPES} from './systypes.js'
import {UnsupportedIrError, type ResolvedOptions, type Writer} from './types.js'

const RESERVED = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'exec', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass',
  'print', 'raise', 'return', 'try', 'while', 'with', 'yield', 'cdef', 'cpdef', 'ctypedef', 'cimport', 'include', 'DEF', 'IF',
  'ELIF', 'ELSE', 'by', 'gil', 'nogil', 'api', 'public', 'readonly', 'inline', 'new', 'property', 'sizeof', 'NULL', 'bint',
  'object', 'namespace', 'cppclass', 'fused', 'extern', 'packed',
])

/** `name` as a Cython declarator name: reserved words get `name_ "name"`. */
function cyName(name: string): string {
  return RESERVED.has(name) ? `${name}_ "${name}"` : name
}

class CythonTypes {
  readonly cimports = new Map<string, Set<string>>()
  readonly extraTypedefs = new Map<string, string>()
  /** Tag (`struct X`) -> Cython name; a tag that collides with an ordinary name gets `struct_X "struct X"`-style renaming. */
  readonly tagNames = new Map<string, string>()

  constructor(private readonly h: Header) {
    const ordinary = new Set<string>()
    for (const d of h.declarations) if (d.kind !== 'struct' && d.kind !== 'union' && d.kind !== 'enum' && d.name) ordinary.add(d.name)
    for (const d of h.declarations) {
      if ((d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum') && d.name) {
        const tag = `${d.kind} ${d.name}`
        const aliasOfItself = h.declarations.some((o) => o.kind === 'typedef' && o.name === d.name && o.underlying_type.kind === 'ctype' && o.underlying_type.name === tag)
        if (d.is_typedef) this.tagNames.set(d.name, d.name)
        this.tagNames.set(tag, !d.is_typedef && ordinary.has(d.name) && !aliasOfItself ? `${d.kind}_${d.name}` : d.name)
      }
    }
  }

  /** The Cython name of a record/enum definition, with its C name in quotes when renamed. */
  definitionName(kind: string, name: string): string {
    const py = this.tagNames.get(`${kind} ${name}`)!
    return py === name ? cyName(name) : `${py} "${kind} ${name}"`
  }

  note(d: Declaration): void {
    for (const ref of referencedTypes(d)) {
      const name = canonicalBuiltin(ref.name)
      if (UNSUPPORTED_TYPES.test(name)) throw new UnsupportedIrError('cython', declName(d), `type '${name}' has no Cython equivalent`)
      if (C_BUILTIN_TYPES.has(name) || this.tagNames.has(name) || this.h.declarations.some((x) => x.kind === 'typedef' && x.name === name)) continue
      const sys = SYSTEM_TYPES[name]
      if (sys?.cython) {
        const set = this.cimports.get(sys.cython) ?? new Set()
        set.add(name)
        this.cimports.set(sys.cython, set)
      } else if (name === 'size_t' || name === 'ssize_t') {
        // Cython knows these.
      } else if (sys) {
        this.extraTypedefs.set(name, sys.c === 'va_list' || sys.c === 'opaque' ? `ctypedef void *${name}` : `ctypedef ${sys.c} ${name}`)
      } else if (!splitTag(name) && !ref.byValue) {
        // An unknown typedef used only through a pointer: the C header declares it; Cython only needs the name.
        this.extraTypedefs.set(name, `ctypedef struct ${name}:\n        pass`)
      } else if (splitTag(name)) {
        // A record from a system header (\`struct sockaddr\`): the C compiler has its layout, Cython needs only the name.
        const tag = splitTag(name)!
        this.extraTypedefs.set(name, tag.tag === 'enum' ? `cdef enum ${tag.name}:\n        pass` : `cdef ${tag.tag} ${tag.name}:\n        pass`)
        this.tagNames.set(name, tag.name)
      } else {
        throw new UnsupportedIrError('cython', declName(d), `type '${name}' is neither declared in the IR nor a known system type`)
      }
    }
  }

  map(t: TypeExpr): TypeExpr {
    switch (t.kind) {
      case 'ctype': {
        let name = canonicalBuiltin(t.name)
        if (name === '_Bool' || name === 'bool') name = 'bint'
        name = this.tagNames.get(name) ?? name
        const qualifiers = (t.qualifiers ?? []).filter((q) => q === 'const')
        return qualifiers.length > 0 ? {kind: 'ctype', name, qualifiers} : {kind: 'ctype', name}
      }
      case 'pointer': {
        const qualifiers = (t.qualifiers ?? []).filter((q) => q === 'const')
        const pointee = this.map(t.pointee)
        return qualifiers.length > 0 ? {kind: 'pointer', pointee, qualifiers} : {kind: 'pointer', pointee}
      }
      case 'array':
        return {...t, element_type: this.map(t.element_type)}
      case 'function_pointer':
        return {
          ...t,
          return_type: this.map(t.return_type),
          parameters: t.parameters.map((p) => (p.name ? {name: RESERVED.has(p.name) ? `${p.name}_` : p.name, type: this.map(p.type)} : {type: this.map(p.type)})),
        }
    }
  }

  /** Cython spells an empty parameter list `()`, never `(void)`. */
  declare(t: TypeExpr, name: string): string {
    return declareC(this.map(t), name).replaceAll('(void)', '()')
  }
}

function structFields(s: Struct, ty: CythonTypes, indent: string): string[] {
  const lines: string[] = []
  const walk = (fields: Field[]): void => {
    for (const f of fields) {
      if (f.anonymous_struct && !f.name) walk(f.anonymous_struct.fields)
      else if (f.anonymous_struct) {
        throw new UnsupportedIrError('cython', declName(s), `member '${f.name}' has an unnamed record type, which Cython cannot declare`)
      } else if (f.name) lines.push(`${indent}${ty.declare(f.type, cyName(f.name))}`)
    }
  }
  walk(s.fields)
  return lines
}

function structToCython(s: Struct & {name: string}, ty: CythonTypes): string[] {
  const body = structFields(s, ty, '    ')
  const opaque = s.is_opaque || (s.fields.length === 0 && s.size === undefined)
  if (s.is_typedef) return [`ctypedef ${s.kind} ${cyName(s.name)}:`, ...(body.length > 0 ? body : ['    pass'])]
  const head = `cdef ${s.kind} ${ty.definitionName(s.kind, s.name)}`
  if (opaque) return [head]
  const note = s.is_packed ? ['# packed in C; the C compiler lays it out'] : []
  return [...note, `${head}:`, ...(body.length > 0 ? body : ['    pass'])]
}

function enumToCython(e: Enum, ty: CythonTypes): string[] {
  const head = !e.name ? 'cdef enum' : e.is_typedef ? `ctypedef enum ${cyName(e.name)}` : `cdef enum ${ty.definitionName('enum', e.name)}`
  return [`${head}:`, ...(e.values.length > 0 ? e.values.map((v) => `    ${cyName(v.name)}`) : ['    pass'])]
}

function constantToCython(c: Constant): string | undefined {
  if (isIntegerConstant(c)) {
    const n = BigInt(integerText(c.value)!)
    const type = n > 2n ** 63n - 1n ? 'unsigned long long' : n > 2n ** 31n - 1n || n < -(2n ** 31n) ? 'long long' : 'int'
    return `${type} ${cyName(c.name)}`
  }
  if (typeof c.value === 'number') return `double ${cyName(c.name)}`
  if (typeof c.value === 'string' && c.value.startsWith('"')) return `const char* ${cyName(c.name)}`
  if (typeof c.value === 'string' && c.value.startsWith("'")) return `char ${cyName(c.name)}`
  return undefined
}

function declarationToCython(d: Declaration, ty: CythonTypes): string[] {
  switch (d.kind) {
    case 'constant': {
      const line = constantToCython(d)
      return line ? [line] : []
    }
    case 'struct':
    case 'union':
      return d.name ? structToCython(d as Struct & {name: string}, ty) : []
    case 'enum':
      return enumToCython(d, ty)
    case 'typedef': {
      const u = d.underlying_type
      if (u.kind === 'ctype' && !u.qualifiers?.length) {
        const tag = splitTag(u.name)
        // `typedef struct X X;` is spelled by the record itself in Cython.
        if (u.name === d.name || (tag && tag.name === d.name && ty.tagNames.get(u.name) === d.name)) return []
      }
      return [`ctypedef ${ty.declare(u, cyName(d.name))}`]
    }
    case 'function': {
      if (d.no_prototype) throw new UnsupportedIrError('cython', declName(d), 'a function without a prototype cannot be declared in Cython')
      const fn: TypeExpr = {kind: 'function_pointer', return_type: d.return_type, parameters: d.parameters, is_variadic: d.is_variadic}
      return [ty.declare(fn, cyName(d.name))]
    }
    case 'variable':
      return [ty.declare(d.type, cyName(d.name))]
  }
}

export function headerToCython(ir: Header, _options: ResolvedOptions): string {
  const h = qualifyTagReferences(ir)
  const ty = new CythonTypes(h)
  for (const d of h.declarations) ty.note(d)
  const blocks: string[][] = []
  for (const d of h.declarations) {
    const lines = declarationToCython(d, ty)
    if (lines.length > 0) blocks.push(lines)
  }
  const out: string[] = []
  for (const [module, names] of [...ty.cimports].sort(([a], [b]) => (a < b ? -1 : 1))) out.push(`from ${module} cimport ${[...names].sort().join(', ')}`)
  if (out.length > 0) out.push('')
  out.push(`cdef extern from "${ir.path}":`, '')
  // Records are declared up front, so members and typedefs may point to any of them.
  const forward = h.declarations.filter((d): d is Struct => (d.kind === 'struct' || d.kind === 'union') && !!d.name && !d.is_typedef && !d.is_opaque && d.fields.length > 0)
  for (const s of forward) out.push(`    cdef ${s.kind} ${ty.definitionName(s.kind, s.name!)}`, '')
  for (const line of ty.extraTypedefs.values()) out.push(`    ${line}`, '')
  for (const block of blocks) out.push(...block.map((l) => `    ${l}`), '')
  if (blocks.length === 0 && ty.extraTypedefs.size === 0 && forward.length === 0) out.push('    pass', '')
  return `${out.join('\n').replace(/\n+$/, '')}\n`
}

export const cythonWriter: Writer = {
  name: 'cython',
  description: 'Cython .pxd declarations (cdef extern from the header)',
  cacheOutput: true,
  cacheVersion: '1',
  extension: '.pxd',
  defaultOutputPattern: '{dir}/{stem}.pxd',
  options: {},
  write: (ir, options) => headerToCython(ir, options),
}
