/**
 * The root command as users run it: reports, --json, exit codes, one-line errors that
 * leave the store untouched, and a warm run that loads neither koffi nor libclang.
 */
import assert from 'node:assert/strict'
import {cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseJsonOutput, runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'

const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url))
const RECORD_LOADS = fileURLToPath(new URL('../support/record-loads.cjs', import.meta.url))

function demoProject(): string {
  const dir = join(makeTempDir('headerkit-cli-'), 'demo')
  cpSync(DEMO, dir, {recursive: true})
  return dir
}

function snapshot(dir: string): string {
  const lines: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else lines.push(`${relative(dir, p)} ${readFileSync(p).toString('base64')}`)
    }
  }
  walk(dir)
  return lines.join('\n')
}

interface JsonReport {
  status: string
  parsed: number
  results: {header: string; writer: string; source: string; outputPath: string | null; text?: string}[]
}

describe('headerkit (the root command)', function () {
  this.timeout(120_000)

  it('reports per header and writer where each output came from, as text and as JSON', async () => {
    const dir = demoProject()
    const first = await runCli([], {cwd: dir})
    assert.equal(first.exitCode, 0, first.stderr)
    assert.match(first.stderr, /cffi: include\/demo\.h -> bindings\/demo\.cdef\.txt \[parsed\]/)
    assert.match(first.stderr, /2 parsed/)
    const second = parseJsonOutput<JsonReport>(await runCli(['--json'], {cwd: dir}))
    assert.equal(second.status, 'ok')
    assert.deepEqual(second.results.map((r) => [r.header, r.writer, r.source, r.outputPath]), [
      ['include/demo.h', 'cffi', 'output-cache', 'bindings/demo.cdef.txt'],
      ['include/demo.h', 'json', 'output-cache', 'bindings/demo.json'],
    ])
  })

  it('prints one header through one writer with no template to stdout, with the report on stderr', async () => {
    const dir = demoProject()
    const result = await runCli(['include/demo.h', '-w', 'cffi', '--no-config', '-I', 'include', '-D', 'DEMO_API='], {cwd: dir})
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stdout, /^typedef enum/m)
    assert.match(result.stdout, /void demo_close\(demo_ctx \*ctx\);/)
    assert.match(result.stderr, /-> stdout \[parsed\]/)
    const configured = await runCli(['include/demo.h', '-w', 'cffi'], {cwd: dir})
    assert.equal(configured.stdout, '', 'a template from the config sends the output to its file instead')
    assert.match(configured.stderr, /-> bindings\/demo\.cdef\.txt/)
  })

  it('takes header paths relative to the current directory', async () => {
    const dir = demoProject()
    const result = await runCli(['demo.h', '-w', 'json', '-I', '.', '--json'], {cwd: join(dir, 'include')})
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(parseJsonOutput<JsonReport>(result).results[0]!.header, 'include/demo.h')
  })

  it('loads neither koffi nor libclang on a warm hit, and does on a parse', async () => {
    const dir = demoProject()
    const cold = join(dir, 'loads-cold.txt')
    const warm = join(dir, 'loads-warm.txt')
    assert.equal((await runCli([], {cwd: dir, nodeArgs: ['--require', RECORD_LOADS], env: {HEADERKIT_TEST_LOADS: cold}})).exitCode, 0)
    assert.equal((await runCli([], {cwd: dir, nodeArgs: ['--require', RECORD_LOADS], env: {HEADERKIT_TEST_LOADS: warm}})).exitCode, 0)
    assert.match(readFileSync(cold, 'utf8'), /^koffi$/m, 'the recorder sees koffi when a parse happens')
    assert.doesNotMatch(readFileSync(warm, 'utf8'), /koffi|dockerode/)
  })

  const badInputs: [string, string[], (dir: string) => void, RegExp][] = [
    ['a missing header', ['include/nope.h', '-w', 'cffi'], () => {}, /header not found: include\/nope\.h/],
    ['a header that is a directory', ['include/demo', '-w', 'cffi'], () => {}, /not a file: include\/demo/],
    ['a glob matching nothing', ['include/**/*.hpp', '-w', 'cffi'], () => {}, /no header matches include\/\*\*\/\*\.hpp/],
    ['a template with an unknown variable', ['include/demo.h', '-w', 'cffi', '-o', 'cffi:out/{base}.txt'], () => {}, /unknown template variable '\{base\}'/],
    ['two outputs resolving to one path', ['include/demo.h', '-w', 'cffi', '-w', 'json', '-o', 'cffi:out.txt', '-o', 'json:out.txt'], () => {}, /two outputs resolve to out\.txt/],
    ['a malformed --writer-opt', ['include/demo.h', '-w', 'cffi', '--writer-opt', 'cffi-exclude'], () => {}, /--writer-opt/],
    ['an unknown writer', ['include/demo.h', '-w', 'rust'], () => {}, /Unknown writer: 'rust'/],
    ['a header that does not parse', ['include/broken.h', '-w', 'cffi'], (dir) => writeFileSync(join(dir, 'include/broken.h'), 'struct s { int x };\nint f(;\n'), /broken\.h:2:\d+: .*error/i],
    ['a header with a missing include', ['include/missing.h', '-w', 'cffi'], (dir) => writeFileSync(join(dir, 'include/missing.h'), '#include "not_there.h"\n'), /not_there\.h' file not found/],
  ]
  for (const [what, args, setup, message] of badInputs) {
    it(`fails with one clear line and an untouched store on ${what}`, async () => {
      const dir = demoProject()
      assert.equal((await runCli([], {cwd: dir})).exitCode, 0)
      setup(dir)
      mkdirSync(join(dir, 'bindings'), {recursive: true})
      const before = snapshot(join(dir, '.headerkit'))
      const result = await runCli(args, {cwd: dir})
      assert.notEqual(result.exitCode, 0)
      const lines = result.stderr.trim().split('\n')
      assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`)
      assert.match(lines[0]!, message)
      assert.equal(snapshot(join(dir, '.headerkit')), before, 'the store is untouched')
    })
  }
})
