/**
 * A populated entry is only useful if a native run looks it up: the plan must give each
 * header the arguments, and so the slug, that generation gives it.
 */
import assert from 'node:assert/strict'
import {cpSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseJsonOutput, runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'

const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url))

describe('populate plan and generation agree', function () {
  this.timeout(120_000)

  it('plans the slug generation writes, with flags added to the config lists', async () => {
    const dir = join(makeTempDir('headerkit-agree-'), 'demo')
    cpSync(DEMO, dir, {recursive: true})
    const args = ['-D', 'DEMO_EXTRA=1', '-I', 'include/demo', '--backend-arg=-std=c11']
    const generated = await runCli(args, {cwd: dir})
    assert.equal(generated.exitCode, 0, generated.stderr)
    const slugs = Object.keys((JSON.parse(readFileSync(join(dir, '.headerkit/ir/index.json'), 'utf8')) as {entries: object}).entries)
    assert.equal(slugs.length, 1)
    assert.match(slugs[0]!, /DEMO_API=_DEMO_EXTRA=1/, 'config defines first, then the flag')
    const planned = await runCli(['cache', 'populate', '--platform', 'linux/amd64', '--dry-run', '--json', ...args], {cwd: dir})
    assert.equal(planned.exitCode, 0, planned.stderr)
    const plan = parseJsonOutput<{jobs: {entries: {slug: string}[]}[]}>(planned)
    assert.deepEqual(plan.jobs.map((j) => j.entries.map((e) => e.slug)), [[slugs[0]]])
  })
})
