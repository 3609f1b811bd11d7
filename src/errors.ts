/**
 * Typed errors. Every error a user can cause is a HeaderkitError: it carries a stable
 * code, a one-line message that says what went wrong and where, an optional hint that
 * says what to do, and the exit code the CLI uses. Commands never format errors
 * themselves; src/commands/base.ts renders them in one place.
 */
export class HeaderkitError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: number

  constructor(code: string, message: string, options: {hint?: string; exitCode?: number; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? 1
  }

  /** The single line shown to a user: message, then the hint if there is one. */
  oneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message
  }
}

/** Bad flags or arguments: exit 2, like oclif's own usage errors. */
export class UsageError extends HeaderkitError {
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, {hint, exitCode: 2})
  }
}

/** A config file that cannot be read, parsed or validated. */
export class ConfigError extends HeaderkitError {
  readonly file: string
  readonly key: string | undefined
  readonly line: number | undefined

  constructor(file: string, message: string, options: {key?: string; line?: number; hint?: string} = {}) {
    const where = options.line === undefined ? file : `${file}:${options.line}`
    const what = options.key === undefined ? message : `${options.key}: ${message}`
    super('E_CONFIG', `config error in ${where}: ${what}`, {hint: options.hint})
    this.file = file
    this.key = options.key
    this.line = options.line
  }
}

/** A store that cannot be used as asked (missing, not a directory, unsafe content). */
export class StoreError extends HeaderkitError {
  constructor(message: string, hint?: string, code = 'E_STORE') {
    super(code, message, {hint})
  }
}

/** An input file (header, include dir) that is missing or unreadable. */
export class InputError extends HeaderkitError {
  constructor(message: string, hint?: string, code = 'E_INPUT') {
    super(code, message, {hint})
  }
}

export function isHeaderkitError(error: unknown): error is HeaderkitError {
  return error instanceof HeaderkitError
}

const FAULT_ADVICE: Record<string, string> = {
  EROFS: 'the file system is read-only; run where it is writable',
  EACCES: 'permission denied; check the owner and mode (an immutable file needs `chattr -i`)',
  EPERM: 'operation not permitted; check the owner and mode (an immutable file needs `chattr -i`)',
  ENOSPC: 'the disk is full; free some space and run again',
  EDQUOT: 'the disk quota is exhausted; free some space and run again',
  ENOTDIR: 'a file sits where a directory should be; move it away',
  EISDIR: 'a directory sits where a file should be; move it away',
  EMFILE: 'too many open files; raise `ulimit -n`',
  ENFILE: 'too many open files on the system; try again',
  EIO: 'an I/O error from the disk; check the device',
  ELOOP: 'too many levels of symbolic links; fix the link',
  ENAMETOOLONG: 'a path is too long; use a shorter project or store path',
  EBUSY: 'the file is busy; try again',
}

/**
 * An error from the file system that the environment caused (read-only disk, full
 * disk, permissions, an odd file where a directory belongs): not a bug, so it gets one
 * line naming the path and the fault, exit 1, instead of "internal error".
 */
export function environmentFault(error: unknown): HeaderkitError | undefined {
  if (error instanceof HeaderkitError || !(error instanceof Error)) return undefined
  const {code, path, syscall} = error as NodeJS.ErrnoException
  if (code === undefined || !(code in FAULT_ADVICE)) return undefined
  const where = path === undefined ? '' : ` ${path}`
  return new HeaderkitError('E_ENVIRONMENT', `cannot ${syscall ?? 'access'}${where}: ${code}`, {hint: FAULT_ADVICE[code], cause: error})
}
