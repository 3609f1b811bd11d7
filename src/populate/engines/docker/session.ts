/**
 * What every engine that talks to Docker shares within one run: connections per endpoint
 * (leftovers of killed runs removed once per endpoint), base images per platform, the
 * labels on everything it creates, and the containers in flight, which close() removes
 * (an abort: Ctrl-C, SIGTERM).
 */
import {hostname} from 'node:os'
import type {EngineJobInput} from '../../engine.js'
import type {PopulateJob} from '../../plan.js'
import {connectEngine, type Engine} from './client.js'
import {type ContainerTracker, removeQuietly} from './container.js'
import {type BaseImage, ensureBaseImage} from './images.js'
import {isForeign, probeEmulation} from './probe.js'
import {processAlive} from '../../../util/pids.js'

export const TOOL_LABEL = 'org.headerkit.tool'
export const RUN_LABEL = 'org.headerkit.run'
/** Which process on which machine made a container: a killed run's leftovers are found by these. */
export const HOST_LABEL = 'org.headerkit.host'
export const PID_LABEL = 'org.headerkit.pid'

export interface DockerSessionOptions {
  env: NodeJS.ProcessEnv
  /** Labels every container of this run. */
  runId: string
}

/** One promise per key: work several jobs share happens once; a failure is shared too. */
export function memo<V>(cache: Map<string, Promise<V>>, key: string, make: () => Promise<V>): Promise<V> {
  let p = cache.get(key)
  if (!p) {
    p = make()
    p.catch(() => undefined)
    cache.set(key, p)
  }
  return p
}

/**
 * Containers a killed run (SIGKILL, a crash: no handler ran) left behind: made on this
 * machine by a process that no longer exists. Another machine's runs are never touched.
 */
async function removeLeftovers(engine: Engine): Promise<number> {
  const list = await engine.docker.listContainers({all: true, filters: {label: [TOOL_LABEL, `${HOST_LABEL}=${hostname()}`]}})
  const stale = list.filter((c) => {
    const pid = Number(c.Labels[PID_LABEL])
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)
  })
  await Promise.all(stale.map((c) => removeQuietly(engine.docker.getContainer(c.Id)).catch(() => undefined)))
  return stale.length
}

export interface DockerSession {
  labels: Record<string, string>
  tracker: ContainerTracker
  /** The engine of the job's endpoint (phase `connect`). */
  connect(job: PopulateJob, input: Pick<EngineJobInput, 'signal' | 'warn'>): Promise<Engine>
  /** The job's base image on that engine, local or pulled (phase `pull`). */
  baseImage(engine: Engine, job: PopulateJob, signal: AbortSignal): Promise<BaseImage>
  /**
   * Whether a platform's binaries run on that engine, probed once per engine and platform
   * with any image of the platform (emulation is the host's, not the image's); false
   * without probing when the platform is the engine's own.
   */
  probeEmulation(engine: Engine, imageId: string, platform: string, signal: AbortSignal): Promise<boolean>
  close(): Promise<void>
}

export function createDockerSession(options: DockerSessionOptions): DockerSession {
  const engines = new Map<string, Promise<Engine>>()
  const swept = new Map<string, Promise<number>>()
  const bases = new Map<string, Promise<BaseImage>>()
  const probes = new Map<string, Promise<string>>()
  const inflight = new Map<string, Engine>()
  const labels = {[TOOL_LABEL]: 'headerkit', [RUN_LABEL]: options.runId, [HOST_LABEL]: hostname(), [PID_LABEL]: String(process.pid)}
  const tracker: ContainerTracker = {
    track(engine, id) {
      inflight.set(id, engine)
      return () => inflight.delete(id)
    },
  }
  return {
    labels,
    tracker,
    async connect(job, input) {
      const engine = await memo(engines, job.endpoint.host, () => connectEngine(job.endpoint.host, options.env, input.signal))
      const removed = await memo(swept, engine.endpoint, () => removeLeftovers(engine))
      if (removed > 0) input.warn(`removed ${removed} container${removed === 1 ? '' : 's'} left on ${engine.endpoint} by a headerkit run that was killed`)
      return engine
    },
    baseImage(engine, job, signal) {
      return memo(bases, `${engine.endpoint}|${job.dockerPlatform}|${job.image.reference}`, () => ensureBaseImage(engine, job.image.reference, job.dockerPlatform, signal))
    },
    async probeEmulation(engine, imageId, platform, signal) {
      if (!isForeign(engine, platform)) return false
      await memo(probes, `${engine.endpoint}|${platform}`, () => probeEmulation(engine, imageId, platform, labels, tracker, signal))
      return true
    },
    async close() {
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
    },
  }
}
