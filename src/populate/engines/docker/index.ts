/**
 * The docker engine: the parser runs inside the job platform's container. Per job:
 * connect to its endpoint, have the base image (local match or pull), probe emulation
 * when the platform is foreign to the engine, build or reuse the worker image, then one
 * container parses every missing header of the job. Connections, pulls, probes and
 * worker builds shared by several jobs happen once (memoised promises).
 */
import type {PopulateJob} from '../../plan.js'
import type {EngineJobInput, EngineJobOutput, PopulateEngine} from '../../engine.js'
import {workerKit} from '../../kit.js'
import {packArchive, type ArchiveFile} from '../../archive.js'
import {ARCHIVE_AT, archiveName, filesForParse, parseWorkerOutput, WORKER_JOB, WORKER_KIT, WORKER_PROJECT, workerRequests} from '../../worker-job.js'
import {connectEngine, DockerError, type Engine} from './client.js'
import {type ContainerTracker, ExecFormatError, isExecFormat, removeQuietly, runContainer} from './container.js'
import {type BaseImage, ensureBaseImage, ensureWorkerImage, familyOf, readOsRelease, type WorkerImage} from './images.js'
import {EmulationMissingError, isForeign, probeEmulation} from './probe.js'
import {hostname} from 'node:os'
import {join} from 'node:path'

export const TOOL_LABEL = 'org.headerkit.tool'
export const RUN_LABEL = 'org.headerkit.run'
/** Which process on which machine made a container: a killed run's leftovers are found by these. */
export const HOST_LABEL = 'org.headerkit.host'
export const PID_LABEL = 'org.headerkit.pid'
const MEMORY_BYTES = 2 * 1024 * 1024 * 1024
const OUTPUT_LIMIT = 128 * 1024 * 1024
/** Where the worker kit's koffi prebuilts exist and load (populate-engines-notes section 3). */
const WORKER_ARCHS = new Set(['x86_64', 'aarch64'])

export interface DockerEngineOptions {
  env: NodeJS.ProcessEnv
  /** Labels every container and worker build of this run. */
  runId: string
  toolVersion: string
  cacheDir?: string
}

export class DockerEngineRefusal extends DockerError {}

function memo<V>(cache: Map<string, Promise<V>>, key: string, make: () => Promise<V>): Promise<V> {
  let p = cache.get(key)
  if (!p) {
    p = make()
    p.catch(() => undefined)
    cache.set(key, p)
  }
  return p
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Containers a killed run (SIGKILL, a crash: no handler ran) left behind: made on this
 * machine by a process that no longer exists. Another machine's runs are never touched.
 */
async function removeLeftovers(engine: Engine): Promise<number> {
  const list = await engine.docker.listContainers({all: true, filters: {label: [TOOL_LABEL, `${HOST_LABEL}=${hostname()}`]}})
  const stale = list.filter((c) => {
    const pid = Number(c.Labels[PID_LABEL])
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)
  })
  await Promise.all(stale.map((c) => removeQuietly(engine.docker.getContainer(c.Id)).catch(() => undefined)))
  return stale.length
}

export function createDockerEngine(options: DockerEngineOptions): PopulateEngine {
  const engines = new Map<string, Promise<Engine>>()
  const bases = new Map<string, Promise<BaseImage>>()
  const probes = new Map<string, Promise<string>>()
  const workers = new Map<string, Promise<WorkerImage>>()
  const inflight = new Map<string, Engine>()
  const labels = {[TOOL_LABEL]: 'headerkit', [RUN_LABEL]: options.runId, [HOST_LABEL]: hostname(), [PID_LABEL]: String(process.pid)}
  const swept = new Map<string, Promise<number>>()
  const tracker: ContainerTracker = {
    track(engine, id) {
      inflight.set(id, engine)
      return () => inflight.delete(id)
    },
  }

  function refuse(job: PopulateJob): {message: string; hint: string} | undefined {
    if (!WORKER_ARCHS.has(job.arch)) {
      return {
        message: `the in-container worker cannot run on ${job.dockerPlatform}: koffi has no prebuilt that loads there${job.arch === 's390x' ? '' : ' on glibc older than 2.34'}`,
        hint: 'use --engine sysroot for this platform (part of a later headerkit), or populate it natively and merge with headerkit store merge',
      }
    }
    if (job.image.shortname === 'manylinux2014' || /\/manylinux2014_/.test(job.image.reference)) {
      return {message: `the in-container worker cannot run in manylinux2014 (${job.dockerPlatform}): its glibc 2.17 loads neither Node 18+ nor koffi`, hint: 'use manylinux_2_28 or newer (--docker-image manylinux_2_28), or --engine sysroot'}
    }
    return undefined
  }

  async function parse(input: EngineJobInput): Promise<EngineJobOutput> {
    const {job, signal} = input
    const platform = job.dockerPlatform
    input.phase('connect', job.endpoint.host)
    const engine = await memo(engines, job.endpoint.host, () => connectEngine(job.endpoint.host, options.env, signal))
    const removed = await memo(swept, engine.endpoint, () => removeLeftovers(engine))
    if (removed > 0) input.warn(`removed ${removed} container${removed === 1 ? '' : 's'} left on ${engine.endpoint} by a headerkit run that was killed`)

    input.phase('pull', job.image.reference)
    const base = await memo(bases, `${engine.endpoint}|${platform}|${job.image.reference}`, () => ensureBaseImage(engine, job.image.reference, platform, signal))

    if (isForeign(engine, platform)) {
      input.phase('probe')
      await memo(probes, `${engine.endpoint}|${platform}|${base.id}`, () => probeEmulation(engine, base.id, platform, labels, tracker, signal))
    }

    input.phase('worker-image')
    const worker = await memo(workers, `${engine.endpoint}|${platform}|${base.id}`, async () => {
      const os = await readOsRelease(engine, base.id, platform, labels, tracker, signal)
      const family = familyOf(os)
      if ('unsupported' in family) throw new DockerEngineRefusal(`no worker image recipe fits ${job.image.reference}: ${family.unsupported}`, 'use a manylinux_2_28+ , musllinux or Debian-based image, or --engine sysroot', 'E_WORKER_UNSUPPORTED')
      return ensureWorkerImage(engine, base, family.family, platform, options.toolVersion, {[TOOL_LABEL]: 'headerkit'}, signal)
    })

    input.phase('parse', `${input.headers.length} header${input.headers.length === 1 ? '' : 's'}`)
    const kit = await workerKit({arch: job.arch, libc: job.libc}, {cacheDir: options.cacheDir, env: options.env})
    const requests = workerRequests(input.headers, job.triple)
    const {files, warnings} = await filesForParse(input.headers, input.projectRoot, input.storeDir)
    for (const w of warnings) input.warn(w)
    const archive: ArchiveFile[] = [
      ...kit.files.map((f) => ({name: archiveName(`${WORKER_KIT}/${f.name}`), path: f.path, mode: f.mode})),
      ...files.map((f) => ({name: archiveName(`${WORKER_PROJECT}/${f}`), path: join(input.projectRoot, f)})),
      {name: archiveName(WORKER_JOB), bytes: Buffer.from(JSON.stringify(requests))},
    ]
    let result
    try {
      result = await runContainer(engine, {
        image: worker.id,
        platform,
        cmd: ['node', `${WORKER_KIT}/${kit.entry}`, WORKER_JOB],
        labels,
        archive: packArchive(archive),
        archivePath: ARCHIVE_AT,
        timeoutMs: input.timeoutMs,
        memoryBytes: MEMORY_BYTES,
        outputLimit: OUTPUT_LIMIT,
        user: '65534:65534',
      }, tracker, signal)
    } catch (error) {
      if (error instanceof ExecFormatError) throw new EmulationMissingError(platform, engine.endpoint, 'exec format error')
      throw error
    }
    if (result.exitCode !== 0 && isExecFormat(result.stderr)) throw new EmulationMissingError(platform, engine.endpoint, 'exec format error')
    const parsed = parseWorkerOutput(result.stdout, result.exitCode, result.stderr, requests, platform)
    const digest = base.digest
    return {
      parsed,
      image: {reference: job.image.reference, digest, id: base.id},
      provenance: {engine: 'docker', platform, image: job.image.reference, image_digest: digest ?? base.id, worker_image: worker.tag, worker_kit: kit.id},
    }
  }

  async function close(): Promise<void> {
    // Containers this process still tracks, then anything else labelled with this run
    // (created while a request was in flight when the abort came).
    await Promise.all([...inflight.entries()].map(([id, engine]) => removeQuietly(engine.docker.getContainer(id)).catch(() => undefined)))
    inflight.clear()
    for (const pending of engines.values()) {
      const engine = await pending.catch(() => undefined)
      if (!engine) continue
      try {
        const left = await engine.docker.listContainers({all: true, filters: {label: [`${RUN_LABEL}=${options.runId}`]}})
        await Promise.all(left.map((c) => removeQuietly(engine.docker.getContainer(c.Id)).catch(() => undefined)))
      } catch {
        // the daemon went away: nothing more can be removed from here
      }
    }
  }

  return {name: 'docker', refuse, parse, close}
}
