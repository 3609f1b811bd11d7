/**
 * koffi declarations of the libclang C API subset the extractor uses. libclang passes
 * CXCursor, CXType, CXString and CXSourceLocation by value; they are declared as flat
 * koffi structs with `uintptr` members (same layout as the C arrays, and plain JS
 * numbers instead of BigInt pointers, which keeps every call cheaper). Loaded once per
 * library path and kept for the life of the process.
 */
import {createRequire} from 'node:module'
import {LibclangNotFoundError} from '../errors.js'
import {codeMappingsBefore, releaseLoadedCode} from './resident.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- koffi function objects are untyped */
type Fn = (...args: any[]) => any

export interface CXCursor {kind: number; xdata: number; d0: number; d1: number; d2: number}
export interface CXType {kind: number; d0: number; d1: number}
export interface CXString {data: number; flags: number}
export interface CXSourceLocation {p0: number; p1: number; i: number}

export interface Libclang {
  path: string
  koffi: any
  fn: ClangFns
  /** Make a transient visitor callback type usable with visitChildren. */
  visitorType: any
  inclusionVisitorType: any
  unsavedFileType: any
}

const loaded = new Map<string, Libclang>()

const DECLS = {
  // index and translation units
  clang_createIndex: 'void *clang_createIndex(int excludeDeclarationsFromPCH, int displayDiagnostics)',
  clang_disposeIndex: 'void clang_disposeIndex(void *index)',
  clang_parseTranslationUnit2: 'int clang_parseTranslationUnit2(void *index, const char *source_filename, const char **command_line_args, int num_command_line_args, CXUnsavedFile *unsaved_files, uint num_unsaved_files, uint options, _Out_ void **out_TU)',
  clang_disposeTranslationUnit: 'void clang_disposeTranslationUnit(void *tu)',
  clang_getTranslationUnitCursor: 'CXCursor clang_getTranslationUnitCursor(void *tu)',
  clang_getClangVersion: 'CXString clang_getClangVersion()',
  clang_getInclusions: 'void clang_getInclusions(void *tu, CXInclusionVisitor *visitor, uintptr client_data)',
  // strings
  clang_getCString: 'const char *clang_getCString(CXString s)',
  clang_disposeString: 'void clang_disposeString(CXString s)',
  // diagnostics
  clang_getNumDiagnostics: 'uint clang_getNumDiagnostics(void *tu)',
  clang_getDiagnostic: 'void *clang_getDiagnostic(void *tu, uint index)',
  clang_disposeDiagnostic: 'void clang_disposeDiagnostic(void *diag)',
  clang_getDiagnosticSeverity: 'int clang_getDiagnosticSeverity(void *diag)',
  clang_getDiagnosticSpelling: 'CXString clang_getDiagnosticSpelling(void *diag)',
  clang_getDiagnosticLocation: 'CXSourceLocation clang_getDiagnosticLocation(void *diag)',
  // cursors
  clang_visitChildren: 'uint clang_visitChildren(CXCursor parent, CXCursorVisitor *visitor, uintptr client_data)',
  clang_getCursorSpelling: 'CXString clang_getCursorSpelling(CXCursor c)',
  clang_getCursorType: 'CXType clang_getCursorType(CXCursor c)',
  clang_getCursorLocation: 'CXSourceLocation clang_getCursorLocation(CXCursor c)',
  clang_isCursorDefinition: 'uint clang_isCursorDefinition(CXCursor c)',
  clang_getCursorDefinition: 'CXCursor clang_getCursorDefinition(CXCursor c)',
  clang_Cursor_isNull: 'int clang_Cursor_isNull(CXCursor c)',
  clang_Cursor_getStorageClass: 'int clang_Cursor_getStorageClass(CXCursor c)',
  clang_getCursorAvailability: 'int clang_getCursorAvailability(CXCursor c)',
  clang_Cursor_isAnonymous: 'uint clang_Cursor_isAnonymous(CXCursor c)',
  clang_Cursor_isAnonymousRecordDecl: 'uint clang_Cursor_isAnonymousRecordDecl(CXCursor c)',
  clang_getFieldDeclBitWidth: 'int clang_getFieldDeclBitWidth(CXCursor c)',
  clang_Cursor_getOffsetOfField: 'int64 clang_Cursor_getOffsetOfField(CXCursor c)',
  clang_Cursor_getNumArguments: 'int clang_Cursor_getNumArguments(CXCursor c)',
  clang_Cursor_getArgument: 'CXCursor clang_Cursor_getArgument(CXCursor c, uint i)',
  clang_getCursorResultType: 'CXType clang_getCursorResultType(CXCursor c)',
  clang_getTypedefDeclUnderlyingType: 'CXType clang_getTypedefDeclUnderlyingType(CXCursor c)',
  clang_getEnumDeclIntegerType: 'CXType clang_getEnumDeclIntegerType(CXCursor c)',
  clang_getEnumConstantDeclValue: 'int64 clang_getEnumConstantDeclValue(CXCursor c)',
  clang_getEnumConstantDeclUnsignedValue: 'uint64 clang_getEnumConstantDeclUnsignedValue(CXCursor c)',
  clang_Cursor_isMacroFunctionLike: 'uint clang_Cursor_isMacroFunctionLike(CXCursor c)',
  clang_Cursor_isMacroBuiltin: 'uint clang_Cursor_isMacroBuiltin(CXCursor c)',
  clang_Cursor_Evaluate: 'void *clang_Cursor_Evaluate(CXCursor c)',
  clang_getCursor: 'CXCursor clang_getCursor(void *tu, CXSourceLocation loc)',
  // evaluation results
  clang_EvalResult_getKind: 'int clang_EvalResult_getKind(void *r)',
  clang_EvalResult_isUnsignedInt: 'uint clang_EvalResult_isUnsignedInt(void *r)',
  clang_EvalResult_getAsLongLong: 'int64 clang_EvalResult_getAsLongLong(void *r)',
  clang_EvalResult_getAsUnsigned: 'uint64 clang_EvalResult_getAsUnsigned(void *r)',
  clang_EvalResult_getAsDouble: 'double clang_EvalResult_getAsDouble(void *r)',
  clang_EvalResult_getAsStr: 'const char *clang_EvalResult_getAsStr(void *r)',
  clang_EvalResult_dispose: 'void clang_EvalResult_dispose(void *r)',
  // types
  clang_getCanonicalType: 'CXType clang_getCanonicalType(CXType t)',
  clang_getPointeeType: 'CXType clang_getPointeeType(CXType t)',
  clang_getResultType: 'CXType clang_getResultType(CXType t)',
  clang_getNumArgTypes: 'int clang_getNumArgTypes(CXType t)',
  clang_getArgType: 'CXType clang_getArgType(CXType t, uint i)',
  clang_isFunctionTypeVariadic: 'uint clang_isFunctionTypeVariadic(CXType t)',
  clang_getFunctionTypeCallingConv: 'int clang_getFunctionTypeCallingConv(CXType t)',
  clang_getArrayElementType: 'CXType clang_getArrayElementType(CXType t)',
  clang_getArraySize: 'int64 clang_getArraySize(CXType t)',
  clang_getElementType: 'CXType clang_getElementType(CXType t)',
  clang_Type_getNamedType: 'CXType clang_Type_getNamedType(CXType t)',
  clang_Type_getModifiedType: 'CXType clang_Type_getModifiedType(CXType t)',
  clang_Type_getValueType: 'CXType clang_Type_getValueType(CXType t)',
  clang_getTypeDeclaration: 'CXCursor clang_getTypeDeclaration(CXType t)',
  clang_getTypeSpelling: 'CXString clang_getTypeSpelling(CXType t)',
  clang_getTypedefName: 'CXString clang_getTypedefName(CXType t)',
  clang_isConstQualifiedType: 'uint clang_isConstQualifiedType(CXType t)',
  clang_isVolatileQualifiedType: 'uint clang_isVolatileQualifiedType(CXType t)',
  clang_isRestrictQualifiedType: 'uint clang_isRestrictQualifiedType(CXType t)',
  clang_Type_getSizeOf: 'int64 clang_Type_getSizeOf(CXType t)',
  clang_Type_getAlignOf: 'int64 clang_Type_getAlignOf(CXType t)',
  clang_Type_getOffsetOf: 'int64 clang_Type_getOffsetOf(CXType t, const char *field)',
  // locations and files
  clang_getExpansionLocation: 'void clang_getExpansionLocation(CXSourceLocation loc, _Out_ uintptr *file, _Out_ uint *line, _Out_ uint *column, _Out_ uint *offset)',
  clang_getSpellingLocation: 'void clang_getSpellingLocation(CXSourceLocation loc, _Out_ uintptr *file, _Out_ uint *line, _Out_ uint *column, _Out_ uint *offset)',
  clang_Location_isInSystemHeader: 'int clang_Location_isInSystemHeader(CXSourceLocation loc)',
  clang_getFileName: 'CXString clang_getFileName(uintptr file)',
  clang_getFile: 'uintptr clang_getFile(void *tu, const char *file_name)',
  clang_getLocation: 'CXSourceLocation clang_getLocation(void *tu, uintptr file, uint line, uint column)',

} as const

export type ClangFns = {[K in keyof typeof DECLS]: Fn}
function requireKoffi(): any {
  // koffi is CommonJS with a native addon; createRequire keeps it loadable from the
  // bundled worker too (esbuild leaves it external).
  const require = createRequire(import.meta.url)
  return require('koffi')
}

/** Load libclang at `path` (once per process) and bind the functions the extractor needs. */
export function loadLibclang(path: string): Libclang {
  const cached = loaded.get(path)
  if (cached) return cached
  const koffi = requireKoffi()
  let lib: any
  const before = codeMappingsBefore()
  try {
    lib = koffi.load(path)
  } catch (error) {
    throw new LibclangNotFoundError(`cannot load libclang ${path}: ${(error as Error).message}`, [path], 'the file must be a libclang shared library for this machine\'s architecture')
  }
  // What the static constructors touched (resident.ts), before the index adds its own.
  releaseLoadedCode(koffi, before)
  // Type names are global in koffi; declare them once even if two libclangs are loaded.
  const type = (name: string, make: () => unknown): any => {
    try {
      return koffi.type(name)
    } catch {
      return make()
    }
  }
  type('CXCursor', () => koffi.struct('CXCursor', {kind: 'int', xdata: 'int', d0: 'uintptr', d1: 'uintptr', d2: 'uintptr'}))
  type('CXType', () => koffi.struct('CXType', {kind: 'int', d0: 'uintptr', d1: 'uintptr'}))
  type('CXString', () => koffi.struct('CXString', {data: 'uintptr', flags: 'uint'}))
  type('CXSourceLocation', () => koffi.struct('CXSourceLocation', {p0: 'uintptr', p1: 'uintptr', i: 'uint'}))
  const unsavedFileType = type('CXUnsavedFile', () => koffi.struct('CXUnsavedFile', {Filename: 'const char *', Contents: 'const char *', Length: 'ulong'}))
  const visitorType = type('CXCursorVisitor', () => koffi.proto('int CXCursorVisitor(CXCursor cursor, CXCursor parent, uintptr data)'))
  const inclusionVisitorType = type('CXInclusionVisitor', () => koffi.proto('void CXInclusionVisitor(uintptr file, uintptr stack, uint depth, uintptr data)'))
  const fn = {} as Record<string, Fn>
  for (const [name, decl] of Object.entries(DECLS)) {
    try {
      fn[name] = lib.func(decl)
    } catch (error) {
      throw new LibclangNotFoundError(`libclang ${path} lacks ${name}: ${(error as Error).message}`, [path], 'use libclang 14 or newer')
    }
  }
  const result: Libclang = {path, koffi, fn: fn as ClangFns, visitorType, inclusionVisitorType, unsavedFileType}
  loaded.set(path, result)
  return result
}

/** A CXString as a JS string, disposed. */
export function takeString(clang: Libclang, s: CXString): string {
  const text: string | null = clang.fn.clang_getCString(s)
  clang.fn.clang_disposeString(s)
  return text ?? ''
}
