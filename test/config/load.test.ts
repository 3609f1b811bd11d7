import assert from 'node:assert/strict'
import {join} from 'node:path'
import {ConfigError} from '../../src/errors.js'
import {formatConfigWarning, loadConfigFile, readTomlFile} from '../../src/config/index.js'
import {makeTree, rejection} from './helpers.js'

async function loadText(name: string, text: string, env: NodeJS.ProcessEnv = {}) {
  const root = makeTree({[name]: text})
  return {file: join(root, name), ...(await loadConfigFile(join(root, name), {env}))}
}

async function configError(name: string, text: string, env: NodeJS.ProcessEnv = {}) {
  const root = makeTree({[name]: text})
  const error = await rejection(() => loadConfigFile(join(root, name), {env}))
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
  assert.equal(error.oneLine().split('\n').length, 1, 'one line')
  return {file: join(root, name), error}
}

describe('config: reading TOML', () => {
  it('names the file, line and column of a syntax error', async () => {
    const {file, error} = await configError('.headerkit.toml', 'writers = ["cffi"]\ninclude_dirs = ["a",\nstore_dir = "x"\n')
    assert.equal(error.line, 3)
    assert.match(error.message, new RegExp(`^config error in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: TOML syntax error at column \\d+: `))
  })

  it('names a syntax error in the [tool.headerkit] part of pyproject.toml', async () => {
    const {error} = await configError('pyproject.toml', '[project]\nname = "x"\n\n[tool.headerkit]\nwriters = [cffi]\n')
    assert.equal(error.line, 5)
    assert.match(error.message, /pyproject\.toml:5: TOML syntax error/)
  })

  it('reports a missing file as such', async () => {
    const root = makeTree({})
    const error = await rejection(() => readTomlFile(join(root, 'nope.toml')))
    assert.ok(error instanceof ConfigError)
    assert.match(error.message, /nope\.toml: file not found/)
  })

  it('reports a directory passed as a file', async () => {
    const root = makeTree({'dir.toml/': ''})
    const error = await rejection(() => readTomlFile(join(root, 'dir.toml')))
    assert.match(error.message, /dir\.toml: is a directory/)
  })

  it('reads a whole TOML document with its types', async () => {
    const root = makeTree({'x.toml': '[tool.cibuildwheel]\nbuild = "cp312-*"\n[tool.cibuildwheel.linux]\narchs = ["x86_64", "aarch64"]\n'})
    const doc = await readTomlFile(join(root, 'x.toml'))
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), {tool: {cibuildwheel: {build: 'cp312-*', linux: {archs: ['x86_64', 'aarch64']}}}})
  })
})

describe('config: keys and types', () => {
  it('reads every documented key of .headerkit.toml into camelCase', async () => {
    const {loaded, warnings} = await loadText('.headerkit.toml', `
backend = "libclang"
writers = ["cffi", "json"]
include_dirs = ["include"]
defines = ["API_EXPORT="]
backend_args = ["-std=c11"]
plugins = ["my.plugin"]
target = "aarch64-linux-gnu"
store_dir = "cache/store"
exclude = ["include/internal/**"]

[output]
json = "{dir}/{stem}.json"

[cache]
no_output_cache = true

[cache.populate]
platforms = ["linux/amd64", "linux/arm64"]
python_versions = ["3.12"]
timeout = 900
concurrency = 2
[cache.populate.images]
"linux/arm64" = "quay.io/pypa/manylinux_2_28_aarch64@sha256:52e4da6e9348db7cd0b529a827623b62b7c1fe867ba515ae752fa13d41f7f46e"
[cache.populate.hosts]
"linux/arm64" = "ssh://builder-arm64"
[cache.populate.engines]
"linux/arm64:musl" = "sysroot"

[writer.cffi]
exclude_patterns = ["^_internal"]
indent = 0
strict = true
ratio = 1.5
[writer.cffi.nested]
names = ["a", "b"]
`)
    assert.deepEqual(warnings, [])
    assert.equal(loaded.kind, 'headerkit.toml')
    assert.deepEqual(loaded.config, {
      backend: 'libclang',
      writers: ['cffi', 'json'],
      includeDirs: ['include'],
      defines: ['API_EXPORT='],
      backendArgs: ['-std=c11'],
      plugins: ['my.plugin'],
      target: 'aarch64-linux-gnu',
      storeDir: 'cache/store',
      exclude: ['include/internal/**'],
      output: {json: '{dir}/{stem}.json'},
      cache: {
        noOutputCache: true,
        populate: {
          platforms: ['linux/amd64', 'linux/arm64'],
          pythonVersions: ['3.12'],
          timeout: 900,
          concurrency: 2,
          images: {'linux/arm64': 'quay.io/pypa/manylinux_2_28_aarch64@sha256:52e4da6e9348db7cd0b529a827623b62b7c1fe867ba515ae752fa13d41f7f46e'},
          hosts: {'linux/arm64': 'ssh://builder-arm64'},
          engines: {'linux/arm64:musl': 'sysroot'},
        },
      },
      // B-OPT-1/2: a one-element list stays a list, 0 stays a number, true stays a boolean.
      writer: {cffi: {exclude_patterns: ['^_internal'], indent: 0, strict: true, ratio: 1.5, nested: {names: ['a', 'b']}}},
    })
  })

  it('reads [tool.headerkit] of pyproject.toml, including [cache.populate]', async () => {
    const {loaded} = await loadText('pyproject.toml', `
[project]
name = "demo"

[tool.headerkit]
writers = ["ctypes"]

[tool.headerkit.cache.populate]
platforms = ["linux/arm64"]

[tool.cibuildwheel]
build = "cp312-*"
`)
    assert.equal(loaded.kind, 'pyproject')
    assert.deepEqual(loaded.config, {writers: ['ctypes'], cache: {populate: {platforms: ['linux/arm64']}}})
  })

  it('gives an empty config for a pyproject.toml without [tool.headerkit]', async () => {
    const {loaded} = await loadText('pyproject.toml', '[project]\nname = "demo"\n')
    assert.deepEqual(loaded.config, {})
  })

  const typeCases: Array<{name: string; file: string; text: string; key: string; line: number | undefined; message: RegExp}> = [
    {name: 'writers = "cffi"', file: '.headerkit.toml', text: 'backend = "libclang"\nwriters = "cffi"\n', key: 'writers', line: 2, message: /writers: expected an array of strings, found string "cffi" \(write it as a list: \["cffi"\]\)/},
    {name: 'include_dirs = [1]', file: '.headerkit.toml', text: 'include_dirs = [1]\n', key: 'include_dirs[0]', line: 1, message: /include_dirs\[0\]: expected a string, found integer 1/},
    {name: 'cache.no_cache = "yes"', file: '.headerkit.toml', text: 'writers = ["cffi"]\n\n[cache]\nno_cache = "yes"\n', key: 'cache.no_cache', line: 4, message: /cache\.no_cache: expected a boolean \(true or false, unquoted\), found string "yes"/},
    {name: 'headers = 3', file: '.headerkit.toml', text: 'headers = 3\n', key: 'headers', line: 1, message: /headers: expected an array of tables \(\[\[headers\]\]\) or a table keyed by header path .*found integer 3/},
    {name: 'a writer name with a path', file: '.headerkit.toml', text: 'writers = ["cffi", "json:out.json"]\n', key: 'writers[1]', line: 1, message: /writers\[1\]: expected a bare writer name, found "json:out\.json"/},
    {name: 'the key path in pyproject.toml', file: 'pyproject.toml', text: '[project]\nname = "x"\n\n[tool.headerkit]\nwriters = ["cffi", 7]\n', key: 'tool.headerkit.writers[1]', line: 5, message: /tool\.headerkit\.writers\[1\]: expected a string, found integer 7/},
    {name: 'an inline cache table', file: '.headerkit.toml', text: 'cache = {no_ir_cache = 1}\n', key: 'cache.no_ir_cache', line: 1, message: /cache\.no_ir_cache: expected a boolean .*found integer 1/},
    {name: 'a [[headers]] entry without pattern', file: '.headerkit.toml', text: '[[headers]]\npattern = "a.h"\n\n[[headers]]\ndefines = ["X"]\n', key: 'headers[1]', line: 4, message: /headers\[1\]: missing the required key 'pattern'/},
    {name: 'a per-header override of the wrong type', file: '.headerkit.toml', text: '[[headers]]\npattern = "a.h"\n\n[[headers]]\npattern = "b.h"\ninclude_dirs = "inc"\n', key: 'headers[1].include_dirs', line: 6, message: /headers\[1\]\.include_dirs: expected an array of strings, found string "inc"/},
    {name: 'a table-form header that is not a table', file: '.headerkit.toml', text: '[headers]\n"include/a.h" = "x"\n', key: 'headers."include/a.h"', line: 2, message: /headers\."include\/a\.h": expected a table of overrides for header 'include\/a\.h', found string "x"/},
    {name: 'a bad override in the table form', file: 'pyproject.toml', text: '[tool.headerkit.headers."include/a.h"]\ndefines = [1]\n', key: 'tool.headerkit.headers."include/a.h".defines[0]', line: 2, message: /expected a string, found integer 1/},
    {name: 'populate timeout', file: '.headerkit.toml', text: '[cache.populate]\ntimeout = "10m"\n', key: 'cache.populate.timeout', line: 2, message: /cache\.populate\.timeout: expected a positive integer, found string "10m"/},
    {name: 'python_versions as floats', file: '.headerkit.toml', text: '[cache.populate]\npython_versions = [3.12]\n', key: 'cache.populate.python_versions[0]', line: 2, message: /expected a string, found float 3\.12 \(quote the value to make it a string\)/},
    {name: 'an unknown engine for a platform', file: '.headerkit.toml', text: '[cache.populate.engines]\n"linux/amd64" = "docker"\n"linux/arm64:musl" = "qemu"\n', key: 'cache.populate.engines."linux/arm64:musl"', line: 3, message: /cache\.populate\.engines\."linux\/arm64:musl": unknown engine "qemu" \(use "auto", "docker" or "sysroot"\)/},
    {name: 'an output template that is not a string', file: '.headerkit.toml', text: '[output]\ncffi = ["a"]\n', key: 'output.cffi', line: 2, message: /output\.cffi: expected a string, found array/},
    {name: 'a [writer.NAME] that is not a table', file: '.headerkit.toml', text: '[writer]\ncffi = 1\n', key: 'writer.cffi', line: 2, message: /writer\.cffi: expected a table of writer options, found integer 1/},
    {name: 'tool.headerkit that is not a table', file: 'pyproject.toml', text: '[tool]\nheaderkit = "yes"\n', key: 'tool.headerkit', line: 2, message: /tool\.headerkit: expected a table, found string "yes"/},
  ]
  for (const c of typeCases) {
    it(`rejects ${c.name}, naming file, key, line, expected and found`, async () => {
      const {file, error} = await configError(c.file, c.text)
      assert.ok(error instanceof ConfigError)
      assert.equal(error.key, c.key)
      assert.equal(error.line, c.line)
      assert.ok(error.message.startsWith(`config error in ${file}${c.line === undefined ? '' : `:${c.line}`}: ${c.key}: `), error.message)
      assert.match(error.oneLine(), c.message)
    })
  }

  it('does not read rows of a multi-line array as table headers', async () => {
    const {error} = await configError('.headerkit.toml', '[cache]\nmatrix = [\n  ["x"],\n  ["y"],\n]\nno_cache = "yes"\n')
    assert.equal(error.key, 'cache.no_cache')
    assert.equal(error.line, 6)
  })

  it('does not read the inside of a multi-line string as keys', async () => {
    const {error} = await configError('.headerkit.toml', 'notes = """\n[cache]\nno_cache = 1\n"""\n\n[cache]\nno_cache = "yes"\n')
    assert.equal(error.key, 'cache.no_cache')
    assert.equal(error.line, 7)
  })

  it('finds sub-tables of the right [[headers]] entry', async () => {
    const text = '[[headers]]\npattern = "a.h"\n[headers.output]\ncffi = "a"\n\n[[headers]]\npattern = "b.h"\n[headers.output]\ncffi = 3\n'
    const {error} = await configError('.headerkit.toml', text)
    assert.equal(error.key, 'headers[1].output.cffi')
    assert.equal(error.line, 9)
  })

  it('warns once per unknown key (with a suggestion) and still loads', async () => {
    const {file, loaded, warnings} = await loadText('.headerkit.toml', 'writerz = ["cffi"]\nwriters = ["json"]\n\n[cache]\nno_cach = true\n\n[[headers]]\npattern = "a.h"\nbackend_args = ["-x"]\n')
    assert.deepEqual(loaded.config.writers, ['json'])
    assert.deepEqual(warnings.map(formatConfigWarning), [
      `${file}:1: writerz: unknown key, ignored (did you mean 'writers'?)`,
      `${file}:5: cache.no_cach: unknown key, ignored (did you mean 'no_cache'?)`,
      `${file}:9: headers[0].backend_args: per-header overrides use 'extra_args', not 'backend_args'; ignored`,
    ])
  })

  it('warns about unknown keys under [tool.headerkit] with the full key path', async () => {
    const {file, warnings} = await loadText('pyproject.toml', '[tool.headerkit]\nincludes = ["a"]\n')
    assert.deepEqual(warnings.map(formatConfigWarning), [`${file}:2: tool.headerkit.includes: unknown key, ignored`])
  })
})

describe('config: both forms of headers', () => {
  it('reads [[headers]] entries with their per-pattern overrides', async () => {
    const {loaded} = await loadText('.headerkit.toml', `
[[headers]]
pattern = "include/**/*.h"

[[headers]]
pattern = "vendor/special.h"
defines = ["VENDOR_MODE"]
include_dirs = ["vendor"]
extra_args = ["-std=c99"]
backend = "libclang"
target = "x86_64-linux-musl"
[headers.output]
cffi = "gen/{stem}_cffi.cdef.txt"
[headers.writer_options.cffi]
exclude_patterns = ["^_internal", "^zz"]
`)
    assert.deepEqual(loaded.config.headers, [
      {pattern: 'include/**/*.h', form: 'array', overrides: {}},
      {
        pattern: 'vendor/special.h',
        form: 'array',
        overrides: {
          defines: ['VENDOR_MODE'],
          includeDirs: ['vendor'],
          extraArgs: ['-std=c99'],
          backend: 'libclang',
          target: 'x86_64-linux-musl',
          output: {cffi: 'gen/{stem}_cffi.cdef.txt'},
          writerOptions: {cffi: {exclude_patterns: ['^_internal', '^zz']}},
        },
      },
    ])
  })

  it('reads [headers."path"] tables keyed by literal path', async () => {
    const {loaded} = await loadText('pyproject.toml', `
[tool.headerkit.headers."include/mylib.h"]
defines = ["MYLIB_API="]
include_dirs = ["include"]

[tool.headerkit.headers."include/other.h"]
`)
    assert.deepEqual(loaded.config.headers, [
      {pattern: 'include/mylib.h', form: 'table', overrides: {defines: ['MYLIB_API='], includeDirs: ['include']}},
      {pattern: 'include/other.h', form: 'table', overrides: {}},
    ])
  })
})

describe('config: ${VAR} expansion', () => {
  it('expands variables in strings, lists and nested tables, not in keys', async () => {
    const {loaded} = await loadText('.headerkit.toml', `
include_dirs = ["\${SDK}/include", "x"]
store_dir = "\${SDK}/store"
[output]
"\${SDK}" = "out/\${NAME}-{stem}.json"
[writer.cffi]
extra = {path = "\${SDK}", list = ["$SDK", "\${NAME}"]}
`, {SDK: '/opt/sdk', NAME: 'lib'})
    assert.deepEqual(loaded.config.includeDirs, ['/opt/sdk/include', 'x'])
    assert.equal(loaded.config.storeDir, '/opt/sdk/store')
    assert.deepEqual(loaded.config.output, {'${SDK}': 'out/lib-{stem}.json'})
    assert.deepEqual(loaded.config.writer, {cffi: {extra: {path: '/opt/sdk', list: ['$SDK', 'lib']}}})
  })

  it('fails on an unset variable, naming file, key path, line and variable', async () => {
    const {file, error} = await configError('pyproject.toml', '[tool.headerkit]\nwriters = ["cffi"]\ninclude_dirs = ["inc", "${CMAKE_INCLUDE}"]\n')
    assert.equal(error.oneLine(), `config error in ${file}:3: tool.headerkit.include_dirs[1]: environment variable 'CMAKE_INCLUDE' is not set (referenced as \${CMAKE_INCLUDE}) (set CMAKE_INCLUDE in the environment, or change the value)`)
  })

  it('substitutes a variable set to empty, and names it when that leaves a required value empty', async () => {
    const {loaded} = await loadText('.headerkit.toml', 'include_dirs = ["${PREFIX}/include"]\n', {PREFIX: ''})
    assert.deepEqual(loaded.config.includeDirs, ['/include'])
    const {error} = await configError('.headerkit.toml', 'writers = ["cffi"]\ninclude_dirs = ["${INC}"]\n', {INC: ''})
    assert.equal(error.key, 'include_dirs[0]')
    assert.equal(error.line, 2)
    assert.match(error.oneLine(), /expected a non-empty string, found an empty one \(after expanding \$\{INC\}, set to the empty string\) \(give INC a value\)/)
  })
})
