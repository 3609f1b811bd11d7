/**
 * One short-lived container: created with the platform, no network, capped memory,
 * dropped capabilities and headerkit's labels; files put in with putArchive (no bind
 * mounts, so nothing is ever written into the source tree); output read through an
 * attach registered before start, capped; the exit awaited with `next-exit` (registered
 * before start, since `not-running` returns at once on a created container) and raced
 * against a timeout; removed whatever happens.
 */
import type Docker from 'dockerode'
import {PassThrough, type Readable} from 'node:stream'
import {call, daemonMessage, DockerError, type Engine, statusOf} from './client.js'

export interface ContainerSpec {
  image: string
  platform: string
  cmd: string[]
  labels: Record<string, string>
  /** A tar stream unpacked at `archivePath` (which must exist in the image) before start. */
  archive?: Readable | Buffer
  archivePath?: string
  timeoutMs: number
  memoryBytes: number
  /** stdout beyond this many bytes is refused (the container is killed). */
  outputLimit: number
  user?: string
  /**
   * The user's own command (cibuildwheel's before-all): run as cibuildwheel runs it, as
   * root with the network and Docker's default capabilities (package managers need
   * them). Otherwise (the parse, the probe) no network and every capability dropped.
   */
  userCommand?: boolean
  /** Runs after the container exited with 0, before it is removed (copy files out, commit it). */
  afterExit?: (container: Docker.Container) => Promise<void>
}

export interface ContainerResult {
  exitCode: number
  stdout: Buffer
  /** The last 64 KiB of stderr. */
  stderr: string
}

export class ContainerTimeoutError extends DockerError {
  constructor(seconds: number, platform: string) {
    super(`the ${platform} container did not finish within ${seconds} s; it was killed and removed`, 'raise --timeout (or timeout in [tool.headerkit.cache.populate]); emulated platforms parse 6-10x slower', 'E_TIMEOUT')
  }
}

export class OutputLimitError extends DockerError {
  constructor(limit: number, platform: string) {
    super(`the ${platform} worker printed more than ${Math.round(limit / 1024 / 1024)} MiB; refused and killed`, 'a header this large is unexpected: check what the worker parses', 'E_WORKER_OUTPUT')
  }
}

/** Exec format error: the platform cannot run here (no emulation registered). */
export class ExecFormatError extends DockerError {
  constructor(platform: string, detail: string) {
    super(`${platform} binaries cannot run on this Docker host: ${detail}`, undefined, 'E_EXEC_FORMAT')
  }
}

const STDERR_KEEP = 64 * 1024
const ATTACH_DRAIN_MS = 5_000

/** Keeps in-flight containers so an abort (Ctrl-C, SIGTERM) can remove every one of them. */
export interface ContainerTracker {
  track(engine: Engine, id: string): () => void
}

function capture(limit: number, keepTail: boolean): {sink: PassThrough; bytes: () => Buffer; over: () => boolean} {
  const chunks: Buffer[] = []
  let size = 0
  let over = false
  const sink = new PassThrough()
  sink.on('data', (c: Buffer) => {
    size += c.length
    if (keepTail) {
      chunks.push(c)
      while (chunks.length > 1 && size - chunks[0]!.length >= limit) size -= chunks.shift()!.length
      return
    }
    if (size > limit) over = true
    else chunks.push(c)
  })
  return {sink, bytes: () => Buffer.concat(chunks), over: () => over}
}

export function isExecFormat(text: string): boolean {
  return /exec format error/i.test(text)
}

async function killQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.kill({signal: 'SIGKILL'})
  } catch (error) {
    // 409: not running any more; 404: gone already.
    if (statusOf(error) !== 409 && statusOf(error) !== 404) throw error
  }
}

export async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.remove({force: true, v: true})
  } catch (error) {
    if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error
  }
}

/**
 * A container that is created and never started (nothing of the image runs, so no
 * emulation is needed), for copying files out of it; tracked while `use` runs, then removed.
 */
export async function withCreatedContainer<T>(engine: Engine, imageId: string, platform: string, labels: Record<string, string>, tracker: ContainerTracker, signal: AbortSignal | undefined, use: (container: Docker.Container) => Promise<T>): Promise<T> {
  const container = await call<Docker.Container>(engine.docker, 'createContainer', {_query: {platform}, _body: {Image: imageId, Cmd: ['/bin/true'], Labels: labels, NetworkDisabled: true, HostConfig: {NetworkMode: 'none'}}, abortSignal: signal})
  const untrack = tracker.track(engine, container.id)
  try {
    return await use(container)
  } finally {
    await removeQuietly(container).catch(() => undefined)
    untrack()
  }
}

export async function runContainer(engine: Engine, spec: ContainerSpec, tracker: ContainerTracker, signal?: AbortSignal): Promise<ContainerResult> {
  const {docker} = engine
  let container: Docker.Container
  try {
    container = await call<Docker.Container>(docker, 'createContainer', {
      _query: {platform: spec.platform},
      _body: {
        Image: spec.image,
        Cmd: spec.cmd,
        Labels: spec.labels,
        User: spec.user,
        WorkingDir: '/tmp',
        Env: ['HOME=/tmp', 'LANG=C.UTF-8'],
        AttachStdout: true,
        AttachStderr: true,
        NetworkDisabled: !spec.userCommand,
        HostConfig: {
          NetworkMode: spec.userCommand ? 'default' : 'none',
          Memory: spec.memoryBytes,
          MemorySwap: spec.memoryBytes,
          ...(spec.userCommand ? {} : {CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges']}),
          PidsLimit: 512,
          LogConfig: {Type: 'none', Config: {}},
        },
      },
      abortSignal: signal,
    })
  } catch (error) {
    if (signal?.aborted) throw error
    throw new DockerError(`cannot create a ${spec.platform} container from ${spec.image.slice(0, 40)} on ${engine.endpoint}: ${daemonMessage(error)}`)
  }
  const untrack = tracker.track(engine, container.id)
  try {
    if (spec.archive) {
      try {
        await call(container, 'putArchive', spec.archive, {path: spec.archivePath ?? '/tmp', abortSignal: signal})
      } catch (error) {
        if (signal?.aborted) throw error
        throw new DockerError(`cannot copy the job's files into the ${spec.platform} container: ${daemonMessage(error)}`, `the image needs a ${spec.archivePath ?? '/tmp'} directory`)
      }
    }
    const stdout = capture(spec.outputLimit, false)
    const stderr = capture(STDERR_KEEP, true)
    const attached = await call<Readable>(container, 'attach', {stream: true, stdout: true, stderr: true, abortSignal: signal})
    const attachEnded = new Promise<void>((resolve) => {
      attached.on('end', resolve)
      attached.on('close', resolve)
      attached.on('error', () => resolve())
    })
    docker.modem.demuxStream(attached, stdout.sink, stderr.sink)

    const timeout = AbortSignal.timeout(spec.timeoutMs)
    const waitSignal = signal ? AbortSignal.any([signal, timeout]) : timeout
    const exited = call<{StatusCode: number}>(container, 'wait', {condition: 'next-exit', abortSignal: waitSignal})
    exited.catch(() => undefined)
    try {
      await call(container, 'start', {abortSignal: signal})
    } catch (error) {
      if (signal?.aborted) throw error
      const message = daemonMessage(error)
      if (isExecFormat(message)) throw new ExecFormatError(spec.platform, message)
      throw new DockerError(`cannot start the ${spec.platform} container: ${message}`)
    }

    // Killed as soon as it prints too much, instead of after the timeout.
    const overLimit = new Promise<'over'>((resolve) => {
      const check = (): void => {
        if (stdout.over()) resolve('over')
      }
      stdout.sink.on('data', check)
    })
    let outcome: {StatusCode: number} | 'over'
    try {
      outcome = await Promise.race([exited, overLimit])
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) {
        await killQuietly(container)
        throw new ContainerTimeoutError(Math.round(spec.timeoutMs / 1000), spec.platform)
      }
      throw error
    }
    if (outcome === 'over') {
      await killQuietly(container)
      throw new OutputLimitError(spec.outputLimit, spec.platform)
    }
    await Promise.race([attachEnded, new Promise((r) => setTimeout(r, ATTACH_DRAIN_MS).unref())])
    if (stdout.over()) throw new OutputLimitError(spec.outputLimit, spec.platform)
    if (outcome.StatusCode === 0 && spec.afterExit) await spec.afterExit(container)
    return {exitCode: outcome.StatusCode, stdout: stdout.bytes(), stderr: stderr.bytes().toString('utf8')}
  } finally {
    await removeQuietly(container).catch(() => undefined)
    untrack()
  }
}
