/** The libclang enum values the extractor needs (stable C API; clang-c/Index.h). */

export const CURSOR = {
  StructDecl: 2, UnionDecl: 3, EnumDecl: 5, FieldDecl: 6, EnumConstantDecl: 7, FunctionDecl: 8, VarDecl: 9,
  ParmDecl: 10, TypedefDecl: 20, StringLiteral: 109, PackedAttr: 408, AlignedAttr: 441, MacroDefinition: 501,
} as const

export const TOP_LEVEL_KINDS: ReadonlySet<number> = new Set([
  CURSOR.StructDecl, CURSOR.UnionDecl, CURSOR.EnumDecl, CURSOR.FunctionDecl, CURSOR.VarDecl, CURSOR.TypedefDecl, CURSOR.MacroDefinition,
])

export const TYPE = {
  Invalid: 0, Unexposed: 1, Complex: 100, Pointer: 101, BlockPointer: 102, Record: 105, Enum: 106, Typedef: 107,
  FunctionNoProto: 110, FunctionProto: 111, ConstantArray: 112, Vector: 113, IncompleteArray: 114, VariableArray: 115,
  DependentSizedArray: 116, Elaborated: 119, Attributed: 163, Atomic: 177,
} as const

/** C spellings of builtin type kinds. Plain char is `char` whatever its signedness (Char_S/Char_U). */
export const BUILTIN_NAMES: ReadonlyMap<number, string> = new Map([
  [2, 'void'], [3, '_Bool'], [4, 'char'], [5, 'unsigned char'], [6, 'char16_t'], [7, 'char32_t'], [8, 'unsigned short'],
  [9, 'unsigned int'], [10, 'unsigned long'], [11, 'unsigned long long'], [12, 'unsigned __int128'], [13, 'char'],
  [14, 'signed char'], [15, 'wchar_t'], [16, 'short'], [17, 'int'], [18, 'long'], [19, 'long long'], [20, '__int128'],
  [21, 'float'], [22, 'double'], [23, 'long double'], [24, 'nullptr_t'], [30, '__float128'], [31, '__fp16'],
  [32, '_Float16'], [39, '__bf16'],
])

export const CHAR_S = 13
export const CHAR_U = 4

export const INTEGER_TYPES: ReadonlySet<number> = new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
export const FLOAT_TYPES: ReadonlySet<number> = new Set([21, 22, 23, 30, 31, 32, 39])
export const UNSIGNED_TYPES: ReadonlySet<number> = new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12])

export const SC_STATIC = 3
export const AVAILABILITY_DEPRECATED = 1

export const SEVERITY = ['ignored', 'note', 'warning', 'error', 'fatal'] as const

const CALLING_CONVENTIONS: Record<number, string> = {
  2: 'stdcall', 3: 'fastcall', 4: 'thiscall', 5: 'pascal', 6: 'aapcs', 7: 'aapcs-vfp', 8: 'regcall', 9: 'intel_ocl_bicc',
  10: 'ms_abi', 11: 'sysv_abi', 12: 'vectorcall', 13: 'swiftcall', 14: 'preserve_most', 15: 'preserve_all',
  16: 'aarch64_vector_pcs', 17: 'swiftasynccall',
}

/**
 * Name of a calling convention worth recording: only explicit, non-default ones
 * (Default, C, Invalid and Unexposed record nothing).
 */
export function callingConvention(cc: number): string | undefined {
  return CALLING_CONVENTIONS[cc]
}
