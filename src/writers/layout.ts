/**
 * Sizes, alignments and integer kinds of IR types, from the IR itself (records carry
 * their size and alignment, enums their size, typedef chains lead to builtins), and
 * the explicit-padding layout a writer falls back to when its consumer lacks a
 * construct: every member placed at the offset the IR gives, gaps filled.
 */
import type {Declaration, Field, Header, Struct, TypeExpr} from '../ir/types.js'
import {splitTag} from '../ir/walk.js'
import {canonicalBuiltin} from './known.js'

export interface Scalar {
  size: number
  align: number
}

export interface IntegerKind {
  size: number
  signed: boolean
}

/** The C data model of a target: ILP32 for 32-bit ones, LP64 otherwise (Linux). */
export function pointerSize(target: string | undefined): number {
  return target && /^(i[3-6]86|arm(?!64)|armv[4-7]|mips(?!64)|powerpc(?!64)|riscv32)/.test(target) ? 4 : 8
}

const INTEGERS: Record<string, {size: number | 'long'; signed: boolean}> = {
  'char': {size: 1, signed: true}, 'signed char': {size: 1, signed: true}, 'unsigned char': {size: 1, signed: false},
  '_Bool': {size: 1, signed: false}, 'bool': {size: 1, signed: false},
  'short': {size: 2, signed: true}, 'unsigned short': {size: 2, signed: false},
  'int': {size: 4, signed: true}, 'unsigned int': {size: 4, signed: false},
  'long': {size: 'long', signed: true}, 'unsigned long': {size: 'long', signed: false},
  'long long': {size: 8, signed: true}, 'unsigned long long': {size: 8, signed: false},
  'int8_t': {size: 1, signed: true}, 'uint8_t': {size: 1, signed: false}, 'int16_t': {size: 2, signed: true}, 'uint16_t': {size: 2, signed: false},
  'int32_t': {size: 4, signed: true}, 'uint32_t': {size: 4, signed: false}, 'int64_t': {size: 8, signed: true}, 'uint64_t': {size: 8, signed: false},
  'size_t': {size: 'long', signed: false}, 'ssize_t': {size: 'long', signed: true}, 'intptr_t': {size: 'long', signed: true}, 'uintptr_t': {size: 'long', signed: false},
  'ptrdiff_t': {size: 'long', signed: true},
}
const FLOATS: Record<string, Scalar> = {'float': {size: 4, align: 4}, 'double': {size: 8, align: 8}, 'long double': {size: 16, align: 16}}

/** Type layout questions answered from one IR. */
export class Layouts {
  private readonly typedefs = new Map<string, TypeExpr>()
  private readonly records = new Map<string, Struct>()
  private readonly enums = new Map<string, Declaration & {kind: 'enum'}>()
  private readonly longSize: number
  /** Plain char's signedness for the target (aarch64: unsigned), from the IR. */
  private readonly charSigned: boolean

  constructor(h: Header, target?: string) {
    this.longSize = pointerSize(target)
    this.charSigned = h.char_signed !== false
    for (const d of h.declarations) {
      if (d.kind === 'typedef' && !this.typedefs.has(d.name)) this.typedefs.set(d.name, d.underlying_type)
      if ((d.kind === 'struct' || d.kind === 'union') && d.name && !d.is_opaque) {
        this.records.set(`${d.kind} ${d.name}`, d)
        if (d.is_typedef) this.records.set(d.name, d)
      }
      if (d.kind === 'enum' && d.name) {
        this.enums.set(`enum ${d.name}`, d)
        if (d.is_typedef) this.enums.set(d.name, d)
      }
    }
  }

  /** The integer kind of a type (through typedefs and enums), or undefined if it is not an integer. */
  integer(t: TypeExpr): IntegerKind | undefined {
    if (t.kind !== 'ctype') return undefined
    const name = canonicalBuiltin(t.name)
    if (name === 'char') return {size: 1, signed: this.charSigned}
    const int = INTEGERS[name]
    if (int && !this.typedefs.has(name)) return {size: int.size === 'long' ? this.longSize : int.size, signed: int.signed}
    const underlying = this.typedefs.get(name)
    if (underlying) return this.integer(underlying)
    const e = this.enums.get(name)
    if (e) return this.integer(e.integer_type ?? {kind: 'ctype', name: 'unsigned int'}) ?? {size: e.size ?? 4, signed: false}
    if (int) return {size: int.size === 'long' ? this.longSize : int.size, signed: int.signed}
    return undefined
  }

  /** Size and alignment of a type in bytes, when the IR says. */
  scalar(t: TypeExpr): Scalar | undefined {
    switch (t.kind) {
      case 'pointer':
        return {size: this.longSize, align: this.longSize}
      case 'function_pointer':
        return undefined
      case 'array': {
        const n = t.size === undefined ? 0 : Number(t.size)
        const e = this.scalar(t.element_type)
        return e && Number.isInteger(n) ? {size: e.size * n, align: e.align} : undefined
      }
      case 'ctype': {
        const name = canonicalBuiltin(t.name)
        const int = this.integer(t)
        if (int) return {size: int.size, align: int.size}
        if (FLOATS[name]) return FLOATS[name]
        const underlying = this.typedefs.get(name)
        if (underlying) return this.scalar(underlying)
        const r = this.records.get(name)
        if (r && r.size !== undefined && r.align !== undefined) return {size: r.size, align: r.align}
        if (splitTag(name)?.tag === 'enum') return {size: 4, align: 4}
        return undefined
      }
    }
  }
}

/** A member as a layout places it: where it starts, and how many bits it takes. */
export interface Placed {
  field: Field
  offsetBits: number
  bits: number
}

/**
 * The members of a struct with their bit positions and extents, in order; zero-width
 * bitfields (which only move the next member, already reflected in its offset) are
 * dropped. Undefined when a member's offset or size is unknown.
 */
export function placeFields(s: Struct, layouts: Layouts): Placed[] | undefined {
  const out: Placed[] = []
  for (const f of s.fields) {
    if (f.bit_width === 0) continue
    if (f.offset_bits === undefined) return undefined
    let bits: number
    if (f.bit_width !== undefined) bits = f.bit_width
    else if (f.anonymous_struct && f.type.kind === 'ctype') {
      if (f.anonymous_struct.size === undefined) return undefined
      bits = f.anonymous_struct.size * 8
    } else {
      const anon = f.anonymous_struct
      const size = anon ? (f.type.kind === 'pointer' ? layouts.scalar(f.type)?.size : arrayOf(f.type, anon.size)) : layouts.scalar(f.type)?.size
      if (size === undefined) return undefined
      bits = size * 8
    }
    out.push({field: f, offsetBits: f.offset_bits, bits})
  }
  return out
}

/** Size of an array (or pointer) of an anonymous record of `elementSize` bytes. */
function arrayOf(t: TypeExpr, elementSize: number | undefined): number | undefined {
  if (t.kind !== 'array' || elementSize === undefined) return undefined
  const n = t.size === undefined ? 0 : Number(t.size)
  if (!Number.isInteger(n)) return undefined
  const inner = t.element_type.kind === 'array' ? arrayOf(t.element_type, elementSize) : elementSize
  return inner === undefined ? undefined : inner * n
}

/**
 * A struct with the same size, alignment, member offsets and bitfield bits as `s`,
 * for a consumer that lays bitfields out by GCC's rules but takes none wider than 32
 * bits nor of a 64-bit type (LuaJIT). Bitfields become `uint32_t`/`int32_t` fields at
 * their exact bit, reached with unnamed padding bitfields; one that crosses a 32-bit
 * boundary (every one wider than 32 bits does) is split there into `<name>_lo` (the
 * low bits, unsigned) and `<name>_hi`. Other members stay as they are. Undefined for a
 * union, a packed record (LuaJIT cannot access bitfields of packed records), or when
 * the IR lacks an offset or size.
 */
export function wordBitfields(s: Struct, layouts: Layouts): Struct | undefined {
  if (s.kind !== 'struct' || s.size === undefined || s.is_packed) return undefined
  const placed = placeFields(s, layouts)
  if (!placed) return undefined
  const word = (signed: boolean): TypeExpr => ({kind: 'ctype', name: signed ? 'int32_t' : 'uint32_t'})
  const fields: Field[] = []
  let pos = 0
  let inRun = false
  for (const p of placed) {
    const f = p.field
    if (f.bit_width === undefined) {
      fields.push(withoutOffset(f))
      pos = p.offsetBits + p.bits
      inRun = false
      continue
    }
    const int = layouts.integer(f.type)
    if (!int) return undefined
    // Where GCC puts the next 32-bit bitfield: here if it stays inside one word, else at the next word.
    if (!inRun) pos = Math.ceil(pos / 8) * 8
    while (pos < p.offsetBits) {
      const w = Math.min(p.offsetBits - pos, 32 - (pos % 32))
      fields.push({name: null, type: word(false), bit_width: w})
      pos += w
    }
    if (pos !== p.offsetBits) return undefined
    const end = p.offsetBits + p.bits
    const boundary = (Math.floor(p.offsetBits / 32) + 1) * 32
    if (end <= boundary) fields.push({name: f.name, type: word(int.signed), bit_width: p.bits})
    else {
      if (end - boundary > 32) return undefined
      const name = f.name ?? '__bits'
      fields.push({name: `${name}_lo`, type: word(false), bit_width: boundary - p.offsetBits}, {name: `${name}_hi`, type: word(int.signed), bit_width: end - boundary})
    }
    pos = end
    inRun = true
  }
  const out: Struct = {...s, fields}
  if (s.align !== undefined && s.align > 1) out.aligned = s.align
  return out
}

function withoutOffset(f: Field): Field {
  const copy = {...f}
  delete copy.offset_bits
  return copy
}

/**
 * Whether C's rules applied to the members' own types (no attributes) give the
 * offsets, size and alignment the IR records; true when the IR cannot tell. False
 * means an attribute on a member or the record moved something (`aligned(16)` on a
 * member), which a consumer that reads no such attribute must be told explicitly.
 */
export function naturalLayoutMatches(s: Struct, layouts: Layouts): boolean {
  if (s.size === undefined || s.fields.some((f) => f.bit_width !== undefined || f.offset_bits === undefined)) return true
  let pos = 0
  let maxAlign = 1
  for (const f of s.fields) {
    const scalar = f.anonymous_struct ? (f.anonymous_struct.size !== undefined && f.anonymous_struct.align !== undefined && f.type.kind === 'ctype' ? {size: f.anonymous_struct.size, align: f.anonymous_struct.align} : undefined) : layouts.scalar(f.type)
    if (!scalar) return true
    const at = s.kind === 'union' || s.is_packed ? (s.kind === 'union' ? 0 : pos) : Math.ceil(pos / scalar.align) * scalar.align
    if (at * 8 !== f.offset_bits) return false
    pos = s.kind === 'union' ? Math.max(pos, scalar.size) : at + scalar.size
    maxAlign = Math.max(maxAlign, s.is_packed ? 1 : scalar.align)
  }
  return Math.ceil(pos / maxAlign) * maxAlign === s.size && (s.align === undefined || s.align === maxAlign)
}

/**
 * A packed struct with the record's alignment and explicit byte padding, so every
 * member sits at the IR's offset whatever attributes placed it there. Undefined for a
 * union, a record with bitfields, or one whose layout the IR does not give completely.
 */
export function paddedEquivalent(s: Struct, layouts: Layouts): Struct | undefined {
  if (s.kind !== 'struct' || s.size === undefined) return undefined
  const placed = placeFields(s, layouts)
  if (!placed || placed.some((p) => p.field.bit_width !== undefined || p.offsetBits % 8 !== 0)) return undefined
  const fields: Field[] = []
  let pos = 0
  let pads = 0
  const pad = (to: number): void => {
    if (to > pos) fields.push({name: `__pad${pads++}`, type: {kind: 'array', element_type: {kind: 'ctype', name: 'unsigned char'}, size: to - pos}})
  }
  for (const p of placed) {
    pad(p.offsetBits / 8)
    fields.push(withoutOffset(p.field))
    pos = (p.offsetBits + p.bits) / 8
  }
  pad(s.size)
  const out: Struct = {...s, fields, is_packed: true}
  if (s.align !== undefined && s.align > 1) out.aligned = s.align
  return out
}

/**
 * A packed struct with bitfields, for LuaJIT, which declares such a record but cannot
 * access its bitfields: each run of bitfields becomes an unnamed, unpacked struct of
 * `uint8_t` bitfields at the run's byte, where LuaJIT can reach them. A bitfield that
 * crosses a byte is split at the byte boundaries into `<name>_0`, `<name>_1`, … (low bits
 * first; the value is their sum, each shifted by the widths before it). Members keep the
 * IR's offsets, with explicit padding. Undefined for a union or an incomplete layout.
 */
export function byteBitfields(s: Struct, layouts: Layouts): Struct | undefined {
  if (s.kind !== 'struct' || s.size === undefined) return undefined
  const placed = placeFields(s, layouts)
  if (!placed) return undefined
  const byte = (signed: boolean): TypeExpr => ({kind: 'ctype', name: signed ? 'int8_t' : 'uint8_t'})
  const fields: Field[] = []
  let pos = 0
  let pads = 0
  const pad = (toByte: number): void => {
    if (toByte * 8 > pos) fields.push({name: `__pad${pads++}`, type: {kind: 'array', element_type: byte(false), size: toByte - pos / 8}})
    pos = Math.max(pos, toByte * 8)
  }
  for (let i = 0; i < placed.length;) {
    const p = placed[i]!
    if (p.field.bit_width === undefined) {
      if (p.offsetBits % 8 !== 0 || p.offsetBits < pos) return undefined
      pad(p.offsetBits / 8)
      fields.push(withoutOffset(p.field))
      pos = p.offsetBits + p.bits
      i++
      continue
    }
    const start = Math.floor(p.offsetBits / 8)
    if (start * 8 < pos) return undefined
    pad(start)
    const inner: Field[] = []
    let bit = start * 8
    for (; i < placed.length && placed[i]!.field.bit_width !== undefined; i++) {
      const q = placed[i]!
      const int = layouts.integer(q.field.type)
      if (!int) return undefined
      while (bit < q.offsetBits) {
        const w = Math.min(q.offsetBits - bit, 8 - (bit % 8))
        inner.push({name: null, type: byte(false), bit_width: w})
        bit += w
      }
      const parts: number[] = []
      for (let at = q.offsetBits, left = q.bits; left > 0;) {
        const w = Math.min(left, 8 - (at % 8))
        parts.push(w)
        at += w
        left -= w
      }
      parts.forEach((w, k) => {
        const last = k === parts.length - 1
        const name = parts.length === 1 ? q.field.name : `${q.field.name ?? '__bits'}_${k}`
        inner.push({name, type: byte(last && int.signed), bit_width: w})
      })
      bit = q.offsetBits + q.bits
    }
    const end = Math.ceil(bit / 8)
    fields.push({name: null, type: {kind: 'ctype', name: 'struct'}, anonymous_struct: {kind: 'struct', name: null, fields: inner, size: end - start, align: 1}})
    pos = end * 8
  }
  pad(s.size)
  const out: Struct = {...s, fields, is_packed: true}
  if (s.align !== undefined && s.align > 1) out.aligned = s.align
  return out
}
