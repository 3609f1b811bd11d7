/**
 * IR <-> JSON. `headerToJson` gives the original's key order (reference 7.2: fixed
 * keys first, optional keys only when set), which the json writer prints; the store
 * re-sorts keys canonically. `headerFromJson` validates as it reads, so a damaged or
 * foreign `ir.json` is an error naming the JSON path, never a half-built IR.
 */
import {HeaderkitError} from '../errors.js'
import type {
  ArrayType, Constant, CType, Declaration, Enum, EnumValue, Field, Function, FunctionPointer,
  Header, Parameter, Pointer, SourceLocation, Struct, Typedef, TypeExpr, Variable,
} from './types.js'

export class IrFormatError extends HeaderkitError {
  constructor(path: string, message: string) {
    super('E_IR_FORMAT', `invalid IR at ${path}: ${message}`)
  }
}

type Json = {[key: string]: unknown}

// ---------------------------------------------------------------- to JSON

function set<T>(out: Json, key: string, value: T | undefined | null, keep: (v: T) => boolean = () => true): void {
  if (value !== undefined && value !== null && keep(value)) out[key] = value
}
const nonEmpty = (v: unknown[]): boolean => v.length > 0
const isTrue = (v: boolean): boolean => v

export function typeToJson(t: TypeExpr): Json {
  switch (t.kind) {
    case 'ctype': {
      const out: Json = {kind: 'ctype', name: t.name}
      set(out, 'qualifiers', t.qualifiers, nonEmpty)
      return out
    }
    case 'pointer': {
      const out: Json = {kind: 'pointer', pointee: typeToJson(t.pointee)}
      set(out, 'qualifiers', t.qualifiers, nonEmpty)
      return out
    }
    case 'array': {
      const out: Json = {kind: 'array', element_type: typeToJson(t.element_type)}
      set(out, 'size', t.size)
      return out
    }
    case 'function_pointer': {
      const out: Json = {kind: 'function_pointer', return_type: typeToJson(t.return_type), parameters: t.parameters.map(parameterToJson), is_variadic: t.is_variadic}
      set(out, 'calling_convention', t.calling_convention)
      set(out, 'no_prototype', t.no_prototype, isTrue)
      return out
    }
  }
}

function parameterToJson(p: Parameter): Json {
  const out: Json = {type: typeToJson(p.type)}
  if (p.name) out.name = p.name
  return out
}

function locationToJson(l: SourceLocation): Json {
  const out: Json = {file: l.file, line: l.line}
  set(out, 'column', l.column)
  return out
}

function fieldToJson(f: Field): Json {
  const out: Json = {name: f.name, type: typeToJson(f.type)}
  set(out, 'bit_width', f.bit_width)
  if (f.anonymous_struct) out.anonymous_struct = structToJson(f.anonymous_struct)
  set(out, 'offset_bits', f.offset_bits)
  return out
}

function structToJson(s: Struct): Json {
  const out: Json = {kind: s.kind, name: s.name, fields: s.fields.map(fieldToJson)}
  set(out, 'is_typedef', s.is_typedef, isTrue)
  set(out, 'is_packed', s.is_packed, isTrue)
  set(out, 'is_opaque', s.is_opaque, isTrue)
  set(out, 'size', s.size)
  set(out, 'align', s.align)
  set(out, 'aligned', s.aligned)
  if (s.location) out.location = locationToJson(s.location)
  set(out, 'external_header', s.external_header)
  return out
}

export function declarationToJson(d: Declaration): Json {
  switch (d.kind) {
    case 'struct':
    case 'union':
      return structToJson(d)
    case 'enum': {
      const out: Json = {kind: 'enum', name: d.name, values: d.values.map((v) => {
        const value: Json = {name: v.name}
        set(value, 'value', v.value)
        return value
      })}
      set(out, 'is_typedef', d.is_typedef, isTrue)
      if (d.integer_type) out.integer_type = typeToJson(d.integer_type)
      set(out, 'size', d.size)
      if (d.location) out.location = locationToJson(d.location)
      set(out, 'external_header', d.external_header)
      return out
    }
    case 'function': {
      const out: Json = {kind: 'function', name: d.name, return_type: typeToJson(d.return_type), parameters: d.parameters.map(parameterToJson), is_variadic: d.is_variadic}
      set(out, 'calling_convention', d.calling_convention)
      set(out, 'no_prototype', d.no_prototype, isTrue)
      set(out, 'is_deprecated', d.is_deprecated, isTrue)
      set(out, 'is_noreturn', d.is_noreturn, isTrue)
      if (d.location) out.location = locationToJson(d.location)
      return out
    }
    case 'typedef': {
      const out: Json = {kind: 'typedef', name: d.name, underlying_type: typeToJson(d.underlying_type)}
      if (d.location) out.location = locationToJson(d.location)
      set(out, 'external_header', d.external_header)
      return out
    }
    case 'variable': {
      const out: Json = {kind: 'variable', name: d.name, type: typeToJson(d.type)}
      if (d.location) out.location = locationToJson(d.location)
      return out
    }
    case 'constant': {
      const out: Json = {kind: 'constant', name: d.name}
      set(out, 'value', d.value)
      set(out, 'is_macro', d.is_macro, isTrue)
      if (d.type) out.type = typeToJson(d.type)
      if (d.location) out.location = locationToJson(d.location)
      return out
    }
  }
}

/** The IR as a JSON object in the original's key order. */
export function headerToJson(h: Header): Json {
  const out: Json = {path: h.path, declarations: h.declarations.map(declarationToJson)}
  if (h.included_headers && h.included_headers.length > 0) out.included_headers = [...h.included_headers].sort()
  if (h.char_signed !== undefined) out.char_signed = h.char_signed
  return out
}

// ---------------------------------------------------------------- from JSON

function obj(v: unknown, path: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new IrFormatError(path, `expected an object, got ${describe(v)}`)
  return v as Json
}
function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new IrFormatError(path, `expected an array, got ${describe(v)}`)
  return v
}
function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new IrFormatError(path, `expected a string, got ${describe(v)}`)
  return v
}
function optStr(v: unknown, path: string): string | undefined {
  return v === undefined ? undefined : str(v, path)
}
function nullableStr(v: unknown, path: string): string | null {
  return v === null || v === undefined ? null : str(v, path)
}
function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new IrFormatError(path, `expected true or false, got ${describe(v)}`)
  return v
}
function optBool(v: unknown, path: string): boolean | undefined {
  return v === undefined ? undefined : bool(v, path)
}
function optInt(v: unknown, path: string): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new IrFormatError(path, `expected an integer, got ${describe(v)}`)
  return v
}
function optStrList(v: unknown, path: string): string[] | undefined {
  return v === undefined ? undefined : arr(v, path).map((s, i) => str(s, `${path}[${i}]`))
}
function scalarValue(v: unknown, path: string): number | string | null | undefined {
  if (v === undefined || v === null || typeof v === 'string') return v
  if (typeof v === 'number' && Number.isFinite(v)) return v
  throw new IrFormatError(path, `expected a number, string or null, got ${describe(v)}`)
}
function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`
}

/** Assigns only the keys whose value is defined, so a round trip adds no `undefined` keys. */
function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key]
  return value
}

export function typeFromJson(v: unknown, path: string): TypeExpr {
  const o = obj(v, path)
  switch (o.kind) {
    case 'ctype':
      return defined<CType>({kind: 'ctype', name: str(o.name, `${path}.name`), qualifiers: optStrList(o.qualifiers, `${path}.qualifiers`)})
    case 'pointer':
      return defined<Pointer>({kind: 'pointer', pointee: typeFromJson(o.pointee, `${path}.pointee`), qualifiers: optStrList(o.qualifiers, `${path}.qualifiers`)})
    case 'array': {
      const rawSize = o.size === undefined || o.size === null ? undefined : scalarValue(o.size, `${path}.size`)
      const size = rawSize === null ? undefined : rawSize
      return defined<ArrayType>({kind: 'array', element_type: typeFromJson(o.element_type, `${path}.element_type`), size})
    }
    case 'function_pointer':
      return defined<FunctionPointer>({
        kind: 'function_pointer',
        return_type: typeFromJson(o.return_type, `${path}.return_type`),
        parameters: arr(o.parameters ?? [], `${path}.parameters`).map((p, i) => parameterFromJson(p, `${path}.parameters[${i}]`)),
        is_variadic: o.is_variadic === undefined ? false : bool(o.is_variadic, `${path}.is_variadic`),
        calling_convention: optStr(o.calling_convention, `${path}.calling_convention`),
        no_prototype: optBool(o.no_prototype, `${path}.no_prototype`),
      })
    default:
      throw new IrFormatError(`${path}.kind`, `unknown type kind ${JSON.stringify(o.kind)}`)
  }
}

function parameterFromJson(v: unknown, path: string): Parameter {
  const o = obj(v, path)
  const name = nullableStr(o.name, `${path}.name`)
  return name ? {name, type: typeFromJson(o.type, `${path}.type`)} : {type: typeFromJson(o.type, `${path}.type`)}
}

function locationFromJson(v: unknown, path: string): SourceLocation | undefined {
  if (v === undefined) return undefined
  const o = obj(v, path)
  const line = optInt(o.line, `${path}.line`)
  if (line === undefined) throw new IrFormatError(`${path}.line`, 'missing')
  return defined<SourceLocation>({file: str(o.file, `${path}.file`), line, column: optInt(o.column, `${path}.column`)})
}

function fieldFromJson(v: unknown, path: string): Field {
  const o = obj(v, path)
  return defined<Field>({
    name: nullableStr(o.name, `${path}.name`),
    type: typeFromJson(o.type, `${path}.type`),
    bit_width: optInt(o.bit_width, `${path}.bit_width`),
    anonymous_struct: o.anonymous_struct === undefined ? undefined : structFromJson(o.anonymous_struct, `${path}.anonymous_struct`),
    offset_bits: optInt(o.offset_bits, `${path}.offset_bits`),
  })
}

function structFromJson(v: unknown, path: string): Struct {
  const o = obj(v, path)
  if (o.kind !== 'struct' && o.kind !== 'union') throw new IrFormatError(`${path}.kind`, `expected "struct" or "union", got ${describe(o.kind)}`)
  return defined<Struct>({
    kind: o.kind,
    name: nullableStr(o.name, `${path}.name`),
    fields: arr(o.fields ?? [], `${path}.fields`).map((f, i) => fieldFromJson(f, `${path}.fields[${i}]`)),
    is_typedef: optBool(o.is_typedef, `${path}.is_typedef`),
    is_packed: optBool(o.is_packed, `${path}.is_packed`),
    is_opaque: optBool(o.is_opaque, `${path}.is_opaque`),
    size: optInt(o.size, `${path}.size`),
    align: optInt(o.align, `${path}.align`),
    aligned: optInt(o.aligned, `${path}.aligned`),
    location: locationFromJson(o.location, `${path}.location`),
    external_header: optStr(o.external_header, `${path}.external_header`),
  })
}

export function declarationFromJson(v: unknown, path: string): Declaration {
  const o = obj(v, path)
  const location = locationFromJson(o.location, `${path}.location`)
  switch (o.kind) {
    case 'struct':
    case 'union':
      return structFromJson(o, path)
    case 'enum': {
      const integerType = o.integer_type === undefined ? undefined : typeFromJson(o.integer_type, `${path}.integer_type`)
      if (integerType && integerType.kind !== 'ctype') throw new IrFormatError(`${path}.integer_type`, 'expected a ctype')
      return defined<Enum>({
        kind: 'enum',
        name: nullableStr(o.name, `${path}.name`),
        values: arr(o.values ?? [], `${path}.values`).map((ev, i): EnumValue => {
          const e = obj(ev, `${path}.values[${i}]`)
          return defined<EnumValue>({name: str(e.name, `${path}.values[${i}].name`), value: scalarValue(e.value, `${path}.values[${i}].value`)})
        }),
        is_typedef: optBool(o.is_typedef, `${path}.is_typedef`),
        integer_type: integerType,
        size: optInt(o.size, `${path}.size`),
        location,
        external_header: optStr(o.external_header, `${path}.external_header`),
      })
    }
    case 'function':
      return defined<Function>({
        kind: 'function',
        name: str(o.name, `${path}.name`),
        return_type: typeFromJson(o.return_type, `${path}.return_type`),
        parameters: arr(o.parameters ?? [], `${path}.parameters`).map((p, i) => parameterFromJson(p, `${path}.parameters[${i}]`)),
        is_variadic: o.is_variadic === undefined ? false : bool(o.is_variadic, `${path}.is_variadic`),
        calling_convention: optStr(o.calling_convention, `${path}.calling_convention`),
        no_prototype: optBool(o.no_prototype, `${path}.no_prototype`),
        is_deprecated: optBool(o.is_deprecated, `${path}.is_deprecated`),
        is_noreturn: optBool(o.is_noreturn, `${path}.is_noreturn`),
        location,
      })
    case 'typedef':
      return defined<Typedef>({kind: 'typedef', name: str(o.name, `${path}.name`), underlying_type: typeFromJson(o.underlying_type, `${path}.underlying_type`), location, external_header: optStr(o.external_header, `${path}.external_header`)})
    case 'variable':
      return defined<Variable>({kind: 'variable', name: str(o.name, `${path}.name`), type: typeFromJson(o.type, `${path}.type`), location})
    case 'constant': {
      const type = o.type === undefined ? undefined : typeFromJson(o.type, `${path}.type`)
      if (type && type.kind !== 'ctype') throw new IrFormatError(`${path}.type`, 'expected a ctype')
      return defined<Constant>({
        kind: 'constant',
        name: str(o.name, `${path}.name`),
        value: scalarValue(o.value, `${path}.value`),
        is_macro: optBool(o.is_macro, `${path}.is_macro`),
        type: type,
        location,
      })
    }
    default:
      throw new IrFormatError(`${path}.kind`, `unknown declaration kind ${JSON.stringify(o.kind)}`)
  }
}

/** Reads an IR object (already parsed JSON, or JSON text), validating every node. */
export function headerFromJson(input: unknown): Header {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch (error) {
      throw new IrFormatError('$', `not JSON (${(error as Error).message})`)
    }
  }
  const o = obj(value, '$')
  const header: Header = {
    path: str(o.path, '$.path'),
    declarations: arr(o.declarations, '$.declarations').map((d, i) => declarationFromJson(d, `$.declarations[${i}]`)),
  }
  const included = optStrList(o.included_headers, '$.included_headers')
  if (included && included.length > 0) header.included_headers = included
  if (o.char_signed !== undefined) {
    if (typeof o.char_signed !== 'boolean') throw new IrFormatError('$.char_signed', `expected a boolean, got ${describe(o.char_signed)}`)
    header.char_signed = o.char_signed
  }
  return header
}
