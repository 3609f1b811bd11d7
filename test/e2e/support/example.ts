/**
 * The bundled example as `npm run example` runs it: scripts/example.sh with --stand-ins
 * (never a registry), its project put in a temporary directory. For tests that want the
 * example project populated for its whole cibuildwheel matrix (six platforms) and the
 * script's own account of it.
 */
import {execa} from 'execa'
import {join} from 'node:path'
import {REPO_ROOT} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'

export interface ExampleRun {
  /** The populated copy of examples/demo (`<tmp>/demo`). */
  project: string
  exitCode: number
  stdout: string
  stderr: string
}

/**
 * Runs scripts/example.sh --stand-ins --dir <new temp dir>. Its set-up does what the
 * example's does (setup.sh, docker-setup.sh, a build only when dist/ is stale, the
 * stand-in images built once and reused by tag). Never throws on a non-zero exit.
 */
export async function runExample(options: {env?: Record<string, string | undefined>} = {}): Promise<ExampleRun> {
  const dir = makeTempDir('headerkit-example-')
  const r = await execa('bash', [join(REPO_ROOT, 'scripts/example.sh'), '--stand-ins', '--dir', dir], {
    cwd: REPO_ROOT, reject: false, stdin: 'ignore', env: {DOCKER_HOST: undefined, CI: '1', ...options.env}, timeout: 20 * 60_000,
  })
  return {project: join(dir, 'demo'), exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr}
}
