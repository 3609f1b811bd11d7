/**
 * The e2e tests' infrastructure, for real: the stand-in base images (amd64, and arm64
 * running under QEMU), and a second Docker Engine on its own socket. Without Docker these
 * fail, with what to run; they never skip (CI must run them: npm test sets Docker up).
 */
import Docker from 'dockerode'
import {execa} from 'execa'
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {requireDocker, standinImages, type StandinImages} from './support/images.js'
import {startSecondDaemon, type SecondDaemon} from './support/second-daemon.js'

const SCRIPT = fileURLToPath(new URL('./support/standin-images.sh', import.meta.url))
const ARCHES = ['amd64', 'arm64'] as const
const MACHINE = {amd64: 'x86_64', arm64: 'aarch64'} as const
const TRIPLET = {amd64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu'} as const
const LABEL = 'org.headerkit.test'

/** `docker run --rm` without network; stdout and stderr, never throws on a non-zero exit. */
async function run(image: string, platform: string, script: string, host?: string): Promise<{exitCode: number; stdout: string; stderr: string}> {
  const r = await execa('docker', [...(host ? ['-H', host] : []), 'run', '--rm', '--network=none', `--platform=${platform}`, `--label=${LABEL}=infra`, image, 'bash', '-c', script], {
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  })
  return {exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr}
}

/**
 * What the populate engine does, through dockerode: create with the platform in the query
 * (API 1.41) and NetworkMode none, start, wait, read the (multiplexed) logs, remove.
 */
async function runWithDockerode(docker: Docker, image: string, platform: string, cmd: string[]): Promise<{exitCode: number; stdout: string}> {
  const container = await docker.createContainer({
    _query: {platform},
    _body: {Image: image, Cmd: cmd, Labels: {[LABEL]: 'infra'}, HostConfig: {NetworkMode: 'none'}},
  } as unknown as Docker.ContainerCreateOptions)
  try {
    await container.start()
    const {StatusCode} = (await container.wait()) as {StatusCode: number}
    const logs = await container.logs({stdout: true, stderr: false, follow: false})
    return {exitCode: StatusCode, stdout: demuxStdout(logs).trim()}
  } finally {
    await container.remove({force: true})
  }
}

/** The stdout frames of a non-TTY log stream (8-byte headers: stream, 0, 0, 0, length). */
function demuxStdout(buffer: Buffer): string {
  const chunks: Buffer[] = []
  for (let at = 0; at + 8 <= buffer.length; ) {
    const length = buffer.readUInt32BE(at + 4)
    if (buffer[at] === 1) chunks.push(buffer.subarray(at + 8, at + 8 + length))
    at += 8 + length
  }
  return Buffer.concat(chunks).toString('utf8')
}

describe('e2e infrastructure: stand-in images and Docker', function () {
  let images: StandinImages
  const docker = new Docker()

  before(async function () {
    // A cold build of both images takes about 2.5 min here; later runs reuse them.
    this.timeout(25 * 60_000)
    await requireDocker()
    images = await standinImages()
  })

  after(async function () {
    const left = await docker.listContainers({all: true, filters: {label: [`${LABEL}=infra`]}})
    assert.deepEqual(left.map((c) => c.Id), [], 'containers left behind on the main daemon')
  })

  it('has one linux/amd64 and one linux/arm64 image, tagged by a hash of the recipe and arch', async () => {
    for (const arch of ARCHES) {
      assert.match(images[arch], new RegExp(`^headerkit-standin/bookworm:${arch}-[0-9a-f]{12}$`))
      const info = await docker.getImage(images[arch]).inspect()
      assert.equal(info.Os, 'linux', images[arch])
      assert.equal(info.Architecture, arch, images[arch])
      assert.deepEqual(info.Config.Cmd, ['/bin/bash'])
    }
    assert.notEqual(images.amd64.split('-').pop(), images.arm64.split('-').pop(), 'the arch is part of the hash')
  })

  it('reuses the images on a second run of the script (same IDs, no build)', async function () {
    this.timeout(120_000)
    const ids = await Promise.all(ARCHES.map(async (arch) => (await docker.getImage(images[arch]).inspect()).Id))
    const r = await execa('bash', [SCRIPT], {stdin: 'ignore'})
    assert.equal(r.stdout, `linux/amd64 ${images.amd64}\nlinux/arm64 ${images.arm64}`)
    assert.equal(r.stderr, '', 'a warm run builds nothing and says nothing')
    assert.deepEqual(await Promise.all(ARCHES.map(async (arch) => (await docker.getImage(images[arch]).inspect()).Id)), ids)
  })

  it('runs the arm64 image under QEMU and the amd64 one natively (dockerode, platform in the query)', async () => {
    for (const arch of ARCHES) {
      const r = await runWithDockerode(docker, images[arch], `linux/${arch}`, ['uname', '-m'])
      assert.deepEqual(r, {exitCode: 0, stdout: MACHINE[arch]}, arch)
    }
  })

  it('has the C headers of its own arch and glibc, and no node, no libclang, no apt lists', async () => {
    const script = [
      'uname -m',
      'test -f /usr/include/stdio.h && echo stdio.h',
      `ls -d /usr/include/*-linux-gnu`,
      'getconf GNU_LIBC_VERSION',
      'command -v node nodejs || echo no-node',
      // Anywhere a libclang could be, package or not.
      'find / -xdev \\( -name "libclang*" -o -name "clang*" \\) -print 2>/dev/null | head -n 3; echo end-of-clang',
      'ls /var/lib/apt/lists | wc -l',
    ].join('; ')
    for (const arch of ARCHES) {
      const r = await run(images[arch], `linux/${arch}`, script)
      assert.equal(r.exitCode, 0, r.stderr)
      assert.deepEqual(r.stdout.split('\n'), [MACHINE[arch], 'stdio.h', `/usr/include/${TRIPLET[arch]}`, 'glibc 2.36', 'no-node', 'end-of-clang', '0'], arch)
    }
  })

  describe('a second dockerd on its own socket', function () {
    let second: SecondDaemon | undefined
    let other: Docker

    before(async function () {
      this.timeout(180_000)
      second = await startSecondDaemon({images: [images.amd64, images.arm64]})
      other = new Docker({socketPath: second.host.replace(/^unix:\/\//, '')})
    })

    after(async function () {
      this.timeout(60_000)
      await second?.stop()
    })

    it('is another daemon: own socket, own data root, own bridge, and the main docker0 survives it', async () => {
      assert.match(second!.host, /^unix:\/\/\/run\/headerkit-test\/d2-[^/]+\/docker\.sock$/)
      const [mine, theirs] = await Promise.all([docker.info(), other.info()])
      assert.notEqual(theirs.DockerRootDir, mine.DockerRootDir)
      assert.equal(theirs.ServerVersion, mine.ServerVersion)
      const bridge = (await other.listNetworks()).find((n) => n.Name === 'bridge')
      assert.match(bridge?.Options?.['com.docker.network.bridge.name'] ?? '', /^hk2-/, 'its bridge network is on its own interface')
      const main = (await docker.listNetworks()).find((n) => n.Name === 'bridge')
      assert.equal(main?.Options?.['com.docker.network.bridge.name'], 'docker0')
      assert.ok(existsSync('/sys/class/net/docker0'), 'the main daemon keeps docker0')
    })

    it('holds the copied images, with the same IDs and platforms as on the main daemon', async () => {
      for (const arch of ARCHES) {
        const [a, b] = await Promise.all([docker.getImage(images[arch]).inspect(), other.getImage(images[arch]).inspect()])
        assert.equal(b.Id, a.Id, arch)
        assert.equal(`${b.Os}/${b.Architecture}`, `linux/${arch}`)
      }
    })

    it('runs the loaded arm64 image under QEMU, and its containers are not the main daemon\'s', async () => {
      const r = await runWithDockerode(other, images.arm64, 'linux/arm64', ['uname', '-m'])
      assert.deepEqual(r, {exitCode: 0, stdout: 'aarch64'})
      const cli = await run(images.amd64, 'linux/amd64', 'test -f /usr/include/stdio.h && uname -m', second!.host)
      assert.equal(cli.stdout, 'x86_64', cli.stderr)
      const created = await other.createContainer({Image: images.amd64, Cmd: ['true'], Labels: {[LABEL]: 'infra-second'}, HostConfig: {NetworkMode: 'none'}})
      try {
        const onMain = await docker.listContainers({all: true, filters: {label: [`${LABEL}=infra-second`]}})
        assert.deepEqual(onMain, [])
        assert.equal((await other.listContainers({all: true, filters: {label: [`${LABEL}=infra-second`]}})).length, 1)
      } finally {
        await created.remove({force: true})
      }
    })

    it('stop() ends it and leaves no process, mount, socket or directory behind', async function () {
      this.timeout(60_000)
      const socket = second!.host.replace(/^unix:\/\//, '')
      const execRoot = socket.replace(/\/docker\.sock$/, '')
      const dataRoot = (await other.info()).DockerRootDir as string
      await second!.stop()
      assert.equal(existsSync(execRoot), false)
      assert.equal(existsSync(dataRoot.replace(/\/data$/, '')), false)
      assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(execRoot) && !readFileSync('/proc/self/mountinfo', 'utf8').includes(dataRoot))
      const mentioning = readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8')
            return cmd.includes(execRoot) || cmd.includes(dataRoot)
          } catch {
            return false
          }
        })
      assert.deepEqual(mentioning, [])
      assert.equal(await docker.ping().then(() => true), true, 'the main daemon is still up')
    })
  })
})
