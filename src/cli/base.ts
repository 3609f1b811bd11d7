/**
 * The base of every command: --json, and the one place that turns errors into a
 * message and an exit code. A HeaderkitError prints one line (what, where, what to do)
 * and exits with its code; anything else is a bug and says so, with the stack only
 * under DEBUG.
 */
import {Command, Errors} from '@oclif/core'
import {HeaderkitError} from '../errors.js'

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  /** Plain lines for humans; suppressed under --json (oclif prints the result). */
  protected say(line = ''): void {
    if (!this.jsonEnabled()) process.stdout.write(`${line}\n`)
  }

  /** Warnings go to stderr in both modes, so --json output stays parseable. */
  protected warnLine(message: string): void {
    process.stderr.write(`Warning: ${message}\n`)
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    if (error instanceof HeaderkitError) {
      if (this.jsonEnabled()) {
        this.logJson({status: 'error', error: {code: error.code, message: error.message, hint: error.hint ?? null}})
      } else {
        process.stderr.write(`Error: ${error.oneLine()}\n`)
        if (process.env.DEBUG) process.stderr.write(`${error.stack ?? ''}\n`)
      }
      return this.exit(error.exitCode)
    }
    // oclif's own parse errors (unknown flag, missing value) keep their usage exit code 2.
    if (error.oclif?.exit !== undefined) return super.catch(error)
    if (this.jsonEnabled()) {
      this.logJson({status: 'error', error: {code: 'E_INTERNAL', message: error.message, hint: null}})
    } else {
      process.stderr.write(`Error: internal error: ${error.message} (this is a bug in headerkit; rerun with DEBUG=1 for the stack and report it)\n`)
      if (process.env.DEBUG) process.stderr.write(`${error.stack ?? ''}\n`)
    }
    return this.exit(1)
  }
}
