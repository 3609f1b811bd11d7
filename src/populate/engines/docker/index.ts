/**
 * The docker engine: the parser runs inside the job platform's container. Per job:
 * connect to its endpoint, have the base image (local match or pull), probe emulation
 * when the platform is foreign to the engine, build or reuse the worker image, then one
 * container parses every missing header of the job. Connections, pulls, probes and
 * worker builds shared by several jobs happen once (memoised promises).
 */
import type {PopulateJob} from '../../plan.js'
import {inContainerRefusal} from '../../engine-choice.js'
import type {EngineJobInput, EngineJobOutput, PopulateEngine} from '../../engine.js'
import {workerKit} from '../../kit.js'
import {packArchive, type ArchiveFile} from '../../archive.js'
import {ARCHIVE_AT, archiveName, filesForParse, parseWorkerOutput, WORKER_JOB, WORKER_KIT, WORKER_PROJECT, workerRequests} from '../../worker-job.js'
import {join} from 'node:path'
import {DockerError} from './client.js'
import {ExecFormatError, isExecFormat, runContainer} from './container.js'
import {ensureBeforeAllImage, ensureWorkerImage, familyOf, readOsRelease, type WorkerImage} from './images.js'
import {runBeforeAll} from './before-all.js'
import {EmulationMissingError, isForeign} from './probe.js'
import {createDockerSession, type DockerSessionOptions, memo, TOOL_LABEL} from './session.js'

const MEMORY_BYTES = 2 * 1024 * 1024 * 1024
const OUTPUT_LIMIT = 128 * 1024 * 1024

export interface DockerEngineOptions extends DockerSessionOptions {
  toolVersion: string
  cacheDir?: string
}

export class DockerEngineRefusal extends DockerError {}

export function createDockerEngine(options: DockerEngineOptions): PopulateEngine {
  const session = createDockerSession(options)
  const {labels, tracker} = session
  const workers = new Map<string, Promise<WorkerImage>>()
  const prepared = new Map<string, Promise<string>>()

  function refuse(job: PopulateJob): {message: string; hint: string} | undefined {
    return inContainerRefusal(job)
  }

  async function parse(input: EngineJobInput): Promise<EngineJobOutput> {
    const {job, signal} = input
    const platform = job.dockerPlatform
    input.phase('connect', job.endpoint.host)
    const engine = await session.connect(job, input)
    input.phase('pull', job.image.reference)
    const base = await session.baseImage(engine, job, signal)

    if (isForeign(engine, platform)) input.phase('probe')
    await session.probeEmulation(engine, base.id, platform, signal)

    input.phase('worker-image')
    const worker = await memo(workers, `${engine.endpoint}|${platform}|${base.id}`, async () => {
      const os = await readOsRelease(engine, base.id, platform, labels, tracker, signal)
      const family = familyOf(os)
      if ('unsupported' in family) throw new DockerEngineRefusal(`no worker image recipe fits ${job.image.reference}: ${family.unsupported}`, 'use a manylinux_2_28+ , musllinux or Debian-based image, or --engine sysroot', 'E_WORKER_UNSUPPORTED')
      return ensureWorkerImage(engine, base, family.family, platform, options.toolVersion, {[TOOL_LABEL]: 'headerkit'}, signal)
    })

    let parseImage = worker.id
    const beforeAll = job.beforeAll?.command
    if (beforeAll) {
      // Run with network in a container of the worker image, then committed: the parse
      // container itself keeps no network and no capabilities.
      input.phase('before-all', beforeAll)
      parseImage = await memo(prepared, `${engine.endpoint}|${worker.id}|${beforeAll}`, () => ensureBeforeAllImage(engine, worker, platform, beforeAll,
        (afterExit) => runBeforeAll(session, engine, worker.id, platform, beforeAll, input.timeoutMs, signal, afterExit), signal))
    }

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
        image: parseImage,
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
      provenance: {engine: 'docker', platform, image: job.image.reference, image_digest: digest ?? base.id, worker_image: worker.tag, worker_kit: kit.id, ...(beforeAll ? {before_all: beforeAll} : {})},
    }
  }

  return {name: 'docker', refuse, parse, close: () => session.close()}
}
