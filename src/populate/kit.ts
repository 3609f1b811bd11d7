/**
 * The worker kit: what the docker engine copies into a Linux container (putArchive) so
 * the parser runs there with plain `node` and nothing fetched inside the container:
 *
 *   worker.mjs                                     the bundled parse worker (src/parse/worker.ts)
 *   node_modules/koffi/...                         koffi's JS loader, only the files it loads
 *   node_modules/@koromix/koffi-linux-<a>/...      its native package: loader, package.json,
 *                                                  and the one koffi.node for the container's libc
 *
 * Where the parts come from:
 *  - worker.mjs: dist/worker/worker.mjs from a built install (`npm run build`); from a
 *    source checkout (under tsx, or a dist without it) it is bundled on demand by
 *    scripts/bundle-worker.mjs into <cache>/worker/<hash>.mjs, once per process.
 *  - the native package: node_modules when the installed @koromix/koffi-linux-<a> has
 *    exactly koffi's version, else <cache>/koffi/<version>/@koromix/koffi-linux-<a>/,
 *    filled on the host with `npm pack` (the user's npm config; npm checks integrity).
 */
import {execFile} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {createReadStream, existsSync, promises as fs, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {createGunzip} from 'node:zlib'
import {HeaderkitError} from '../errors.js'
import type {Libc, LinuxArch} from '../target/platforms.js'
import {makeTempIn, pruneTemps, TEMP_PREFIX} from './cache-dir.js'
import {userCacheDir} from '../util/user-cache-dir.js'

export interface KitFile {
  /** POSIX path relative to the kit root, e.g. 'node_modules/koffi/index.cjs'. */
  name: string
  /** Absolute path of the file on the host. */
  path: string
  /** 0o644, or 0o755 for native modules. */
  mode: number
}

export interface WorkerKit {
  /** Every file of the kit, sorted by name. Directories are implied by the names. */
  files: KitFile[]
  /** The worker's name in the kit root: run it as `node <root>/worker.mjs`. */
  entry: string
  koffiVersion: string
  /** The native package, e.g. '@koromix/koffi-linux-arm64'. */
  koffiPackage: string
  /** Short hash of the kit's names, modes and contents, for logs and provenance. */
  id: string
}

export interface WorkerKitOptions {
  /** The per-user cache; default userCacheDir(env). */
  cacheDir?: string
  /** Environment for the cache location and for npm (registry, proxy, PATH); default process.env. */
  env?: NodeJS.ProcessEnv
  onProgress?: (message: string) => void
}

/** A worker kit that cannot be put together. One line, with what to do in the hint. */
export class KitError extends HeaderkitError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_KIT', oneLine(message), {hint: hint === undefined ? undefined : oneLine(hint), cause})
  }
}

/** The architectures koffi's prebuilts load on in manylinux/musllinux images (populate-engines-notes §3). */
const SUPPORTED: Partial<Record<LinuxArch, {nodeArch: string; elfMachine: number}>> = {
  x86_64: {nodeArch: 'x64', elfMachine: 62},
  aarch64: {nodeArch: 'arm64', elfMachine: 183},
}

const ENTRY = 'worker.mjs'
/** Written into a filled cache directory last, before it is renamed into place. */
const COMPLETE_MARKER = '.headerkit-complete'

const HERE = fileURLToPath(import.meta.url)

export async function workerKit(target: {arch: LinuxArch; libc: Libc}, options: WorkerKitOptions = {}): Promise<WorkerKit> {
  const supported = SUPPORTED[target.arch]
  if (supported === undefined) {
    throw new KitError(`the in-container worker cannot run on ${target.arch}: koffi has no prebuilt native module for linux ${target.arch} that loads in its images`, `use --engine sysroot for ${target.arch} (it parses on the host, no container worker needed)`)
  }
  const env = options.env ?? process.env
  const cacheDir = options.cacheDir === undefined ? userCacheDir(env) : resolve(options.cacheDir)
  const onProgress = options.onProgress ?? ((): void => {})

  const koffi = koffiInstall()
  const koffiPackage = `@koromix/koffi-linux-${supported.nodeArch}`
  const binary = `${target.libc === 'musl' ? 'musl' : 'linux'}_${supported.nodeArch}/koffi.node`

  const [workerPath, nativeDir] = await Promise.all([
    workerBundle(cacheDir, onProgress),
    nativePackageDir(koffi, koffiPackage, cacheDir, env, onProgress),
  ])

  const files: KitFile[] = [{name: ENTRY, path: workerPath, mode: 0o644}]
  for (const rel of requireClosure(koffi.root, [koffi.requireEntry, 'package.json'], 'koffi')) {
    files.push({name: `node_modules/koffi/${rel}`, path: join(koffi.root, rel), mode: 0o644})
  }
  const native = nativeFiles(nativeDir, koffiPackage, koffi.version, binary)
  await checkElf(join(nativeDir, binary), supported.elfMachine, target.arch, nativeDir)
  for (const rel of native) {
    files.push({name: `node_modules/${koffiPackage}/${rel}`, path: join(nativeDir, rel), mode: rel.endsWith('.node') ? 0o755 : 0o644})
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return {files, entry: ENTRY, koffiVersion: koffi.version, koffiPackage, id: await kitId(files)}
}

// ---------------------------------------------------------------------------------------
// koffi's JS package

interface KoffiInstall {
  root: string
  version: string
  /** What `require('koffi')` loads, relative to root (the worker requires koffi). */
  requireEntry: string
}

let koffiMemo: KoffiInstall | undefined

/** The koffi installed next to headerkit, found the way the CLI itself loads it. */
function koffiInstall(): KoffiInstall {
  if (koffiMemo) return koffiMemo
  const require = createRequire(import.meta.url)
  let entry: string
  try {
    entry = require.resolve('koffi')
  } catch (error) {
    throw new KitError(`koffi is not installed next to headerkit (${HERE})`, 'reinstall headerkit with its dependencies (npm ci)', error)
  }
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const pj = readJson(join(dir, 'package.json'))
    if (pj?.name === 'koffi' && typeof pj.version === 'string') {
      if (!/^[0-9A-Za-z.+-]+$/.test(pj.version)) throw new KitError(`koffi at ${dir} has an unusable version '${pj.version}'`)
      koffiMemo = {root: dir, version: pj.version, requireEntry: toPosix(relative(dir, entry))}
      return koffiMemo
    }
    if (dirname(dir) === dir) throw new KitError(`cannot find koffi's package.json above ${entry}`, 'reinstall headerkit with its dependencies (npm ci)')
  }
}

/**
 * The files `require()` reaches from the given entries inside one package: every
 * relative require("./x") string in the .js/.cjs files, transitively. The worker loads
 * koffi through require (src/parse/libclang/ffi.ts), so the ESM twins are not needed.
 * Native modules (.node) are left to the caller, which picks the one libc it needs.
 */
function requireClosure(root: string, entries: string[], what: string): string[] {
  const seen = new Set<string>()
  const queue = [...entries]
  while (queue.length > 0) {
    const rel = queue.shift()!
    if (seen.has(rel)) continue
    const file = join(root, rel)
    if (!existsSync(file)) throw new KitError(`${what}: ${rel} is missing in ${root}`, `reinstall ${what}, or delete ${root} if it is in headerkit's cache`)
    seen.add(rel)
    if (!/\.c?js$/.test(rel)) continue
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/\brequire\d*\(\s*["'](\.\.?\/[^"']+)["']\s*\)/g)) {
      const target = resolve(dirname(file), m[1]!)
      if (target.endsWith('.node')) continue
      if (!target.startsWith(root + sep)) throw new KitError(`${what}: ${rel} requires ${m[1]}, outside its package`)
      queue.push(toPosix(relative(root, target)))
    }
  }
  return [...seen].sort()
}

// ---------------------------------------------------------------------------------------
// koffi's native package

/** The native package's files the kit needs: its package.json, loader, and one binary. */
function nativeFiles(dir: string, pkg: string, version: string, binary: string): string[] {
  const pj = readJson(join(dir, 'package.json'))
  if (pj?.name !== pkg || pj.version !== version) throw new KitError(`${dir} does not hold ${pkg}@${version}`, `delete ${dir} and run again`)
  const main = toPosix(relative(dir, resolve(dir, typeof pj.main === 'string' ? pj.main : 'index.js')))
  const js = requireClosure(dir, ['package.json', main], pkg)
  // The loader picks ./linux_<a>/ or ./musl_<a>/ by the PT_INTERP of node, then falls back
  // to the other one; with only the container's binary present the first choice loads.
  const loader = readFileSync(join(dir, main), 'utf8')
  if (!loader.includes(`./${binary}`)) throw new KitError(`${pkg}@${version}'s loader does not load ./${binary}; the worker kit does not know this koffi layout`, 'use --engine sysroot, or a koffi version headerkit supports')
  if (!existsSync(join(dir, binary))) throw new KitError(`${pkg}@${version} in ${dir} has no ${binary}`, `delete ${dir} and run again`)
  return [...js, binary].sort()
}

async function checkElf(file: string, machine: number, arch: string, dir: string): Promise<void> {
  const handle = await fs.open(file, 'r')
  const head = Buffer.alloc(20)
  try {
    await handle.read(head, 0, 20, 0)
  } finally {
    await handle.close()
  }
  const ok = head.readUInt32BE(0) === 0x7f454c46 && head[4] === 2 && head[5] === 1 && head.readUInt16LE(18) === machine
  if (!ok) throw new KitError(`${file} is not a 64-bit ELF for ${arch}`, `delete ${dir} and run again`)
}

/** node_modules when it holds exactly koffi's version of the package, else the per-user cache. */
async function nativePackageDir(koffi: KoffiInstall, pkg: string, cacheDir: string, env: NodeJS.ProcessEnv, onProgress: (m: string) => void): Promise<string> {
  try {
    // Resolved from koffi's own directory, as koffi's loader (static.cjs) resolves it.
    const pjPath = createRequire(join(koffi.root, 'package.json')).resolve(`${pkg}/package.json`)
    if (readJson(pjPath)?.version === koffi.version) return dirname(pjPath)
  } catch {
    // not installed on this host: the cache has it
  }
  const final = join(cacheDir, 'koffi', koffi.version, ...pkg.split('/'))
  if (isComplete(final, pkg, koffi.version)) return final
  let pending = filling.get(final)
  if (!pending) {
    pending = fillCache(final, pkg, koffi, cacheDir, env, onProgress).finally(() => filling.delete(final))
    filling.set(final, pending)
  }
  await pending
  return final
}

/** Fills of the cache in progress in this process, so parallel jobs share one npm run. */
const filling = new Map<string, Promise<void>>()

function isComplete(dir: string, pkg: string, version: string): boolean {
  if (!existsSync(join(dir, COMPLETE_MARKER))) return false
  const pj = readJson(join(dir, 'package.json'))
  return pj?.name === pkg && pj.version === version
}

async function fillCache(final: string, pkg: string, koffi: KoffiInstall, cacheDir: string, env: NodeJS.ProcessEnv, onProgress: (m: string) => void): Promise<void> {
  const spec = `${pkg}@${koffi.version}`
  const staging = join(cacheDir, 'koffi')
  let work: string
  try {
    await fs.mkdir(staging, {recursive: true})
    work = await makeTempIn(staging)
  } catch (error) {
    throw new KitError(`cannot write headerkit's cache at ${staging}: ${(error as Error).message}`, 'set HEADERKIT_CACHE_DIR to a writable directory', error)
  }
  try {
    onProgress(`fetching ${spec} from the npm registry`)
    const tarball = await npmPack(spec, work, env, koffi)
    const unpacked = join(work, 'package')
    await fs.mkdir(unpacked)
    await extractPackageTarball(tarball, unpacked)
    const pj = readJson(join(unpacked, 'package.json'))
    if (pj?.name !== pkg || pj.version !== koffi.version) throw new KitError(`npm pack ${spec} gave a tarball of ${pj?.name}@${pj?.version}`)
    await fs.writeFile(join(unpacked, COMPLETE_MARKER), `${spec}\n`)
    await fs.mkdir(dirname(final), {recursive: true})
    // A directory without the marker is debris (or meddling): move it out of the way.
    if (existsSync(final) && !(isComplete(final, pkg, koffi.version))) await fs.rename(final, join(work, 'stale')).catch(ignoreCode('ENOENT'))
    try {
      await fs.rename(unpacked, final)
    } catch (error) {
      // Another process renamed its copy first: same package, same version, use it.
      if (!(isCode(error, 'ENOTEMPTY') || isCode(error, 'EEXIST')) || !(isComplete(final, pkg, koffi.version))) throw error
    }
    onProgress(`cached ${spec} in ${final}`)
  } catch (error) {
    if (error instanceof KitError) throw error
    throw new KitError(`cannot put ${spec} into headerkit's cache at ${final}: ${(error as Error).message}`, `check that ${cacheDir} is writable (HEADERKIT_CACHE_DIR)`, error)
  } finally {
    await fs.rm(work, {recursive: true, force: true})
  }
}

/** `npm pack <spec>` into dir; returns the tarball's path. npm verifies its integrity. */
async function npmPack(spec: string, dir: string, env: NodeJS.ProcessEnv, koffi: KoffiInstall): Promise<string> {
  const {execa} = await import('execa')
  const installRoot = dirname(dirname(koffi.root))
  const hint = `run once with network access to the npm registry, or install it next to koffi: npm i --no-save --force ${spec} (in ${installRoot})`
  // cwd is the temp dir, so the result does not depend on where headerkit runs; the
  // user's and global npm config (registry, proxy, auth) and npm_config_* apply.
  const r = await execa('npm', ['pack', spec, '--pack-destination', dir, '--json', '--ignore-scripts'], {cwd: dir, env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 10 * 60 * 1000})
  if (r.failed) {
    if (isCode(r, 'ENOENT')) throw new KitError(`cannot fetch ${spec}: npm is not on PATH`, hint)
    throw new KitError(`cannot fetch ${spec} from the npm registry: ${npmReason(r.stdout, r.stderr, r.shortMessage ?? 'npm pack failed')}`, hint)
  }
  let filename: unknown
  try {
    const out = JSON.parse(r.stdout)
    filename = Array.isArray(out) ? out[0]?.filename : undefined
  } catch {
    filename = undefined
  }
  if (typeof filename !== 'string' || filename.includes('/') || !existsSync(join(dir, filename))) throw new KitError(`npm pack ${spec} did not report the tarball it wrote`, hint)
  return join(dir, filename)
}

function npmReason(stdout: string, stderr: string, fallback: string): string {
  try {
    const error = JSON.parse(stdout)?.error
    const text = [error?.code, error?.summary].filter((x) => typeof x === 'string' && x !== '').join(': ')
    if (text) return clip(text)
  } catch {
    // not JSON: use stderr
  }
  const lines = stderr.split('\n').map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim()).filter((l) => l !== '' && !l.startsWith('A complete log'))
  return clip(lines.slice(0, 3).join('; ') || fallback)
}

/**
 * Unpacks an npm package tarball (.tgz) into dest, without its top directory
 * ('package/'). Only regular files and directories are accepted, every name must stay
 * inside dest, and all entries must share one top directory; anything else is not
 * written and fails the whole extraction (the caller removes its temp dir).
 */
export async function extractPackageTarball(tarball: string, dest: string): Promise<void> {
  const {extract} = await import('tar-fs')
  const root = resolve(dest)
  let top: string | undefined
  let failure: Error | undefined
  const bad = new WeakSet<object>()
  const reject = (message: string, header: object): void => {
    failure ??= new KitError(`unsafe npm tarball ${tarball}: ${message}`, 'the registry served an unexpected package; check the npm registry configured for this user')
    bad.add(header)
  }
  const extractor = extract(root, {
    map(header) {
      const raw = header.name
      const parts = raw.split('/')
      if (raw.startsWith('/') || raw.includes('\\') || raw.includes('\0') || parts.includes('..')) {
        reject(`entry '${raw}' would land outside the package`, header)
        return header
      }
      const first = parts[0] ?? ''
      if (top === undefined) top = first
      if (first !== top || first === '' || first === '.') reject(`entry '${raw}' is not under the package's top directory '${top}/'`, header)
      header.name = parts.slice(1).filter((p) => p !== '' && p !== '.').join('/')
      return header
    },
    ignore(name, header) {
      if (header === undefined) return true
      const type = header.type as string
      if (!bad.has(header)) {
        if (type !== 'file' && type !== 'directory') reject(`entry '${header.name}' is a ${type}, not a regular file or directory`, header)
        else if (type === 'file' && header.name === '') reject('a file entry has no name below the top directory', header)
        else if (header.name !== '' && resolve(root, header.name) !== name) reject(`entry '${header.name}' would land outside the package`, header)
      }
      // A bad entry is skipped and fails the extraction once the stream has ended
      // (destroying the stream from inside tar-fs's callbacks is not safe).
      return bad.has(header) || header.name === ''
    },
  })
  try {
    await pipeline(createReadStream(tarball), createGunzip(), extractor)
  } catch (error) {
    if (failure) throw failure
    throw new KitError(`cannot unpack npm tarball ${tarball}: ${(error as Error).message}`, undefined, error)
  }
  if (failure) throw failure
}

// ---------------------------------------------------------------------------------------
// The worker bundle

const bundles = new Map<string, Promise<string>>()

/** The bundled worker on the host: the prebuilt one, or one bundled now (once per process and cache). */
function workerBundle(cacheDir: string, onProgress: (m: string) => void): Promise<string> {
  const fromSource = HERE.endsWith('.ts')
  const here = dirname(HERE)
  // dist/populate/kit.js and dist/bundle/cli.cjs both sit one level below dist/.
  const prebuilt = resolve(here, '..', 'worker', 'worker.mjs')
  if (!fromSource && existsSync(prebuilt)) return Promise.resolve(prebuilt)
  const checkout = resolve(here, '..', '..')
  const script = join(checkout, 'scripts', 'bundle-worker.mjs')
  if (!existsSync(script) || !existsSync(join(checkout, 'src', 'parse', 'worker.ts'))) {
    return Promise.reject(new KitError(`the bundled parse worker is missing (${prebuilt})`, 'reinstall headerkit, or run npm run build in its checkout'))
  }
  let pending = bundles.get(cacheDir)
  if (!pending) {
    pending = bundleNow(script, join(cacheDir, 'worker'), onProgress)
    void pending.catch(() => bundles.delete(cacheDir))
    bundles.set(cacheDir, pending)
  }
  return pending
}

async function bundleNow(script: string, dir: string, onProgress: (m: string) => void): Promise<string> {
  onProgress('bundling the parse worker (source checkout)')
  let tmp: string | undefined
  try {
    await fs.mkdir(dir, {recursive: true})
    await pruneTemps(dir)
    tmp = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}.mjs`)
    // The same script `npm run build` runs, so the on-demand bundle is the shipped one.
    await promisify(execFile)(process.execPath, [script, tmp], {maxBuffer: 1 << 20})
    const hash = createHash('sha256').update(await fs.readFile(tmp)).digest('hex').slice(0, 16)
    const final = join(dir, `${hash}.mjs`)
    // Same name, same bytes: replacing a concurrent run's copy is harmless and atomic.
    await fs.rename(tmp, final)
    tmp = undefined
    return final
  } catch (error) {
    const detail = typeof (error as {stderr?: unknown}).stderr === 'string' && (error as {stderr: string}).stderr.trim() !== '' ? (error as {stderr: string}).stderr : (error as Error).message
    throw new KitError(`cannot bundle the parse worker into ${dir}: ${clip(detail)}`, 'run npm ci in the headerkit checkout (esbuild is a dev dependency), or npm run build', error)
  } finally {
    if (tmp !== undefined) await fs.rm(tmp, {force: true})
  }
}

// ---------------------------------------------------------------------------------------
// Helpers

async function kitId(files: KitFile[]): Promise<string> {
  const h = createHash('sha256')
  for (const f of files) {
    const content = createHash('sha256').update(await fs.readFile(f.path)).digest('hex')
    h.update(`${f.name}\0${f.mode.toString(8)}\0${content}\n`)
  }
  return h.digest('hex').slice(0, 12)
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8'))
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined
  } catch {
    return undefined
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as {code?: unknown}).code === code
}

function ignoreCode(code: string): (error: unknown) => void {
  return (error) => {
    if (!isCode(error, code)) throw error
  }
}

function toPosix(p: string): string {
  return p.split(sep).join('/')
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

function clip(text: string, max = 300): string {
  const line = oneLine(text)
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
