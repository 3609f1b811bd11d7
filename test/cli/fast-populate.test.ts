/**
 * `cache populate` through the shipped CLI takes the oclif-free path (src/cli/fast.ts):
 * what it prints must be what oclif's command prints for the same arguments, and what it
 * cannot decide (a value outside a flag's options, a flag given twice) goes to oclif.
 */
import assert from 'node:assert/strict'
import {runCli} from '../support/cli.js'
import {buildBundle, demoProject, errorLine, runBuilt} from '../support/built-cli.js'

describe('cache populate on the shipped CLI', function () {
  this.timeout(180_000)
  before(() => buildBundle())

  const both = async (args: string[], cwd: string) => {
    const env = {CI: '1', DOCKER_HOST: undefined}
    return {fast: await runBuilt(args, {cwd, env}), oclif: await runCli(args, {cwd, env})}
  }

  it('prints the plan oclif prints, as JSON and for people, --no-before-all and an --engine value included', async () => {
    const project = demoProject()
    for (const extra of [['--json'], []]) {
      const args = ['cache', 'populate', '--dry-run', '--platform', 'linux/arm64', '--platform', 'linux/amd64:musl', '--engine', 'sysroot', '--no-before-all', '--timeout', '60', ...extra]
      const {fast, oclif} = await both(args, project)
      assert.equal(fast.exitCode, 0, fast.stderr)
      assert.deepEqual([fast.exitCode, fast.stdout, fast.stderr], [oclif.exitCode, oclif.stdout, oclif.stderr])
    }
    const plan = JSON.parse((await runBuilt(['cache', 'populate', '--dry-run', '--json', '--platform', 'linux/arm64', '--no-before-all', '--timeout', '60'], {cwd: project})).stdout) as {timeout: number; jobs: unknown[]}
    assert.equal(plan.timeout, 60)
    assert.equal(plan.jobs.length, 1)
  })

  it('leaves to oclif what only oclif can say, with the same line and exit code', async () => {
    const project = demoProject()
    for (const args of [['--engine', 'bogus'], ['--dry-run', '--dry-run'], ['--dry-run=yes'], ['--platfrom', 'linux/arm64']]) {
      const {fast, oclif} = await both(['cache', 'populate', ...args], project)
      assert.equal(fast.exitCode, 2, `${args.join(' ')}: ${fast.stderr}`)
      assert.deepEqual([fast.exitCode, errorLine(fast)], [oclif.exitCode, errorLine(oclif)], args.join(' '))
    }
  })

  it('refuses a --timeout or --concurrency that is not a whole number, in one line, as oclif does', async () => {
    const project = demoProject()
    for (const args of [['--timeout', 'soon'], ['--concurrency', '1.5'], ['--timeout', '0']]) {
      const {fast, oclif} = await both(['cache', 'populate', '--dry-run', ...args], project)
      assert.equal(fast.exitCode, 2, fast.stderr)
      assert.match(errorLine(fast), new RegExp(`^Error: ${args[0]} must be a whole number of at least 1, got '?${args[1]!.replace('.', '\\.')}'?`))
      assert.deepEqual([fast.exitCode, errorLine(fast)], [oclif.exitCode, errorLine(oclif)])
    }
  })
})
