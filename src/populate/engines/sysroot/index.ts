/**
 * The sysroot engine: the platform's system headers are copied out of its image (a
 * container that is created and never started, so no emulation), unpacked safely into
 * the per-user cache keyed by the image, and parsed on the host with the job's triple,
 * `--sysroot` and an explicit `-resource-dir`: every platform at native speed. Its keys,
 * slugs and IR are those the docker engine produces for the same job; only provenance
 * says which engine made them. A pinned image whose headers are cached needs no Docker.
 */
import {existsSync, promises as fs} from 'node:fs'
import {availableParallelism} from 'node:os'
import {basename, join} from 'node:path'
import type {Readable} from 'node:stream'
import {createHash} from 'node:crypto'
import type Docker from 'dockerode'
import type {EngineJobInput, EngineJobOutput, PopulateEngine} from '../../engine.js'
import type {ParsedHeader} from '../../../generate/pipeline.js'
import type {PopulateJob} from '../../plan.js'
import {call, daemonMessage, DockerError, type Engine, statusOf} from '../docker/client.js'
import {type ContainerTracker, withCreatedContainer} from '../docker/container.js'
import {runBeforeAll} from '../docker/before-all.js'
import {createDockerSession, type DockerSessionOptions, memo} from '../docker/session.js'
import {DEFAULT_LIMITS, type UnpackReport, unpackInto} from './unpack.js'
import {lastImage, recordImage} from './last-image.js'
import {makeTempIn} from '../../cache-dir.js'
import {userCacheDir} from '../../../util/user-cache-dir.js'
import {multiarchOf} from '../../../parse/sysroot.js'
import {locateLibclang, resourceDirFor} from '../../../parse/libclang/locate.js'
import {createParsePool, type ParsePool} from '../../../parse/parse-pool.js'

/** What is copied out of the image: where a C parse looks for system headers. */
export const SYSROOT_DIRS = ['/usr/include', '/usr/local/include']
/** Bumped when what is extracted, or how, changes: old sysroots are then not reused. */
const SYSROOT_FORMAT = 1
/** Written last into an extracted sysroot: its presence means the extraction finished. */
export const MARKER = '.headerkit-sysroot.json'

export interface SysrootEngineOptions extends DockerSessionOptions {
  cacheDir?: string
  /** Parse threads at most (default: parseThreadsFor the CPUs Node may use). */
  parseThreads?: number
}

/**
 * One CPU is the main thread's: Docker calls, writers and the merge run there while the
 * threads parse. On the 2-CPU VM one thread beat two (seven archs: 750 against 840 ms of
 * CPU, and lower wall times): the second thread's start-up (koffi, libclang) cost more
 * than it parsed, and three busy threads on two CPUs slowed the main thread.
 */
export function parseThreadsFor(cpus: number): number {
  return Math.max(1, cpus - 1)
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted')
}

/**
 * A Debian-style multiarch include dir of the sysroot, searched last: clang adds it itself
 * for the triples it knows, and then this duplicate is ignored; older clangs do not know
 * every one (clang 14 misses riscv64-linux-gnu), and without it glibc's bits/ are lost.
 * RHEL and Alpine images have no such directory, and nothing is added.
 */
export function multiarchArgs(sysroot: string, triple: string): string[] {
  const multiarch = multiarchOf(triple)
  const dir = multiarch ? join(sysroot, 'usr/include', multiarch) : undefined
  return dir && existsSync(dir) ? ['-idirafter', dir] : []
}

/** What names an image: its reference, and cibuildwheel's shortname where it has one. */
type ImageName = {reference: string; shortname?: string | null}

/**
 * The CPU the image's own compiler targets by default, where clang's default differs in
 * what a parse sees (install-clang-static.sh for manylinux; GCC's configure for s390x).
 */
export function marchArgs(job: Pick<PopulateJob, 'arch' | 'libc'> & {image?: ImageName}): string[] {
  switch (job.arch) {
    case 'i686': return job.libc === 'musl' ? ['-march=pentium-m'] : ['-march=k8', '-mtune=generic']
    case 'armv7l': return ['-march=armv7a']
    case 'riscv64': return ['-march=rv64gc']
    case 's390x': return s390xArgs(job.libc, job.image)
    default: return []
  }
}

/**
 * s390x: the vector facility (z13 and later) changes the ABI of vector types (8-aligned,
 * not 16), so a record with a vector member differs between CPUs. Red Hat's GCC defaults
 * to z13/z14 on RHEL 8 (manylinux_2_28), z14/z15 on RHEL 9 (manylinux_2_34) and
 * z196/zEC12 on RHEL 7 (manylinux2014); Alpine's (musllinux) and Debian's
 * to z196/zEC12. An image whose policy its name does not give gets z196, the oldest of them.
 */
function s390xArgs(libc: PopulateJob['libc'], image: ImageName | undefined): string[] {
  const z196 = ['-march=z196', '-mtune=zEC12']
  if (libc === 'musl' || !image) return z196
  const glibc = /manylinux_2_(\d+)/.exec(image.shortname ?? image.reference)
  if (!glibc) return z196
  const minor = Number(glibc[1])
  if (minor >= 34) return ['-march=z14', '-mtune=z15']
  if (minor >= 28) return ['-march=z13', '-mtune=z14']
  return z196
}

/**
 * The clang arguments of a header's parse against an extracted sysroot: the header's own
 * (absolute), then the sysroot, clang's builtin headers and what the platform's compiler
 * adds. Populate's parses and `cache verify --reproduce`'s re-parses both use this.
 */
export function sysrootParseArgs(clangArgs: readonly string[], sysroot: string, job: Pick<PopulateJob, 'arch' | 'libc' | 'triple'> & {image?: ImageName}, resourceDir: string): string[] {
  return [...clangArgs, `--sysroot=${sysroot}`, '-resource-dir', resourceDir, ...multiarchArgs(sysroot, job.triple), ...marchArgs(job)]
}

function pinnedDigest(reference: string): string | undefined {
  return /@(sha256:[0-9a-f]{64})$/.exec(reference)?.[1]
}

/** The cache directory of an image's headers: keyed by digest (or image ID) and platform. */
export function sysrootDir(cacheDir: string, imageKey: string, platform: string, beforeAll: string | undefined): string {
  const hash = createHash('sha256').update(`${SYSROOT_FORMAT}\0${imageKey}\0${platform}\0${beforeAll ?? ''}`).digest('hex').slice(0, 24)
  return join(cacheDir, 'sysroots', hash)
}

/** Copies the header directories out of a container that is not running (created, or exited). */
async function copyHeaders(container: Docker.Container, imageId: string, temp: string, report: UnpackReport, signal: AbortSignal): Promise<void> {
  for (const path of SYSROOT_DIRS) {
    let stream: Readable
    try {
      stream = await call<Readable>(container, 'getArchive', {path, abortSignal: signal})
    } catch (error) {
      if (statusOf(error) === 404) continue
      throw new DockerError(`cannot copy ${path} out of ${imageId.slice(0, 19)}: ${daemonMessage(error)}`)
    }
    try {
      await unpackInto(stream, temp, path, report, DEFAULT_LIMITS)
    } finally {
      // The daemon holds the container's lock until the stream is read or closed.
      stream.destroy()
    }
  }
}

interface ExtractSource {
  engine: Engine
  imageId: string
  platform: string
  /** Runs the container (before-all) and hands it over once it exited; else a created, never-started one is used. */
  run?: (copy: (container: Docker.Container) => Promise<void>) => Promise<void>
}

async function extract(src: ExtractSource, labels: Record<string, string>, dir: string, tracker: ContainerTracker, signal: AbortSignal): Promise<UnpackReport> {
  const parent = join(dir, '..')
  await fs.mkdir(parent, {recursive: true})
  const temp = await makeTempIn(parent)
  const report: UnpackReport = {files: 0, bytes: 0, skipped: [], rewritten: 0}
  try {
    const copy = (container: Docker.Container): Promise<void> => copyHeaders(container, src.imageId, temp, report, signal)
    if (src.run) await src.run(copy)
    else await withCreatedContainer(src.engine, src.imageId, src.platform, labels, tracker, signal, copy)
    if (report.files === 0) throw new DockerError(`the image ${src.imageId.slice(0, 19)} has no headers in ${SYSROOT_DIRS.join(' or ')}`, 'use an image with the C library headers installed (glibc-devel, libc6-dev, musl-dev)', 'E_SYSROOT_EMPTY')
    await fs.writeFile(join(temp, MARKER), `${JSON.stringify({format: SYSROOT_FORMAT, image: src.imageId, platform: src.platform, files: report.files, bytes: report.bytes, skipped: report.skipped.length, rewritten: report.rewritten})}\n`)
    try {
      await fs.rename(temp, dir)
    } catch (error) {
      // Another run finished the same extraction first: use its copy.
      if (!existsSync(join(dir, MARKER))) throw error
      await fs.rm(temp, {recursive: true, force: true})
    }
    return report
  } catch (error) {
    await fs.rm(temp, {recursive: true, force: true})
    throw error
  }
}

export function createSysrootEngine(options: SysrootEngineOptions): PopulateEngine {
  const session = createDockerSession(options)
  const extractions = new Map<string, Promise<UnpackReport | undefined>>()
  const cacheDir = options.cacheDir ?? userCacheDir(options.env)

  // The parse threads, made on the first job that parses; each loads libclang once.
  let threads: {pool: ParsePool; libPath: string} | undefined
  const parsePool = (): {pool: ParsePool; libPath: string} => {
    if (!threads) {
      const libPath = locateLibclang({env: options.env})
      threads = {pool: createParsePool({libclang: libPath, size: options.parseThreads ?? parseThreadsFor(availableParallelism())}), libPath}
    }
    return threads
  }

  /** libclang loads in the threads while the other keys are computed, Docker is asked and headers are extracted. */
  function prepare(_job: PopulateJob, headers: number): void {
    try {
      parsePool().pool.warm(headers)
    } catch {
      // No libclang: the parse says so, with its advice.
    }
  }

  async function parse(input: EngineJobInput): Promise<EngineJobOutput> {
    const {job, signal} = input
    const {pool, libPath} = parsePool()
    pool.warm(input.headers.length)
    const platform = job.dockerPlatform
    const beforeAll = job.beforeAll?.command
    // Every header at once: the pool runs them on its threads, and the other jobs' Docker
    // calls and writes go on meanwhile. The first failure in header order is the job's,
    // as when they ran one after another.
    const parseAll = async (dir: string): Promise<ParsedHeader[]> => {
      const resourceDir = resourceDirFor(libPath, await pool.version())
      if (!resourceDir) throw new DockerError(`cannot find the builtin headers (resource directory) of ${libPath}`, 'install libclang-common-N-dev for your libclang version', 'E_RESOURCE_DIR')
      const settled = await Promise.allSettled(input.headers.map((h) => pool.parse({header: h.headerAbs, projectRoot: input.projectRoot, target: job.triple, libclang: libPath, args: sysrootParseArgs(h.clangArgs, dir, job, resourceDir)}, signal)))
      return settled.map((r) => {
        if (r.status === 'rejected') throw r.reason
        return {ir: r.value.ir, included: r.value.included, libclangVersion: r.value.libclangVersion}
      })
    }
    let engine: Engine | undefined
    let imageId: string | null = null
    const digest = pinnedDigest(job.image.reference)
    let imageKey = digest
    let guess: {image: string; parsed: Promise<ParsedHeader[]>} | undefined
    if (!imageKey) {
      // A tag can move: its current image ID, asked of the engine, keys the sysroot. The
      // parses start meanwhile against the headers of the image it named last time; they
      // count only if it still names that image (last-image.ts).
      const tag = {endpoint: job.endpoint.host, reference: job.image.reference, platform}
      const last = lastImage(cacheDir, tag)
      if (last && existsSync(join(sysrootDir(cacheDir, last, platform, beforeAll), MARKER))) {
        const parsed = parseAll(sysrootDir(cacheDir, last, platform, beforeAll))
        parsed.catch(() => undefined)
        guess = {image: last, parsed}
      }
      input.phase('connect', job.endpoint.host)
      engine = await session.connect(job, input)
      input.phase('pull', job.image.reference)
      imageId = (await session.baseImage(engine, job, signal)).id
      imageKey = imageId
      if (imageId !== last) await recordImage(cacheDir, tag, imageId)
    }
    const dir = sysrootDir(cacheDir, imageKey, platform, beforeAll)
    await memo(extractions, dir, async () => {
      if (existsSync(join(dir, MARKER))) return undefined
      if (!engine) {
        input.phase('connect', job.endpoint.host)
        engine = await session.connect(job, input)
      }
      input.phase('pull', job.image.reference)
      const base = await session.baseImage(engine, job, signal)
      imageId = base.id
      const e = engine
      let run: ExtractSource['run']
      if (beforeAll) {
        input.phase('before-all', beforeAll)
        run = (copy) => runBeforeAll(session, e, base.id, platform, beforeAll, input.timeoutMs, signal, async (container) => {
          input.phase('extract', SYSROOT_DIRS.join(' '))
          await copy(container)
        })
      } else {
        input.phase('extract', SYSROOT_DIRS.join(' '))
      }
      const report = await extract({engine: e, imageId: base.id, platform, run}, session.labels, dir, session.tracker, signal)
      if (report.skipped.length > 0) input.warn(`${job.image.reference} (${platform}): ${report.skipped.length} entr${report.skipped.length === 1 ? 'y' : 'ies'} of its headers not extracted (${report.skipped.slice(0, 3).map((s) => `${s.name}: ${s.why}`).join('; ')}${report.skipped.length > 3 ? '; ...' : ''})`)
      return report
    })

    input.phase('parse', `${input.headers.length} header${input.headers.length === 1 ? '' : 's'} on the host`)
    // The guessed image is the one Docker names: its sysroot is this very directory.
    const parsed = await (guess?.image === imageKey ? guess.parsed : parseAll(dir))
    if (signal.aborted) throw abortReason(signal)
    return {
      parsed,
      image: {reference: job.image.reference, digest: digest ? job.image.reference : null, id: imageId},
      provenance: {engine: 'sysroot', platform, image: job.image.reference, image_digest: digest ?? imageKey, sysroot: basename(dir), ...(beforeAll ? {before_all: beforeAll} : {})},
    }
  }

  async function close(): Promise<void> {
    await Promise.all([session.close(), threads?.pool.close()])
  }

  return {name: 'sysroot', refuse: () => undefined, prepare, parse, close}
}
