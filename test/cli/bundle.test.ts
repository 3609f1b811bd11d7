/**
 * The shipped entry: bin/run.js on the one-file bundle. Other CLI tests run the source
 * through bin/dev.js; this one checks that what users install works too.
 */
import assert from 'node:assert/strict'
import {cpSync, readdirSync} from 'node:fs'
import {join, relative} from 'node:path'
import {execa} from 'execa'
import {COMMANDS} from '../../src/commands.js'
import {REPO_ROOT} from '../support/cli.js'
import {BUILT_BIN, buildBundle} from '../support/built-cli.js'
import {makeTempDir} from '../support/tmp.js'

function commandFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((d) => (d.isDirectory() ? commandFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []))
}

describe('the shipped CLI', function () {
  this.timeout(180_000)

  it('lists every command file in the explicit command map', () => {
    const root = join(REPO_ROOT, 'src/commands')
    const ids = commandFiles(root).map((f) => relative(root, f).replace(/\.ts$/, '').split('/').join(':')).sort()
    assert.deepEqual(Object.keys(COMMANDS).sort(), ids)
  })

  it('runs from the bundle: help, generation served from the store on the second run, errors, fallbacks', async () => {
    await execa(process.execPath, ['scripts/bundle.mjs'], {cwd: REPO_ROOT})
    const bin = join(REPO_ROOT, 'bin/run.js')
    const help = await execa(process.execPath, [bin, '--help'], {reject: false})
    assert.equal(help.exitCode, 0)
    assert.match(help.stdout, /cache/)
    const dir = join(makeTempDir('headerkit-bundle-'), 'demo')
    cpSync(join(REPO_ROOT, 'examples/demo'), dir, {recursive: true})
    const first = await execa(process.execPath, [bin], {cwd: dir, reject: false})
    assert.equal(first.exitCode, 0, first.stderr)
    const second = await execa(process.execPath, [bin, '--json'], {cwd: dir, reject: false})
    assert.equal(second.exitCode, 0, second.stderr)
    const report = JSON.parse(second.stdout) as {results: {source: string}[]}
    assert.deepEqual(report.results.map((r) => r.source), ['output-cache', 'output-cache'])
    const status = await execa(process.execPath, [bin, 'cache', 'status', '--json'], {cwd: dir, reject: false})
    assert.equal(status.exitCode, 0, status.stderr)
    // Generation takes the oclif-free fast path; errors look the same as through oclif.
    const missing = await execa(process.execPath, [bin, 'include/nope.h', '-w', 'cffi'], {cwd: dir, reject: false})
    assert.equal(missing.exitCode, 1)
    assert.match(missing.stderr, /^Error: header not found: include\/nope\.h [^\n]*$/)
    // What the fast path cannot decide goes to oclif: usage errors exit 2 with oclif's message.
    const clash = await execa(process.execPath, [bin, '--config', 'x.toml', '--no-config'], {cwd: dir, reject: false})
    assert.equal(clash.exitCode, 2)
    assert.match(clash.stderr, /cannot also be provided when using --no-config/)
    const generateHelp = await execa(process.execPath, [bin, 'include/demo.h', '--help'], {cwd: dir, reject: false})
    assert.equal(generateHelp.exitCode, 0)
    assert.match(generateHelp.stdout, /--writer-opt/)
  })

  it('run from a directory that was removed, says so in one line and exits 1', async () => {
    await buildBundle()
    const gone = join(makeTempDir('hk-gone-'), 'gone')
    const r = await execa('sh', ['-c', 'mkdir "$1" && cd "$1" && rmdir "$1" && exec "$2" "$3"', 'sh', gone, process.execPath, BUILT_BIN], {reject: false})
    assert.equal(r.exitCode, 1)
    assert.equal(r.stderr, 'Error: the current directory no longer exists (ENOENT); cd into the project and run headerkit again')
  })
})
