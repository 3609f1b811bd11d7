/**
 * What each binding consumer knows without a declaration: C's builtin types, and the
 * C library names a consumer has built in (cffi's and LuaJIT's `int32_t`, Cython's
 * `libc` and `posix` packages, ctypes' `c_size_t`). Everything else from outside the
 * project reaches the writers as external declarations in the IR (src/ir/types.ts),
 * so this is a list of names, never of definitions.
 */

export const C_BUILTIN_TYPES = new Set([
  'void', 'char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int',
  'long', 'unsigned long', 'long long', 'unsigned long long', 'float', 'double', 'long double', '_Bool', 'bool',
])

/** Spellings the parser may give builtin types, mapped to one canonical spelling. */
const ALIASES: Record<string, string> = {
  'signed': 'int', 'unsigned': 'unsigned int', 'signed int': 'int', 'short int': 'short', 'signed short': 'short',
  'short unsigned int': 'unsigned short', 'unsigned short int': 'unsigned short', 'long int': 'long',
  'signed long': 'long', 'long unsigned int': 'unsigned long', 'unsigned long int': 'unsigned long',
  'long long int': 'long long', 'signed long long': 'long long', 'long long unsigned int': 'unsigned long long',
  'unsigned long long int': 'unsigned long long',
}

export function canonicalBuiltin(name: string): string {
  return ALIASES[name] ?? name
}

/** The compiler's own va_list type, which no header declares; each consumer spells it its way. */
export const BUILTIN_VA_LIST = '__builtin_va_list'

const FIXED_INTS = ['int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t']
const LEAST_FAST = ['8', '16', '32', '64'].flatMap((n) => [`int_least${n}_t`, `uint_least${n}_t`, `int_fast${n}_t`, `uint_fast${n}_t`])

/** Typedef names cffi knows without a declaration (cffi.commontypes and its primitive types). */
export const CFFI_KNOWN: ReadonlySet<string> = new Set([
  'FILE', 'bool', 'char16_t', 'char32_t', ...FIXED_INTS, ...LEAST_FAST,
  'intmax_t', 'uintmax_t', 'intptr_t', 'uintptr_t', 'ptrdiff_t', 'size_t', 'ssize_t', 'wchar_t',
])

/** Typedef names LuaJIT's ffi knows without a declaration. */
export const LUAJIT_KNOWN: ReadonlySet<string> = new Set([
  ...FIXED_INTS, 'intptr_t', 'uintptr_t', 'ptrdiff_t', 'size_t', 'ssize_t', 'wchar_t', 'va_list', BUILTIN_VA_LIST, '__gnuc_va_list', 'bool',
])

/** ctypes' own types for C library names (exact on every Linux target). */
export const CTYPES_KNOWN: Readonly<Record<string, string>> = {
  int8_t: 'ctypes.c_int8', uint8_t: 'ctypes.c_uint8', int16_t: 'ctypes.c_int16', uint16_t: 'ctypes.c_uint16',
  int32_t: 'ctypes.c_int32', uint32_t: 'ctypes.c_uint32', int64_t: 'ctypes.c_int64', uint64_t: 'ctypes.c_uint64',
  size_t: 'ctypes.c_size_t', ssize_t: 'ctypes.c_ssize_t', intptr_t: 'ctypes.c_ssize_t', uintptr_t: 'ctypes.c_size_t',
  ptrdiff_t: 'ctypes.c_ssize_t', wchar_t: 'ctypes.c_wchar',
  // A va_list argument is passed as a pointer on every ABI headerkit targets (an array type decays).
  va_list: 'ctypes.c_void_p', __gnuc_va_list: 'ctypes.c_void_p', [BUILTIN_VA_LIST]: 'ctypes.c_void_p',
}

/** Names Cython declares in its own packages, by the module to cimport them from; `''` = Cython has them built in. */
export const CYTHON_KNOWN: Readonly<Record<string, string>> = {
  ...Object.fromEntries([...FIXED_INTS, 'intptr_t', 'uintptr_t', 'intmax_t', 'uintmax_t', ...LEAST_FAST].map((n) => [n, 'libc.stdint'])),
  size_t: '', ssize_t: '',
  ptrdiff_t: 'libc.stddef', wchar_t: 'libc.stddef',
  FILE: 'libc.stdio',
  time_t: 'libc.time', clock_t: 'libc.time',
  off_t: 'posix.types', pid_t: 'posix.types', uid_t: 'posix.types', gid_t: 'posix.types', mode_t: 'posix.types',
}

/** Names of types C itself has but no binding consumer handles: writers reject them by name. */
export const UNSUPPORTED_TYPES = /(^|\s)(__int128|_Complex|_Float128|__float128|_Float16|__fp16|_Decimal\d+|__m\d+\w*)(\s|$)/
