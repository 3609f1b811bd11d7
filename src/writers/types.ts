/**
 * The writer plugin interface. A writer turns one header's IR plus its validated,
 * typed options into text. Everything the pipeline needs to cache and place that
 * text is declared here, next to the writer, not in a side table.
 */
import {HeaderkitError} from '../errors.js'
import type {Header} from '../ir/types.js'

/** The types an option can have. `ir` is a baseline IR: a `Header` from the API, a path to a JSON IR file from the CLI or config. */
export type OptionType = 'string' | 'boolean' | 'integer' | 'string-list' | 'enum' | 'ir'

/** A resolved option value: lists stay lists, numbers stay numbers. */
export type OptionValue = string | number | boolean | string[] | Header

export interface OptionSpec {
  type: OptionType
  description: string
  /** Applied when the option is not given; absent means "not set" (the writer sees `undefined`). */
  default?: OptionValue
  /** For `enum`: the accepted strings. */
  values?: readonly string[]
  /** For `integer`: inclusive bounds. */
  min?: number
  max?: number
}

export type OptionsSchema = Record<string, OptionSpec>

/** Options as the writer receives them: validated, typed, defaults applied. */
export type ResolvedOptions = Record<string, OptionValue>

export interface WriterContext {
  /** Directory a relative option path (the diff writer's `baseline`) is resolved against; default `process.cwd()`. */
  cwd?: string
  /** The target triple the IR was parsed for, when known (informational; writers must not embed host paths). */
  target?: string
  /**
   * False: a declaration the consumer cannot express is left out (with a comment in the
   * output and a `warn` call) instead of failing the whole output. Default true, so a
   * library caller sees every refusal as an UnsupportedIrError.
   */
  strict?: boolean
  /** Receives one message per declaration left out when not strict. */
  warn?: (message: string) => void
}

export interface Writer {
  name: string
  description: string
  /** False when the output depends on more than the IR and the options (diff reads a baseline file, prompt per the issue): never stored. */
  cacheOutput: boolean
  /** Bump when this writer's output changes for the same IR and options; part of the output cache key. */
  cacheVersion: string
  /** File extension of the stored payload, dot included (`.cdef.txt`). */
  extension: string
  /** Where batch mode writes the output when no template is given (`{dir}/{stem}.cdef.txt`). */
  defaultOutputPattern: string
  options: OptionsSchema
  write(ir: Header, options: ResolvedOptions, context: WriterContext): string
  /**
   * Writers that can make one output for several targets (`--universal`, the `universal`
   * option): its payload's extension, and the rendering from every covered target's IR.
   */
  universal?: {
    extension: string
    write(members: UniversalMember[], options: ResolvedOptions, context: WriterContext): string
  }
}

/** One target a universal output covers: the IR the store holds for it, and the IR entry it came from. */
export interface UniversalMember {
  target: string
  /** Store-relative directory of the IR entry (`ir/libclang.mylib.aarch64-linux-gnu`). */
  entry: string
  ir: Header
}

/** The options every writer with `universal` takes (see src/generate/universal.ts). */
export const UNIVERSAL_OPTIONS: OptionsSchema = {
  universal: {type: 'boolean', description: 'one module for every target the store holds a fresh IR of this header for (--universal); declarations that differ are chosen at import by the running platform'},
  universal_targets: {type: 'string-list', description: 'with universal: cover only these targets (--target, repeated, with --universal); default: every target in the store'},
}

/** A writer that cannot express part of the IR in its target language. */
export class UnsupportedIrError extends HeaderkitError {
  readonly writer: string
  /** How the declaration is named in messages: `struct 'x'`, `function 'f'`, `anonymous enum`. */
  readonly declaration: string
  /** Why the consumer cannot take it. */
  readonly reason: string

  constructor(writer: string, declaration: string, what: string, hint?: string) {
    const name = /'([^']+)'/.exec(declaration)?.[1]
    const option = name ? `the exclude_patterns option (--writer-opt ${writer}:exclude_patterns='^${name}$')` : `the exclude_patterns option of the ${writer} writer`
    super('E_WRITER_UNSUPPORTED', `${writer} writer cannot express ${declaration}: ${what}`, {
      hint: hint ?? `leave it out with ${option}, or generate without --strict to skip it with a warning`,
    })
    this.writer = writer
    this.declaration = declaration
    this.reason = what
  }
}

/** A writer name or option that is unknown, malformed or of the wrong type. */
export class WriterOptionError extends HeaderkitError {
  constructor(message: string, hint?: string) {
    super('E_WRITER_OPTION', message, {hint})
  }
}

/** An unknown writer, or a writer registered twice or with an invalid name. */
export class WriterRegistryError extends HeaderkitError {
  constructor(message: string, hint?: string) {
    super('E_WRITER', message, {hint})
  }
}
