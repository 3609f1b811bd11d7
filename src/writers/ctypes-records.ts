/**
 * `_fields_` of ctypes records. A record whose layout ctypes reproduces by itself
 * (natural alignment, no bitfields, not packed) is written plainly. Any other —
 * bitfields (zero-width and unnamed ones included, of any integer type), packing,
 * explicit alignment, a member record laid out that way — is written with
 * `_pack_ = 1` and every member at the offset the IR gives: byte padding between
 * members, and each run of bitfields in storage units chosen so that every bitfield
 * lands on its bit, separated by zero-length arrays so ctypes never merges two units.
 * This relies on CPython's ctypes (before 3.14) GCC-mode rules: a bitfield continues
 * the open unit when it fits and has the unit's size, and any other member closes it.
 */
import type {Field, Struct, TypeExpr} from '../ir/types.js'
import {Layouts, placeFields, type Placed} from './layout.js'

export interface CtypesTypeWriter {
  /** The ctypes expression of a type. */
  type(t: TypeExpr): string
  fail(what: string): never
}

export interface RecordText {
  lines: string[]
  /** The alignment ctypes gives the class (1 for a record written with `_pack_ = 1`). */
  align: number
}

const SCALAR_SIZES: Record<string, number> = {
  'ctypes.c_char': 1, 'ctypes.c_byte': 1, 'ctypes.c_ubyte': 1, 'ctypes.c_bool': 1, 'ctypes.c_int8': 1, 'ctypes.c_uint8': 1,
  'ctypes.c_short': 2, 'ctypes.c_ushort': 2, 'ctypes.c_int16': 2, 'ctypes.c_uint16': 2,
  'ctypes.c_int': 4, 'ctypes.c_uint': 4, 'ctypes.c_int32': 4, 'ctypes.c_uint32': 4, 'ctypes.c_float': 4, 'ctypes.c_wchar': 4,
  'ctypes.c_long': 8, 'ctypes.c_ulong': 8, 'ctypes.c_longlong': 8, 'ctypes.c_ulonglong': 8, 'ctypes.c_int64': 8, 'ctypes.c_uint64': 8,
  'ctypes.c_size_t': 8, 'ctypes.c_ssize_t': 8, 'ctypes.c_double': 8, 'ctypes.c_longdouble': 16,
  'ctypes.c_void_p': 8, 'ctypes.c_char_p': 8, 'ctypes.c_wchar_p': 8,
}

/** Integer types ctypes takes as bitfields, by size. */
const SIGNED: Record<number, string> = {1: 'ctypes.c_int8', 2: 'ctypes.c_int16', 4: 'ctypes.c_int32', 8: 'ctypes.c_int64'}
const UNSIGNED: Record<number, string> = {1: 'ctypes.c_uint8', 2: 'ctypes.c_uint16', 4: 'ctypes.c_uint32', 8: 'ctypes.c_uint64'}
const BITFIELD_TYPES = new Set([...Object.values(SIGNED), ...Object.values(UNSIGNED), 'ctypes.c_short', 'ctypes.c_ushort', 'ctypes.c_int', 'ctypes.c_uint',
  'ctypes.c_long', 'ctypes.c_ulong', 'ctypes.c_longlong', 'ctypes.c_ulonglong', 'ctypes.c_byte', 'ctypes.c_ubyte'])

export function pyString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** The alignment ctypes gives a type expression, from the alignments of the classes already written. */
function alignOfExpr(expr: string, classes: Map<string, number>, pointer: number): number | undefined {
  let e = expr
  for (let m = /^\((.*) \* \d+\)$/.exec(e); m; m = /^\((.*) \* \d+\)$/.exec(e)) e = m[1]!
  if (e.startsWith('ctypes.POINTER(') || e.startsWith('ctypes.CFUNCTYPE(')) return pointer
  const size = SCALAR_SIZES[e]
  if (size !== undefined) return Math.min(size, e.endsWith('_p') ? pointer : size)
  return classes.get(e)
}

interface Member {
  /** The IR field (offsets and placement are looked up by it). */
  field: Field
  /** The Python name: a helper name for an unnamed anonymous member, null for an unnamed bitfield. */
  name: string | null
  expr: string
}

/**
 * The `_fields_` (and helper classes for anonymous members) of `s` as class `pyName`.
 * `classes` holds the ctypes alignment of every record class written so far, and
 * gets this one's.
 */
export function recordDefinition(s: Struct, pyName: string, em: CtypesTypeWriter, layouts: Layouts, classes: Map<string, number>, pointer = 8): RecordText {
  const lines: string[] = []
  const anonymous: string[] = []
  const members: Member[] = []
  s.fields.forEach((f, i) => {
    if (f.anonymous_struct) {
      const helper = `_${pyName}_anon${i}`
      const inner = f.anonymous_struct
      lines.push(`class ${helper}(ctypes.${inner.kind === 'union' ? 'Union' : 'Structure'}):`, '    pass', '')
      lines.push(...recordDefinition(inner, helper, em, layouts, classes, pointer).lines, '')
      const field = f.name ?? `_anon${i}`
      if (!f.name) anonymous.push(field)
      members.push({field: f, name: field, expr: wrap(f.type, helper, em)})
      return
    }
    if (f.bit_width !== undefined) {
      members.push({field: f, name: f.name, expr: bitfieldType(f, layouts, em)})
      return
    }
    members.push({field: f, name: f.name, expr: em.type(f.type)})
  })
  const natural = naturalLayout(s, members, layouts, classes, pointer)
  let entries: string[]
  let align: number
  let pack = false
  const splits: Split[] = []
  if (natural !== undefined) {
    entries = members.map((m) => entry(m))
    align = natural
  } else if (s.fields.some((f) => f.offset_bits === undefined && f.bit_width !== 0)) {
    entries = simulatedLayout(s, members, layouts)
    align = s.is_packed ? 1 : Math.max(1, ...members.map((m) => alignOfExpr(m.expr, classes, pointer) ?? 1))
    pack = !!s.is_packed
  } else {
    const exact = exactLayout(s, members, layouts, splits)
    if (!exact) em.fail(`its bitfields cannot be placed in ctypes storage units at the offsets the IR gives`)
    entries = exact
    align = 1
    pack = true
  }
  if (pack) lines.push(`${pyName}._pack_ = 1`)
  if (anonymous.length > 0) lines.push(`${pyName}._anonymous_ = (${anonymous.map(pyString).join(', ')}${anonymous.length === 1 ? ',' : ''})`)
  lines.push(`${pyName}._fields_ = [`, ...entries.map((e) => `    ${e},`), ']')
  for (const {name, loBits} of splits) {
    // GCC's storage unit was wider than ctypes can have here: the value is two bitfields, one property.
    const mask = `0x${((1n << BigInt(loBits)) - 1n).toString(16)}`
    const lo = pyString(`${name}_lo`)
    const hi = pyString(`${name}_hi`)
    lines.push(`setattr(${pyName}, ${pyString(name)}, property(lambda self: getattr(self, ${lo}) | (getattr(self, ${hi}) << ${loBits}), lambda self, value: (setattr(self, ${lo}, value & ${mask}), setattr(self, ${hi}, value >> ${loBits})) and None))`)
  }
  classes.set(pyName, align)
  return {lines, align}
}

function entry(m: Member, name = m.name ?? '_pad', width = m.field.bit_width): string {
  return width === undefined ? `(${pyString(name)}, ${m.expr})` : `(${pyString(name)}, ${m.expr}, ${width})`
}

/** The type of an anonymous member: its helper class, as an array or pointer when the member is one. */
function wrap(t: TypeExpr, helper: string, em: CtypesTypeWriter): string {
  switch (t.kind) {
    case 'array':
      return `(${wrap(t.element_type, helper, em)} * ${t.size === undefined ? 0 : Number(t.size)})`
    case 'pointer':
      return `ctypes.POINTER(${wrap(t.pointee, helper, em)})`
    default:
      return helper
  }
}

function bitfieldType(f: Field, layouts: Layouts, em: CtypesTypeWriter): string {
  const int = layouts.integer(f.type)
  if (!int) em.fail(`bitfield '${f.name ?? '(unnamed)'}' is not of an integer type`)
  const own = em.type(f.type)
  return BITFIELD_TYPES.has(own) && SCALAR_SIZES[own] === int.size ? own : (int.signed ? SIGNED : UNSIGNED)[int.size]!
}

/**
 * The alignment of the class when ctypes, laying the members out by itself, puts
 * every one where the IR says and gives the IR's size; undefined otherwise.
 */
function naturalLayout(s: Struct, members: Member[], layouts: Layouts, classes: Map<string, number>, pointer: number): number | undefined {
  if (s.is_packed || members.some((m) => m.field.bit_width !== undefined)) return undefined
  let pos = 0
  let maxAlign = 1
  for (const m of members) {
    const f = m.field
    const align = alignOfExpr(m.expr, classes, pointer)
    const size = f.anonymous_struct ? (f.type.kind === 'pointer' ? pointer : sizeOfAnon(f)) : layouts.scalar(f.type)?.size
    // Without sizes the IR cannot be checked against; ctypes' own layout is then all there is.
    if (align === undefined || size === undefined || f.offset_bits === undefined || s.size === undefined) return maxAlign
    const at = s.kind === 'union' ? 0 : Math.ceil(pos / align) * align
    if (at * 8 !== f.offset_bits) return undefined
    pos = s.kind === 'union' ? Math.max(pos, size) : at + size
    maxAlign = Math.max(maxAlign, align)
  }
  const size = Math.ceil(pos / maxAlign) * maxAlign
  if (s.size !== undefined && size !== s.size) return undefined
  return maxAlign
}

function sizeOfAnon(f: Field): number | undefined {
  const inner = f.anonymous_struct?.size
  if (inner === undefined) return undefined
  let t = f.type
  let n = 1
  while (t.kind === 'array') {
    n *= t.size === undefined ? 0 : Number(t.size)
    t = t.element_type
  }
  return t.kind === 'ctype' ? inner * n : undefined
}

/** Members at the IR's offsets with explicit padding (see the module comment); undefined when a bitfield cannot be placed. */
function exactLayout(s: Struct, members: Member[], layouts: Layouts, splits: Split[]): string[] | undefined {
  if (s.kind === 'union') return exactUnion(s, members)
  const placed = placeFields(s, layouts)
  if (!placed || s.size === undefined) return undefined
  const byField = new Map(members.map((m) => [m.field, m]))
  const memberOf = (p: Placed): Member => byField.get(p.field)!
  const entries: string[] = []
  let pads = 0
  let pos = 0
  let openUnit = false
  const pad = (to: number): void => {
    if (to > pos) entries.push(`(${pyString(`_pad${pads++}`)}, (ctypes.c_ubyte * ${to - pos}))`)
    else if (openUnit) entries.push(`(${pyString(`_pad${pads++}`)}, (ctypes.c_ubyte * 0))`)
    pos = Math.max(pos, to)
    openUnit = false
  }
  for (let i = 0; i < placed.length;) {
    const p = placed[i]!
    if (p.field.bit_width === undefined) {
      if (p.offsetBits % 8 !== 0) return undefined
      pad(p.offsetBits / 8)
      entries.push(entry(memberOf(p)))
      pos = (p.offsetBits + p.bits) / 8
      i++
      continue
    }
    let j = i
    while (j < placed.length && placed[j]!.field.bit_width !== undefined) j++
    const next = placed[j]
    const limit = next ? Math.floor(next.offsetBits / 8) : s.size
    const run = placed.slice(i, j)
    const units = storageUnits(run, pos, limit, layouts)
    if (!units) return undefined
    for (const unit of units) {
      pad(unit.start)
      let bit = 0
      for (const q of unit.fields) {
        const rel = q.offsetBits - unit.start * 8
        const m = memberOf(q)
        const type = unitType(m, unit.size, layouts, q.part?.suffix === '_lo')
        if (rel > bit) entries.push(`(${pyString(`_pad${pads++}`)}, ${type}, ${rel - bit})`)
        const name = m.name ?? `_pad${pads++}`
        entries.push(entry({...m, expr: type}, q.part ? `${name}${q.part.suffix}` : name, q.bits))
        if (q.part?.suffix === '_hi' && m.name) splits.push({name: m.name, loBits: q.part.shift})
        bit = rel + q.bits
      }
      pos = unit.start + unit.size
      openUnit = true
    }
    i = j
  }
  pad(s.size)
  return entries
}

/** A union's members all start at 0; only bitfields need their type fixed, and the size its padding. */
function exactUnion(s: Struct, members: Member[]): string[] {
  let pads = 0
  const entries = members.filter((m) => m.field.bit_width !== 0).map((m) => entry(m, m.name ?? `_pad${pads++}`))
  if (s.size !== undefined) entries.push(`('_headerkit_size', (ctypes.c_ubyte * ${s.size}))`)
  return entries
}

function unitType(m: Member, size: number, layouts: Layouts, low = false): string {
  const int = layouts.integer(m.field.type)
  // The low part of a split bitfield carries no sign.
  if (low) return UNSIGNED[size]!
  if (SCALAR_SIZES[m.expr] === size && BITFIELD_TYPES.has(m.expr)) return m.expr
  return (int?.signed ? SIGNED : UNSIGNED)[size]!
}

/** A bitfield, or the low or high part of one that two ctypes units hold between them. */
interface Piece extends Placed {
  part?: {suffix: '_lo' | '_hi'; shift: number}
}

interface Unit {
  start: number
  size: number
  fields: Piece[]
}

/** A bitfield written as two parts, read and written whole through a property. */
interface Split {
  name: string
  loBits: number
}

/**
 * Storage units for a run of bitfields between byte `from` and byte `limit`: the
 * declared type's own unit where it fits (what GCC used), else the smallest that
 * holds the bitfield; later bitfields join a unit while it can grow to hold them.
 */
function storageUnits(run: Placed[], from: number, limit: number, layouts: Layouts): Unit[] | undefined {
  const units: Unit[] = []
  let pos = from
  const queue: Piece[] = [...run]
  while (queue.length > 0) {
    const p = queue.shift()!
    const end = p.offsetBits + p.bits
    const last = units[units.length - 1]
    if (last) {
      for (let size = last.size; size <= 8; size *= 2) {
        if (last.start + size <= limit && end <= (last.start + size) * 8) {
          last.size = size
          last.fields.push(p)
          break
        }
      }
      if (last.fields.includes(p)) continue
      // Grown as far as it may go, the unit still ends inside this bitfield: GCC's unit
      // was wider than ctypes may have here. Its low bits stay in this unit, the rest
      // start the next one (a property gives the whole value back).
      let size = last.size
      while (size < 8 && last.start + size * 2 <= limit) size *= 2
      const unitEnd = (last.start + size) * 8
      if (p.offsetBits < unitEnd) {
        if (p.part) return undefined
        last.size = size
        const lo = unitEnd - p.offsetBits
        last.fields.push({...p, bits: lo, part: {suffix: '_lo', shift: 0}})
        queue.unshift({...p, offsetBits: unitEnd, bits: p.bits - lo, part: {suffix: '_hi', shift: lo}})
        continue
      }
      pos = last.start + last.size
    }
    const declared = layouts.integer(p.field.type)?.size ?? 1
    const own = Math.floor(p.offsetBits / (declared * 8)) * declared
    if (own >= pos && own + declared <= limit && end <= (own + declared) * 8) {
      units.push({start: own, size: declared, fields: [p]})
      continue
    }
    const start = Math.max(pos, Math.floor(p.offsetBits / 8))
    const size = [1, 2, 4, 8].find((n) => (start + n) * 8 >= end && start + n <= limit)
    if (size === undefined || p.offsetBits < start * 8) return undefined
    units.push({start, size, fields: [p]})
  }
  return units
}

/**
 * For an IR without member offsets (a hand-built one): ctypes' own layout, with GCC's
 * storage-unit sharing simulated. A member after bitfields that GCC puts in the open
 * unit (`unsigned a:4; unsigned char tail;` puts `tail` in byte 1) is written as a
 * bitfield of that unit, its value the same integer; a zero-width bitfield closes the
 * unit, as in GCC.
 */
function simulatedLayout(s: Struct, members: Member[], layouts: Layouts): string[] {
  const entries: string[] = []
  let unit: {type: string; startBit: number; bits: number} | undefined
  let bitPos = 0
  let pad = 0
  for (const m of members) {
    const f = m.field
    if (f.bit_width !== undefined) {
      const size = SCALAR_SIZES[m.expr]! * 8
      if (f.bit_width === 0) {
        // Closes the unit: the next bitfield starts at the next boundary of this type.
        bitPos = Math.ceil(bitPos / size) * size
        unit = undefined
        continue
      }
      if (!unit || unit.bits !== size || bitPos + f.bit_width > unit.startBit + size) {
        unit = {type: m.expr, startBit: Math.floor(bitPos / size) * size, bits: size}
        if (bitPos + f.bit_width > unit.startBit + size) unit.startBit = Math.ceil(bitPos / size) * size
        bitPos = Math.max(bitPos, unit.startBit)
      }
      entries.push(entry(m, m.name ?? `_pad${pad++}`))
      bitPos += f.bit_width
      continue
    }
    const int = f.anonymous_struct ? undefined : layouts.integer(f.type)
    if (unit && int && !s.is_packed) {
      const bits = int.size * 8
      const start = Math.ceil(bitPos / bits) * bits
      if (start + bits <= unit.startBit + unit.bits) {
        if (start > bitPos) entries.push(`(${pyString(`_pad${pad++}`)}, ${unit.type}, ${start - bitPos})`)
        entries.push(entry({...m, expr: (int.signed ? SIGNED : UNSIGNED)[unit.bits / 8]!}, m.name!, bits))
        bitPos = start + bits
        continue
      }
    }
    unit = undefined
    bitPos = 0
    entries.push(entry(m))
  }
  return entries
}
