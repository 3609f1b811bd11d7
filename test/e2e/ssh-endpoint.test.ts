/**
 * An ssh:// endpoint in [tool.headerkit.cache.populate.hosts]: the arm64 job reaches its
 * engine over a real SSH connection (public key from the user's ssh-agent, then
 * `docker system dial-stdio`), as it would reach a native arm64 builder.
 */
import assert from 'node:assert/strict'
import {runCli} from '../support/cli.js'
import {requireDocker, standinImages} from './support/images.js'
import {e2eEnv, e2eProject, leftoverContainers, reportOf} from './support/project.js'
import {startSshDockerServer, type SshDockerServer} from './support/ssh-server.js'

describe('e2e: an ssh:// endpoint for one platform', function () {
  this.timeout(30 * 60_000)
  let ssh: SshDockerServer | undefined

  after(async () => {
    await ssh?.stop()
  })

  it('populates linux/arm64 through SSH and linux/amd64 through the local socket', async () => {
    await requireDocker()
    const images = await standinImages()
    ssh = await startSshDockerServer()
    const project = e2eProject(images, {extraPopulate: `[tool.headerkit.cache.populate.hosts]\n"linux/arm64" = "${ssh.endpoint}"\n`})
    const r = await runCli(['cache', 'populate', '--json'], {cwd: project, env: e2eEnv({SSH_AUTH_SOCK: ssh.agentSocket})})
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    assert.deepEqual(reportOf(r).jobs.map((j) => [j.label, j.status, j.endpoint]), [
      ['linux/amd64', 'populated', 'unix:///var/run/docker.sock'],
      ['linux/arm64', 'populated', ssh.endpoint],
    ])
    assert.ok(ssh.sessions() > 0, 'the arm64 job talked to its engine over SSH')
    assert.deepEqual(await leftoverContainers(), [])
  })

  it('an SSH endpoint that refuses the key: one line naming it, the other platform still done', async () => {
    const images = await standinImages()
    const project = e2eProject(images, {extraPopulate: `[tool.headerkit.cache.populate.hosts]\n"linux/arm64" = "${ssh!.endpoint.replace('tester@', 'intruder@')}"\n`})
    const r = await runCli(['cache', 'populate', '--json'], {cwd: project, env: e2eEnv({SSH_AUTH_SOCK: ssh!.agentSocket})})
    assert.equal(r.exitCode, 1, r.stdout + r.stderr)
    const jobs = reportOf(r).jobs
    assert.equal(jobs[0]!.status, 'populated')
    assert.equal(jobs[1]!.error?.code, 'E_DOCKER_UNREACHABLE')
    assert.match(jobs[1]!.error.message, /^cannot reach the Docker Engine at ssh:\/\/intruder@127\.0\.0\.1:\d+: /)
  })
})
