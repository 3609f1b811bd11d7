/**
 * A second Docker Engine on the same machine, on its own unix socket, for tests of
 * per-platform endpoints ("a second dockerd on another socket gets exactly the jobs of the
 * platform named for it"). It shares nothing with the main daemon: own data root, exec
 * root (runc and containerd state), pidfile, config file, containerd (started by it) and
 * containerd namespace; no bridge and no iptables, so it touches neither docker0 nor the
 * main daemon's rules (its containers must run with NetworkMode none). Needs root.
 */
import Docker from 'dockerode'
import {execa} from 'execa'
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer, type AddressInfo} from 'node:net'
import {join} from 'node:path'

export interface SecondDaemon {
  /** `unix:///run/headerkit-test/d2-XXXXXX/docker.sock`: for DOCKER_HOST, `docker -H`, or an engine endpoint. */
  host: string
  /** `tcp://127.0.0.1:PORT` when started with `tcp: true` (plain HTTP, loopback only). */
  tcp: string | undefined
  /** Stops the daemon (and its containerd), unmounts what it left and removes its directories. Idempotent. */
  stop(): Promise<void>
}

const STARTUP_MS = 60_000
const STOP_MS = 30_000
const EXEC_PARENT = '/run/headerkit-test'
const DATA_PREFIX = '/var/tmp/headerkit-dockerd2-'

/**
 * Starts the daemon, waits until it answers, then copies `images` from the main daemon
 * (DOCKER_HOST or the default socket) into it with `docker save | docker load`, which
 * keeps their IDs and tags.
 */
export async function startSecondDaemon(opts: {images: string[]; tcp?: boolean}): Promise<SecondDaemon> {
  // The exec root holds sockets (its own, containerd's): a short path under /run keeps
  // them below the 108-byte limit. The data root holds image layers: on disk, not tmpfs.
  mkdirSync(EXEC_PARENT, {recursive: true})
  await removeStale()
  const execRoot = mkdtempSync(`${EXEC_PARENT}/d2-`)
  // The same suffix pairs the two directories, for removeStale().
  const root = `${DATA_PREFIX}${execRoot.slice(-6)}`
  mkdirSync(root)
  const dataRoot = join(root, 'data')
  const socket = join(execRoot, 'docker.sock')
  const host = `unix://${socket}`
  const tcp = opts.tcp ? `tcp://127.0.0.1:${await freePort()}` : undefined
  const log = join(root, 'dockerd.log')
  // Its own (empty) config file, so an /etc/docker/daemon.json with "hosts" or a data root
  // meant for the main daemon cannot apply to this one.
  writeFileSync(join(root, 'daemon.json'), '{}\n')
  const name = `headerkit-second-${execRoot.slice(-6)}`
  const bridge = `hk2-${execRoot.slice(-6)}`
  await execa('ip', ['link', 'add', 'name', bridge, 'type', 'bridge'])
  const args = [
    `--host=${host}`,
    ...(tcp ? [`--host=${tcp}`] : []),
    `--data-root=${dataRoot}`,
    `--exec-root=${execRoot}`,
    `--pidfile=${join(execRoot, 'dockerd.pid')}`,
    `--config-file=${join(root, 'daemon.json')}`,
    // Not --bridge=none: with the bridge disabled, dockerd deletes any interface named
    // docker0 at start-up, which takes the main daemon's bridge (and its builds' network)
    // away. A bridge of its own, made here and removed by stop(), touches nothing shared.
    `--bridge=${bridge}`,
    '--iptables=false',
    '--ip-masq=false',
    // If a system containerd is running dockerd uses it instead of starting its own: other
    // namespaces keep the two daemons' containers and plugins apart there too.
    `--containerd-namespace=${name}`,
    `--containerd-plugins-namespace=${name}-plugins`,
    `--cgroup-parent=${name}`,
  ]
  const logFd = openSync(log, 'a')
  let child: ChildProcess
  try {
    child = spawn('dockerd', args, {stdio: ['ignore', logFd, logFd]})
  } finally {
    closeSync(logFd)
  }
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      resolve()
    })
    child.once('error', () => {
      exited = true
      resolve()
    })
  })
  // Last resort if the test process ends without stop(): the daemon must not outlive it.
  const onExit = (): void => {
    if (!exited) child.kill('SIGTERM')
  }
  process.once('exit', onExit)

  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', onExit)
      if (!exited) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS)
        await exit
        clearTimeout(timer)
      }
      // Its containerd and any shim normally end with it; after a SIGKILL they may not.
      killProcessesMentioning([execRoot, dataRoot])
      await unmountUnder([execRoot, root])
      rmSync(execRoot, {recursive: true, force: true})
      rmSync(root, {recursive: true, force: true})
      await execa('ip', ['link', 'delete', bridge], {reject: false})
    })()
    return stopped
  }

  try {
    const docker = new Docker({socketPath: socket})
    const deadline = Date.now() + STARTUP_MS
    for (;;) {
      if (exited) throw new Error(`second dockerd exited during start-up: ${tail(log)}`)
      if (existsSync(socket) && (await docker.ping().then(() => true, () => false))) break
      if (Date.now() > deadline) throw new Error(`second dockerd did not answer on ${host} within ${STARTUP_MS / 1000} s: ${tail(log)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    for (const image of opts.images) {
      const r = await execa('docker', ['save', image], {stdin: 'ignore', buffer: {stdout: false}, reject: false}).pipe('docker', ['-H', host, 'load', '--quiet'], {reject: false})
      if (r.exitCode !== 0) {
        throw new Error(`copying ${image} into the second dockerd failed: ${[r.stderr, ...(r.pipedFrom ?? []).map((p) => p.stderr)].join(' ').trim()}`)
      }
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {host, tcp, stop}
}

/**
 * What an interrupted run (Ctrl-C, SIGKILL: no stop()) left: directory pairs no process
 * mentions any more, older than a minute (so a daemon another process is just starting is
 * not taken for one).
 */
async function removeStale(): Promise<void> {
  const suffixes = new Set<string>()
  for (const name of readdirSync(EXEC_PARENT)) if (name.startsWith('d2-')) suffixes.add(name.slice(3))
  for (const name of readdirSync('/var/tmp')) if (name.startsWith('headerkit-dockerd2-')) suffixes.add(name.slice('headerkit-dockerd2-'.length))
  const running = commandLines()
  for (const suffix of suffixes) {
    const dirs = [`${EXEC_PARENT}/d2-${suffix}`, `${DATA_PREFIX}${suffix}`].filter((d) => existsSync(d))
    if (dirs.some((d) => Date.now() - statSync(d).mtimeMs < 60_000 || running.some((c) => c.cmdline.includes(d)))) continue
    await unmountUnder(dirs)
    for (const d of dirs) rmSync(d, {recursive: true, force: true})
    await execa('ip', ['link', 'delete', `hk2-${suffix}`], {reject: false})
  }
}

function commandLines(): {pid: number; cmdline: string}[] {
  const out: {pid: number; cmdline: string}[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      out.push({pid: Number(pid), cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8')})
    } catch {
      // gone meanwhile
    }
  }
  return out
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ')
  } catch {
    return '(no log)'
  }
}

function killProcessesMentioning(paths: string[]): void {
  for (const {pid, cmdline} of commandLines()) {
    if (pid !== process.pid && paths.some((p) => cmdline.includes(p))) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** Mount points at or below any of `dirs` (from /proc/self/mountinfo, octal escapes decoded). */
function mountsUnder(dirs: string[]): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
  return points.filter((p) => dirs.some((d) => p === d || p.startsWith(`${d}/`)))
}

async function unmountUnder(dirs: string[]): Promise<void> {
  // Deepest first; lazy, because a shim killed a moment ago may still pin a mount.
  for (const point of mountsUnder(dirs).sort().reverse()) await execa('umount', ['-l', point], {reject: false})
  const left = mountsUnder(dirs)
  if (left.length) throw new Error(`second dockerd: still mounted after umount: ${left.join(', ')}`)
}

/** A TCP port on the loopback interface that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}
