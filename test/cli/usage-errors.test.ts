/**
 * Usage errors through the shipped CLI: whichever way the arguments are read (the fast
 * generation path, oclif's parser, oclif's command lookup), a mistake is one line that
 * says what and what to do, exit 2; with --json it is a small error object on stdout.
 */
import assert from 'node:assert/strict'
import {homedir} from 'node:os'
import {buildBundle, demoProject, errorLine, runBuilt} from '../support/built-cli.js'

const CASES: {args: string[]; message: RegExp}[] = [
  {args: ['include/demo.h', '--verbose'], message: /unknown flag: --verbose/},
  {args: ['include/demo.h', '-v'], message: /unknown flag: -v/},
  {args: ['include/demo.h', '--jsn'], message: /unknown flag: --jsn .*did you mean --json\?/},
  {args: ['include/demo.h', '--writers', 'cffi'], message: /unknown flag: --writers .*did you mean --writer\?/},
  {args: ['include/demo.h', '-w'], message: /flag --writer expects a value/},
  {args: ['--no-cache=1'], message: /flag --no-cache takes no value/},
  {args: ['--config', 'x.toml', '--no-config'], message: /cannot also be provided when using --no-config/},
  {args: ['store', 'merge', 'a'], message: /missing required flag --output .*headerkit store merge --help/},
  {args: ['cache', 'verify', '--target', 'x'], message: /--sources/},
  {args: ['cache', 'clear', '--foo'], message: /unknown flag: --foo .*headerkit cache clear --help/},
  {args: ['cache', 'status', 'extra'], message: /unexpected argument: extra/},
  {args: ['cache', 'nosuch'], message: /unknown command: headerkit cache nosuch/},
]

describe('usage errors', function () {
  this.timeout(120_000)
  let project: string
  before(async () => {
    await buildBundle()
    project = demoProject()
  })

  for (const c of CASES) {
    it(`headerkit ${c.args.join(' ')}: one line, exit 2`, async () => {
      const r = await runBuilt(c.args, {cwd: project})
      assert.equal(r.exitCode, 2, r.stderr)
      assert.match(errorLine(r), c.message)
      assert.equal(r.stdout, '')
    })
  }

  for (const c of CASES.filter((x) => !x.args.some((a) => a.startsWith('--no-cache')))) {
    it(`headerkit ${c.args.join(' ')} --json: a small error object, exit 2`, async () => {
      const r = await runBuilt([...c.args, '--json'], {cwd: project})
      assert.equal(r.exitCode, 2, r.stderr)
      assert.ok(r.stdout.length < 600, `error JSON is ${r.stdout.length} bytes`)
      assert.ok(!r.stdout.includes(homedir()), 'the error JSON must not leak the home directory')
      const json = JSON.parse(r.stdout) as {status: string; error: {code: string; message: string; hint: string}}
      assert.equal(json.status, 'error')
      assert.equal(json.error.code, 'E_USAGE')
      assert.match(`${json.error.message} (${json.error.hint})`, c.message)
      assert.deepEqual(Object.keys(json.error).sort(), ['code', 'hint', 'message'])
    })
  }
})
