/**
 * Walks a libclang translation unit into IR declarations.
 *
 * The cost of this walk is FFI traffic, not clang: every call crosses koffi. So type
 * conversions are memoised per CXType (its first pointer is the uniqued QualType, so
 * equal pointers are the same type in one TU), file decisions per CXFile, and only
 * the queries a declaration kind needs are made.
 *
 * Output order is translation order (a declaration from an included project header
 * comes where it was included), computed from include positions because libclang
 * visits preprocessing entities (macros) apart from declarations.
 */
import path from 'node:path'
import type {
  CType, Declaration, Enum, EnumValue, Field, Function as FunctionDecl, FunctionPointer,
  Parameter, SourceLocation, Struct, TypeExpr, Typedef, Variable,
} from '../../ir/types.js'
import {referencedTypes} from '../../ir/walk.js'
import {includedAs, systemHeaderName} from './externals.js'
import {takeString, type CXCursor, type CXSourceLocation, type CXType, type Libclang} from './ffi.js'
import {InputError} from '../../errors.js'
import * as K from './kinds.js'
import type {IncludeStep} from './parse.js'

export interface FileInfo {
  abs: string
  /** Project-relative POSIX path when the file is a project header, else undefined. */
  rel: string | undefined
  /** Include offsets from the main file down to this file: translation-order prefix. */
  order: number[]
}

/** Deepest type nesting converted (a pointer to pointer to ... is one level each). */
export const MAX_TYPE_DEPTH = 256

/** A macro found in a project file, to be evaluated by the probe (macros.ts). */
export interface MacroCandidate {
  name: string
  location: SourceLocation
  order: number[]
  fileAbs: string
  offset: number
  /** Never evaluated; its body only bounds the size of the object-like macros that use it. */
  functionLike: boolean
}

export interface ExtractContext {
  projectRoot: string
  /** Absolute dirs given with -isystem: never project headers, even inside the project. */
  systemDirs: string[]
}

interface Item {
  order: number[]
  decl: Declaration
  removed?: boolean
}

const CV_CONTINUE = 1

function under(dir: string, file: string): boolean {
  const rel = path.relative(dir, file)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

function compareOrder(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

export class Extractor {
  private readonly f: Libclang['fn']
  private readonly files = new Map<number, FileInfo>()
  private readonly types = new Map<string, TypeExpr>()
  private typeDepth = 0
  private readonly aligns = new Map<string, number>()
  private readonly items: Item[] = []
  /** Emitted struct/union/enum by tag ("struct x"), for forward declarations and typedef marking. */
  private readonly tags = new Map<string, Item>()
  /** Unnamed top-level records/enums by Decl pointer, so a typedef can name them. */
  private readonly unnamed = new Map<number, Item>()
  /** Typedef names given to unnamed records/enums, by Decl pointer. */
  private readonly unnamedNames = new Map<number, string>()
  private readonly seenNames = new Set<string>()
  readonly macros: MacroCandidate[] = []
  private readonly file = [0]
  private readonly line = [0]
  private readonly column = [0]
  private readonly offset = [0]

  /** Named types (typedef names, `struct X`) the conversion met, with their declaring cursor, for the external pass. */
  private readonly named = new Map<string, CXCursor>()
  /** How far each external name has been resolved. */
  private readonly externalState = new Map<string, 'busy' | 'opaque' | 'full'>()
  /** The header of the external declaration being built; push() marks what it adds. */
  private externalHeader: string | undefined
  private externalSeq = 0
  /** External typedefs by name, so one first needed through a pointer can pass on a later by-value need. */
  private readonly externalTypedefs = new Map<string, Typedef>()

  constructor(private readonly clang: Libclang, private readonly tu: unknown, private readonly ctx: ExtractContext, private readonly chains: Map<number, IncludeStep[]>) {
    this.f = clang.fn
  }

  // ------------------------------------------------------------ files and locations

  /** Expansion location of a cursor; fills this.file/line/column/offset. */
  private locate(loc: CXSourceLocation): number {
    this.f.clang_getExpansionLocation(loc, this.file, this.line, this.column, this.offset)
    return this.file[0]!
  }

  fileInfo(file: number, loc: CXSourceLocation | undefined): FileInfo {
    let info = this.files.get(file)
    if (info) return info
    const abs = path.resolve(takeString(this.clang, this.f.clang_getFileName(file)))
    // Whether a file is a system header is a property of how it was found; any
    // location in it answers (line 1 when the caller has none).
    const where = loc ?? this.f.clang_getLocation(this.tu, file, 1, 1)
    const system = this.f.clang_Location_isInSystemHeader(where) !== 0
    const local = !system && under(this.ctx.projectRoot, abs) && !this.ctx.systemDirs.some((d) => under(d, abs))
    const chain = this.chains.get(file)
    info = {abs, rel: local ? path.relative(this.ctx.projectRoot, abs).split(path.sep).join('/') : undefined, order: chain ? chain.map((s) => s.offset) : [Number.MAX_SAFE_INTEGER]}
    this.files.set(file, info)
    return info
  }

  /** Whether a file pointer is a project file (decided once per file). */
  isProjectFile(file: number, loc: CXSourceLocation | undefined): boolean {
    return this.fileInfo(file, loc).rel !== undefined
  }

  private sourceLocation(info: FileInfo): SourceLocation {
    return {file: info.rel!, line: this.line[0]!, column: this.column[0]!}
  }

  private spelling(c: CXCursor): string {
    return takeString(this.clang, this.f.clang_getCursorSpelling(c))
  }

  // ------------------------------------------------------------ top level

  run(): Declaration[] {
    const top: Array<{cursor: CXCursor; info: FileInfo; loc: SourceLocation; offset: number}> = []
    const root = this.f.clang_getTranslationUnitCursor(this.tu)
    this.f.clang_visitChildren(root, (c: CXCursor) => {
      const kind = c.kind
      if (!K.TOP_LEVEL_KINDS.has(kind)) return CV_CONTINUE
      const loc = this.f.clang_getCursorLocation(c)
      // Most top-level cursors are system headers' macros: one cheap call turns them away
      // (fileInfo would, after the costlier expansion-location call).
      if (this.f.clang_Location_isInSystemHeader(loc) !== 0) return CV_CONTINUE
      const file = this.locate(loc)
      if (file === 0) return CV_CONTINUE
      const info = this.fileInfo(file, loc)
      if (info.rel === undefined) return CV_CONTINUE
      top.push({cursor: c, info, loc: this.sourceLocation(info), offset: this.offset[0]!})
      return CV_CONTINUE
    }, 0)
    for (const {cursor, info, loc, offset} of top) {
      const order = [...info.order, offset]
      switch (cursor.kind) {
        case K.CURSOR.StructDecl:
        case K.CURSOR.UnionDecl:
          this.record(cursor, loc, order)
          break
        case K.CURSOR.EnumDecl:
          this.enumDecl(cursor, loc, order)
          break
        case K.CURSOR.FunctionDecl:
          this.functionDecl(cursor, loc, order)
          break
        case K.CURSOR.VarDecl:
          this.variable(cursor, loc, order)
          break
        case K.CURSOR.TypedefDecl:
          this.typedef(cursor, loc, order)
          break
        case K.CURSOR.MacroDefinition:
          this.macros.push({name: this.spelling(cursor), location: loc, order, fileAbs: info.abs, offset, functionLike: this.f.clang_Cursor_isMacroFunctionLike(cursor) !== 0})
          break
      }
    }
    this.resolveExternals()
    return this.declarations()
  }

  /** Declarations in translation order (stable for equal positions). */
  declarations(extra: Array<{order: number[]; decl: Declaration}> = []): Declaration[] {
    const all = [...this.items.filter((i) => !i.removed), ...extra]
    return all
      .map((item, index) => ({item, index}))
      .sort((a, b) => compareOrder(a.item.order, b.item.order) || a.index - b.index)
      .map(({item}) => item.decl)
  }

  private push(order: number[], decl: Declaration): Item {
    if (this.externalHeader !== undefined && (decl.kind === 'struct' || decl.kind === 'union' || decl.kind === 'enum' || decl.kind === 'typedef')) {
      decl.external_header = this.externalHeader
      delete decl.location
    }
    const item: Item = {order, decl}
    this.items.push(item)
    return item
  }

  // ------------------------------------------------------------ records

  /**
   * The tag of a record or enum declaration, '' when it has none. An unnamed tag is
   * spelled '' by libclang 14 and 'struct (unnamed at ...)' by 16+, and one given a
   * typedef name (`typedef struct {...} fd_set;`) is spelled '' by 14 but 'fd_set' by
   * 16+; every version spells the type of a real tag with its keyword ('struct x') and
   * that of a typedef-named one without ('fd_set').
   */
  private tagOf(decl: CXCursor): string {
    const name = this.spelling(decl)
    if (name === '' || name.includes('(')) return ''
    const typeName = takeString(this.clang, this.f.clang_getTypeSpelling(this.f.clang_getCursorType(decl)))
    return /^(struct|union|enum) /.test(typeName) ? name : ''
  }

  private record(c: CXCursor, loc: SourceLocation, order: number[]): void {
    const isUnion = c.kind === K.CURSOR.UnionDecl
    const kind = isUnion ? 'union' : 'struct'
    const name = this.tagOf(c)
    const definition = this.f.clang_isCursorDefinition(c) !== 0
    if (name === '') {
      if (!definition) return
      const item = this.push(order, this.buildRecord(c, null, order))
      item.decl.location = loc
      this.unnamed.set(c.d0, item)
      return
    }
    const tag = `${kind} ${name}`
    const known = this.tags.get(tag)
    if (!definition) {
      if (!known) this.tags.set(tag, this.push(order, {kind, name, fields: [], is_opaque: true, location: loc}))
      return
    }
    if (known && !(known.decl as Struct).is_opaque) return
    if (known) known.removed = true
    const struct = this.buildRecord(c, name, order)
    struct.location = loc
    this.tags.set(tag, this.push(order, struct))
  }

  /** A record definition with its fields; nested named tags are hoisted before it. */
  private buildRecord(c: CXCursor, name: string | null, order: number[]): Struct {
    const kind = c.kind === K.CURSOR.UnionDecl ? 'union' : 'struct'
    const type: CXType = this.f.clang_getCursorType(c)
    const fields: Field[] = []
    const nestedUnnamed = new Map<number, Struct>()
    const struct: Struct = {kind, name, fields}
    let maxFieldAlign = 1
    let packedAttr = false
    let alignedAttr = false
    const children: CXCursor[] = []
    this.f.clang_visitChildren(c, (child: CXCursor) => {
      children.push(child)
      return CV_CONTINUE
    }, 0)
    for (const child of children) {
      switch (child.kind) {
        case K.CURSOR.FieldDecl: {
          const fieldName = this.spelling(child)
          const fieldType: CXType = this.f.clang_getCursorType(child)
          const field: Field = {name: fieldName === '' ? null : fieldName, type: this.convert(fieldType)}
          const anon = this.unnamedRecordOf(fieldType, nestedUnnamed)
          if (anon) field.anonymous_struct = anon
          const width: number = this.f.clang_getFieldDeclBitWidth(child)
          if (width >= 0) field.bit_width = width
          const offset = Number(this.f.clang_Cursor_getOffsetOfField(child))
          if (offset >= 0) field.offset_bits = offset
          maxFieldAlign = Math.max(maxFieldAlign, this.alignOf(fieldType))
          fields.push(field)
          break
        }
        case K.CURSOR.StructDecl:
        case K.CURSOR.UnionDecl: {
          if (this.f.clang_Cursor_isAnonymousRecordDecl(child) !== 0) {
            const inner = this.buildRecord(child, null, order)
            const field: Field = {name: null, type: {kind: 'ctype', name: inner.kind}, anonymous_struct: inner}
            const offset = this.anonymousOffset(type, inner)
            if (offset !== undefined) field.offset_bits = offset
            maxFieldAlign = Math.max(maxFieldAlign, inner.align ?? 1)
            fields.push(field)
          } else if (this.tagOf(child) === '') {
            if (this.f.clang_isCursorDefinition(child) !== 0) nestedUnnamed.set(child.d0, this.buildRecord(child, null, order))
          } else {
            // C gives nested tags file scope: hoist them, placed just before the parent.
            this.record(child, this.locationOf(child), order)
          }
          break
        }
        case K.CURSOR.EnumDecl:
          this.enumDecl(child, this.locationOf(child), order)
          break
        case K.CURSOR.PackedAttr:
          packedAttr = true
          break
        case K.CURSOR.AlignedAttr:
          alignedAttr = true
          break
      }
    }
    const size = Number(this.f.clang_Type_getSizeOf(type))
    const align = Number(this.f.clang_Type_getAlignOf(type))
    if (size >= 0) struct.size = size
    if (align > 0) struct.align = align
    // `#pragma pack(1)` leaves no attribute cursor; its effect is a 1-aligned record
    // whose fields want more. Other pack values show in size/align/offsets.
    if (packedAttr || (align === 1 && maxFieldAlign > 1)) struct.is_packed = true
    if (alignedAttr && align > 0) struct.aligned = align
    return struct
  }

  /** The struct built for an unnamed record a field's type names, if any. */
  private unnamedRecordOf(t: CXType, nested: Map<number, Struct>): Struct | undefined {
    if (nested.size === 0) return undefined
    let base = t
    // An array of an unnamed record (`struct {...} field_data[7]`) keeps its element record.
    for (;;) {
      if (base.kind === K.TYPE.Elaborated) base = this.f.clang_Type_getNamedType(base)
      else if (base.kind === K.TYPE.ConstantArray || base.kind === K.TYPE.IncompleteArray) base = this.f.clang_getArrayElementType(base)
      else break
    }
    if (base.kind !== K.TYPE.Record) return undefined
    const decl: CXCursor = this.f.clang_getTypeDeclaration(base)
    return nested.get(decl.d0)
  }

  /**
   * Offset of an anonymous member: where its first named field (found through nested
   * anonymous members) sits in the parent, minus that field's offset inside.
   */
  private anonymousOffset(parent: CXType, inner: Struct): number | undefined {
    const leaf = firstNamedLeaf(inner, 0)
    if (!leaf) return undefined
    const inParent = Number(this.f.clang_Type_getOffsetOf(parent, leaf.name))
    return inParent >= 0 ? inParent - leaf.offset : undefined
  }

  private alignOf(t: CXType): number {
    const key = `${t.kind}:${t.d0}`
    let a = this.aligns.get(key)
    if (a === undefined) {
      a = Math.max(1, Number(this.f.clang_Type_getAlignOf(t)))
      this.aligns.set(key, a)
    }
    return a
  }

  private locationOf(c: CXCursor): SourceLocation {
    const file = this.locate(this.f.clang_getCursorLocation(c))
    const info = this.fileInfo(file, undefined)
    return {file: info.rel ?? path.basename(info.abs), line: this.line[0]!, column: this.column[0]!}
  }

  // ------------------------------------------------------------ enums

  private enumDecl(c: CXCursor, loc: SourceLocation, order: number[]): void {
    if (this.f.clang_isCursorDefinition(c) === 0) return
    const name = this.tagOf(c)
    const unnamed = name === ''
    if (!unnamed) {
      const tag = `enum ${name}`
      if (this.tags.has(tag)) return
    }
    const intType: CXType = this.f.clang_getEnumDeclIntegerType(c)
    const unsigned = K.UNSIGNED_TYPES.has(this.f.clang_getCanonicalType(intType).kind)
    const values: EnumValue[] = []
    this.f.clang_visitChildren(c, (child: CXCursor) => {
      if (child.kind === K.CURSOR.EnumConstantDecl) {
        const raw: number | bigint = unsigned ? this.f.clang_getEnumConstantDeclUnsignedValue(child) : this.f.clang_getEnumConstantDeclValue(child)
        values.push({name: this.spelling(child), value: typeof raw === 'bigint' ? String(raw) : raw})
      }
      return CV_CONTINUE
    }, 0)
    const e: Enum = {kind: 'enum', name: unnamed ? null : name, values}
    const integer = this.convert(intType)
    if (integer.kind === 'ctype') e.integer_type = integer
    const size = Number(this.f.clang_Type_getSizeOf(this.f.clang_getCursorType(c)))
    if (size > 0) e.size = size
    e.location = loc
    const item = this.push(order, e)
    if (unnamed) this.unnamed.set(c.d0, item)
    else this.tags.set(`enum ${name}`, item)
  }

  // ------------------------------------------------------------ functions, variables, typedefs

  private functionDecl(c: CXCursor, loc: SourceLocation, order: number[]): void {
    // static and static inline functions are not exported symbols (B-BE-6).
    if (this.f.clang_Cursor_getStorageClass(c) === K.SC_STATIC) return
    const name = this.spelling(c)
    if (this.seenNames.has(`f:${name}`)) return
    this.seenNames.add(`f:${name}`)
    const type: CXType = this.f.clang_getCursorType(c)
    const fn: FunctionDecl = {kind: 'function', name, return_type: this.convert(this.f.clang_getResultType(type)), parameters: [], is_variadic: false}
    if (type.kind === K.TYPE.FunctionNoProto) {
      fn.no_prototype = true
    } else {
      const n: number = this.f.clang_Cursor_getNumArguments(c)
      for (let i = 0; i < n; i++) {
        const arg: CXCursor = this.f.clang_Cursor_getArgument(c, i)
        const argName = this.spelling(arg)
        const p: Parameter = {type: this.convert(this.f.clang_getCursorType(arg))}
        if (argName !== '') p.name = argName
        fn.parameters.push(p)
      }
      fn.is_variadic = this.f.clang_isFunctionTypeVariadic(type) !== 0
    }
    const cc = K.callingConvention(this.f.clang_getFunctionTypeCallingConv(type))
    if (cc) fn.calling_convention = cc
    if (this.f.clang_getCursorAvailability(c) === K.AVAILABILITY_DEPRECATED) fn.is_deprecated = true
    fn.location = loc
    this.push(order, fn)
  }

  private variable(c: CXCursor, loc: SourceLocation, order: number[]): void {
    if (this.f.clang_Cursor_getStorageClass(c) === K.SC_STATIC) return
    const name = this.spelling(c)
    if (this.seenNames.has(`v:${name}`)) return
    this.seenNames.add(`v:${name}`)
    const v: Variable = {kind: 'variable', name, type: this.convert(this.f.clang_getCursorType(c)), location: loc}
    this.push(order, v)
  }

  private typedef(c: CXCursor, loc: SourceLocation, order: number[]): void {
    const name = this.spelling(c)
    if (this.seenNames.has(`t:${name}`)) return
    this.seenNames.add(`t:${name}`)
    const underlying: CXType = this.f.clang_getTypedefDeclUnderlyingType(c)
    let base = underlying
    while (base.kind === K.TYPE.Elaborated) base = this.f.clang_Type_getNamedType(base)
    if (base.kind === K.TYPE.Record || base.kind === K.TYPE.Enum) {
      const decl: CXCursor = this.f.clang_getTypeDeclaration(base)
      const placeholder = this.unnamed.get(decl.d0)
      if (placeholder && !this.unnamedNames.has(decl.d0) && !this.hasQualifiers(underlying)) {
        // typedef struct {...} name;  ->  one struct called name, marked is_typedef
        // (libclang 16+ spells such a record by the typedef name; tagOf reads it as unnamed).
        const d = placeholder.decl as Struct | Enum
        d.name = name
        d.is_typedef = true
        if (d.kind !== 'enum') this.typedefAlignment(d, c)
        this.unnamedNames.set(decl.d0, name)
        this.types.clear()
        return
      }
      const tagName = this.tagOf(decl)
      const tag = `${base.kind === K.TYPE.Enum ? 'enum' : decl.kind === K.CURSOR.UnionDecl ? 'union' : 'struct'} ${tagName}`
      const known = this.tags.get(tag)
      if (tagName === name && known && !this.hasQualifiers(underlying)) {
        (known.decl as Struct | Enum).is_typedef = true
        return
      }
    }
    const t: Typedef = {kind: 'typedef', name, underlying_type: this.convert(underlying), location: loc}
    this.push(order, t)
  }

  /**
   * `typedef struct {...} T __attribute__((aligned(8)));` aligns the typedef, not the
   * record: the IR's one struct for both takes the typedef's alignment (libffi's
   * ffi_closure is 8-aligned on i686 and armv7l, where its members want 4). Its size stays
   * the record's, as in C (`typedef struct { char c; } T __attribute__((aligned(16)))` has
   * sizeof 1).
   */
  private typedefAlignment(s: Struct, typedef: CXCursor): void {
    const align = Number(this.f.clang_Type_getAlignOf(this.f.clang_getCursorType(typedef)))
    if (align > (s.align ?? 0)) {
      s.align = align
      s.aligned = align
    }
  }

  private hasQualifiers(t: CXType): boolean {
    return this.f.clang_isConstQualifiedType(t) !== 0 || this.f.clang_isVolatileQualifiedType(t) !== 0
  }

  // ------------------------------------------------------------ external declarations

  /**
   * Adds the declarations from outside the project that project declarations depend
   * on: what each name needs (layout when used by value, a name when only through
   * pointers), followed down typedef chains and member types. Each is added after the
   * ones it depends on, and all before the project's, so the IR stays in an order C
   * accepts.
   */
  private resolveExternals(): void {
    for (const item of [...this.items]) {
      if (item.removed) continue
      for (const ref of referencedTypes(item.decl)) this.needExternal(ref.name, ref.byValue)
    }
  }

  private needExternal(name: string, byValue: boolean): void {
    const cursor = this.named.get(name)
    if (!cursor) return
    const state = this.externalState.get(name)
    if (state === 'busy' || state === 'full' || (state === 'opaque' && !byValue)) return
    const typedef = this.externalTypedefs.get(name)
    if (typedef) {
      // Built for a pointer use; what it names now needs its layout.
      this.externalState.set(name, 'full')
      for (const ref of referencedTypes(typedef)) this.needExternal(ref.name, ref.byValue)
      return
    }
    const file = this.locate(this.f.clang_getCursorLocation(cursor))
    // Builtin typedefs (`__builtin_va_list`) have no file: every consumer knows them or none does.
    if (file === 0) return
    const info = this.fileInfo(file, undefined)
    if (info.rel !== undefined) return
    const header = this.headerOf(file, info)
    const outer = this.externalHeader
    this.externalState.set(name, 'busy')
    this.externalHeader = header
    try {
      const item = this.buildExternal(name, cursor, byValue)
      if (!item) {
        this.externalState.delete(name)
        return
      }
      const d = item.decl
      const opaque = d.kind === 'struct' || d.kind === 'union' ? !!d.is_opaque : d.kind === 'typedef' && !byValue && d.underlying_type.kind !== 'array'
      this.externalState.set(name, opaque ? 'opaque' : 'full')
      if (d.kind === 'typedef') this.externalTypedefs.set(name, d)
      // Its dependencies were added while it was built; it sorts after them.
      item.order = [-1, this.externalSeq++]
    } finally {
      this.externalHeader = outer
    }
  }

  private buildExternal(name: string, cursor: CXCursor, byValue: boolean): Item | undefined {
    const order = [-1, this.externalSeq++]
    if (cursor.kind === K.CURSOR.TypedefDecl) {
      const underlying: CXType = this.f.clang_getTypedefDeclUnderlyingType(cursor)
      let base = underlying
      while (base.kind === K.TYPE.Elaborated) base = this.f.clang_Type_getNamedType(base)
      if (base.kind === K.TYPE.Record || base.kind === K.TYPE.Enum) {
        const decl: CXCursor = this.f.clang_getTypeDeclaration(base)
        if (this.tagOf(decl) === '' && !this.hasQualifiers(underlying)) {
          // typedef struct {...} name: the record is the typedef; always with its layout,
          // as it has no tag a consumer could declare incompletely.
          const def: CXCursor = this.f.clang_getCursorDefinition(decl)
          if (this.f.clang_Cursor_isNull(def) !== 0) return undefined
          const record = decl.kind === K.CURSOR.EnumDecl ? undefined : this.buildRecord(def, name, order)
          if (record) {
            record.is_typedef = true
            this.typedefAlignment(record, cursor)
            this.unnamedNames.set(decl.d0, name)
            this.types.clear()
            const item = this.push(order, record)
            this.needMembers(record)
            return item
          }
          this.enumDecl(def, {file: '', line: 0}, order)
          const item = this.items[this.items.length - 1]!
          const e = item.decl as Enum
          e.name = name
          e.is_typedef = true
          this.unnamedNames.set(decl.d0, name)
          this.types.clear()
          return item
        }
      }
      const t: Typedef = {kind: 'typedef', name, underlying_type: this.convert(underlying)}
      // An array typedef (`jmp_buf`) needs its element complete where it is declared, however it is used.
      const complete = byValue || t.underlying_type.kind === 'array'
      for (const ref of referencedTypes(t)) this.needExternal(ref.name, complete && ref.byValue)
      return this.push(order, t)
    }
    if (cursor.kind === K.CURSOR.StructDecl || cursor.kind === K.CURSOR.UnionDecl) {
      const kind = cursor.kind === K.CURSOR.UnionDecl ? 'union' : 'struct'
      const tagName = name.slice(kind.length + 1)
      const def: CXCursor = this.f.clang_getCursorDefinition(cursor)
      const known = this.tags.get(name)
      if (!byValue || this.f.clang_Cursor_isNull(def) !== 0) {
        if (known) return known
        const item = this.push(order, {kind, name: tagName, fields: [], is_opaque: true})
        this.tags.set(name, item)
        return item
      }
      if (known) known.removed = true
      const record = this.buildRecord(def, tagName, order)
      const item = this.push(order, record)
      this.tags.set(name, item)
      this.needMembers(record)
      return item
    }
    if (cursor.kind === K.CURSOR.EnumDecl) {
      const def: CXCursor = this.f.clang_getCursorDefinition(cursor)
      if (this.f.clang_Cursor_isNull(def) !== 0) return undefined
      const before = this.items.length
      this.enumDecl(def, {file: '', line: 0}, order)
      return this.items.length > before ? this.items[this.items.length - 1] : this.tags.get(name)
    }
    return undefined
  }

  /** The member types of an external record, resolved as members need them. */
  private needMembers(s: Struct): void {
    for (const ref of referencedTypes(s)) this.needExternal(ref.name, ref.byValue)
  }

  /** The header the project includes to reach `file`: the spelled #include where the chain leaves the project. */
  private headerOf(file: number, info: FileInfo): string {
    const chain = (this.chains.get(file) ?? []).map((step) => {
      const stepInfo = this.fileInfo(step.file, undefined)
      return {file: stepInfo.abs, project: stepInfo.rel !== undefined, offset: step.offset}
    })
    return includedAs(chain, systemHeaderName(info.abs))
  }

  // ------------------------------------------------------------ types

  convert(t: CXType): TypeExpr {
    const key = `${t.kind}:${t.d0}`
    const cached = this.types.get(key)
    if (cached) return cached
    // Each level is a recursion here and in every writer: a type nested deeper than any
    // real header's is refused in one line, not with a stack overflow.
    if (++this.typeDepth > MAX_TYPE_DEPTH) throw new InputError(`a type is nested more than ${MAX_TYPE_DEPTH} levels deep (pointers, arrays or function types inside each other)`, 'headerkit cannot represent it; simplify the declaration or leave its header out')
    try {
      const result = this.convertUncached(t)
      this.types.set(key, result)
      return result
    } finally {
      this.typeDepth--
    }
  }

  private qualifiers(t: CXType): string[] | undefined {
    const q: string[] = []
    if (this.f.clang_isConstQualifiedType(t) !== 0) q.push('const')
    if (this.f.clang_isVolatileQualifiedType(t) !== 0) q.push('volatile')
    if (this.f.clang_isRestrictQualifiedType(t) !== 0) q.push('restrict')
    return q.length > 0 ? q : undefined
  }

  private withQualifiers(base: TypeExpr, q: string[] | undefined): TypeExpr {
    if (!q) return base
    if (base.kind === 'ctype' || base.kind === 'pointer') {
      const merged = [...(base.qualifiers ?? [])]
      for (const x of q) if (!merged.includes(x)) merged.push(x)
      return {...base, qualifiers: merged}
    }
    return base
  }

  private convertUncached(t: CXType): TypeExpr {
    const kind = t.kind
    const builtin = K.BUILTIN_NAMES.get(kind)
    if (builtin !== undefined) return this.withQualifiers({kind: 'ctype', name: builtin}, this.qualifiers(t))
    switch (kind) {
      case K.TYPE.Pointer:
      case K.TYPE.BlockPointer:
        return this.withQualifiers({kind: 'pointer', pointee: this.convert(this.f.clang_getPointeeType(t))}, this.qualifiers(t))
      case K.TYPE.Typedef: {
        const name = takeString(this.clang, this.f.clang_getTypedefName(t))
        if (!this.named.has(name)) this.named.set(name, this.f.clang_getTypeDeclaration(t))
        return this.withQualifiers({kind: 'ctype', name}, this.qualifiers(t))
      }
      case K.TYPE.Elaborated:
        return this.withQualifiers(this.convert(this.f.clang_Type_getNamedType(t)), this.qualifiers(t))
      case K.TYPE.Record:
      case K.TYPE.Enum:
        return this.withQualifiers(this.tagReference(t), this.qualifiers(t))
      case K.TYPE.ConstantArray: {
        const size = Number(this.f.clang_getArraySize(t))
        const a: TypeExpr = {kind: 'array', element_type: this.convert(this.f.clang_getArrayElementType(t))}
        if (size >= 0) a.size = size
        return a
      }
      case K.TYPE.IncompleteArray:
      case K.TYPE.VariableArray:
      case K.TYPE.DependentSizedArray:
        return {kind: 'array', element_type: this.convert(this.f.clang_getArrayElementType(t))}
      case K.TYPE.FunctionProto:
      case K.TYPE.FunctionNoProto:
        return this.functionType(t)
      case K.TYPE.Attributed:
        return this.convert(this.f.clang_Type_getModifiedType(t))
      case K.TYPE.Atomic:
        return this.withQualifiers(this.convert(this.f.clang_Type_getValueType(t)), ['_Atomic'])
      case K.TYPE.Complex: {
        const element = this.convert(this.f.clang_getElementType(t))
        const name = element.kind === 'ctype' ? element.name : 'double'
        return this.withQualifiers({kind: 'ctype', name: `_Complex ${name}`}, this.qualifiers(t))
      }
    }
    // Sugar libclang does not expose (parentheses, typeof, ...): its canonical form.
    const canonical: CXType = this.f.clang_getCanonicalType(t)
    if (canonical.kind !== kind || canonical.d0 !== t.d0) {
      if (kind === K.TYPE.Unexposed) return this.convert(canonical)
    }
    return this.withQualifiers({kind: 'ctype', name: takeString(this.clang, this.f.clang_getTypeSpelling(t))}, this.qualifiers(t))
  }

  private functionType(t: CXType): FunctionPointer {
    const fp: FunctionPointer = {kind: 'function_pointer', return_type: this.convert(this.f.clang_getResultType(t)), parameters: [], is_variadic: false}
    if (t.kind === K.TYPE.FunctionNoProto) {
      fp.no_prototype = true
    } else {
      const n: number = this.f.clang_getNumArgTypes(t)
      for (let i = 0; i < n; i++) fp.parameters.push({type: this.convert(this.f.clang_getArgType(t, i))})
      fp.is_variadic = this.f.clang_isFunctionTypeVariadic(t) !== 0
    }
    const cc = K.callingConvention(this.f.clang_getFunctionTypeCallingConv(t))
    if (cc) fp.calling_convention = cc
    return fp
  }

  private tagReference(t: CXType): CType {
    const decl: CXCursor = this.f.clang_getTypeDeclaration(t)
    const word = t.kind === K.TYPE.Enum ? 'enum' : decl.kind === K.CURSOR.UnionDecl ? 'union' : 'struct'
    const name = this.tagOf(decl)
    if (name !== '') {
      const tag = `${word} ${name}`
      if (!this.named.has(tag)) this.named.set(tag, decl)
      return {kind: 'ctype', name: tag}
    }
    const typedefName = this.unnamedNames.get(decl.d0)
    return {kind: 'ctype', name: typedefName ?? word}
  }
}

function firstNamedLeaf(s: Struct, base: number): {name: string; offset: number} | undefined {
  for (const f of s.fields) {
    if (f.offset_bits === undefined) continue
    if (f.name) return {name: f.name, offset: base + f.offset_bits}
    if (f.anonymous_struct) {
      const leaf = firstNamedLeaf(f.anonymous_struct, base + f.offset_bits)
      if (leaf) return leaf
    }
  }
  return undefined
}
