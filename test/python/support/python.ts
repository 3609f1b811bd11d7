/**
 * Running the Python reader the way a wheel build runs it: Debian's /usr/bin/python3 (it
 * has setuptools, wheel and cffi), a PATH holding nothing but python3 (no node, no
 * headerkit), and libclang hidden in a private mount namespace (tmpfs over LLVM's
 * directory, /dev/null over every libclang*.so in the multiarch directory), so a reader
 * that reached for either would fail. The Node side runs through the real CLI or the
 * library API in this process.
 */
import {execa} from 'execa'
import {cpSync, existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {REPO_ROOT} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'

export const PYTHON = '/usr/bin/python3'
export const PYTHON_PACKAGE = join(REPO_ROOT, 'python')
const TSX_LOADER = import.meta.resolve('tsx')
const DEV_BIN = join(REPO_ROOT, 'bin', 'dev.js')

export interface ProcResult {
  exitCode: number
  /** Raw bytes: byte equality is the point, so no final newline is stripped. */
  stdout: Buffer
  stderr: string
}

let bareBin: string | undefined
/** A directory holding only python3, to be the whole PATH. */
export function bareBinDir(): string {
  if (!bareBin) {
    bareBin = makeTempDir('headerkit-pybin-')
    symlinkSync(PYTHON, join(bareBin, 'python3'))
  }
  return bareBin
}

// Every installed LLVM (setup installs 14 and 19).
const LIBCLANG_DIRS = readdirSync('/usr/lib').filter((d) => /^llvm-\d+$/.test(d)).map((d) => join('/usr/lib', d))
const MULTIARCH = '/usr/lib/x86_64-linux-gnu'
const LIBCLANG_NAMES = existsSync(MULTIARCH) ? readdirSync(MULTIARCH).filter((f) => f.startsWith('libclang')).map((f) => join(MULTIARCH, f)) : []
// Regular files get /dev/null mounted over them; the symlinks among them then point at
// /dev/null or (into LLVM's directory, under the tmpfs) at nothing.
const LIBCLANG_FILES = LIBCLANG_NAMES.filter((f) => lstatSync(f).isFile())

/** A shell prologue (run under `unshare -m`) that hides libclang, then checks it is gone. */
const HIDE_LIBCLANG = [
  ...LIBCLANG_DIRS.map((d) => `/usr/bin/mount -t tmpfs none ${d}`),
  ...LIBCLANG_FILES.map((f) => `/usr/bin/mount --bind /dev/null ${f}`),
  ...LIBCLANG_NAMES.map((f) => `test ! -s ${f}`),
  'exec "$@"',
].join(' && ')

export interface PyOptions {
  cwd: string
  env?: Record<string, string | undefined>
  /** PYTHONPATH entry for headerkit_store; default: the repository's python/. */
  pythonPath?: string
  python?: string
}

/** Runs `python3 ARGS` without node or libclang reachable. */
export async function runPython(args: string[], options: PyOptions): Promise<ProcResult> {
  // HOME outside the project: config discovery stops at the home directory.
  const env: Record<string, string> = {PATH: bareBinDir(), HOME: bareBinDir(), LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: options.pythonPath ?? PYTHON_PACKAGE}
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v
  const r = await execa('/usr/bin/unshare', ['-m', '/bin/sh', '-c', HIDE_LIBCLANG, 'sh', options.python ?? 'python3', ...args], {
    cwd: options.cwd, env, extendEnv: false, reject: false, encoding: 'buffer', stripFinalNewline: false, timeout: 300_000,
  })
  return {exitCode: r.exitCode ?? -1, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr).toString('utf8')}
}

/** `python3 -m headerkit_store ARGS`. */
export function runReader(args: string[], options: PyOptions): Promise<ProcResult> {
  return runPython(['-m', 'headerkit_store', ...args], options)
}

/** The real Node CLI (source through tsx), bytes kept. */
export async function runNode(args: string[], options: {cwd: string; env?: Record<string, string | undefined>}): Promise<ProcResult> {
  const env: Record<string, string | undefined> = {...process.env, NO_COLOR: '1', ...options.env}
  for (const name of Object.keys(env)) if (name.startsWith('HEADERKIT_') && !(options.env && name in options.env)) delete env[name]
  const r = await execa(process.execPath, ['--import', TSX_LOADER, '--no-warnings', DEV_BIN, ...args], {
    cwd: options.cwd, env, extendEnv: false, reject: false, encoding: 'buffer', stripFinalNewline: false, timeout: 300_000,
  })
  return {exitCode: r.exitCode ?? -1, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr).toString('utf8')}
}

/** The command a build backend runs as the Node CLI (HEADERKIT_CLI). */
export function nodeCliCommand(): string {
  return `${process.execPath} --import ${TSX_LOADER} --no-warnings ${DEV_BIN}`
}

/** A fresh copy of examples/cffi-point (with its committed store) in a temp dir. */
export function copyExample(name = 'cffi-point'): string {
  const dir = join(makeTempDir('headerkit-py-'), name)
  cpSync(join(REPO_ROOT, 'examples', name), dir, {recursive: true})
  return dir
}

/** A project directory with the given files copied in (`dest` relative to it). */
export function makeProject(files: [string, string][], config?: string): string {
  const dir = makeTempDir('headerkit-pyproj-')
  mkdirSync(join(dir, '.git'))
  for (const [src, dest] of files) {
    mkdirSync(join(dir, dest, '..'), {recursive: true})
    cpSync(src, join(dir, dest), {recursive: true, dereference: true})
  }
  if (config !== undefined) writeFileSync(join(dir, '.headerkit.toml'), config)
  return dir
}

/** stderr as lines, for one-line checks. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '')
}
