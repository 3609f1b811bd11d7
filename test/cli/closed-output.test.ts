/**
 * A reader that stops early (`headerkit ... | head`): the command still finishes and exits
 * with its own code, with no EPIPE stack, whichever way it runs (the fast paths, oclif's
 * commands, oclif's help, which used to hang on flush() and exit 13).
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {BUILT_BIN, buildBundle, demoProject} from '../support/built-cli.js'

/** Runs the shipped CLI with its stdout's reading end closed before it writes a byte. */
function runIntoClosedPipe(args: string[], cwd: string): Promise<{code: number | null; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_BIN, ...args], {cwd, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: '1', NO_COLOR: '1'}})
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stderr})
    })
  })
}

describe('the shipped CLI, when its output is closed early', function () {
  this.timeout(180_000)
  before(() => buildBundle())

  for (const args of [['--help'], ['cache', 'status', '--help'], ['include/demo.h', '-w', 'cffi'], ['--json'], ['store', 'merge', '--help'], ['cache', 'populate', '--dry-run', '--platform', 'linux/arm64'], ['cache', 'populate', '--dry-run', '--json', '--platform', 'linux/arm64']]) {
    it(`headerkit ${args.join(' ')}: exit 0, no EPIPE`, async () => {
      const r = await runIntoClosedPipe(args, demoProject())
      assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error'/)
      assert.equal(r.code, 0, r.stderr)
    })
  }

  it('still exits with the error code of a failing command', async () => {
    const r = await runIntoClosedPipe(['include/nope.h', '-w', 'cffi', '--json'], demoProject())
    assert.equal(r.code, 1)
    assert.doesNotMatch(r.stderr, /EPIPE/)
  })
})
