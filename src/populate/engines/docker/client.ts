/**
 * Connecting to a Docker Engine. An endpoint is what DOCKER_HOST or the config's `hosts`
 * say (unix, tcp, ssh, http(s)); the API version is negotiated from `GET /version`
 * rather than pinned, because daemons differ in the range they accept (Docker 29.0-29.2
 * refused anything below 1.44) and 1.41 is the oldest that honours `platform` on create.
 */
import type Docker from 'dockerode'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {HeaderkitError} from '../../../errors.js'
import {loadDockerode} from './load-dockerode.js'

/** The oldest API with `platform` on /containers/create (Docker 20.10). */
export const MIN_API_VERSION = '1.41'
/** The newest API this code was written against; a newer daemon is spoken to at this level. */
export const MAX_API_VERSION = '1.47'
const CONNECT_TIMEOUT_MS = 15_000

export interface Engine {
  docker: Docker
  /** The endpoint as the user named it (`unix:///var/run/docker.sock`). */
  endpoint: string
  apiVersion: string
  serverVersion: string
  /** The daemon's own OS/arch (`linux/amd64`): the native platform of this engine. */
  serverPlatform: string
}

export class EngineUnreachableError extends HeaderkitError {
  readonly endpoint: string
  constructor(endpoint: string, reason: string, hint: string) {
    super('E_DOCKER_UNREACHABLE', `cannot reach the Docker Engine at ${endpoint}: ${reason}`, {hint})
    this.endpoint = endpoint
  }
}

/** Any other failure talking to an engine: what was asked, and what the daemon said. */
export class DockerError extends HeaderkitError {
  constructor(message: string, hint?: string, code = 'E_DOCKER') {
    super(code, message, {hint})
  }
}

type DockerOptions = NonNullable<ConstructorParameters<typeof Docker>[0]>

/** dockerode options for an endpoint URL; throws a one-line error for a malformed one. */
export function dockerOptions(endpoint: string, env: NodeJS.ProcessEnv = process.env): DockerOptions {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new EngineUnreachableError(endpoint, 'not a Docker endpoint', 'use unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host')
  }
  switch (url.protocol) {
    case 'unix:':
      return {socketPath: decodeURIComponent(url.pathname)}
    case 'ssh:':
      return {protocol: 'ssh', host: url.hostname, port: url.port ? Number(url.port) : 22, username: url.username || undefined, sshOptions: {agent: env.SSH_AUTH_SOCK}}
    case 'tcp:':
    case 'http:':
    case 'https:': {
      // DOCKER_TLS_VERIFY/DOCKER_CERT_PATH as the docker CLI reads them.
      const tls = url.protocol === 'https:' || (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0')
      const port = url.port ? Number(url.port) : tls ? 2376 : 2375
      if (!tls) return {protocol: 'http', host: url.hostname, port}
      const certs = env.DOCKER_CERT_PATH ?? join(env.HOME ?? '', '.docker')
      try {
        return {protocol: 'https', host: url.hostname, port, ca: readFileSync(join(certs, 'ca.pem')), cert: readFileSync(join(certs, 'cert.pem')), key: readFileSync(join(certs, 'key.pem'))}
      } catch (error) {
        throw new EngineUnreachableError(endpoint, `TLS certificates not readable in ${certs} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem')
      }
    }
    default:
      throw new EngineUnreachableError(endpoint, `unsupported scheme '${url.protocol}'`, 'use unix://, tcp:// or ssh://')
  }
}

function compareApi(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number)
  const [bm = 0, bn = 0] = b.split('.').map(Number)
  return am - bm || an - bn
}

/** The version both sides speak: the daemon's newest, capped at ours, refused below 1.41. */
export function negotiateApiVersion(server: {apiVersion: string; minApiVersion?: string}, endpoint: string): string {
  const chosen = compareApi(server.apiVersion, MAX_API_VERSION) > 0 ? MAX_API_VERSION : server.apiVersion
  if (compareApi(chosen, MIN_API_VERSION) < 0) {
    throw new DockerError(`the Docker Engine at ${endpoint} speaks API ${server.apiVersion}; headerkit needs ${MIN_API_VERSION} (Docker 20.10) or newer for per-platform containers`, 'upgrade Docker Engine', 'E_DOCKER_TOO_OLD')
  }
  if (server.minApiVersion && compareApi(chosen, server.minApiVersion) < 0) {
    throw new DockerError(`the Docker Engine at ${endpoint} accepts API ${server.minApiVersion} to ${server.apiVersion}, none of which headerkit speaks (${MIN_API_VERSION} to ${MAX_API_VERSION})`, 'upgrade headerkit', 'E_DOCKER_TOO_NEW')
  }
  return chosen
}

function unreachable(endpoint: string, error: unknown): EngineUnreachableError {
  const e = error as NodeJS.ErrnoException & {statusCode?: number}
  const code = e.code ?? (e.name === 'AbortError' ? 'ETIMEDOUT' : undefined)
  const sock = endpoint.startsWith('unix://') ? endpoint.slice('unix://'.length) : undefined
  switch (code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new EngineUnreachableError(endpoint, sock ? `no daemon listening on ${sock}` : 'connection refused',
        'start the Docker daemon (sudo systemctl start docker, or dockerd), or point DOCKER_HOST or [tool.headerkit.cache.populate.hosts] at a running engine')
    case 'EACCES':
      return new EngineUnreachableError(endpoint, `permission denied on ${sock ?? endpoint}`, 'add your user to the docker group (sudo usermod -aG docker $USER, then log in again), or run as a user that may use Docker')
    case 'ETIMEDOUT':
      return new EngineUnreachableError(endpoint, `no answer within ${CONNECT_TIMEOUT_MS / 1000} s`, 'check that the daemon is running and the endpoint is right')
    default: {
      const reason = e.message.split('\n')[0] ?? String(error)
      if (endpoint.startsWith('ssh://') && /authentication/i.test(reason)) {
        return new EngineUnreachableError(endpoint, reason, 'load a key the host accepts into your ssh-agent (SSH_AUTH_SOCK, ssh-add), and check that `ssh <user@host> docker version` works')
      }
      return new EngineUnreachableError(endpoint, reason, 'check DOCKER_HOST or [tool.headerkit.cache.populate.hosts] and that the daemon is running')
    }
  }
}

/** Case-insensitive field of GET /version (Docker 29 changed the key case). */
function field(obj: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase())
  const v = key === undefined ? undefined : obj[key]
  return typeof v === 'string' ? v : undefined
}

/** Connects, negotiates the API version, and returns a client pinned to it. */
export async function connectEngine(endpoint: string, env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<Engine> {
  const options = dockerOptions(endpoint, env)
  // Loaded on the first connection only: a run served from cached sysroots never needs it.
  // require, not import(): the bundled CLI runs under v8-compile-cache, which has no
  // dynamic-import callback for external modules.
  const DockerClient = loadDockerode()
  const probe = new DockerClient(options)
  const timeout = AbortSignal.timeout(CONNECT_TIMEOUT_MS)
  let version: Record<string, unknown>
  try {
    version = await call<Record<string, unknown>>(probe, 'version', {abortSignal: signal ? AbortSignal.any([signal, timeout]) : timeout})
  } catch (error) {
    if (signal?.aborted) throw error
    throw unreachable(endpoint, error)
  }
  const apiVersion = field(version, 'ApiVersion')
  if (!apiVersion) throw new EngineUnreachableError(endpoint, 'the answer to GET /version has no ApiVersion', 'is this a Docker Engine endpoint?')
  const chosen = negotiateApiVersion({apiVersion, minApiVersion: field(version, 'MinAPIVersion')}, endpoint)
  return {
    docker: new DockerClient({...options, version: `v${chosen}`}),
    endpoint,
    apiVersion: chosen,
    serverVersion: field(version, 'Version') ?? 'unknown',
    serverPlatform: `${field(version, 'Os') ?? 'linux'}/${normalizeArch(field(version, 'Arch') ?? '')}`,
  }
}

/** Docker spells the daemon's arch as Go does (amd64, arm64); the kernel's names map to those. */
function normalizeArch(arch: string): string {
  return ({x86_64: 'amd64', aarch64: 'arm64'} as Record<string, string>)[arch] ?? arch
}

/**
 * Calls a dockerode method with options its type declarations do not know (dockerode 5
 * forwards `abortSignal` on every call; @types/dockerode 4 predates it), as a promise.
 */
export function call<T = unknown>(self: object, method: string, ...args: unknown[]): Promise<T> {
  const fn = (self as Record<string, unknown>)[method]
  if (typeof fn !== 'function') throw new TypeError(`dockerode has no method ${method}`)
  return (fn as (...a: unknown[]) => Promise<T>).apply(self, args)
}

/** The HTTP status of a dockerode error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const s = (error as {statusCode?: unknown}).statusCode
  return typeof s === 'number' ? s : undefined
}

/** The daemon's own message of a dockerode error (its JSON `message`), else the error's. */
export function daemonMessage(error: unknown): string {
  const e = error as {json?: {message?: unknown}; reason?: unknown; message?: string}
  if (e.json && typeof e.json.message === 'string') return e.json.message
  return (e.message ?? String(error)).replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim()
}
