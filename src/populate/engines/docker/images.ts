/**
 * Base and worker images. The base image is used locally when its OS/architecture/variant
 * match the job's platform, else pulled for that platform and checked afterwards (a pull
 * can finish with another platform's image, and the daemon reuses wrong-arch local images:
 * moby#48197). The worker image adds Node and libclang to the base with the recipe of the
 * base's family, and is tagged by a hash of base image ID, recipe and tool version, so it
 * is built once and reused.
 */
import type Docker from 'dockerode'
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {Readable} from 'node:stream'
import {pack as tarPack, extract as tarExtract} from 'tar-stream'
import {headerkitFile} from '../../../version.js'
import {call, daemonMessage, DockerError, type Engine, statusOf} from './client.js'
import {type ContainerTracker, withCreatedContainer} from './container.js'
import {followJsonLines} from './streams.js'

export interface Platform {
  os: string
  architecture: string
  variant: string | undefined
}

/** `linux/arm/v7` -> {linux, arm, v7}; arm64's implicit v8 is no variant. */
export function parsePlatform(platform: string): Platform {
  const [os = 'linux', architecture = '', variant] = platform.split('/')
  return {os, architecture, variant: architecture === 'arm64' && variant === 'v8' ? undefined : variant}
}

export function platformMatches(inspect: {Os?: string; Architecture?: string; Variant?: string}, wanted: Platform): boolean {
  const variant = inspect.Architecture === 'arm64' && inspect.Variant === 'v8' ? undefined : inspect.Variant || undefined
  // An arm image that records no variant is v7, as Docker itself normalises it (images
  // built FROM scratch by the classic builder record none).
  const effective = variant ?? (inspect.Architecture === 'arm' ? 'v7' : undefined)
  return inspect.Os === wanted.os && inspect.Architecture === wanted.architecture && (wanted.variant === undefined || effective === wanted.variant)
}

function describe(inspect: {Os?: string; Architecture?: string; Variant?: string}): string {
  return [inspect.Os, inspect.Architecture, inspect.Variant].filter(Boolean).join('/')
}

export interface BaseImage {
  reference: string
  /** Image ID (`sha256:...`): what containers and builds are made from. */
  id: string
  /** The registry digest (`repo@sha256:...`) when the image has one, else null. */
  digest: string | null
  pulled: boolean
}

export class ImageError extends DockerError {
  constructor(message: string, hint?: string, code = 'E_IMAGE') {
    super(message, hint, code)
  }
}

export interface ImageInspect {
  Id: string
  Os?: string
  Architecture?: string
  Variant?: string
  RepoDigests?: string[]
}

export async function inspectImage(engine: Engine, reference: string, signal?: AbortSignal): Promise<ImageInspect | undefined> {
  try {
    const image = engine.docker.getImage(reference)
    return await call<ImageInspect>(image, 'inspect', {abortSignal: signal})
  } catch (error) {
    if (statusOf(error) === 404) return undefined
    throw new DockerError(`cannot inspect image ${reference} on ${engine.endpoint}: ${daemonMessage(error)}`)
  }
}

function repositoryOf(reference: string): string {
  const at = reference.indexOf('@')
  const noDigest = at >= 0 ? reference.slice(0, at) : reference
  const colon = noDigest.lastIndexOf(':')
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest
}

function digestOf(reference: string, inspect: ImageInspect): string | null {
  const at = reference.indexOf('@')
  if (at >= 0) return reference
  const repo = repositoryOf(reference)
  return inspect.RepoDigests?.find((d) => d.startsWith(`${repo}@`)) ?? inspect.RepoDigests?.[0] ?? null
}

/** The base image for a platform: local when it matches, else pulled for that platform. */
export async function ensureBaseImage(engine: Engine, reference: string, platform: string, signal?: AbortSignal, onProgress?: (status: string) => void): Promise<BaseImage> {
  const wanted = parsePlatform(platform)
  const local = await inspectImage(engine, reference, signal)
  if (local && platformMatches(local, wanted)) return {reference, id: local.Id, digest: digestOf(reference, local), pulled: false}

  let stream: Readable
  try {
    stream = await engine.docker.pull(reference, {platform, abortSignal: signal}) as Readable
  } catch (error) {
    if (signal?.aborted) throw error
    const why = daemonMessage(error)
    const hint = local
      ? `the local ${reference} is ${describe(local)}, not ${platform}; make the registry reachable, or load or build a ${platform} image under that name`
      : `check the image name, log in to its registry (docker login), or build or load the image locally for ${platform}`
    throw new ImageError(`cannot pull ${reference} for ${platform} on ${engine.endpoint}: ${why}`, hint, 'E_IMAGE_PULL')
  }
  const result = await followJsonLines(stream, (m) => {
    if (typeof m.status === 'string') onProgress?.(m.status)
  }, signal)
  if (result.error) throw new ImageError(`pulling ${reference} for ${platform} failed: ${result.error}`, 'check the image name and that it is published for this platform', 'E_IMAGE_PULL')

  const pulled = await inspectImage(engine, reference, signal)
  if (!pulled) throw new ImageError(`pulled ${reference} for ${platform}, but the engine does not have it afterwards`, 'pull it by hand (docker pull --platform ...) to see what the registry serves', 'E_IMAGE_PULL')
  if (!platformMatches(pulled, wanted)) {
    throw new ImageError(`pulled ${reference} for ${platform}, but got a ${describe(pulled)} image`, `the image is not published for ${platform}; use an image for that platform (--docker-image or [tool.headerkit.cache.populate.images])`, 'E_IMAGE_PLATFORM')
  }
  return {reference, id: pulled.Id, digest: digestOf(reference, pulled), pulled: true}
}

export type ImageFamily = 'manylinux' | 'musllinux' | 'debian'

export interface OsRelease {
  id: string
  idLike: string[]
  versionId: string
}

export function parseOsRelease(text: string): OsRelease {
  const values = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (m) values.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2'))
  }
  return {id: (values.get('ID') ?? '').toLowerCase(), idLike: (values.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean), versionId: values.get('VERSION_ID') ?? ''}
}

/** Which recipe fits an OS, or why none does. */
export function familyOf(os: OsRelease): {family: ImageFamily} | {unsupported: string} {
  const ids = [os.id, ...os.idLike]
  if (ids.includes('alpine')) return {family: 'musllinux'}
  if (ids.some((i) => ['rhel', 'centos', 'fedora', 'almalinux', 'rocky'].includes(i))) {
    const major = Number.parseInt(os.versionId, 10)
    // manylinux2014 is CentOS 7: glibc 2.17, where Node 18+ and koffi do not load.
    if (Number.isFinite(major) && major < 8 && os.id !== 'fedora') return {unsupported: `${os.id} ${os.versionId} (glibc older than 2.25, as in manylinux2014): Node 18+ and koffi do not load there`}
    return {family: 'manylinux'}
  }
  if (ids.includes('debian') || ids.includes('ubuntu')) return {family: 'debian'}
  return {unsupported: `unknown OS '${os.id || 'unnamed'}'; recipes exist for RHEL-like (manylinux), Alpine (musllinux) and Debian-like images`}
}

const OS_RELEASE_LIMIT = 64 * 1024

/** Reads one small regular file out of a tar stream (the first entry), draining the rest. */
function firstFileOf(stream: Readable, limit: number): Promise<{type: string; linkname: string | null; body: Buffer}> {
  return new Promise((resolve, reject) => {
    const ex = tarExtract()
    let found: {type: string; linkname: string | null; body: Buffer} | undefined
    ex.on('entry', (header, body, next) => {
      const chunks: Buffer[] = []
      let size = 0
      body.on('data', (data: unknown) => {
        const c = data as Buffer
        size += c.length
        if (size <= limit) chunks.push(c)
      })
      body.on('end', () => {
        if (!found) found = {type: header.type ?? 'file', linkname: header.linkname ?? null, body: Buffer.concat(chunks)}
        next()
      })
      body.resume()
    })
    ex.on('finish', () => (found ? resolve(found) : reject(new Error('empty archive'))))
    ex.on('error', reject)
    stream.on('error', reject)
    stream.pipe(ex)
  })
}

/**
 * The OS of an image, from its os-release, read through a container that is created but
 * never started (so no emulation is needed, and nothing runs).
 */
export async function readOsRelease(engine: Engine, imageId: string, platform: string, labels: Record<string, string>, tracker: ContainerTracker, signal?: AbortSignal): Promise<OsRelease> {
  return withCreatedContainer(engine, imageId, platform, labels, tracker, signal, async (container) => {
    for (const path of ['/usr/lib/os-release', '/etc/os-release']) {
      let stream: Readable
      try {
        stream = await call<Readable>(container, 'getArchive', {path, abortSignal: signal})
      } catch (error) {
        if (statusOf(error) === 404) continue
        throw new DockerError(`cannot read ${path} from ${imageId.slice(0, 19)}: ${daemonMessage(error)}`)
      }
      const file = await firstFileOf(stream, OS_RELEASE_LIMIT)
      if (file.type === 'file') return parseOsRelease(file.body.toString('utf8'))
    }
    return {id: '', idLike: [], versionId: ''}
  })
}

export interface WorkerImage {
  tag: string
  id: string
  family: ImageFamily
  built: boolean
}

export class WorkerBuildError extends ImageError {
  readonly log: string[]
  constructor(message: string, log: string[], hint?: string) {
    super(message, hint, 'E_WORKER_BUILD')
    this.log = log
  }
}

export const WORKER_REPOSITORY = 'headerkit-worker'
const BUILD_LOG_TAIL = 12

export function recipeOf(family: ImageFamily): Buffer {
  return readFileSync(headerkitFile('images', family, 'Dockerfile'))
}

export function workerTag(family: ImageFamily, baseId: string, recipe: Buffer, toolVersion: string): string {
  const hash = createHash('sha256').update(baseId).update('\0').update(recipe).update('\0').update(toolVersion).digest('hex').slice(0, 16)
  return `${WORKER_REPOSITORY}/${family}:${hash}`
}

/** The worker image for a base: reused when its tag exists for the platform, else built. */
export async function ensureWorkerImage(engine: Engine, base: BaseImage, family: ImageFamily, platform: string, toolVersion: string, labels: Record<string, string>, signal?: AbortSignal, onLine?: (line: string) => void): Promise<WorkerImage> {
  const recipe = recipeOf(family)
  const tag = workerTag(family, base.id, recipe, toolVersion)
  const wanted = parsePlatform(platform)
  const existing = await inspectImage(engine, tag, signal)
  if (existing && platformMatches(existing, wanted)) return {tag, id: existing.Id, family, built: false}

  const context = tarPack()
  context.entry({name: 'Dockerfile', mode: 0o644, mtime: new Date(0)}, recipe)
  context.finalize()
  let stream: Readable
  try {
    stream = await call<Readable>(engine.docker, 'buildImage', context, {
      t: tag, platform, buildargs: {BASE: base.id}, labels: {...labels, 'org.headerkit.base': base.id}, forcerm: true, rm: true, pull: false, abortSignal: signal,
    })
  } catch (error) {
    if (signal?.aborted) throw error
    throw new WorkerBuildError(`cannot build the ${family} worker image on ${engine.endpoint}: ${daemonMessage(error)}`, [])
  }
  const log: string[] = []
  const result = await followJsonLines(stream, (m) => {
    if (typeof m.stream !== 'string') return
    // eslint-disable-next-line no-control-regex -- the build's stderr arrives with terminal colours
    for (const line of m.stream.replace(/\u001B\[[0-9;]*m/g, '').split('\n')) {
      if (line.trim() === '') continue
      log.push(line)
      onLine?.(line)
    }
  }, signal)
  if (result.error) {
    const tail = log.slice(-BUILD_LOG_TAIL)
    throw new WorkerBuildError(`building the ${family} worker image for ${platform} from ${base.reference} failed: ${result.error.trim()}`, tail,
      `the recipe is images/${family}/Dockerfile; the build log ends: ${tail.slice(-5).map((l) => l.trim()).join(' | ')}`)
  }
  const built = await inspectImage(engine, tag, signal)
  if (!built) throw new WorkerBuildError(`the ${family} worker image build reported success but ${tag} does not exist`, log.slice(-BUILD_LOG_TAIL))
  if (!platformMatches(built, wanted)) throw new WorkerBuildError(`the ${family} worker image was built as ${describe(built)}, not ${platform}`, [], 'the engine did not honour the platform of the build; update Docker Engine')
  return {tag, id: built.Id, family, built: true}
}

/**
 * The worker image with cibuildwheel's before-all applied: run in a container of the
 * worker image (with network), then committed, tagged by the worker tag and a hash of the
 * command, so later runs reuse it.
 */
export async function ensureBeforeAllImage(engine: Engine, worker: WorkerImage, platform: string, command: string, run: (afterExit: (container: Docker.Container) => Promise<void>) => Promise<void>, signal?: AbortSignal): Promise<string> {
  const [repo, tag] = worker.tag.split(':') as [string, string]
  const ref = `${repo}:${tag}-ba${createHash('sha256').update(command).digest('hex').slice(0, 12)}`
  const existing = await inspectImage(engine, ref, signal)
  if (existing && platformMatches(existing, parsePlatform(platform))) return existing.Id
  await run(async (container) => {
    await call(container, 'commit', {repo, tag: ref.slice(repo.length + 1), abortSignal: signal})
  })
  const made = await inspectImage(engine, ref, signal)
  if (!made) throw new ImageError(`before-all ran on ${platform}, but committing its container as ${ref} left no image`, 'check the Docker Engine')
  return made.Id
}
