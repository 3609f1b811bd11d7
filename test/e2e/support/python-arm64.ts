/**
 * An arm64 container with Debian's python3 (on the arm64 stand-in, run under QEMU), and a
 * way to run a script in it on a staged directory tree: no network, no bind mounts, the
 * container removed whatever happens.
 */
import Docker from 'dockerode'
import tarFs from 'tar-fs'
import type {StandinImages} from './images.js'
import {variantImage} from './variants.js'

/** Debian's python3 with setuptools, wheel and pip on the arm64 stand-in (built once, tagged by recipe). */
export function pythonImage(images: StandinImages): Promise<string> {
  return variantImage(images.arm64, 'python-arm64', 'linux/arm64', {}, [
    // Retries: the mirror is reached over plain HTTP from QEMU-emulated apt, and a dropped fetch is exit 100.
    'RUN apt-get -o Acquire::Retries=5 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=5 install -y -qq --no-install-recommends python3 python3-setuptools python3-wheel python3-pip && rm -rf /var/lib/apt/lists/*',
  ])
}

/** stdout and stderr of a finished container (no TTY: Docker's 8-byte frame headers). */
function demux(buffer: Buffer): {stdout: Buffer; stderr: string} {
  const out: Buffer[] = []
  const err: Buffer[] = []
  for (let at = 0; at + 8 <= buffer.length;) {
    const size = buffer.readUInt32BE(at + 4)
    ;(buffer[at] === 2 ? err : out).push(buffer.subarray(at + 8, at + 8 + size))
    at += 8 + size
  }
  return {stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8')}
}

export async function runInContainer(image: string, stage: string, script: string, label = 'python-arm64'): Promise<{exitCode: number; stdout: Buffer; stderr: string}> {
  const docker = new Docker()
  const container = await docker.createContainer({
    Image: image, Cmd: ['/bin/sh', '-c', script], platform: 'linux/arm64', WorkingDir: '/',
    HostConfig: {NetworkMode: 'none'}, Labels: {'org.headerkit.test': label},
  })
  try {
    await container.putArchive(tarFs.pack(stage) as unknown as NodeJS.ReadableStream, {path: '/'})
    await container.start()
    const {StatusCode} = await container.wait() as {StatusCode: number}
    const logs = await container.logs({stdout: true, stderr: true, follow: false})
    return {exitCode: StatusCode, ...demux(logs)}
  } finally {
    await container.remove({force: true}).catch(() => undefined)
  }
}
