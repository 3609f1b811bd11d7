/**
 * Which engine runs a job. `docker` runs the parser inside the platform's container,
 * which only works where koffi's prebuilt native module loads there; `sysroot` parses on
 * the host against headers copied out of the image, on any platform, with no emulation;
 * `auto` (the default) takes docker where it can run and sysroot elsewhere.
 */
import type {PlanImage} from './plan.js'
import type {LinuxArch} from '../target/platforms.js'

export const ENGINE_NAMES = ['docker', 'sysroot'] as const
export type EngineName = (typeof ENGINE_NAMES)[number]
export type EngineChoice = EngineName | 'auto'
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', ...ENGINE_NAMES]

/** Where the in-container worker's koffi prebuilts exist and load (populate-engines-notes section 3). */
const WORKER_ARCHS: ReadonlySet<LinuxArch> = new Set(['x86_64', 'aarch64'])

export interface JobTarget {
  arch: LinuxArch
  dockerPlatform: string
  image: Pick<PlanImage, 'reference' | 'shortname'>
}

/** Why the in-container worker cannot run for this job, or undefined when it can. */
export function inContainerRefusal(job: JobTarget): {message: string; hint: string} | undefined {
  if (!WORKER_ARCHS.has(job.arch)) {
    return {
      message: `the in-container worker cannot run on ${job.dockerPlatform}: koffi has no prebuilt that loads there${job.arch === 's390x' ? '' : ' on glibc older than 2.34'}`,
      hint: 'use --engine sysroot (or auto) for this platform: it parses on the host against the image\'s headers',
    }
  }
  if (job.image.shortname === 'manylinux2014' || /\/manylinux2014_/.test(job.image.reference)) {
    return {message: `the in-container worker cannot run in manylinux2014 (${job.dockerPlatform}): its glibc 2.17 loads neither Node 18+ nor koffi`, hint: 'use --engine sysroot (or auto), or manylinux_2_28 or newer (--docker-image manylinux_2_28)'}
  }
  return undefined
}

export function chooseEngine(choice: EngineChoice, job: JobTarget, setBy: string): {engine: EngineName; reason: string} {
  if (choice !== 'auto') return {engine: choice, reason: `${setBy} ${choice}`}
  const refusal = inContainerRefusal(job)
  if (refusal) return {engine: 'sysroot', reason: `auto: ${refusal.message.replace(/^the in-container worker cannot run (on|in) /, 'no in-container worker for ')}`}
  return {engine: 'docker', reason: `auto: the in-container worker runs on ${job.dockerPlatform}`}
}
