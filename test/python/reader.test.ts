/**
 * The Python reader (python/headerkit_store) against the Node tool: the same bytes for
 * every stored writer on real headers (the tricky fixture, zlib, sqlite3, curl) for the
 * host and for aarch64, with writer options, defines, include dirs, config overrides and
 * env-var precedence; run with no node on PATH and libclang hidden.
 */
import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {generateBatch} from '../../src/generate/index.js'
import {REPO_ROOT} from '../support/cli.js'
import {copyExample, lines, makeProject, runNode, runPython, runReader} from './support/python.js'

const STORED_WRITERS = ['cffi', 'ctypes', 'json', 'cython', 'lua']
const AARCH64 = ['--target', 'aarch64-unknown-linux-gnu', '--backend-arg=--sysroot=/usr/aarch64-linux-gnu']

interface Fixture {
  name: string
  files: [string, string][]
  header: string
  flags: string[]
  /** Writers the Node tool can render this header with (the others refuse a construct, so nothing is stored). */
  served: string[]
}

const FIXTURES: Fixture[] = [
  {name: 'tricky', files: [[join(REPO_ROOT, 'fixtures/ir/tricky.h'), 'include/tricky.h']], header: 'include/tricky.h', flags: ['--writer-opt', 'ctypes:library=tricky'], served: STORED_WRITERS},
  // The parser's tricky fixture (includes through sub/, odd declarations the writers refuse unless excluded).
  {name: 'parser-tricky', files: [[join(REPO_ROOT, 'fixtures/headers/tricky'), 'include']], header: 'include/tricky.h', flags: ['--writer-opt', 'lua:exclude_patterns=^ld_fn$', '--writer-opt', 'cffi:exclude_patterns=^ld_fn$'], served: STORED_WRITERS},
  {name: 'zlib', files: [['/usr/include/zlib.h', 'include/zlib.h'], ['/usr/include/zconf.h', 'include/zconf.h']], header: 'include/zlib.h', flags: ['-D', 'Z_PREFIX_SET', '-I', 'include'], served: STORED_WRITERS},
  {name: 'sqlite3', files: [['/usr/include/sqlite3.h', 'include/sqlite3.h']], header: 'include/sqlite3.h', flags: ['--writer-opt', 'ctypes:library=sqlite3', '--writer-opt', 'json:indent=0'], served: STORED_WRITERS},
  {name: 'curl', files: [['/usr/include/x86_64-linux-gnu/curl', 'include/curl']], header: 'include/curl/curl.h', flags: ['-I', 'include', '--writer-opt', 'cffi:exclude_patterns=^curl_m', '--writer-opt', 'cffi:exclude_patterns=^CURLOPT_'], served: STORED_WRITERS},
]

/** Splits CLI flags into the request fields generateBatch takes (the Node side of each case). */
function requestOf(flags: string[]): {includeDirs: string[]; defines: string[]; backendArgs: string[]; writerOptFlags: string[]; target?: string} {
  const r = {includeDirs: [] as string[], defines: [] as string[], backendArgs: [] as string[], writerOptFlags: [] as string[], target: undefined as string | undefined}
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!
    if (f === '-I') r.includeDirs.push(flags[++i]!)
    else if (f === '-D') r.defines.push(flags[++i]!)
    else if (f === '--writer-opt') r.writerOptFlags.push(flags[++i]!)
    else if (f === '--target') r.target = flags[++i]!
    else if (f.startsWith('--backend-arg=')) r.backendArgs.push(f.slice('--backend-arg='.length))
    else throw new Error(`unknown flag ${f}`)
  }
  return r
}

/** What the Node tool gives for one header and writer: its text, or its error. */
async function nodeText(cwd: string, header: string, writer: string, flags: string[], env: Record<string, string> = {}): Promise<{text?: string; error?: string}> {
  const {target, ...rest} = requestOf(flags)
  try {
    const report = await generateBatch({cwd, headers: [header], writers: [writer], ...rest, ...(target ? {target} : {}), env})
    return {text: report.results[0]!.text}
  } catch (error) {
    return {error: (error as Error).message}
  }
}

async function assertSameBytes(cwd: string, header: string, writer: string, flags: string[], env: Record<string, string> = {}): Promise<'served' | 'both-fail'> {
  const node = await nodeText(cwd, header, writer, flags, env)
  const py = await runReader([header, '-w', writer, ...flags], {cwd, env})
  if (node.text === undefined) {
    // The Node tool could not produce it (a writer that cannot express the header): nothing
    // is stored, and the reader must say so in one line rather than print anything.
    assert.notEqual(py.exitCode, 0, `reader served ${writer} output the Node tool failed to make (${node.error})`)
    assert.equal(py.stdout.length, 0)
    assert.equal(lines(py.stderr).length, 1, py.stderr)
    return 'both-fail'
  }
  assert.equal(py.exitCode, 0, `${header} -w ${writer} ${flags.join(' ')}: ${py.stderr}`)
  assert.ok(py.stdout.equals(Buffer.from(node.text, 'utf8')), `${header} -w ${writer}: the reader's bytes differ from the Node tool's`)
  return 'served'
}

describe('python reader: the same bytes as the Node tool', function () {
  this.timeout(600_000)

  for (const fixture of FIXTURES) {
    for (const [label, extra] of [['host', []], ['aarch64 (sysroot parse)', AARCH64]] as const) {
      it(`${fixture.name}, ${label}: every stored writer`, async () => {
        const dir = makeProject(fixture.files)
        const flags = [...fixture.flags, ...extra]
        const served: string[] = []
        for (const writer of STORED_WRITERS) if ((await assertSameBytes(dir, fixture.header, writer, flags)) === 'served') served.push(writer)
        // The writers that really were served: a case where everything "fails alike" would prove nothing.
        assert.deepEqual(served, fixture.served)
      })
    }
  }

  it('the Node CLI prints exactly the bytes the API returns, and the reader prints them too', async () => {
    const dir = makeProject([[join(REPO_ROOT, 'fixtures/ir/tricky.h'), 'include/tricky.h']])
    const node = await runNode(['include/tricky.h', '-w', 'cffi'], {cwd: dir})
    assert.equal(node.exitCode, 0, node.stderr)
    const py = await runReader(['include/tricky.h', '-w', 'cffi'], {cwd: dir})
    assert.equal(py.exitCode, 0, py.stderr)
    assert.ok(py.stdout.equals(node.stdout))
    assert.ok(node.stdout.length > 100)
  })

  it('examples/cffi-point from its committed store, every stored writer', async () => {
    const dir = copyExample()
    const py = await runReader(['include/point.h', '-w', 'cffi'], {cwd: dir})
    assert.equal(py.exitCode, 0, py.stderr)
    // The committed store answers as it is; the Node tool agrees byte for byte.
    const node = await runNode(['include/point.h', '-w', 'cffi', '-o', 'cffi:out.cdef.txt'], {cwd: dir, env: {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so'}})
    assert.equal(node.exitCode, 0, node.stderr)
    assert.match(node.stderr, /\[output cache\]/)
    assert.ok(py.stdout.equals(readFileSync(join(dir, 'out.cdef.txt'))))
    for (const writer of STORED_WRITERS) await assertSameBytes(dir, 'include/point.h', writer, [])
  })
})

const CONFIG = `writers = ["cffi", "json"]
include_dirs = ["include"]
defines = ["FROM_CONFIG=1"]
target = "x86_64-linux-gnu"
store_dir = "store"

[[headers]]
pattern = "include/*.h"
defines = ["FROM_OVERRIDE=\${OVERRIDE_VALUE}"]

# A later entry wins per key for the headers it matches.
[[headers]]
pattern = "include/b.h"
target = "aarch64-linux-gnu"
extra_args = ["--sysroot=/usr/aarch64-linux-gnu"]
writer_options = {cffi = {extra_cdef = ["int extra_from_override;"]}}

[writer.json]
indent = 4

[writer.cffi]
exclude_patterns = ["^hidden_"]
`

const A_H = `#include "common.h"
#if FROM_OVERRIDE == 7
int a_seven(common_t x);
#else
int a_other(common_t x);
#endif
#ifdef EXTRA
int a_extra(void);
#endif
int hidden_a(void);
`
const B_H = `#include "common.h"
struct b_thing { common_t c; long l; };
int hidden_b(void);
`
const COMMON_H = `typedef unsigned short common_t;
`

describe('python reader: config discovery, precedence, env vars and overrides agree with Node', function () {
  this.timeout(600_000)
  let dir: string
  const base = {OVERRIDE_VALUE: '7'}

  before(() => {
    dir = makeProject([], CONFIG)
    mkdirSync(join(dir, 'include'))
    for (const [name, text] of [['include/a.h', A_H], ['include/b.h', B_H], ['include/common.h', COMMON_H]] as const) {
      writeFileSync(join(dir, name), text)
    }
  })

  it('headers x writers with config defines, include dirs, target, store_dir, [writer.*] and per-header overrides', async () => {
    for (const header of ['include/a.h', 'include/b.h']) for (const writer of ['cffi', 'json']) assert.equal(await assertSameBytes(dir, header, writer, [], base), 'served')
    const b = (await runReader(['include/b.h', '-w', 'cffi'], {cwd: dir, env: base})).stdout.toString()
    assert.match(b, /int extra_from_override;/)
    assert.doesNotMatch(b, /hidden_b/)
    // The override's target took b.h to aarch64; a.h stayed on the config's target.
    assert.ok(readFileSync(join(dir, 'store/ir/index.json'), 'utf8').includes('libclang.b.aarch64-linux-gnu'))
    assert.ok(readFileSync(join(dir, 'store/ir/index.json'), 'utf8').includes('libclang.a.x86_64-linux-gnu'))
  })

  it('flags come after config lists; --writer-opt beats [writer.*]; ${VAR} expansion changes the key', async () => {
    assert.equal(await assertSameBytes(dir, 'include/a.h', 'cffi', ['-D', 'EXTRA', '-I', 'include'], base), 'served')
    assert.equal(await assertSameBytes(dir, 'include/a.h', 'json', ['--writer-opt', 'json:indent=0'], base), 'served')
    assert.equal(await assertSameBytes(dir, 'include/a.h', 'cffi', [], {OVERRIDE_VALUE: '8'}), 'served')
    const eight = (await runReader(['include/a.h', '-w', 'cffi'], {cwd: dir, env: {OVERRIDE_VALUE: '8'}})).stdout.toString()
    assert.match(eight, /a_other/)
    // An unset variable is one config error line, exit 1.
    const unset = await runReader(['include/a.h', '-w', 'cffi'], {cwd: dir})
    assert.equal(unset.exitCode, 1)
    assert.deepEqual(lines(unset.stderr).length, 1)
    assert.match(unset.stderr, /^Error: config error in .*\.headerkit\.toml: headers\[0\]\.defines\[0\]: environment variable 'OVERRIDE_VALUE' is not set/)
  })

  it('backend args with path values, joined and separate, project-relative and not, keep their order in the key', async () => {
    const flags = ['--backend-arg=-std=c11', '--backend-arg=-iquote', '--backend-arg=include', '--backend-arg=-isystem/usr/include', '--backend-arg=-include', '--backend-arg=include/common.h']
    assert.equal(await assertSameBytes(dir, 'include/a.h', 'cffi', flags, base), 'served')
    const swapped = await runReader(['include/a.h', '-w', 'cffi', ...flags.slice(3), ...flags.slice(0, 3)], {cwd: dir, env: base})
    assert.equal(swapped.exitCode, 1, 'another argument order is another key')
    assert.match(swapped.stderr, /no entry for these arguments/)
  })

  it('load() takes the same inputs as typed values and returns the same text; a miss raises StoreMiss', async () => {
    const node = await nodeText(dir, 'include/a.h', 'json', ['-D', 'EXTRA', '-I', 'include', '--writer-opt', 'json:indent=0'], base)
    assert.ok(node.text)
    const script = [
      'import sys, headerkit_store',
      `text = headerkit_store.load('include/a.h', 'json', defines=['EXTRA'], include_dirs=['include'], writer_options={'indent': 0}, project_root=${JSON.stringify(dir)})`,
      'sys.stdout.buffer.write(text.encode("utf-8"))',
      'try:',
      `    headerkit_store.load('include/a.h', 'json', writer_options={'indent': 3}, project_root=${JSON.stringify(dir)})`,
      'except headerkit_store.StoreMiss as miss:',
      '    sys.stderr.write(f"{miss.header}|{miss.writer}|{miss.target}|{miss.why}")',
    ].join('\n')
    const r = await runPython(['-c', script], {cwd: '/', env: base})
    assert.equal(r.exitCode, 0, r.stderr)
    assert.ok(r.stdout.equals(Buffer.from(node.text, 'utf8')))
    assert.equal(r.stderr, 'include/a.h|json|x86_64-pc-linux-gnu|no json output stored for these writer options ({"indent":3})')
  })

  it('HEADERKIT_TARGET beats the header override and the config; --target beats HEADERKIT_TARGET', async () => {
    const env = {...base, HEADERKIT_TARGET: 'aarch64-unknown-linux-gnu'}
    assert.equal(await assertSameBytes(dir, 'include/a.h', 'cffi', ['--backend-arg=--sysroot=/usr/aarch64-linux-gnu'], env), 'served')
    const envTarget = await runReader(['include/b.h', '-w', 'json', '--target', 'x86_64-pc-linux-gnu'], {cwd: dir, env})
    // --target x86_64 for b.h was never generated with these arguments: a miss naming the flag's target.
    assert.equal(envTarget.exitCode, 1)
    assert.match(envTarget.stderr, /include\/b\.h \(x86_64-pc-linux-gnu\)/)
    assert.equal(await assertSameBytes(dir, 'include/b.h', 'json', ['--target', 'x86_64-pc-linux-gnu'], env), 'served')
  })

  it('HEADERKIT_STORE_DIR beats store_dir; --store-dir beats HEADERKIT_STORE_DIR', async () => {
    const env = {...base, HEADERKIT_STORE_DIR: 'elsewhere'}
    assert.equal(await assertSameBytes(dir, 'include/a.h', 'cffi', [], env), 'served')
    assert.ok(readFileSync(join(dir, 'elsewhere/output/cffi/index.json'), 'utf8').length > 0)
    const flag = await runReader(['include/a.h', '-w', 'cffi', '--store-dir', 'store'], {cwd: dir, env})
    assert.equal(flag.exitCode, 0, flag.stderr)
    assert.ok(flag.stdout.equals((await runReader(['include/a.h', '-w', 'cffi'], {cwd: dir, env})).stdout))
  })

  it('discovery from a subdirectory finds the config and resolves paths from the project root', async () => {
    const py = await runReader(['../include/a.h', '-w', 'json'], {cwd: join(dir, 'include'), env: base})
    assert.equal(py.exitCode, 0, py.stderr)
    assert.ok(py.stdout.equals((await runReader(['include/a.h', '-w', 'json'], {cwd: dir, env: base})).stdout))
  })

  it('[tool.headerkit] in pyproject.toml is found like .headerkit.toml; HEADERKIT_NO_OUTPUT_CACHE turns serving off', async () => {
    const p = makeProject([[join(dir, 'include'), 'include']])
    writeFileSync(join(p, 'pyproject.toml'), `[project]\nname = "x"\n\n[tool.headerkit]\ninclude_dirs = ["include"]\n\n[tool.headerkit.writer.json]\nindent = 1\n`)
    assert.equal(await assertSameBytes(p, 'include/b.h', 'json', []), 'served')
    const off = await runReader(['include/b.h', '-w', 'json'], {cwd: p, env: {HEADERKIT_NO_OUTPUT_CACHE: '1'}})
    assert.equal(off.exitCode, 1)
    assert.match(off.stderr, /the output cache is disabled \(HEADERKIT_NO_OUTPUT_CACHE\)/)
  })
})
