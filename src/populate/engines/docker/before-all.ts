/**
 * cibuildwheel's `before-all` (it typically installs `-devel` headers), run the way
 * cibuildwheel runs it: `sh -c` as root in a started container of the image, with the
 * network. Foreign platforms need emulation for it, so the emulation probe runs first.
 * The caller gets the stopped container to copy headers out of, or to commit.
 */
import type Docker from 'dockerode'
import {DockerError, type Engine} from './client.js'
import {runContainer} from './container.js'
import type {DockerSession} from './session.js'

const MEMORY_BYTES = 4 * 1024 * 1024 * 1024
const LOG_TAIL = 6

export class BeforeAllError extends DockerError {
  constructor(platform: string, exitCode: number, tail: string) {
    super(`before-all failed on ${platform} (exit ${exitCode})${tail ? `: ${tail}` : ''}`, 'fix before-all in [tool.cibuildwheel], or skip it with --no-before-all', 'E_BEFORE_ALL')
  }
}

export async function runBeforeAll(session: DockerSession, engine: Engine, imageId: string, platform: string, command: string, timeoutMs: number, signal: AbortSignal, afterExit: (container: Docker.Container) => Promise<void>): Promise<void> {
  await session.probeEmulation(engine, imageId, platform, signal)
  const result = await runContainer(engine, {
    image: imageId,
    platform,
    cmd: ['/bin/sh', '-c', command],
    labels: session.labels,
    timeoutMs,
    memoryBytes: MEMORY_BYTES,
    outputLimit: 16 * 1024 * 1024,
    user: '0:0',
    userCommand: true,
    afterExit,
  }, session.tracker, signal)
  if (result.exitCode !== 0) {
    const tail = `${result.stdout.toString('utf8')}\n${result.stderr}`.trim().split('\n').slice(-LOG_TAIL).map((l) => l.trim()).join(' | ')
    throw new BeforeAllError(platform, result.exitCode, tail.slice(0, 800))
  }
}
