/**
 * The pieces of the Python reader that must compute exactly what the Node tool computes:
 * spec.json (versions and writer schemas), BLAKE3, canonical JSON keys, triple
 * normalisation and host detection, the include closure, glob matching; and the reader
 * runs on the oldest supported Python (3.9) too.
 */
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import picomatch from 'picomatch'
import {loadConfigText} from '../../src/config/load.js'
import {loadProjectContext} from '../../src/config/settings.js'
import {searchPaths} from '../../src/generate/args.js'
import {includeClosure} from '../../src/generate/deps.js'
import {blake3Hex} from '../../src/hash/blake3.js'
import {irKey, outputKey} from '../../src/store/keys.js'
import {detectHostTriple, normalizeTriple} from '../../src/target/index.js'
import {REPO_ROOT} from '../support/cli.js'
import {copyExample, makeProject, PYTHON_PACKAGE, runPython, runReader} from './support/python.js'
import {pythonSpecText} from '../../src/python-spec.js'

/** Runs a Python snippet with headerkit_store importable; returns its JSON answer. */
async function py<T>(script: string, cwd = REPO_ROOT): Promise<T> {
  const r = await runPython(['-c', `import json, sys\n${script}`], {cwd})
  assert.equal(r.exitCode, 0, r.stderr)
  return JSON.parse(r.stdout.toString()) as T
}

describe('python reader parts: the same answers as the Node tool', function () {
  this.timeout(120_000)

  it('spec.json is what this tool says (regenerate: npm run python-spec)', () => {
    assert.equal(readFileSync(join(PYTHON_PACKAGE, 'headerkit_store/spec.json'), 'utf8'), pythonSpecText())
  })

  it('BLAKE3 of every length around block, chunk and tree boundaries', async () => {
    const lengths = [0, 1, 63, 64, 65, 127, 128, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 3073, 4096, 5000, 8192, 8193, 16385, 31744, 65537]
    const data = (n: number): Buffer => Buffer.from(Array.from({length: n}, (_, i) => i % 251))
    const got = await py<string[]>(`from headerkit_store.blake3 import blake3_hex\nprint(json.dumps([blake3_hex(bytes(i % 251 for i in range(n))) for n in ${JSON.stringify(lengths)}]))`)
    assert.deepEqual(got, await Promise.all(lengths.map((n) => blake3Hex(data(n)))))
  })

  it('IR and output keys, with non-ASCII, control characters and nested options', async () => {
    const ir = {schemaVersion: 4, extractorVersion: '1', backend: 'libclang', target: 'x86_64-pc-linux-gnu', header: {path: 'include/ü.h', hash: 'a'.repeat(64)},
      defines: ['X="a\\tb"', 'Y=\u0001', 'Z=€'], includeDirs: ['@/include', '/opt/sdk'], args: ['-std=c11'], deps: [{path: 'include/z.h', hash: '2'}, {path: 'include/a.h', hash: '1'}]}
    const options = {exclude_patterns: ['^_', 'ß'], indent: 2, flag: true, nested: {b: [1, 2], a: 'x'}}
    const [irPy, outPy] = await py<[string, string]>(`from headerkit_store.keys import ir_key, output_key
d = json.loads(${JSON.stringify(JSON.stringify({ir, options}))})
r = d['ir']
k = ir_key(r['schemaVersion'], r['extractorVersion'], r['backend'], r['target'], r['header']['path'], r['header']['hash'], r['defines'], r['includeDirs'], r['args'], r['deps'])
print(json.dumps([k, output_key(k, 'cffi', d['options'], '1', '1')]))`)
    const irNode = await irKey(ir)
    assert.equal(irPy, irNode)
    assert.equal(outPy, await outputKey({irKey: irNode, writer: 'cffi', options, writerCacheVersion: '1', writerImplVersion: '1'}))
  })

  it('target triples normalise the same, errors included; the host triple is detected the same', async () => {
    const inputs = ['x86_64-linux-gnu', 'X86_64-Unknown-Linux-GNU', 'amd64-pc-linux-gnu', 'aarch64-linux-gnu', 'arm64-linux-musl', 'armv7l-linux-gnueabihf', 'i386-linux-gnu', 'powerpc64le-linux-gnu',
      's390x-linux-gnu', 'riscv64gc-linux-gnu', 'aarch64-apple-darwin23.4.0', 'x86_64-pc-windows-msvc', 'x86_64-w64-mingw32', 'wasm32-unknown-unknown', ' x86_64-linux ', 'x86_64', 'bad triple', 'a-b-c-d-e-f']
    const node = inputs.map((t) => {
      try {
        return normalizeTriple(t)
      } catch (error) {
        return `error: ${(error as Error).message}`
      }
    })
    const got = await py<string[]>(`from headerkit_store.target import normalize_triple, detect_host_triple
out = []
for t in ${JSON.stringify(inputs)}:
    try:
        out.append(normalize_triple(t))
    except Exception as e:
        out.append('error: ' + e.message)
out.append(detect_host_triple())
print(json.dumps(out))`)
    assert.deepEqual(got, [...node, detectHostTriple()])
  })

  it('the include closure of curl.h: the same files, and the SHA-256 metadata records for them', async () => {
    const dir = makeProject([['/usr/include/x86_64-linux-gnu/curl', 'include/curl']])
    const header = join(dir, 'include/curl/curl.h')
    const node = await includeClosure(header, dir, searchPaths([`-I${join(dir, 'include')}`]))
    const got = await py<[string, string][]>(`from headerkit_store.deps import include_closure
from headerkit_store.args import search_paths
print(json.dumps(include_closure(${JSON.stringify(header)}, ${JSON.stringify(dir)}, search_paths(["-I" + ${JSON.stringify(join(dir, 'include'))}]))))`)
    assert.ok(node.length >= 8, `curl.h includes ${node.length} project headers`)
    assert.deepEqual(got, node.map((d) => [d.path, d.sha256]))
  })

  it('glob patterns of config headers match what picomatch matches', async () => {
    const patterns = ['include/*.h', 'include/**/*.h', '**/*.h', 'include/{a,b}.h', 'inc?ude/[ab].h', 'include/[!a].h', '**', 'include/**', 'include/x*/*.h', '*.h']
    const paths = ['include/a.h', 'include/b.h', 'include/c.h', 'include/x/y.h', 'include/xy/z.h', 'include/.hidden.h', 'a.h', 'src/include/a.h', 'include/a.hpp']
    const node = patterns.map((p) => paths.map((s) => picomatch(p, {dot: true})(s)))
    const got = await py<boolean[][]>(`from headerkit_store.globs import compile_glob
print(json.dumps([[compile_glob(p).match(s) is not None for s in ${JSON.stringify(paths)}] for p in ${JSON.stringify(patterns)}]))`)
    assert.deepEqual(got, node)
  })

  it('[tool.headerkit.build] is a key the Node tool knows (no unknown-key warning on every run)', () => {
    const {warnings} = loadConfigText('[tool.headerkit]\nwriters = ["cffi"]\n\n[tool.headerkit.build]\nbackend = "setuptools.build_meta"\n\n[tool.headerkit.bild]\n', '/p/pyproject.toml', 'pyproject', {})
    assert.deepEqual(warnings.map((w) => w.key), ['tool.headerkit.bild'])
  })

  it('config warnings (unknown keys, misplaced keys, a shadowed pyproject) are those of the Node tool, and so is the error for a bad populate value', async () => {
    const dir = copyExample()
    writeFileSync(join(dir, '.headerkit.toml'), [
      'writerz = ["cffi"]', 'include_dirs = ["include"]', 'auto_install_libclang = true',
      '[cache]', 'store_dir = "x"', '[cache.populate]', 'platfroms = ["linux/arm64"]',
      '[[headers]]', 'pattern = "include/point.h"', 'backend_args = ["-x"]', 'definse = ["A"]', '',
    ].join('\n'))
    const {warnings} = await loadProjectContext({cwd: dir, env: {}})
    const node = warnings.map((w) => `${w.file}: ${w.key}: ${w.message}`)
    const py = await runReader(['include/point.h', '-w', 'cffi'], {cwd: dir})
    const got = py.stderr.split('\n').filter((l) => l.startsWith('Warning: ')).map((l) => l.slice('Warning: '.length))
    assert.deepEqual([...got].sort(), [...node].sort())
    assert.ok(node.length >= 6, node.join('\n'))
    writeFileSync(join(dir, '.headerkit.toml'), '[cache.populate]\nengine = "bogus"\n')
    const bad = await runReader(['include/point.h', '-w', 'cffi'], {cwd: dir})
    assert.equal(bad.exitCode, 1)
    assert.match(bad.stderr, /^Error: config error in .*\.headerkit\.toml: cache\.populate\.engine: unknown engine "bogus" \(use "auto", "docker" or "sysroot"\)\n$/)
    writeFileSync(join(dir, '.headerkit.toml'), '[cache.populate.engines]\n"linux/arm64:musl" = "bogus"\n')
    const badEngines = await runReader(['include/point.h', '-w', 'cffi'], {cwd: dir})
    assert.equal(badEngines.exitCode, 1)
    assert.match(badEngines.stderr, /^Error: config error in .*\.headerkit\.toml: cache\.populate\.engines\."linux\/arm64:musl": unknown engine "bogus" \(use "auto", "docker" or "sysroot"\)\n$/)
  })

  it('the npm package ships python/ (package.json files covers every file of the Python package)', () => {
    const files = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {files: string[]}).files
    const shipped = picomatch(files)
    const tree = ['pyproject.toml', 'README.md', ...readdirSync(join(PYTHON_PACKAGE, 'headerkit_store')).filter((f) => f !== '__pycache__').map((f) => `headerkit_store/${f}`)]
    for (const f of tree) assert.ok(shipped(`python/${f}`), `python/${f} is not in package.json files`)
    assert.ok(tree.includes('headerkit_store/spec.json') && tree.includes('headerkit_store/build_backend.py'))
  })

  const python39 = join(process.env.HOME ?? '/root', '.pyenv/versions/3.9.18/bin/python3')
  ;(existsSync(python39) ? it : it.skip)('runs on Python 3.9 (no tomli there: a flags-only run needs no TOML)', async () => {
    const dir = copyExample()
    const args = ['include/point.h', '-w', 'cffi', '--no-config', '-I', 'include']
    // -I include gives the key the config's include_dirs gives: the committed entry is served.
    const a = await runReader(args, {cwd: dir, python: python39})
    const b = await runReader(args, {cwd: dir})
    assert.equal(a.exitCode, 0, a.stderr)
    assert.match(a.stdout.toString(), /struct point \{/)
    assert.ok(a.stdout.equals(b.stdout))
    const withConfig = await runReader(['include/point.h', '-w', 'cffi'], {cwd: dir, python: python39})
    assert.equal(withConfig.exitCode, 1)
    assert.match(withConfig.stderr, /^Error: cannot read .*pyproject\.toml: Python 3\.9 needs the tomli package to read TOML \(pip install tomli/)
  })

  for (const version of ['3.12.1', '3.13.0']) {
    const python = join(process.env.HOME ?? '/root', `.pyenv/versions/${version}/bin/python3`)
    ;(existsSync(python) ? it : it.skip)(`runs on Python ${version} with the config read by its tomllib, giving the same bytes`, async () => {
      const dir = copyExample()
      const a = await runReader(['include/point.h', '-w', 'cffi'], {cwd: dir, python})
      const b = await runReader(['include/point.h', '-w', 'cffi'], {cwd: dir})
      assert.equal(a.exitCode, 0, a.stderr)
      assert.match(a.stdout.toString(), /struct point \{/)
      assert.ok(a.stdout.equals(b.stdout))
    })
  }
})
