/**
 * Runs the real CLI in a child process (source through tsx via bin/dev.js, so tests
 * never see a stale dist/). Returns exit code and both streams; never throws on a
 * non-zero exit, so tests assert on the outcome.
 */
import {execa} from 'execa'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DEV_BIN = fileURLToPath(new URL('../../bin/dev.js', import.meta.url))
// Resolved here, not from the child's cwd: a test running the CLI in a temp dir has no node_modules there.
const TSX_LOADER = import.meta.resolve('tsx')

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

export async function runCli(args: string[], options: {cwd?: string; env?: Record<string, string | undefined>; input?: string; nodeArgs?: string[]; timeout?: number} = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = {...process.env, NODE_ENV: 'development', NO_COLOR: '1', ...options.env}
  // Never let the developer's own settings leak into a test run.
  for (const name of Object.keys(env)) {
    if (name.startsWith('HEADERKIT_') && !(options.env && name in options.env)) delete env[name]
  }
  const result = await execa(process.execPath, [...(options.nodeArgs ?? []), '--import', TSX_LOADER, '--no-warnings', DEV_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    extendEnv: false,
    reject: false,
    input: options.input ?? '',
    timeout: options.timeout ?? 120_000,
  })
  return {exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr}
}

/** Parses the JSON a command printed with --json; fails the test with the output if it is not JSON. */
export function parseJsonOutput<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`expected JSON on stdout, got:\n${result.stdout}\nstderr:\n${result.stderr}`)
  }
}
