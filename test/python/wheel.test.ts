/**
 * A real wheel build, offline: headerkit-store installed from python/ with pip, then
 * `pip wheel --no-build-isolation --no-deps .` of examples/cffi-point through
 * `headerkit_store.build_backend` over Debian's setuptools, with no node on PATH and
 * libclang hidden. The wheel must hold the bindings file with the Node tool's bytes; a
 * miss fails the build in one line, or runs the Node CLI when HEADERKIT_CLI names it.
 */
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {appendFileSync, cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {makeTempDir} from '../support/tmp.js'
import {copyExample, nodeCliCommand, PYTHON, PYTHON_PACKAGE, runNode, runPython} from './support/python.js'

/** Files of a wheel (a zip), read with the stdlib's zipfile. */
async function wheelFiles(wheel: string): Promise<Record<string, string>> {
  const r = await execa(PYTHON, ['-c', 'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: z.read(n).decode("latin-1") for n in z.namelist()}))', wheel])
  return JSON.parse(r.stdout) as Record<string, string>
}

describe('python build backend: a real offline wheel build', function () {
  this.timeout(600_000)
  let site: string

  before(async () => {
    // `pip install <path>` of the package, offline (a copy: pip builds in the source tree).
    const src = join(makeTempDir('headerkit-pysrc-'), 'python')
    cpSync(PYTHON_PACKAGE, src, {recursive: true})
    site = makeTempDir('headerkit-site-')
    const r = await runPython(['-m', 'pip', 'install', '--no-build-isolation', '--no-deps', '--no-index', '--target', site, src], {cwd: src, pythonPath: ''})
    assert.equal(r.exitCode, 0, r.stderr)
    assert.ok(readdirSync(join(site, 'headerkit_store')).includes('spec.json'))
  })

  it('the wheel holds src/pointlib/point.cdef.txt with the bytes the Node tool writes, and it imports', async () => {
    // What the Node tool writes for this project (its output-cache hit, no libclang needed).
    const reference = copyExample()
    const node = await runNode([], {cwd: reference, env: {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so.1'}})
    assert.equal(node.exitCode, 0, node.stderr)
    const expected = readFileSync(join(reference, 'src/pointlib/point.cdef.txt'), 'utf8')

    const dir = copyExample()
    const out = makeTempDir('headerkit-wheels-')
    const r = await runPython(['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '-w', out, '.'], {cwd: dir, pythonPath: site})
    assert.equal(r.exitCode, 0, r.stderr + r.stdout.toString())
    const wheels = readdirSync(out).filter((f) => f.endsWith('.whl'))
    assert.deepEqual(wheels, ['pointlib-1.2.0-py3-none-any.whl'])
    const files = await wheelFiles(join(out, wheels[0]!))
    assert.equal(files['pointlib/point.cdef.txt'], expected)
    assert.match(expected, /struct segment \{/)

    // The built package works: cffi parses the cdef headerkit made.
    const target = makeTempDir('headerkit-inst-')
    await execa(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', join(out, wheels[0]!), target])
    const use = await runPython(['-c', 'import pointlib; p = pointlib.point(-3, 4); print(p.x, p.y, int(p.quadrant), pointlib.ffi.sizeof("struct segment"))'], {cwd: target, pythonPath: `${target}:/usr/lib/python3/dist-packages`})
    assert.equal(use.exitCode, 0, use.stderr)
    assert.equal(use.stdout.toString().trim(), '-3 4 2 28')
  })

  it('vendored: the reader copied into tools/ and named by backend-path builds the same wheel without installing anything', async () => {
    const dir = copyExample()
    cpSync(join(PYTHON_PACKAGE, 'headerkit_store'), join(dir, 'tools/headerkit_store'), {recursive: true})
    const pyproject = join(dir, 'pyproject.toml')
    const text = readFileSync(pyproject, 'utf8').replace('requires = ["headerkit-store", "setuptools>=61"]', 'requires = ["setuptools>=61"]\nbackend-path = ["tools"]')
    assert.ok(text.includes('backend-path'))
    writeFileSync(pyproject, text)
    const out = makeTempDir('headerkit-wheels-')
    const r = await runPython(['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '-w', out, '.'], {cwd: dir, pythonPath: ''})
    assert.equal(r.exitCode, 0, r.stderr + r.stdout.toString())
    const files = await wheelFiles(join(out, 'pointlib-1.2.0-py3-none-any.whl'))
    assert.match(files['pointlib/point.cdef.txt']!, /struct segment \{/)
    assert.ok(!Object.keys(files).some((f) => f.startsWith('tools/') || f.startsWith('headerkit_store/')), 'the vendored reader is not packaged')
  })

  it('forwards every hook and its arguments to the backend [tool.headerkit.build] names, writing the bindings before builds only', async () => {
    const dir = copyExample()
    writeFileSync(join(dir, 'recorder.py'), [
      'calls = []',
      'def _hook(name, result):',
      '    def hook(*args):',
      '        import os',
      '        calls.append((name, args, os.path.exists("src/pointlib/point.cdef.txt")))',
      '        return result',
      '    return hook',
      'class Backend:',
      '    build_wheel = staticmethod(_hook("build_wheel", "w.whl"))',
      '    build_sdist = staticmethod(_hook("build_sdist", "s.tar.gz"))',
      '    build_editable = staticmethod(_hook("build_editable", "e.whl"))',
      '    get_requires_for_build_wheel = staticmethod(_hook("get_requires_for_build_wheel", ["x"]))',
      '    prepare_metadata_for_build_wheel = staticmethod(_hook("prepare_metadata_for_build_wheel", "m.dist-info"))',
      '    future_hook = staticmethod(_hook("future_hook", 42))',
      'backend = Backend()',
      '',
    ].join('\n'))
    const pyproject = join(dir, 'pyproject.toml')
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('backend = "setuptools.build_meta"', 'backend = "recorder:backend"'))
    const script = [
      'import json, os, sys',
      'sys.path.insert(0, os.getcwd())',
      'import recorder',
      'from headerkit_store import build_backend as b',
      'out = [b.get_requires_for_build_wheel({"k": 1}), b.prepare_metadata_for_build_wheel("md", {"k": 2})]',
      'out.append(b.build_wheel("wd", {"k": 3}, "md"))',
      'os.remove("src/pointlib/point.cdef.txt")',
      'out += [b.build_sdist("sd", None), b.build_editable("ed", None, None), b.future_hook(7), b.get_requires_for_build_sdist(None)]',
      'try:',
      '    b.prepare_metadata_for_build_editable',
      '    out.append("present")',
      'except AttributeError:',
      '    out.append("missing")',
      'print(json.dumps({"results": out, "calls": recorder.calls}))',
    ].join('\n')
    const r = await runPython(['-c', script], {cwd: dir, pythonPath: site})
    assert.equal(r.exitCode, 0, r.stderr)
    const {results, calls} = JSON.parse(r.stdout.toString()) as {results: unknown[]; calls: [string, unknown[], boolean][]}
    assert.deepEqual(results, [['x'], 'm.dist-info', 'w.whl', 's.tar.gz', 'e.whl', 42, [], 'missing'])
    assert.deepEqual(calls, [
      ['get_requires_for_build_wheel', [{k: 1}], false],
      ['prepare_metadata_for_build_wheel', ['md', {k: 2}], false],
      ['build_wheel', ['wd', {k: 3}, 'md'], true],
      ['build_sdist', ['sd', null], true],
      ['build_editable', ['ed', null, null], true],
      ['future_hook', [7], true],
    ])
  })

  it('rewrites a bindings file only when its bytes change', async () => {
    const dir = copyExample()
    const write = ['-c', 'from headerkit_store.build_backend import write_outputs; print(len(write_outputs()))']
    const first = await runPython(write, {cwd: dir, pythonPath: site})
    assert.equal(first.exitCode, 0, first.stderr)
    assert.equal(first.stdout.toString().trim(), '1')
    const file = join(dir, 'src/pointlib/point.cdef.txt')
    const before = statSync(file).mtimeMs
    await new Promise((resolve) => setTimeout(resolve, 20))
    const second = await runPython(write, {cwd: dir, pythonPath: site})
    assert.equal(second.stdout.toString().trim(), '0')
    assert.equal(statSync(file).mtimeMs, before)
  })

  it('a miss without a Node CLI fails the build with the one-line miss', async () => {
    const dir = copyExample()
    appendFileSync(join(dir, 'include/point/types.h'), 'typedef long point_wide;\n')
    const out = makeTempDir('headerkit-wheels-')
    const r = await runPython(['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '-w', out, '.'], {cwd: dir, pythonPath: site})
    assert.notEqual(r.exitCode, 0)
    const text = r.stderr + r.stdout.toString()
    assert.match(text, /Error: no fresh cffi output for include\/point\.h \(x86_64-pc-linux-gnu\) in the store: include\/point\/types\.h \(included by include\/point\.h\) has changed since the store was filled \(run `headerkit include\/point\.h -w cffi` where libclang is installed, then commit \.headerkit\/\)/)
    assert.doesNotMatch(text, /Traceback/)
    assert.deepEqual(readdirSync(out), [])
  })

  it('no store at all with HEADERKIT_CLI: the Node CLI fills it and the build succeeds', async () => {
    const dir = copyExample()
    rmSync(join(dir, '.headerkit'), {recursive: true})
    const out = makeTempDir('headerkit-wheels-')
    const r = await execa(PYTHON, ['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '-v', '-w', out, '.'], {
      cwd: dir, reject: false, env: {PYTHONPATH: site, HEADERKIT_CLI: nodeCliCommand()},
    })
    assert.equal(r.exitCode, 0, r.stderr + r.stdout)
    assert.match(r.stderr + r.stdout, /the store directory .*\.headerkit does not exist.*; running /)
    const files = await wheelFiles(join(out, 'pointlib-1.2.0-py3-none-any.whl'))
    assert.match(files['pointlib/point.cdef.txt']!, /struct segment \{/)
  })

  it('a miss with HEADERKIT_CLI runs the Node CLI, which parses and fills the store; the wheel gets the new bindings', async () => {
    const dir = copyExample()
    appendFileSync(join(dir, 'include/point/types.h'), 'typedef long point_wide;\n')
    const out = makeTempDir('headerkit-wheels-')
    const r = await execa(PYTHON, ['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '-w', out, '.'], {
      cwd: dir, reject: false, env: {PYTHONPATH: site, HEADERKIT_CLI: nodeCliCommand()},
    })
    assert.equal(r.exitCode, 0, r.stderr + r.stdout)
    const files = await wheelFiles(join(out, 'pointlib-1.2.0-py3-none-any.whl'))
    assert.match(files['pointlib/point.cdef.txt']!, /typedef long point_wide;/)
    // The store now answers without Node.
    const again = await runPython(['-m', 'headerkit_store', 'include/point.h', '-w', 'cffi'], {cwd: dir, pythonPath: site})
    assert.equal(again.exitCode, 0, again.stderr)
    assert.equal(again.stdout.toString(), files['pointlib/point.cdef.txt'])
  })
})
