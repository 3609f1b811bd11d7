import type {Header} from '../ir/types.js'

export interface ParseRequest {
  /** Absolute path of the header to parse. */
  header: string
  /** Absolute; paths in the IR and in `included` are relative to it. */
  projectRoot: string
  /** Normalised target triple, always passed to clang as `--target`. */
  target: string
  /** -I/-isystem/-D/-U/extra args in the user's order (never sorted); -I dirs absolute. */
  args: string[]
  /** Explicit libclang path (the `--libclang` flag); wins over the environment. */
  libclang?: string
  /** Where `libclang` came from, for errors (default `--libclang`). */
  libclangFrom?: string
  /** Backend name; only `libclang` exists today. */
  backend?: string
}

export interface ParseResult {
  ir: Header
  /** Project-local files the parse included: project-relative POSIX, sorted, deduped, without the main header. */
  included: string[]
  /** `clang_getClangVersion()` of the library that parsed. */
  libclangVersion: string
}
