/**
 * How results and errors reach the terminal, without oclif, so the fast generation
 * path (fast.ts) and every oclif command print them the same way.
 */
import {environmentFault, HeaderkitError} from '../errors.js'

/** --json output: what oclif prints for a command's result. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/**
 * The one rendering of an error: a HeaderkitError is one line (what, where, what to
 * do) with its exit code; anything else is a bug and says so. The stack only under DEBUG.
 */
export function renderError(thrown: unknown, json: boolean): {stdout: string; stderr: string; exitCode: number} {
  const error = environmentFault(thrown) ?? thrown
  const known = error instanceof HeaderkitError
  const err = error instanceof Error ? error : new Error(String(error))
  const code = known ? error.code : 'E_INTERNAL'
  const debug = process.env.DEBUG ? `${(thrown instanceof Error ? thrown.stack : undefined) ?? err.stack ?? ''}\n` : ''
  if (json) return {stdout: jsonText({status: 'error', error: {code, message: err.message, hint: known ? (error.hint ?? null) : null}}), stderr: debug, exitCode: known ? error.exitCode : 1}
  const line = known ? error.oneLine() : `internal error: ${err.message} (this is a bug in headerkit; rerun with DEBUG=1 for the stack and report it)`
  return {stdout: '', stderr: `Error: ${line}\n${debug}`, exitCode: known ? error.exitCode : 1}
}

let tolerating = false

/**
 * A reader that stops early (`headerkit ... | head`) closes our stdout or stderr: later
 * writes to it are dropped instead of crashing with EPIPE and a stack, so the command
 * still finishes what it started (a populate merges and removes its containers) and exits
 * with its own code.
 */
export function tolerateClosedOutput(): void {
  if (tolerating) return
  tolerating = true
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error
    })
  }
}
