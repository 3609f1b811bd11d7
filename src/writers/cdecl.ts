/**
 * C declarations for the writers whose consumer reads C (cffi's `ffi.cdef`, LuaJIT's
 * `ffi.cdef`). Declarators always come from `declareC` (src/ir/text.ts); this module
 * decides what to print for each declaration and what each consumer cannot take.
 */
import {declareC} from '../ir/text.js'
import type {Constant, Enum, Field, Function, Header, Struct, TypeExpr} from '../ir/types.js'
import {qualifyTagReferences, referencedTypes, splitTag, walkType} from '../ir/walk.js'
import {BUILTIN_VA_LIST, C_BUILTIN_TYPES, canonicalBuiltin, UNSUPPORTED_TYPES} from './known.js'
import {UnsupportedIrError} from './types.js'

/** Qualifiers both consumers parse; the rest (`restrict`, `_Atomic`, ...) do not change the ABI and are dropped. */
const KEPT_QUALIFIERS = new Set(['const', 'volatile'])

export function cleanType(t: TypeExpr): TypeExpr {
  const q = (list: string[] | undefined): string[] | undefined => {
    const kept = (list ?? []).filter((x) => KEPT_QUALIFIERS.has(x))
    return kept.length > 0 ? kept : undefined
  }
  const strip = <T extends {qualifiers?: string[]}>(o: T): T => {
    const {qualifiers, ...rest} = o
    const kept = q(qualifiers)
    return (kept ? {...rest, qualifiers: kept} : rest) as T
  }
  switch (t.kind) {
    case 'ctype':
      return strip({...t, name: canonicalBuiltin(t.name)})
    case 'pointer':
      return strip({...t, pointee: cleanType(t.pointee)})
    case 'array':
      return {...t, element_type: cleanType(t.element_type)}
    case 'function_pointer':
      return {...t, return_type: cleanType(t.return_type), parameters: t.parameters.map((p) => ({...p, type: cleanType(p.type)}))}
  }
}

export function declare(t: TypeExpr, name: string): string {
  return declareC(cleanType(t), name)
}

/** The IR prepared for C output: tags qualified, and what it uses without declaring. */
export interface CModel {
  header: Header
  /** Typedef names and tags (`struct X`) the IR declares. */
  declared: Set<string>
  /** Names referenced by a struct/typedef with is_typedef or a typedef, and `struct X` tags referenced. */
  referencedTags: Set<string>
  /** Undeclared typedef names used only through pointers, in first-use order: printed as opaque structs. */
  opaque: string[]
  /** Undeclared va_list spellings (an IR without external declarations): each consumer has its own way. */
  vaLists: string[]
  /** Names of records and enums declared with is_typedef (`typedef struct X {...} X;`). */
  typedefRecords: Set<string>
}

const VA_LISTS = new Set(['va_list', '__gnuc_va_list', BUILTIN_VA_LIST])

/**
 * Checks that every type the IR uses is declared in it, known to the consumer
 * (`knows`), or only pointed to; anything else is a refusal of the declaration using it.
 */
export function buildCModel(writer: string, ir: Header, knows: (name: string) => boolean): CModel {
  const header = qualifyTagReferences(ir)
  const declared = new Set<string>()
  const typedefRecords = new Set<string>()
  for (const d of header.declarations) {
    if (d.kind === 'typedef') declared.add(d.name)
    if ((d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum') && d.name) {
      declared.add(`${d.kind} ${d.name}`)
      if (d.is_typedef) {
        declared.add(d.name)
        typedefRecords.add(d.name)
      }
    }
  }
  const referencedTags = new Set<string>()
  const opaque: string[] = []
  const vaLists: string[] = []
  for (const d of header.declarations) {
    for (const ref of referencedTypes(d)) {
      const name = canonicalBuiltin(ref.name)
      if (splitTag(name)) referencedTags.add(name)
      if (UNSUPPORTED_TYPES.test(name)) throw new UnsupportedIrError(writer, declName(d), `type '${name}' has no equivalent in the ${writer} consumer`)
      if (declared.has(name) || C_BUILTIN_TYPES.has(name) || knows(name)) continue
      if (VA_LISTS.has(name)) {
        if (!vaLists.includes(name)) vaLists.push(name)
        continue
      }
      // A tag used only through a pointer needs no declaration in C: it is an incomplete type.
      if (splitTag(name) && !ref.byValue) continue
      if (!ref.byValue) {
        // A typedef name used only through a pointer: an opaque struct is all C needs.
        if (!opaque.includes(name)) opaque.push(name)
        continue
      }
      throw new UnsupportedIrError(writer, declName(d), `type '${name}' is declared neither in the IR (as a project or external declaration) nor known to the ${writer} consumer`)
    }
  }
  return {header, declared, referencedTags, opaque, vaLists, typedefRecords}
}

export function declName(d: {kind: string; name: string | null}): string {
  return d.name ? `${d.kind} '${d.name}'` : `anonymous ${d.kind}`
}

/** Integer value of a constant or enum value (number or decimal string), as C source text; undefined if not an integer. */
export function integerText(value: number | string | null | undefined): string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : undefined
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value
  return undefined
}

export interface StructStyle {
  writer: string
  /** How a packed record is expressed; `undefined` means the writer has no way and throws. */
  packed: 'attribute' | 'ellipsis'
  /** Whether unnamed bitfields (`int : 3;`) are accepted. */
  unnamedBitfields: boolean
}

function fieldLines(s: Struct, style: StructStyle, owner: string, indent: string): string[] {
  const lines: string[] = []
  for (const f of s.fields) lines.push(...fieldLine(f, style, owner, indent))
  return lines
}

function fieldLine(f: Field, style: StructStyle, owner: string, indent: string): string[] {
  if (f.anonymous_struct) {
    const inner = f.anonymous_struct
    const body = fieldLines(inner, style, owner, `${indent}    `)
    const attr = inner.is_packed && style.packed === 'attribute' ? ' __attribute__((packed))' : ''
    if (inner.is_packed && style.packed !== 'attribute') {
      throw new UnsupportedIrError(style.writer, owner, 'a packed anonymous member cannot be expressed')
    }
    // A named member of an unnamed record type may be an array or pointer of it (`struct {...} field_data[7]`).
    const declarator = f.name ? ` ${declare(f.type, f.name).replace(/^(?:(?:const|volatile) )*(?:struct|union)\s*/, '')}` : ''
    return [`${indent}${inner.kind}${attr} {`, ...body, `${indent}}${declarator};`]
  }
  if (f.type.kind === 'function_pointer') throw new UnsupportedIrError(style.writer, owner, `field '${f.name ?? '(unnamed)'}' has a function type (not a pointer to one)`)
  if (f.name === null || f.name === '') {
    if (f.bit_width === undefined) throw new UnsupportedIrError(style.writer, owner, 'an unnamed field that is neither a bitfield nor an anonymous record')
    if (!style.unnamedBitfields) throw new UnsupportedIrError(style.writer, owner, 'an unnamed bitfield')
    return [`${indent}${declare(f.type, '')} : ${f.bit_width};`]
  }
  const decl = declare(f.type, f.name)
  return [`${indent}${decl}${f.bit_width === undefined ? '' : ` : ${f.bit_width}`};`]
}

/**
 * A record definition. `typedef struct X {...} X;` keeps the tag only when something
 * refers to `struct X`; otherwise the C most likely had an anonymous struct, and an
 * API-mode cffi build would look for a tag that does not exist.
 */
export function structToC(s: Struct, model: CModel, style: StructStyle): string {
  const owner = declName(s)
  const tag = `${s.kind} ${s.name}`
  if (s.is_opaque || (s.fields.length === 0 && s.size === undefined)) {
    return s.is_typedef ? `typedef ${tag} ${s.name};` : `${tag};`
  }
  // An explicit alignment, or a packed record that is still aligned (`packed, aligned(8)`), needs both attributes.
  const align = (s.aligned !== undefined || s.is_packed) && s.align !== undefined && s.align > 1 ? s.align : undefined
  // cffi takes no bitfield in a record whose layout it leaves to the compiler (`...;`):
  // those members are left out of the declaration, the rest stays usable.
  const ellipsis = (s.is_packed || align !== undefined) && style.packed === 'ellipsis'
  const dropped = ellipsis ? s.fields.filter((f) => f.bit_width !== undefined || (f.anonymous_struct && hasBitfields(f.anonymous_struct))) : []
  const lines = fieldLines(dropped.length > 0 ? {...s, fields: s.fields.filter((f) => !dropped.includes(f))} : s, style, owner, '    ')
  if (dropped.length > 0) lines.unshift(`    /* left out: ${dropped.map((f) => f.name ?? '(unnamed)').join(', ')} (cffi takes no bitfield in a record laid out by the compiler) */`)
  let open = tag
  let close = '}'
  // An alignment that does not divide the size was given to the typedef
  // (`typedef struct { char c; } T __attribute__((aligned(16)))`: sizeof 1, alignof 16);
  // on the struct it would pad the size to 16, so it stays on the typedef.
  const onTypedef = s.is_typedef && align !== undefined && s.size !== undefined && s.size % align !== 0 && style.packed === 'attribute'
  if (s.is_packed || align !== undefined) {
    if (style.packed === 'attribute') {
      const attrs = [...(s.is_packed ? ['packed'] : []), ...(align !== undefined && !onTypedef ? [`aligned(${align})`] : [])]
      if (attrs.length > 0) open = `${s.kind} __attribute__((${attrs.join(', ')})) ${s.name}`
    } else lines.push('    ...;')
  }
  if (s.is_typedef) {
    const keepTag = model.referencedTags.has(tag)
    open = `typedef ${keepTag ? open : open.replace(/ [^ ]+$/, '')}`
    close = onTypedef ? `} ${s.name} __attribute__((aligned(${align})))` : `} ${s.name}`
  }
  const packedNote = (s.is_packed || align !== undefined) && style.packed === 'ellipsis' ? `/* ${s.is_packed ? 'packed' : 'aligned'}: layout taken from the compiler (API mode) */\n` : ''
  return `${packedNote}${open} {\n${lines.join('\n')}\n${close};`
}

export function enumToC(e: Enum, model: CModel): string {
  const body = e.values.map((v) => {
    const text = integerText(v.value)
    return text === undefined ? `    ${v.name},` : `    ${v.name} = ${text},`
  })
  const tag = e.name ? `enum ${e.name}` : 'enum'
  if (e.is_typedef && e.name) {
    const keepTag = model.referencedTags.has(tag)
    return `typedef ${keepTag ? tag : 'enum'} {\n${body.join('\n')}\n} ${e.name};`
  }
  return `${tag} {\n${body.join('\n')}\n};`
}

export function functionToC(f: Function): string {
  const type: TypeExpr = {kind: 'function_pointer', return_type: f.return_type, parameters: f.parameters, is_variadic: f.is_variadic, no_prototype: f.no_prototype}
  return `${declare(type, f.name)};`
}

/** A typedef, or '' when it only repeats what a typedef'd record already declared. */
export function typedefToC(name: string, underlying: TypeExpr, model: CModel): string {
  if (underlying.kind === 'ctype' && !underlying.qualifiers?.length) {
    if (underlying.name === name) return ''
    // `typedef struct X X;` after `typedef struct X {...} X;`: already declared.
    const tag = splitTag(underlying.name)
    if (tag && tag.name === name && model.typedefRecords.has(name)) return ''
  }
  return `typedef ${declare(underlying, name)};`
}

export function isIntegerConstant(c: Constant): boolean {
  return integerText(c.value) !== undefined && !(c.type && /double|float/.test(c.type.name))
}

/** Names of every CType a type uses (for checks like "contains a by-value record"). */
export function typeNames(t: TypeExpr): string[] {
  const names: string[] = []
  walkType(t, (n) => names.push(n))
  return names
}

/**
 * Names a macro constant would declare a second time (`#define XML_STATUS_ERROR
 * XML_STATUS_ERROR` for the enumerator of that name): LuaJIT and cffi reject the second.
 */
export function ordinaryNames(h: Header): Set<string> {
  const names = new Set<string>()
  for (const d of h.declarations) {
    if (d.kind === 'enum') for (const v of d.values) names.add(v.name)
    else if (d.kind === 'function' || d.kind === 'variable' || d.kind === 'typedef') names.add(d.name)
  }
  return names
}

function hasBitfields(s: Struct): boolean {
  return s.fields.some((f) => f.bit_width !== undefined || (f.anonymous_struct !== undefined && hasBitfields(f.anonymous_struct)))
}
