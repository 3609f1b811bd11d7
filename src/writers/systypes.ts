/**
 * Types a header uses without declaring them: C's own and the C library's
 * typedefs (`size_t`, `off_t`, `FILE`, `va_list`). The parser keeps only project
 * declarations, so these arrive as bare names; each consumer knows a different
 * subset, and for the rest a writer declares them itself from this table.
 * Definitions are for Linux, where `long` is pointer-sized on every architecture.
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

export interface SystemType {
  /** The C type to typedef it to, or the markers `opaque` (an incomplete struct) and `va_list`. */
  c: string
  /** Header that declares it, for documentation and Cython cimports. */
  header: string
  /** Cython module to cimport it from; absent = Cython knows it natively or it is declared in the extern block. */
  cython?: string
  /** ctypes expression. */
  ctypes: string
}

const ints: Record<string, [string, string]> = {
  int8_t: ['signed char', 'ctypes.c_int8'], uint8_t: ['unsigned char', 'ctypes.c_uint8'],
  int16_t: ['short', 'ctypes.c_int16'], uint16_t: ['unsigned short', 'ctypes.c_uint16'],
  int32_t: ['int', 'ctypes.c_int32'], uint32_t: ['unsigned int', 'ctypes.c_uint32'],
  int64_t: ['long long', 'ctypes.c_int64'], uint64_t: ['unsigned long long', 'ctypes.c_uint64'],
}

export const SYSTEM_TYPES: Record<string, SystemType> = {
  ...Object.fromEntries(Object.entries(ints).map(([n, [c, ct]]) => [n, {c, header: 'stdint.h', cython: 'libc.stdint', ctypes: ct}])),
  intptr_t: {c: 'long', header: 'stdint.h', cython: 'libc.stdint', ctypes: 'ctypes.c_ssize_t'},
  uintptr_t: {c: 'unsigned long', header: 'stdint.h', cython: 'libc.stdint', ctypes: 'ctypes.c_size_t'},
  intmax_t: {c: 'long', header: 'stdint.h', cython: 'libc.stdint', ctypes: 'ctypes.c_int64'},
  uintmax_t: {c: 'unsigned long', header: 'stdint.h', cython: 'libc.stdint', ctypes: 'ctypes.c_uint64'},
  size_t: {c: 'unsigned long', header: 'stddef.h', ctypes: 'ctypes.c_size_t'},
  ssize_t: {c: 'long', header: 'sys/types.h', ctypes: 'ctypes.c_ssize_t'},
  ptrdiff_t: {c: 'long', header: 'stddef.h', cython: 'libc.stddef', ctypes: 'ctypes.c_ssize_t'},
  wchar_t: {c: 'int', header: 'stddef.h', cython: 'libc.stddef', ctypes: 'ctypes.c_wchar'},
  off_t: {c: 'long', header: 'sys/types.h', cython: 'posix.types', ctypes: 'ctypes.c_long'},
  off64_t: {c: 'long long', header: 'sys/types.h', ctypes: 'ctypes.c_int64'},
  time_t: {c: 'long', header: 'time.h', cython: 'libc.time', ctypes: 'ctypes.c_long'},
  clock_t: {c: 'long', header: 'time.h', cython: 'libc.time', ctypes: 'ctypes.c_long'},
  pid_t: {c: 'int', header: 'sys/types.h', cython: 'posix.types', ctypes: 'ctypes.c_int'},
  uid_t: {c: 'unsigned int', header: 'sys/types.h', cython: 'posix.types', ctypes: 'ctypes.c_uint'},
  gid_t: {c: 'unsigned int', header: 'sys/types.h', cython: 'posix.types', ctypes: 'ctypes.c_uint'},
  mode_t: {c: 'unsigned int', header: 'sys/types.h', cython: 'posix.types', ctypes: 'ctypes.c_uint'},
  socklen_t: {c: 'unsigned int', header: 'sys/socket.h', ctypes: 'ctypes.c_uint'},
  sa_family_t: {c: 'unsigned short', header: 'sys/socket.h', ctypes: 'ctypes.c_ushort'},
  suseconds_t: {c: 'long', header: 'sys/types.h', ctypes: 'ctypes.c_long'},
  fd_set: {c: 'opaque', header: 'sys/select.h', ctypes: 'fd_set'},
  FILE: {c: 'opaque', header: 'stdio.h', cython: 'libc.stdio', ctypes: 'FILE'},
  va_list: {c: 'va_list', header: 'stdarg.h', ctypes: 'ctypes.c_void_p'},
  __builtin_va_list: {c: 'va_list', header: 'stdarg.h', ctypes: 'ctypes.c_void_p'},
  __gnuc_va_list: {c: 'va_list', header: 'stdarg.h', ctypes: 'ctypes.c_void_p'},
}

/** Names of types C itself has but no binding consumer handles: writers reject them by name. */
export const UNSUPPORTED_TYPES = /(^|\s)(__int128|_Complex|_Float128|__float128|_Float16|__fp16|_Decimal\d+|__m\d+\w*)(\s|$)/
