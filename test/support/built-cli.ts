/**
 * The shipped CLI (bin/run.js on the bundle, fast path included), as users run it:
 * built once per test run, run in a child with a kill timer, so a command that hangs
 * fails its test instead of hanging CI.
 */
import {execa} from 'execa'
import {cpSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {type CliResult, REPO_ROOT} from './cli.js'
import {makeTempDir} from './tmp.js'

export const BUILT_BIN = join(REPO_ROOT, 'bin/run.js')
let built: Promise<unknown> | undefined

/** Builds dist/bundle from the current source, once per process. */
export function buildBundle(): Promise<unknown> {
  built ??= execa(process.execPath, ['scripts/bundle.mjs'], {cwd: REPO_ROOT})
  return built
}

export interface BuiltRunOptions {
  cwd: string
  env?: Record<string, string | undefined>
  /** Killed (SIGKILL) after this long; the result then has timedOut set. Default 30 s. */
  timeoutMs?: number
}

function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {...process.env, NO_COLOR: '1', ...extra}
  for (const name of Object.keys(env)) if (name.startsWith('HEADERKIT_') && !(name in extra)) delete env[name]
  delete env.DEBUG
  return env
}

 
export function spawnBuilt(args: string[], options: BuiltRunOptions) {
  return execa(process.execPath, [BUILT_BIN, ...args], {cwd: options.cwd, env: cleanEnv(options.env), extendEnv: false, reject: false, input: '', timeout: options.timeoutMs ?? 30_000, killSignal: 'SIGKILL'})
}

export async function runBuilt(args: string[], options: BuiltRunOptions): Promise<CliResult & {timedOut: boolean}> {
  const r = await spawnBuilt(args, options)
  return {exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), timedOut: r.timedOut}
}

/** A private copy of the bundled example project (examples/demo), inside a git work tree. */
export function demoProject(): string {
  const dir = join(makeTempDir('hk-hard-'), 'demo')
  cpSync(join(REPO_ROOT, 'examples/demo'), dir, {recursive: true})
  mkdirSync(join(dir, '.git'))
  return dir
}

/** Asserts the shape every error must have: one line on stderr, no stack frames. */
export function errorLine(result: CliResult): string {
  const lines = result.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Warning: '))
  if (lines.length !== 1 || /^\s+at /m.test(result.stderr)) throw new Error(`expected one error line on stderr, got:\n${result.stderr}`)
  return lines[0]!
}
