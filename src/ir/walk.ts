/**
 * Walking IR types, shared by the writers: which names a declaration refers to (and
 * whether by value, which decides emission order for ctypes and Cython), and the
 * tag-qualification fix-up that turns a bare tag reference (`point`, which the
 * original's backend produced for typedef-of-struct shortcuts) into `struct point`
 * whenever `point` is a tag and not also a typedef name.
 */
import type {Declaration, Field, Header, Struct, TypeExpr} from './types.js'

export interface TypeRef {
  /** The CType name as written: `struct X`, `enum E`, `size_t`, `int`. */
  name: string
  /** False when reached through a pointer (only the name must exist, not the layout). */
  byValue: boolean
}

/** Calls `visit` on every CType inside `t`, telling whether it is reached through a pointer. */
export function walkType(t: TypeExpr, visit: (name: string, byValue: boolean) => void, byValue = true): void {
  switch (t.kind) {
    case 'ctype':
      visit(t.name, byValue)
      return
    case 'pointer':
      walkType(t.pointee, visit, false)
      return
    case 'array':
      // C requires an array's element type to be complete, even behind a pointer.
      walkType(t.element_type, visit, true)
      return
    case 'function_pointer':
      // A function type's parameters and result are only needed when it is called or
      // declared; a pointer to it needs nothing complete, a bare one needs them all.
      walkType(t.return_type, visit, byValue)
      for (const p of t.parameters) walkType(p.type, visit, byValue)
  }
}

function fieldsOf(s: Struct): Field[] {
  return s.fields.flatMap((f) => (f.anonymous_struct ? [f, ...fieldsOf(f.anonymous_struct)] : [f]))
}

/** Every type name a declaration refers to, in first-seen order, by value winning over by pointer. */
export function referencedTypes(d: Declaration): TypeRef[] {
  const seen = new Map<string, boolean>()
  const visit = (name: string, byValue: boolean): void => {
    seen.set(name, (seen.get(name) ?? false) || byValue)
  }
  switch (d.kind) {
    case 'struct':
    case 'union':
      for (const f of fieldsOf(d)) if (!f.anonymous_struct) walkType(f.type, visit)
      break
    case 'enum':
      if (d.integer_type) walkType(d.integer_type, visit)
      break
    case 'function':
      walkType(d.return_type, visit)
      for (const p of d.parameters) walkType(p.type, visit)
      break
    case 'typedef':
      walkType(d.underlying_type, visit)
      break
    case 'variable':
      walkType(d.type, visit)
      break
    case 'constant':
      break
  }
  return [...seen].map(([name, byValue]) => ({name, byValue}))
}

const TAG = /^(struct|union|enum) (.+)$/

/** `struct X` -> {tag: 'struct', name: 'X'}; anything else -> undefined. */
export function splitTag(name: string): {tag: 'struct' | 'union' | 'enum'; name: string} | undefined {
  const m = TAG.exec(name)
  return m ? {tag: m[1] as 'struct' | 'union' | 'enum', name: m[2]!} : undefined
}

function mapType(t: TypeExpr, f: (name: string) => string): TypeExpr {
  switch (t.kind) {
    case 'ctype': {
      const name = f(t.name)
      return name === t.name ? t : {...t, name}
    }
    case 'pointer':
      return {...t, pointee: mapType(t.pointee, f)}
    case 'array':
      return {...t, element_type: mapType(t.element_type, f)}
    case 'function_pointer':
      return {...t, return_type: mapType(t.return_type, f), parameters: t.parameters.map((p) => ({...p, type: mapType(p.type, f)}))}
  }
}

function mapStruct(s: Struct, f: (name: string) => string): Struct {
  return {...s, fields: s.fields.map((fl) => ({...fl, type: mapType(fl.type, f), ...(fl.anonymous_struct ? {anonymous_struct: mapStruct(fl.anonymous_struct, f)} : {})}))}
}

/** Applies `f` to every CType name of a declaration (a new declaration; the input is not changed). */
export function mapDeclarationTypes(d: Declaration, f: (name: string) => string): Declaration {
  switch (d.kind) {
    case 'struct':
    case 'union':
      return mapStruct(d, f)
    case 'enum':
    case 'constant':
      return d
    case 'function':
      return {...d, return_type: mapType(d.return_type, f), parameters: d.parameters.map((p) => ({...p, type: mapType(p.type, f)}))}
    case 'typedef':
      return {...d, underlying_type: mapType(d.underlying_type, f)}
    case 'variable':
      return {...d, type: mapType(d.type, f)}
  }
}

/**
 * Rewrites bare references to a record or enum tag (`point`) as `struct point`,
 * unless `point` is also a typedef name (then the bare name means the typedef).
 */
export function qualifyTagReferences(h: Header): Header {
  const typedefNames = new Set<string>()
  const tags = new Map<string, string>()
  for (const d of h.declarations) {
    if (d.kind === 'typedef') typedefNames.add(d.name)
    if ((d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum') && d.name) {
      if (d.is_typedef) typedefNames.add(d.name)
      else if (!tags.has(d.name)) tags.set(d.name, d.kind)
    }
  }
  const fix = (name: string): string => {
    const kind = tags.get(name)
    return kind && !typedefNames.has(name) ? `${kind} ${name}` : name
  }
  return {...h, declarations: h.declarations.map((d) => mapDeclarationTypes(d, fix))}
}

/** Whether a declaration comes from outside the project (see `external_header`). */
export function isExternal(d: Declaration): boolean {
  return (d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum' || d.kind === 'typedef') && d.external_header !== undefined
}

/** The project's own declarations: the ones that become bindings. */
export function projectDeclarations(h: Header): Declaration[] {
  return h.declarations.filter((d) => !isExternal(d))
}
