/**
 * The no-op journal (DESIGN 11, docs/store.md "A run with nothing to do"). A generation
 * whose every output came from the output cache and was already in place changed nothing,
 * as did a `cache populate` that found every entry in the store; the next identical command (same arguments, directory and environment) will do the
 * same, as long as every file, directory and absence the first one based its answer on is
 * unchanged. The journal records those (src/util/witness.ts) with what the run printed,
 * and the next run checks them with one stat each and prints the same thing, without
 * loading the CLI, the store or a hash: ccache's direct mode and git's index, applied to
 * a whole command.
 *
 * It lives in the per-user cache, never in the project: it describes this machine's
 * files. A changed, added or removed input, a touched file, another build of headerkit,
 * or anything unreadable is a miss: the full run happens and decides. A file changed
 * within a second before the run, or during it, keeps the journal from being written
 * ("racily clean", as git calls it: a timestamp cannot tell two writes in one tick apart).
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {userCacheDir} from '../util/user-cache-dir.js'
import {fingerprintOf, type Fingerprint, type Look, type Observation, sameFingerprint, startWitness, stopWitness, witness} from '../util/witness.js'

/** Bumped whenever what a journal holds or how it is checked changes. */
const JOURNAL_VERSION = 1
/** A file whose ctime is this close to the run's start (or later) is not trusted to a timestamp. */
export const RACY_MS = 1000
/** Journals kept per user; the oldest go first. */
const KEEP = 256
/** A run whose output is bigger than this is not journalled (the journal is read whole). */
const MAX_OUTPUT = 4 * 1024 * 1024

/** The variable that turns the journal off: no replay, no recording. */
export const NO_JOURNAL = 'HEADERKIT_NO_JOURNAL'

export interface JournalRecord {
  version: number
  argv: string[]
  cwd: string
  /** Environment variables the run depended on, with their values (null: unset). */
  env: [string, string | null][]
  /** Every HEADERKIT_* variable set at the time: a new one may change the run. */
  headerkitVars: string[]
  observations: [string, Look, Fingerprint][]
  /** What the run printed, in order: 1 stdout, 2 stderr. */
  printed: Printed
}

/** Writes to stdout (1) and stderr (2), in the order they were made. */
export type Printed = [1 | 2, string][]

/**
 * What the command line, directory and runtime make of a command: one journal each. Where
 * its output goes counts too: a report made for a terminal is not replayed into a pipe.
 */
function journalName(argv: string[], cwd: string): string {
  const identity = JSON.stringify([JOURNAL_VERSION, process.version, process.arch, process.platform, cwd, argv, process.stdout.isTTY === true, process.stderr.isTTY === true])
  return `${createHash('sha256').update(identity).digest('hex').slice(0, 40)}.json`
}

function journalDir(env: NodeJS.ProcessEnv): string {
  return join(userCacheDir(env), 'journal')
}

export function journalOff(env: NodeJS.ProcessEnv): boolean {
  const value = env[NO_JOURNAL]
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'
}

function headerkitVarsOf(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('HEADERKIT_') && env[name] !== undefined)
    .sort()
}

function isRecord(value: unknown, argv: string[], cwd: string): value is JournalRecord {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Partial<JournalRecord>
  return (
    r.version === JOURNAL_VERSION &&
    Array.isArray(r.argv) && r.argv.length === argv.length && r.argv.every((a, i) => a === argv[i]) &&
    r.cwd === cwd &&
    Array.isArray(r.env) && Array.isArray(r.headerkitVars) && Array.isArray(r.observations) &&
    Array.isArray(r.printed) && r.printed.every((w) => Array.isArray(w) && (w[0] === 1 || w[0] === 2) && typeof w[1] === 'string')
  )
}

const LOOKS = new Set<unknown>(['follow', 'nofollow', 'exists'])

function isObservation(item: unknown): item is [string, Look, Fingerprint] {
  if (!Array.isArray(item) || item.length !== 3 || typeof item[0] !== 'string' || !LOOKS.has(item[1])) return false
  const fp: unknown = item[2]
  return fp === null || (Array.isArray(fp) && (fp.length === 1 || fp.length === 6) && typeof fp[0] === 'string' && fp.slice(1).every((v) => typeof v === 'number'))
}

/**
 * What a journalled run printed, when everything it depended on is as it was; else
 * undefined (no journal, another command's, a difference, anything unreadable).
 */
export function replayJournal(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Printed | undefined {
  if (journalOff(env)) return undefined
  let record: unknown
  try {
    record = JSON.parse(readFileSync(join(journalDir(env), journalName(argv, cwd)), 'utf8'))
  } catch {
    return undefined
  }
  if (!isRecord(record, argv, cwd)) return undefined
  for (const item of record.env) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || (env[item[0]] ?? null) !== item[1]) return undefined
  }
  const vars = headerkitVarsOf(env)
  if (vars.length !== record.headerkitVars.length || vars.some((v, i) => v !== record.headerkitVars[i])) return undefined
  for (const item of record.observations) {
    if (!isObservation(item) || !sameFingerprint(fingerprintOf(item[0], item[1]), item[2])) return undefined
  }
  return record.printed
}

/**
 * The environment as a run sees it, recording every variable it reads. A run that lists
 * the whole environment depends on all of it.
 */
export function recordingEnv(base: NodeJS.ProcessEnv): {env: NodeJS.ProcessEnv; read(): [string, string | null][]} {
  const names = new Set<string>(['HOME'])
  let everything = false
  const env = new Proxy(base, {
    get(target, name) {
      if (typeof name === 'string') names.add(name)
      return Reflect.get(target, name) as unknown
    },
    has(target, name) {
      if (typeof name === 'string') names.add(name)
      return Reflect.has(target, name)
    },
    ownKeys(target) {
      everything = true
      return Reflect.ownKeys(target)
    },
  })
  return {
    env,
    read: () => [...(everything ? new Set([...names, ...Object.keys(base)]) : names)].sort().map((name) => [name, base[name] ?? null]),
  }
}

export interface RecordedRun {
  argv: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  envRead: [string, string | null][]
  /** Date.now() when the run started, before any input was looked at. */
  startedAt: number
  observations: Observation[]
  printed: Printed
}

/**
 * Writes the journal of a run that changed nothing, when every observation still has its
 * first fingerprint and none is racily recent; else removes any journal of this command.
 * Never fails the run: a cache that cannot be written only costs the next run its speed.
 */
export function recordJournal(run: RecordedRun): {written: boolean; why?: string} {
  let dir: string
  try {
    dir = journalDir(run.env)
  } catch (error) {
    return {written: false, why: (error as Error).message}
  }
  const file = join(dir, journalName(run.argv, run.cwd))
  const why = unjournallable(run)
  if (why !== undefined) {
    rmSync(file, {force: true})
    return {written: false, why}
  }
  const record: JournalRecord = {
    version: JOURNAL_VERSION,
    argv: run.argv,
    cwd: run.cwd,
    env: run.envRead,
    headerkitVars: headerkitVarsOf(run.env),
    observations: run.observations.map((o) => [o.path, o.look, o.fingerprint]),
    printed: run.printed,
  }
  try {
    mkdirSync(dir, {recursive: true})
    const temp = `${file}.${process.pid}.tmp`
    writeFileSync(temp, JSON.stringify(record))
    renameSync(temp, file)
    pruneJournals(dir)
    return {written: true}
  } catch (error) {
    return {written: false, why: (error as Error).message}
  }
}

/** Why a run's observations cannot stand for it next time, or undefined when they can. */
function unjournallable(run: RecordedRun): string | undefined {
  if (run.printed.reduce((n, [, text]) => n + text.length, 0) > MAX_OUTPUT) return 'its output is too big to keep'
  const racyAfter = run.startedAt - RACY_MS
  for (const o of run.observations) {
    const now = fingerprintOf(o.path, o.look)
    if (!sameFingerprint(now, o.fingerprint)) return `${o.path} changed while the run looked at it`
    if (now !== null && now.length === 6 && (now[3] >= racyAfter || now[2] >= racyAfter)) return `${o.path} changed too recently to trust its timestamps`
  }
  return undefined
}

/** Removes a command's journal (a run that did something, or failed, must not be replayed). */
export function dropJournal(argv: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  try {
    rmSync(join(journalDir(env), journalName(argv, cwd)), {force: true})
  } catch {
    // No cache directory: there is no journal either.
  }
}

/** Journals beyond KEEP, oldest first, and temp files a killed run left (an hour old). */
function pruneJournals(dir: string): void {
  const all = readdirSync(dir)
  const hourAgo = Date.now() - 3_600_000
  for (const name of all) {
    if (name.endsWith('.tmp') && (statSync(join(dir, name), {throwIfNoEntry: false})?.mtimeMs ?? Infinity) < hourAgo) rmSync(join(dir, name), {force: true})
  }
  const names = all.filter((n) => n.endsWith('.json'))
  if (names.length <= KEEP) return
  const aged = names.map((name) => ({name, at: statSync(join(dir, name), {throwIfNoEntry: false})?.mtimeMs ?? 0})).sort((a, b) => a.at - b.at)
  for (const {name} of aged.slice(0, names.length - KEEP)) rmSync(join(dir, name), {force: true})
}

/** The working directory, or undefined when it was removed under the process (the run then says so itself). */
export function currentDir(): string | undefined {
  try {
    return process.cwd()
  } catch {
    return undefined
  }
}

/** A run being recorded: the environment to give it, and how it ends. */
export interface JournalRecording {
  env: NodeJS.ProcessEnv
  /** The run finished: journals it when it changed nothing, else removes the command's journal. */
  finish(printed: Printed, changedNothing: boolean): void
  /** The run failed or was handed elsewhere: nothing of it may be replayed. */
  abandon(): void
}

/**
 * Starts recording a run of `argv` in `cwd` (undefined when the journal is off).
 * `tool` is the file of the code that runs it: another build is another command.
 * `startedAt` is when the run began (tests date it later, to settle files they just made).
 */
export function beginJournal(argv: string[], cwd: string | undefined, env: NodeJS.ProcessEnv, tool: string, startedAt = Date.now()): JournalRecording | undefined {
  if (cwd === undefined || journalOff(env)) return undefined
  const reading = recordingEnv(env)
  startWitness()
  witness(tool)
  let ended = false
  return {
    env: reading.env,
    finish(printed, changedNothing) {
      if (ended) return
      ended = true
      const seen = stopWitness()
      if (!changedNothing || 'spoiled' in seen) return dropJournal(argv, cwd, env)
      recordJournal({argv, cwd, env, envRead: reading.read(), startedAt, observations: seen.observations, printed})
    },
    abandon() {
      if (ended) return
      ended = true
      stopWitness()
      dropJournal(argv, cwd, env)
    },
  }
}
