/**
 * The emulation check: before any job on a platform foreign to the engine, a container of
 * a few seconds runs `uname -m` from the base image. An exec format error (no QEMU
 * interpreter registered for that architecture) becomes one line of advice instead of a
 * hang or a cryptic failure later in a worker build.
 */
import {DockerError, type Engine} from './client.js'
import {type ContainerTracker, ExecFormatError, isExecFormat, runContainer} from './container.js'

const PROBE_TIMEOUT_MS = 60_000

/** What `uname -m` prints on each Docker platform (32-bit may report the 64-bit host). */
const UNAME: Record<string, string[]> = {
  'linux/amd64': ['x86_64'],
  'linux/arm64': ['aarch64', 'arm64'],
  'linux/386': ['i686', 'i586', 'i386', 'x86_64'],
  'linux/ppc64le': ['ppc64le'],
  'linux/s390x': ['s390x'],
  'linux/arm/v7': ['armv7l', 'armv8l', 'aarch64'],
  'linux/riscv64': ['riscv64'],
}

export class EmulationMissingError extends DockerError {
  constructor(platform: string, endpoint: string, detail: string) {
    const arch = platform.split('/')[1] ?? platform
    super(`${platform} containers cannot run on the Docker host at ${endpoint}: ${detail}`,
      `register QEMU emulation for ${arch} (Debian/Ubuntu: sudo apt-get install qemu-user-static binfmt-support; any host: docker run --privileged --rm tonistiigi/binfmt --install ${arch}), or name a native ${platform} engine in [tool.headerkit.cache.populate.hosts]`,
      'E_NO_EMULATION')
  }
}

/** True when the engine's own platform is not `platform` (the job needs emulation there). */
export function isForeign(engine: Engine, platform: string): boolean {
  const own = engine.serverPlatform
  const [os, arch] = platform.split('/')
  return `${os}/${arch}` !== own
}

export async function probeEmulation(engine: Engine, imageId: string, platform: string, labels: Record<string, string>, tracker: ContainerTracker, signal?: AbortSignal): Promise<string> {
  let result
  try {
    result = await runContainer(engine, {image: imageId, platform, cmd: ['/bin/sh', '-c', 'uname -m'], labels, timeoutMs: PROBE_TIMEOUT_MS, memoryBytes: 256 * 1024 * 1024, outputLimit: 64 * 1024}, tracker, signal)
  } catch (error) {
    if (error instanceof ExecFormatError) throw new EmulationMissingError(platform, engine.endpoint, 'exec format error (no emulator is registered for it)')
    if ((error as {code?: string}).code === 'E_TIMEOUT') throw new EmulationMissingError(platform, engine.endpoint, `a probe container did not finish within ${PROBE_TIMEOUT_MS / 1000} s`)
    throw error
  }
  const out = result.stdout.toString('utf8').trim()
  if (result.exitCode !== 0) {
    if (isExecFormat(result.stderr) || isExecFormat(out)) throw new EmulationMissingError(platform, engine.endpoint, 'exec format error (no emulator is registered for it)')
    throw new DockerError(`the ${platform} probe container exited with ${result.exitCode}: ${result.stderr.trim().split('\n').pop() ?? ''}`, 'the base image needs /bin/sh and uname', 'E_PROBE')
  }
  const expected = UNAME[platform]
  if (expected && !expected.includes(out)) {
    throw new DockerError(`a ${platform} container reports machine '${out}'`, 'the image or the emulator is not for this platform; check the image and the binfmt registration', 'E_PROBE')
  }
  return out
}
