/**
 * oclif's own usage errors (unknown flag, missing value, flag constraints, unknown
 * command) as headerkit's one-line UsageError. oclif renders them over several lines,
 * adds the whole help, a stack, or (under --json) its internal state; users get one
 * line saying what is wrong and what to do, with exit 2, through the same renderer as
 * every other error.
 */
import {nearestName} from '../util/nearest.js'
import {UsageError} from '../errors.js'

interface OclifParseError extends Error {
  oclif?: {exit?: number}
  flags?: string[]
  parse?: {input?: {flags?: Record<string, {char?: string}>}}
}

/** Lines oclif adds around the message that tell the user nothing about this error. */
const NOISE = [/^See more help with --help$/, /^The following errors? occurred:$/, /^Alternatively, you can use "--"/]

/** The closest known flag to a mistyped one, when it is close enough to be a likely typo. */
function suggestFlag(given: string, known: string[]): string | undefined {
  const name = given.replace(/^--?/, '').replace(/=.*$/, '')
  const flag = nearestName(name, known, Math.max(1, Math.floor(name.length / 3)))
  return flag === undefined ? undefined : `--${flag}`
}

/** `command X not found` and oclif's parser errors, or undefined for anything else. */
export function usageErrorFromOclif(error: unknown, commandId: string | undefined, bin = 'headerkit', isCommand: (id: string) => boolean = () => false): UsageError | undefined {
  if (!(error instanceof Error)) return undefined
  const e = error as OclifParseError
  const notFound = /^command (\S+) not found$/.exec(e.message)
  if (notFound) {
    // `cache status extra` is looked up as the command cache:status:extra.
    const parts = notFound[1]!.split(':')
    for (let n = parts.length - 1; n > 0; n--) {
      const id = parts.slice(0, n)
      if (isCommand(id.join(':'))) return new UsageError(`unexpected argument${parts.length - n === 1 ? '' : 's'}: ${parts.slice(n).join(' ')}`, `run \`${bin} ${id.join(' ')} --help\` for its arguments`)
    }
    return new UsageError(`unknown command: ${bin} ${parts.join(' ')}`, `run \`${bin} --help\` for the commands`)
  }
  // Every CLIError oclif raises while reading argv carries a usage exit code; the
  // commands themselves throw typed HeaderkitErrors, never CLIErrors.
  if (e.oclif?.exit === undefined || e.message.startsWith('EEXIT:')) return undefined
  const lines = e.message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !NOISE.some((re) => re.test(l)))
    .map((l) => l.replace(/^Missing required flag (\w[\w-]*)$/, 'Missing required flag --$1'))
  const message = lines.join('; ').replace(/^Nonexistent flags?: /, (m) => (m.includes('flags') ? 'unknown flags: ' : 'unknown flag: '))
  const where = commandId === undefined || commandId === 'generate' ? bin : `${bin} ${commandId.split(':').join(' ')}`
  const known = Object.keys(e.parse?.input?.flags ?? {})
  const suggestion = e.flags?.length === 1 ? suggestFlag(e.flags[0]!, known) : undefined
  const help = `run \`${where} --help\` for the flags`
  return new UsageError(message.charAt(0).toLowerCase() + message.slice(1), suggestion ? `did you mean ${suggestion}? ${help}` : help)
}

interface FlagShape {
  type: string
  allowNo?: boolean
}

/**
 * `--no-cache=1`: oclif reads a value given to a boolean flag as the next argument
 * (here a header named `1`). A boolean takes no value; say so instead.
 */
export function booleanFlagWithValue(argv: readonly string[], flags: Record<string, FlagShape>, bin = 'headerkit'): UsageError | undefined {
  const booleans = new Set<string>()
  for (const [name, f] of Object.entries(flags)) {
    if (f.type !== 'boolean') continue
    booleans.add(name)
    if (f.allowNo) booleans.add(`no-${name}`)
  }
  for (const arg of argv) {
    if (arg === '--') break
    const m = /^--([^=]+)=(.*)$/s.exec(arg)
    if (m && booleans.has(m[1]!)) return new UsageError(`flag --${m[1]} takes no value (got ${arg})`, `write --${m[1]} alone; run \`${bin} --help\` for the flags`)
  }
  return undefined
}
