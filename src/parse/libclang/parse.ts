/**
 * One header through libclang: build the translation unit with `--target` and the
 * user's args in their order, fail on any error-severity diagnostic (with all of
 * them), walk the project declarations, evaluate macros, list included project files.
 */
import path from 'node:path'
import type {Constant, Header} from '../../ir/types.js'
import {existsSync} from 'node:fs'
import {InputError, UsageError} from '../../errors.js'
import {ParseError, type Diagnostic} from '../errors.js'
import {crossSysroot, isHostTriple, isolationArgs, sysrootOf} from '../sysroot.js'
import type {ParseRequest, ParseResult} from '../types.js'
import {Extractor} from './extract.js'
import {loadLibclang, takeString, type CXSourceLocation, type Libclang} from './ffi.js'
import * as K from './kinds.js'
import {locateLibclang} from './locate.js'
import {codeMappingsBefore, releaseLoadedCode} from './resident.js'
import {evaluateMacros} from './macros.js'

// DetailedPreprocessingRecord (macros) | SkipFunctionBodies | KeepGoing (then errors are fatal to us).
const TU_FLAGS = 1 | 64 | 512

interface Session {
  clang: Libclang
  index: unknown
  version: string
}

const sessions = new Map<string, Session>()

/** Load (once) the libclang the request points at, with its index. */
export function openLibclang(explicit?: string, explicitFrom?: string): Session {
  const libPath = locateLibclang({explicit, explicitFrom})
  let session = sessions.get(libPath)
  if (!session) {
    const before = codeMappingsBefore()
    const clang = loadLibclang(libPath)
    session = {clang, index: clang.fn.clang_createIndex(0, 0), version: takeString(clang, clang.fn.clang_getClangVersion())}
    sessions.set(libPath, session)
    // The code that loading and creating the index ran, and a parse does not (resident.ts).
    releaseLoadedCode(clang.koffi, before)
  }
  return session
}

/** -isystem directories named in args, absolute. */
export function systemDirsOf(args: string[], cwd: string): string[] {
  const dirs: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '-isystem' && i + 1 < args.length) dirs.push(args[++i]!)
    else if (a.startsWith('-isystem')) dirs.push(a.slice('-isystem'.length).replace(/^=/, ''))
  }
  return dirs.map((d) => path.resolve(cwd, d))
}

function relativeOrAbsolute(projectRoot: string, file: string): string {
  const rel = path.relative(projectRoot, file)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file
}

function readDiagnostics(clang: Libclang, tu: unknown, projectRoot: string): Diagnostic[] {
  const f = clang.fn
  const out: Diagnostic[] = []
  const n: number = f.clang_getNumDiagnostics(tu)
  const file = [0]
  const line = [0]
  const column = [0]
  const offset = [0]
  for (let i = 0; i < n; i++) {
    const d = f.clang_getDiagnostic(tu, i)
    try {
      const severity = K.SEVERITY[f.clang_getDiagnosticSeverity(d) as number] ?? 'error'
      if (severity === 'ignored') continue
      const message = takeString(clang, f.clang_getDiagnosticSpelling(d))
      f.clang_getSpellingLocation(f.clang_getDiagnosticLocation(d), file, line, column, offset)
      const diag: Diagnostic = {severity, message}
      if (file[0]) {
        diag.file = relativeOrAbsolute(projectRoot, path.resolve(takeString(clang, f.clang_getFileName(file[0]))))
        diag.line = line[0]!
        diag.column = column[0]!
      }
      out.push(diag)
    } finally {
      f.clang_disposeDiagnostic(d)
    }
  }
  return out
}

/** One #include on the way from the main file to a file: where the directive is. */
export interface IncludeStep {
  /** The file holding the #include directive (a CXFile). */
  file: number
  offset: number
}

/**
 * Include positions per file: for each included file, the #include directives from
 * the main file down to it (first inclusion wins). Their offsets give translation
 * order; their files tell which header the project included to reach a system file.
 */
function includeChains(clang: Libclang, tu: unknown): Map<number, IncludeStep[]> {
  const f = clang.fn
  const koffi = clang.koffi
  const chains = new Map<number, IncludeStep[]>()
  const file = [0]
  const line = [0]
  const column = [0]
  const offset = [0]
  f.clang_getInclusions(tu, (included: number, stack: number, depth: number) => {
    if (chains.has(included)) return
    if (depth === 0) {
      chains.set(included, [])
      return
    }
    const locations: CXSourceLocation[] = koffi.decode(BigInt(stack), 'CXSourceLocation', depth)
    const chain: IncludeStep[] = []
    for (let i = locations.length - 1; i >= 0; i--) {
      f.clang_getExpansionLocation(locations[i], file, line, column, offset)
      chain.push({file: file[0]!, offset: offset[0]!})
    }
    chains.set(included, chain)
  }, 0)
  return chains
}

function failureHint(diagnostics: Diagnostic[], req: ParseRequest): string | undefined {
  const notFound = diagnostics.find((d) => /file not found/.test(d.message))
  if (!notFound) return undefined
  const host = isHostTriple(req.target)
  if (/'(stddef|stdarg|stdint|stdbool|limits)\.h'/.test(notFound.message) && host && sysrootOf(req.args) === undefined) {
    return 'clang\'s own headers are missing: install libclang-common-N-dev for your libclang version'
  }
  if (!host && sysrootOf(req.args) === undefined) {
    const sysroot = crossSysroot(req.target)
    return sysroot
      ? `cross target without a sysroot: pass --sysroot=${sysroot}`
      : `cross target without a sysroot: pass --sysroot=<dir with the target's usr/include> (Debian: the libc6-dev-<arch>-cross package)`
  }
  return 'add the directory holding it with -I'
}

/**
 * clang picks the language from the extension and refuses what it does not know
 * (`.inc`, none at all) with no diagnostic, and takes `.hpp` as C++. A header is C
 * unless the user's own arguments choose a language: `.h` is already a C header to
 * clang, anything else is told so.
 */
export function languageArgs(header: string, userArgs: readonly string[]): string[] {
  if (header.endsWith('.h')) return []
  if (userArgs.some((a) => a === '-x' || (a.startsWith('-x') && a.length > 2) || a.startsWith('--language'))) return []
  return ['-x', 'c-header']
}

/** Parses `req.header` with libclang into the IR. */
export function parseWithLibclang(req: ParseRequest): ParseResult {
  if (!path.isAbsolute(req.header) || !path.isAbsolute(req.projectRoot)) {
    throw new UsageError(`header and project root must be absolute paths (got ${req.header}, ${req.projectRoot})`)
  }
  const headerRel = path.relative(req.projectRoot, req.header)
  if (headerRel.startsWith('..') || path.isAbsolute(headerRel)) {
    throw new UsageError(`header ${req.header} is outside the project root ${req.projectRoot}`, 'run from the project, or pass a header inside it')
  }
  if (!existsSync(req.header)) throw new InputError(`header not found: ${req.header}`)
  const session = openLibclang(req.libclang, req.libclangFrom)
  const {clang, index} = session
  const f = clang.fn
  const args = [`--target=${req.target}`, ...languageArgs(req.header, req.args), ...req.args, ...isolationArgs(req.target, req.args)]
  const tuOut = [null]
  const rc: number = f.clang_parseTranslationUnit2(index, req.header, args, args.length, null, 0, TU_FLAGS, tuOut)
  if (rc !== 0 || !tuOut[0]) throw creationFailure(session, req, rc)
  const tu = tuOut[0]
  try {
    const diagnostics = readDiagnostics(clang, tu, req.projectRoot)
    if (diagnostics.some((d) => d.severity === 'error' || d.severity === 'fatal')) {
      throw new ParseError(headerRel.split(path.sep).join('/'), diagnostics, failureHint(diagnostics, req))
    }
    const chains = includeChains(clang, tu)
    const extractor = new Extractor(clang, tu, {projectRoot: req.projectRoot, systemDirs: systemDirsOf(req.args, req.projectRoot)}, chains)
    try {
      extractor.run()
    } catch (error) {
      // What the extractor refuses (a type nested too deep) is said with the header's name.
      if (error instanceof InputError) throw new InputError(`${headerRel.split(path.sep).join('/')}: ${error.message}`, error.hint, error.code)
      throw error
    }
    const probe = evaluateMacros({
      clang, index, header: req.header, args,
      probePath: path.join(path.dirname(req.header), '__headerkit_macro_probe__.c'),
      candidates: extractor.macros,
    })
    const seen = new Set<string>()
    const extra: Array<{order: number[]; decl: Constant}> = []
    for (const [i, constant] of [...probe.constants.entries()].sort((a, b) => a[0] - b[0])) {
      if (seen.has(constant.name)) continue
      seen.add(constant.name)
      extra.push({order: extractor.macros[i]!.order, decl: constant})
    }
    const headerPosix = headerRel.split(path.sep).join('/')
    const included = new Set<string>()
    for (const file of chains.keys()) {
      const info = extractor.fileInfo(file, undefined)
      if (info.rel !== undefined && info.rel !== headerPosix) included.add(info.rel)
    }
    const includedList = [...included].sort()
    const ir: Header = {path: headerPosix, declarations: extractor.declarations(extra)}
    if (includedList.length > 0) ir.included_headers = includedList
    if (probe.charSigned !== undefined) ir.char_signed = probe.charSigned
    return {ir, included: includedList, libclangVersion: session.version}
  } finally {
    f.clang_disposeTranslationUnit(tu)
  }
}

/**
 * libclang returns no translation unit and no diagnostics when the driver rejects
 * the command line. An unknown target is the usual cause: check it alone.
 */
function creationFailure(session: Session, req: ParseRequest, rc: number): Error {
  const f = session.clang.fn
  const probe = path.join(req.projectRoot, '__headerkit_target_probe__.c')
  const unsaved = {Filename: probe, Contents: '', Length: 0}
  const out = [null]
  const targetRc: number = f.clang_parseTranslationUnit2(session.index, probe, [`--target=${req.target}`], 1, [unsaved], 1, 0, out)
  if (out[0]) f.clang_disposeTranslationUnit(out[0])
  if (targetRc !== 0) {
    return new UsageError(`unknown target triple '${req.target}': libclang (${session.version}) cannot parse for it`, 'use a triple clang knows, for example x86_64-pc-linux-gnu or aarch64-unknown-linux-gnu')
  }
  return new ParseError(path.relative(req.projectRoot, req.header), [{severity: 'error', message: `libclang could not start the parse (error code ${rc}); check the arguments: ${req.args.join(' ')}`}])
}
