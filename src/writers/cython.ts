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
import {isExternal, qualifyTagReferences, referencedTypes, splitTag} from '../ir/walk.js'
import {declName, integerText, isIntegerConstant} from './cdecl.js'
import {bindingHeader} from './externals.js'
import {BUILTIN_VA_LIST, C_BUILTIN_TYPES, canonicalBuiltin, CYTHON_KNOWN, UNSUPPORTED_TYPES} from './known.js'
import {applyExcludes, EXCLUDE_PATTERNS_OPTION} from './patterns.js'
import {refusalComment, renderWithRefusals, type Refusal} from './refusals.js'
import {UnsupportedIrError, type ResolvedOptions, type Writer, type WriterContext} from './types.js'

const VA_LISTS = new Set(['va_list', '__gnuc_va_list', BUILTIN_VA_LIST])

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
      const module = CYTHON_KNOWN[name]
      if (module) {
        const set = this.cimports.get(module) ?? new Set()
        set.add(name)
        this.cimports.set(module, set)
      } else if (module === '') {
        // Cython has it built in.
      } else if (VA_LISTS.has(name)) {
        // The compiler's va_list (an IR without external declarations): Cython only passes it along.
        if (name !== BUILTIN_VA_LIST) this.extraTypedefs.set(name, `ctypedef void *${name}`)
      } else if (!splitTag(name) && !ref.byValue) {
        // An unknown typedef used only through a pointer: the C header declares it; Cython only needs the name.
        this.extraTypedefs.set(name, `ctypedef struct ${name}:\n        pass`)
      } else if (splitTag(name)) {
        // A record from a system header (\`struct sockaddr\`): the C compiler has its layout, Cython needs only the name.
        const tag = splitTag(name)!
        this.extraTypedefs.set(name, tag.tag === 'enum' ? `cdef enum ${tag.name}:\n        pass` : `cdef ${tag.tag} ${tag.name}:\n        pass`)
        this.tagNames.set(name, tag.name)
      } else {
        throw new UnsupportedIrError('cython', declName(d), `type '${name}' is declared neither in the IR (as a project or external declaration) nor known to Cython`)
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
      case 'pointer':
        // Cython 0.29 parses no qualifier after `*` (`char **const p`); a pointer's own
        // const does not change what C code may pass or read, so it is left out.
        return {kind: 'pointer', pointee: this.map(t.pointee)}
      case 'array':
        return {...t, element_type: this.map(t.element_type)}
      case 'function_pointer':
        return {
          ...t,
          return_type: this.map(t.return_type),
          // A parameter's top-level const is no part of the C signature.
          parameters: t.parameters.map((p) => (p.name ? {name: RESERVED.has(p.name) ? `${p.name}_` : p.name, type: this.map(unqualified(p.type))} : {type: this.map(unqualified(p.type))})),
        }
    }
  }

  /** Cython spells an empty parameter list `()`, never `(void)`. */
  declare(t: TypeExpr, name: string): string {
    return declareC(this.map(t), name).replaceAll('(void)', '()')
  }
}

/** A parameter's type as Cython takes it: no top-level qualifier (no part of the C signature), arrays decayed to pointers. */
function unqualified(t: TypeExpr): TypeExpr {
  if (t.kind === 'array') return {kind: 'pointer', pointee: t.element_type}
  if ((t.kind === 'ctype' || t.kind === 'pointer') && t.qualifiers) {
    const copy = {...t}
    delete copy.qualifiers
    return copy
  }
  return t
}

/** A flexible array member (`data[]`), which Cython 0.29 calls incomplete, as `data[0]`: the same offset, and C sees the real header. */
function flexibleAsZero(t: TypeExpr): TypeExpr {
  return t.kind === 'array' && t.size === undefined ? {...t, size: 0} : t
}

/** A named member of an unnamed record type, with its type replaced by a helper's name (keeping arrays and pointers). */
function withHelper(t: TypeExpr, helper: string): TypeExpr {
  switch (t.kind) {
    case 'array':
      return {...t, element_type: withHelper(t.element_type, helper)}
    case 'pointer':
      return {...t, pointee: withHelper(t.pointee, helper)}
    default:
      return {kind: 'ctype', name: helper}
  }
}

/** The C expression of one element of a member of an unnamed record type: `((struct X *)0)->field_data[0]`. */
function elementAccess(t: TypeExpr, access: string): string {
  switch (t.kind) {
    case 'array':
      return elementAccess(t.element_type, `${access}[0]`)
    case 'pointer':
      return elementAccess(t.pointee, `(*${access})`)
    default:
      return access
  }
}

/**
 * The members of a record, with helper types (declared before it, into `helpers`) for
 * named members of unnamed record types: Cython needs a type name where C has none,
 * so the helper's C name is `__typeof__` of the member, which GCC and Clang accept.
 */
function structFields(s: Struct, ty: CythonTypes, indent: string, helpers: string[], owner: {py: string; access: string}): string[] {
  const lines: string[] = []
  const walk = (fields: Field[]): void => {
    for (const f of fields) {
      if (f.anonymous_struct && !f.name) walk(f.anonymous_struct.fields)
      else if (f.anonymous_struct && f.name) {
        const helper = `${owner.py}_${f.name}_t`
        const inner = f.anonymous_struct
        const innerAccess = elementAccess(f.type, `${owner.access}->${f.name}`)
        const body = structFields(inner, ty, '    ', helpers, {py: helper, access: `(&${innerAccess})`})
        helpers.push(`# ${helper}: the type of member '${f.name}' of ${declName(s)}, which has no C name`,
          `ctypedef ${inner.kind} ${helper} "__typeof__(${innerAccess})":`, ...(body.length > 0 ? body : ['    pass']), '')
        lines.push(`${indent}${ty.declare(withHelper(f.type, helper), cyName(f.name))}`)
      } else if (f.name) lines.push(`${indent}${ty.declare(flexibleAsZero(f.type), cyName(f.name))}`)
    }
  }
  walk(s.fields)
  return lines
}

function structToCython(s: Struct & {name: string}, ty: CythonTypes): string[] {
  const cType = s.is_typedef ? s.name : `${s.kind} ${s.name}`
  const helpers: string[] = []
  const body = structFields(s, ty, '    ', helpers, {py: s.name, access: `((${cType} *)0)`})
  const opaque = s.is_opaque || (s.fields.length === 0 && s.size === undefined)
  if (s.is_typedef) return [...helpers, `ctypedef ${s.kind} ${cyName(s.name)}:`, ...(body.length > 0 ? body : ['    pass'])]
  const head = `cdef ${s.kind} ${ty.definitionName(s.kind, s.name)}`
  if (opaque) return [head]
  const note = s.is_packed ? ['# packed in C; the C compiler lays it out'] : []
  return [...helpers, ...note, `${head}:`, ...(body.length > 0 ? body : ['    pass'])]
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
      // The compiler's va_list: Cython only passes it along.
      if (u.kind === 'ctype' && u.name === BUILTIN_VA_LIST) return [`ctypedef void *${cyName(d.name)}`]
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

const knows = (name: string): boolean => CYTHON_KNOWN[name] !== undefined

export function headerToCython(ir: Header, options: ResolvedOptions, context: WriterContext = {}): string {
  const kept = bindingHeader(applyExcludes('cython', ir, options), knows)
  return renderWithRefusals('cython', kept, context, (h, refused) => renderCython(ir, h, refused))
}

function renderCython(ir: Header, bound: Header, refused: Refusal[]): string {
  const h = qualifyTagReferences(bound)
  const ty = new CythonTypes(h)
  for (const d of h.declarations) ty.note(d)
  // External declarations go in blocks of their own header, in IR order (dependencies first).
  const externalBlocks: {header: string; lines: string[]}[] = []
  const blocks: string[][] = []
  for (const d of h.declarations) {
    const lines = declarationToCython(d, ty)
    if (lines.length === 0) continue
    if (isExternal(d)) {
      const header = (d as {external_header: string}).external_header
      const last = externalBlocks[externalBlocks.length - 1]
      if (last && last.header === header) last.lines.push(...lines, '')
      else externalBlocks.push({header, lines: [...lines, '']})
    } else blocks.push(lines)
  }
  const out: string[] = [...refusalComment(refused, '#')]
  if (out.length > 0) out.push('')
  for (const [module, names] of [...ty.cimports].sort(([a], [b]) => (a < b ? -1 : 1))) out.push(`from ${module} cimport ${[...names].sort().join(', ')}`)
  if (ty.cimports.size > 0) out.push('')
  // The project header first: it includes the external ones, some of which may not be included alone (ffitarget.h).
  if (externalBlocks.length > 0) out.push(`cdef extern from "${ir.path}":`, '    pass', '')
  for (const block of externalBlocks) {
    out.push(`# Declared outside the project; the C compiler takes them from ${block.header}.`, `cdef extern from "${block.header}":`, '')
    out.push(...block.lines.map((l) => (l ? `    ${l}` : '')))
  }
  out.push(`cdef extern from "${ir.path}":`, '')
  // Records are declared up front, so members and typedefs may point to any of them.
  const forward = h.declarations.filter((d): d is Struct => !isExternal(d) && (d.kind === 'struct' || d.kind === 'union') && !!d.name && !d.is_typedef && !d.is_opaque && d.fields.length > 0)
  for (const s of forward) out.push(`    cdef ${s.kind} ${ty.definitionName(s.kind, s.name!)}`, '')
  for (const line of ty.extraTypedefs.values()) out.push(`    ${line}`, '')
  for (const block of blocks) out.push(...block.map((l) => (l ? `    ${l}` : '')), '')
  if (blocks.length === 0 && ty.extraTypedefs.size === 0 && forward.length === 0) out.push('    pass', '')
  return `${out.join('\n').replace(/\n+$/, '')}\n`
}

export const cythonWriter: Writer = {
  name: 'cython',
  description: 'Cython .pxd declarations (cdef extern from the header)',
  cacheOutput: true,
  cacheVersion: '2',
  extension: '.pxd',
  defaultOutputPattern: '{dir}/{stem}.pxd',
  options: {
    exclude_patterns: EXCLUDE_PATTERNS_OPTION,
  },
  write: (ir, options, context) => headerToCython(ir, options, context),
}
