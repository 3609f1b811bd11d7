/**
 * Which header a project includes to get a declaration from outside the project.
 * A system type is declared deep inside the C library (`bits/types/struct_timeval.h`),
 * which no consumer may include; what the project wrote (`#include <sys/time.h>`) is
 * what a Cython `cdef extern from` block, or a reader, needs. So the answer is the
 * #include directive where the include chain leaves the project, as spelled there.
 */
import {readFileSync} from 'node:fs'

export interface ChainStep {
  /** Absolute path of the file holding the #include directive. */
  file: string
  /** Whether that file is a project file. */
  project: boolean
  offset: number
}

const DIRECTIVE = /^\s*#\s*include(?:_next)?\s*([<"])([^>"]+)[>"]/

/** The header named by the #include directive on the line holding `offset`, if it is one. */
export function directiveAt(text: string, offset: number): string | undefined {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1
  const end = text.indexOf('\n', offset)
  const line = text.slice(start, end < 0 ? undefined : end)
  return DIRECTIVE.exec(line)?.[2]
}

/**
 * The header the project included on the way to `target`: the directive in the last
 * project file of the chain. `fallback` names it when no directive can be read (an
 * include computed by a macro, a file no longer readable).
 */
export function includedAs(chain: ChainStep[], fallback: string, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): string {
  for (let i = chain.length - 1; i >= 0; i--) {
    const step = chain[i]!
    if (!step.project) continue
    try {
      return directiveAt(read(step.file), step.offset) ?? fallback
    } catch {
      return fallback
    }
  }
  return fallback
}

/** A readable name for a system file when no directive names it: its path below the usual include directories. */
export function systemHeaderName(abs: string): string {
  const m = /\/include\/(?:[a-z0-9_]+-linux-[a-z0-9_]+\/)?(.+)$/.exec(abs)
  return m ? m[1]! : abs.slice(abs.lastIndexOf('/') + 1)
}
