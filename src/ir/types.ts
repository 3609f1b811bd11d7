/**
 * The declaration IR. Kinds and field names are the Python original's (reference 7),
 * snake_case included, so `ir.json` and the json writer read the same as the
 * original's. Fields the original left empty are filled (bit widths, packed,
 * anonymous members, calling conventions, enum integer types), and layout is added
 * as optional fields. Every path is project-relative and POSIX.
 *
 * Conventions (kept from the original, writers rely on them):
 * - A C function-pointer type is `pointer(function_pointer(...))`; a bare
 *   `function_pointer` node means "function type".
 * - Record and enum references are `ctype` named `struct X` / `union X` / `enum X`;
 *   typedef names are bare (`size_t`).
 * - String and char macro values keep their C spelling, quotes included (`"\"tiny\""`).
 * - Integers outside JavaScript's safe range (64-bit enum values, macros) are decimal
 *   strings in `value`, so nothing is rounded.
 * - Declarations from outside the project that project declarations depend on
 *   (typedef chains, records used by value with their layout, records used only
 *   through pointers as opaque, enums) are in the IR too, placed before the project's,
 *   each with `external_header`: the header the project includes to get it
 *   (`sys/time.h`, `zconf.h`). Writers bind the project's declarations and use these
 *   only to say what their consumer needs.
 */

/** Bump whenever the serialised IR changes shape; part of every IR cache key. */
export const IR_SCHEMA_VERSION = 5

export interface SourceLocation {
  file: string
  line: number
  column?: number
}

// ---------------------------------------------------------------- type expressions

export interface CType {
  kind: 'ctype'
  name: string
  qualifiers?: string[]
}

export interface Pointer {
  kind: 'pointer'
  pointee: TypeExpr
  /** Qualifiers of the pointer itself (`int *const p`). */
  qualifiers?: string[]
}

export interface ArrayType {
  kind: 'array'
  element_type: TypeExpr
  /** Element count; absent for flexible or unknown-size arrays (`int data[]`). */
  size?: number | string
}

export interface FunctionPointer {
  kind: 'function_pointer'
  return_type: TypeExpr
  parameters: Parameter[]
  is_variadic: boolean
  calling_convention?: string
  /** K&R `int f()`: no prototype, so any arguments are accepted. */
  no_prototype?: boolean
}

export type TypeExpr = CType | Pointer | ArrayType | FunctionPointer

export interface Parameter {
  name?: string | null
  type: TypeExpr
}

// ---------------------------------------------------------------- declarations

export interface Field {
  /** null for an anonymous struct/union member, whose record is in anonymous_struct. */
  name: string | null
  type: TypeExpr
  bit_width?: number
  anonymous_struct?: Struct
  /** Offset from the start of the record, in bits (bitfields need bits). */
  offset_bits?: number
}

export interface Struct {
  /** Set on a declaration from outside the project: the header that provides it, as included. */
  external_header?: string
  kind: 'struct' | 'union'
  name: string | null
  fields: Field[]
  is_typedef?: boolean
  is_packed?: boolean
  /** Forward declaration only (`struct opaque;`): no fields known. */
  is_opaque?: boolean
  /** Size and alignment in bytes for the target, when the record is complete. */
  size?: number
  align?: number
  /** Explicit alignment requested with `__attribute__((aligned(N)))` / `_Alignas`. */
  aligned?: number
  location?: SourceLocation
}

export interface EnumValue {
  name: string
  value?: number | string | null
}

export interface Enum {
  /** Set on a declaration from outside the project: the header that provides it, as included. */
  external_header?: string
  kind: 'enum'
  name: string | null
  values: EnumValue[]
  is_typedef?: boolean
  /** The integer type the target gives the enum (`unsigned int`, `long`, ...). */
  integer_type?: CType
  size?: number
  location?: SourceLocation
}

export interface Function {
  kind: 'function'
  name: string
  return_type: TypeExpr
  parameters: Parameter[]
  is_variadic: boolean
  calling_convention?: string
  no_prototype?: boolean
  is_deprecated?: boolean
  is_noreturn?: boolean
  location?: SourceLocation
}

export interface Typedef {
  /** Set on a declaration from outside the project: the header that provides it, as included. */
  external_header?: string
  kind: 'typedef'
  name: string
  underlying_type: TypeExpr
  location?: SourceLocation
}

export interface Variable {
  kind: 'variable'
  name: string
  type: TypeExpr
  location?: SourceLocation
}

export interface Constant {
  kind: 'constant'
  name: string
  /** int, float, or C literal text for strings and chars; see the module comment. */
  value?: number | string | null
  is_macro?: boolean
  /** `int`, `unsigned long long`, `double`, `const char *`, `char`, ... */
  type?: CType
  location?: SourceLocation
}

export type Declaration = Struct | Enum | Function | Typedef | Variable | Constant

export interface Header {
  /** Project-relative path of the parsed header. */
  path: string
  declarations: Declaration[]
  /** Project-local headers the parse included, project-relative, sorted. */
  included_headers?: string[]
  /**
   * Whether plain `char` is signed for the target (x86_64: true, aarch64: false).
   * Types keep the spelling `char`; this says what it means.
   */
  char_signed?: boolean
}

export type DeclarationKind = Declaration['kind']
export type TypeKind = TypeExpr['kind']
