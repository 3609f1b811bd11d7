/**
 * dockerode loads without its BuildKit (gRPC) and SSH (ssh2) parts, and each part still
 * loads and works on first use. In a child process: the module cache must start empty.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {makeTempDir} from '../../support/tmp.js'

const LOADER = fileURLToPath(new URL('../../../src/populate/engines/docker/load-dockerode.ts', import.meta.url))

function runScript(lines: string[]): Record<string, unknown> {
  const script = join(makeTempDir('headerkit-dockerode-'), 'probe.mts')
  writeFileSync(script, [
    "import {createRequire} from 'node:module'",
    `import {loadDockerode} from ${JSON.stringify(LOADER)}`,
    `const require = createRequire(${JSON.stringify(LOADER)})`,
    "const loaded = (part: string): boolean => Object.keys(require.cache).some((k) => k.includes(part))",
    'const out: Record<string, unknown> = {}',
    ...lines,
    'console.log(JSON.stringify(out))',
  ].join('\n'))
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {encoding: 'utf8', timeout: 60_000, cwd: fileURLToPath(new URL('../../..', import.meta.url))})
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>
}

describe('docker engine: loading dockerode', function () {
  this.timeout(60_000)

  it('leaves gRPC and ssh2 unloaded until they are used', () => {
    const out = runScript([
      'const Docker = loadDockerode()',
      "out.grpc = loaded('@grpc/grpc-js'); out.protobuf = loaded('/protobufjs/'); out.ssh2 = loaded('/ssh2/')",
      "out.client = typeof new Docker({socketPath: '/nonexistent.sock'}).getImage",
    ])
    assert.deepEqual(out, {grpc: false, protobuf: false, ssh2: false, client: 'function'})
  })

  it('loads the real BuildKit session on its first call, which then runs as before', () => {
    const out = runScript([
      'loadDockerode()',
      "const dockerode = require.resolve('dockerode')",
      "const withSession = createRequire(dockerode)('./session.js') as (d: unknown, a: unknown, h: (e: Error | null) => void) => void",
      "await new Promise<void>((resolve) => withSession({modem: {dial: (_o: unknown, cb: (e: Error) => void) => cb(new Error('no daemon here'))}}, {}, (e) => { out.error = e?.message; resolve() }))",
      "out.grpc = loaded('@grpc/grpc-js')",
    ])
    assert.deepEqual(out, {error: 'no daemon here', grpc: true})
  })

  it('loads ssh2 on the first request to an ssh:// endpoint', () => {
    const out = runScript([
      'const Docker = loadDockerode()',
      "const docker = new Docker({protocol: 'ssh', host: '127.0.0.1', port: 1, username: 'nobody'})",
      "out.before = loaded('/ssh2/')",
      'out.failed = await docker.version().then(() => false, () => true)',
      "out.after = loaded('/ssh2/')",
    ])
    assert.deepEqual(out, {before: false, failed: true, after: true})
  })
})
