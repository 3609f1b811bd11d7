/**
 * The e2e tests' base images and the Docker they run on. No registry is reachable, so the
 * stand-ins for the manylinux images are built here (standin-images.sh: Debian bookworm
 * minbase roots with libc6-dev, no node, no libclang) and reused across runs by tag.
 */
import Docker from 'dockerode'
import {execa} from 'execa'
import {existsSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {runCli} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'
import {e2eEnv, e2eProject} from './project.js'

const SCRIPT = fileURLToPath(new URL('./standin-images.sh', import.meta.url))

export interface StandinImages {
  /** `headerkit-standin/bookworm:amd64-<12 hex of the recipe>`, Os linux, Architecture amd64. */
  amd64: string
  /** `headerkit-standin/bookworm:arm64-<12 hex of the recipe>`, Os linux, Architecture arm64. */
  arm64: string
}

let built: Promise<StandinImages> | undefined

/**
 * Tags of the two stand-in images, built on the first call of the process (about 2.5 min
 * cold, both at once; about 0.1 s when the tags exist), with their worker images. Later
 * calls share that result, a failure included. Build progress goes to this process's stderr.
 */
export async function standinImages(): Promise<StandinImages> {
  holdDaemon()
  built ??= runScript().then(async (images) => {
    await warmWorkerImages(images)
    return images
  })
  return built
}

/**
 * Builds the worker images (node + libclang installed by apt, arm64 under QEMU) and the
 * worker kits on the stand-ins, once per process, by a populate of the example through the
 * docker engine. Cold, that takes minutes (arm64's apt under QEMU: about 5 min on a busy
 * machine), longer than the 2-minute bound of one CLI run in a test; warm, seconds. The
 * tests then time their own populates, never an image build.
 */
async function warmWorkerImages(images: StandinImages): Promise<void> {
  const project = e2eProject(images, {prefix: 'headerkit-e2e-warm-'})
  const store = join(makeTempDir('headerkit-e2e-warm-store-'), 'store')
  const r = await runCli(['cache', 'populate', '--engine', 'docker', '--platform', 'linux/amd64', '--platform', 'linux/arm64', '--store-dir', store], {cwd: project, env: e2eEnv(), timeout: 30 * 60_000})
  if (r.exitCode !== 0) throw new Error(`e2e: building the worker images on the stand-ins failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`)
}

async function runScript(): Promise<StandinImages> {
  // stderr both shown (a cold build's progress) and kept for the error message.
  const r = await execa('bash', [SCRIPT], {reject: false, stdin: 'ignore', stderr: ['pipe', 'inherit'], timeout: 20 * 60 * 1000})
  if (r.exitCode !== 0) {
    const why = r.timedOut ? 'timed out after 20 min' : `exit ${r.exitCode ?? r.signal}`
    throw new Error(`stand-in images: ${SCRIPT} failed (${why}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`)
  }
  const tags: Partial<StandinImages> = {}
  for (const line of r.stdout.split('\n')) {
    const m = /^linux\/(amd64|arm64) (\S+)$/.exec(line.trim())
    if (m) tags[m[1] as keyof StandinImages] = m[2]
  }
  if (!tags.amd64 || !tags.arm64) throw new Error(`stand-in images: ${SCRIPT} printed no tag for ${tags.amd64 ? 'arm64' : 'amd64'}: ${JSON.stringify(r.stdout)}`)
  return {amd64: tags.amd64, arm64: tags.arm64}
}

/** Whether a Docker Engine answers where dockerode looks (DOCKER_HOST, else /var/run/docker.sock), within 10 s. */
export async function dockerAvailable(): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 10_000)))
  try {
    return await Promise.race([new Docker().ping().then(() => true, () => false), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * For a before() hook: e2e tests fail, never skip, when there is no Docker. Also holds a
 * dockerd that scripts/docker-setup.sh started for as long as this process lives, so that
 * another test run ending meanwhile (its docker-down.sh) does not stop it under this one,
 * even when this one is mocha started by hand rather than through npm test.
 */
export async function requireDocker(): Promise<void> {
  holdDaemon()
  if (await dockerAvailable()) return
  const where = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : 'unix:///var/run/docker.sock'
  throw new Error(`e2e: no Docker Engine answers on ${where}; run \`bash scripts/docker-setup.sh\` as root (npm test does it), or set DOCKER_HOST`)
}

const STATE_DIR = '/run/headerkit-test'
let holding = false

/** A holder file as docker-setup.sh --hold writes it; docker-down.sh ignores it once this process is gone. */
function holdDaemon(): void {
  if (holding || !existsSync(`${STATE_DIR}/dockerd.pid`)) return
  const file = `${STATE_DIR}/holders/${process.pid}`
  try {
    writeFileSync(file, '')
  } catch {
    return // not root: a daemon this user cannot stop anyway
  }
  holding = true
  process.once('exit', () => rmSync(file, {force: true}))
}

/** Runs a stand-in script whose stdout lines are `<platform> <tag>`; the tags by platform. */
async function standinTags(script: string, what: string): Promise<Record<string, string>> {
  const r = await execa('bash', [script], {reject: false, stdin: 'ignore', stderr: ['pipe', 'inherit'], timeout: 20 * 60 * 1000})
  if (r.exitCode !== 0) throw new Error(`${what}: ${script} failed (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`)
  const tags: Record<string, string> = {}
  for (const line of r.stdout.split('\n')) {
    const m = /^(linux\/\S+) (\S+)$/.exec(line.trim())
    if (m) tags[m[1]!] = m[2]!
  }
  return tags
}

const HEADERS_SCRIPT = fileURLToPath(new URL('./header-standins.sh', import.meta.url))
let headersBuilt: Promise<Record<string, string>> | undefined

/**
 * Header-only stand-ins for linux/386, linux/arm/v7, linux/ppc64le, linux/s390x and
 * linux/riscv64 (header-standins.sh: debootstrap's first stage only, never started), by
 * Docker platform. Built on the first call of the process, reused by tag.
 */
export async function headerStandins(): Promise<Record<string, string>> {
  headersBuilt ??= standinTags(HEADERS_SCRIPT, 'header stand-ins')
  return headersBuilt
}

const MUSL_SCRIPT = fileURLToPath(new URL('./musl-standins.sh', import.meta.url))
let muslBuilt: Promise<Record<string, string>> | undefined

/**
 * Header-only musllinux stand-ins for linux/amd64:musl, linux/arm64:musl and linux/ppc64le:musl
 * (musl-standins.sh: Debian's musl-dev and linux-libc-dev laid out as Alpine does, never
 * started), keyed `linux/amd64:musl`. Built on the first call of the process (seconds).
 */
export async function muslStandins(): Promise<Record<string, string>> {
  muslBuilt ??= standinTags(MUSL_SCRIPT, 'musl stand-ins')
  return muslBuilt
}
