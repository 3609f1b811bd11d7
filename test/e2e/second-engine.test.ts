/**
 * Per-platform endpoints: a second Docker Engine on its own sockets, named in
 * [tool.headerkit.cache.populate.hosts] for linux/arm64 (by its TCP endpoint, so the
 * tcp:// path is exercised too), gets exactly the arm64 job; the amd64 job stays on the
 * default engine.
 */
import assert from 'node:assert/strict'
import Docker from 'dockerode'
import {recipeOf, workerTag} from '../../src/populate/engines/docker/images.js'
import {headerkitVersion} from '../../src/version.js'
import {runCli} from '../support/cli.js'
import {requireDocker, standinImages} from './support/images.js'
import {e2eEnv, e2eProject, leftoverContainers, reportOf} from './support/project.js'
import {startSecondDaemon, type SecondDaemon} from './support/second-daemon.js'

interface ContainerEvent {Action: string; Actor: {Attributes: Record<string, string>}}

async function createdImages(docker: Docker, since: number, until: number): Promise<string[]> {
  const stream = await docker.getEvents({since, until, filters: {type: ['container'], event: ['create'], label: ['org.headerkit.tool']}})
  let text = ''
  for await (const chunk of stream) text += chunk.toString()
  return text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as ContainerEvent).Actor.Attributes.image ?? '')
}

describe('e2e: a second engine named in hosts takes its platform\'s jobs', function () {
  this.timeout(30 * 60_000)
  let second: SecondDaemon | undefined

  after(async () => {
    await second?.stop()
  })

  it('runs the arm64 job on the second engine and the amd64 job on the default one', async () => {
    await requireDocker()
    const images = await standinImages()
    const main = new Docker()
    // The arm64 worker image is built on the main engine (the second has no network for
    // builds) and copied over with its base, so the second engine reuses it by tag.
    const warm = await runCli(['cache', 'populate', '--platform', 'linux/arm64', '--store-dir', '.warm-store'], {cwd: e2eProject(images), env: e2eEnv()})
    assert.equal(warm.exitCode, 0, warm.stdout + warm.stderr)
    const armBase = (await main.getImage(images.arm64).inspect()).Id
    // The worker image of today's recipe (a machine can hold those of earlier recipes too).
    const worker = workerTag('debian', armBase, recipeOf('debian'), headerkitVersion())
    const workers = (await main.listImages({filters: {label: [`org.headerkit.base=${armBase}`]}})).flatMap((i) => i.RepoTags ?? [])
    assert.ok(workers.includes(worker), `the arm64 worker image ${worker} was built: ${workers.join(', ')}`)
    second = await startSecondDaemon({images: [images.arm64, worker], tcp: true})

    const project = e2eProject(images, {extraPopulate: `[tool.headerkit.cache.populate.hosts]\n"linux/arm64" = "${second.tcp}"\n`})
    const since = Math.floor(Date.now() / 1000) - 1
    const r = await runCli(['cache', 'populate', '--json'], {cwd: project, env: e2eEnv()})
    const until = Math.floor(Date.now() / 1000) + 1
    assert.equal(r.exitCode, 0, r.stdout + r.stderr)
    const report = reportOf(r)
    assert.deepEqual(report.jobs.map((j) => [j.label, j.status, j.endpoint]), [
      ['linux/amd64', 'populated', 'unix:///var/run/docker.sock'],
      ['linux/arm64', 'populated', second.tcp],
    ])
    const onSecond = await createdImages(new Docker({socketPath: second.host.replace('unix://', '')}), since, until)
    const onMain = await createdImages(main, since, until)
    assert.ok(onSecond.length > 0 && onSecond.every((i) => i.startsWith('sha256:') || i.includes('worker') || i.includes('arm64')), `second engine containers: ${onSecond.join(', ')}`)
    const armIds = new Set([armBase, (await main.getImage(worker).inspect()).Id])
    assert.ok(onSecond.every((i) => armIds.has(i)), `only arm64 images on the second engine: ${onSecond.join(', ')}`)
    assert.ok(onMain.length > 0 && onMain.every((i) => !armIds.has(i)), `no arm64 container on the main engine: ${onMain.join(', ')}`)
    assert.deepEqual(await leftoverContainers(), [])
    assert.deepEqual(await leftoverContainers(new Docker({socketPath: second.host.replace('unix://', '')})), [])
  })
})
