/**
 * Inputs a user gets wrong, through the shipped CLI: each is one line that names what
 * and where, with the right exit code, and a header that is C but not named `.h` works.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {appendFileSync, copyFileSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {execa} from 'execa'
import {join} from 'node:path'
import {buildBundle, demoProject, errorLine, runBuilt} from '../support/built-cli.js'

describe('bad input, through the shipped CLI', function () {
  this.timeout(120_000)
  before(buildBundle)

  describe('headers without a .h extension', () => {
    for (const name of ['api.inc', 'api.hpp', 'api']) {
      it(`${name} parses as a C header, with the bindings of the same header named .h`, async () => {
        const dir = demoProject()
        copyFileSync(join(dir, 'include/demo.h'), join(dir, 'include/api.h'))
        copyFileSync(join(dir, 'include/demo.h'), join(dir, `include/${name}`))
        const out = ['-w', 'cffi', '--no-cache', '-o', 'cffi:out/{name}.txt']
        const asH = await runBuilt(['include/api.h', ...out], {cwd: dir})
        assert.equal(asH.exitCode, 0, asH.stderr)
        const other = await runBuilt([`include/${name}`, ...out], {cwd: dir})
        assert.equal(other.exitCode, 0, other.stderr)
        const text = readFileSync(join(dir, `out/${name}.txt`), 'utf8')
        assert.match(text, /demo_open/)
        assert.equal(text, readFileSync(join(dir, 'out/api.h.txt'), 'utf8'))
      })
    }

    it('the user\'s own -x wins', async () => {
      const dir = demoProject()
      writeFileSync(join(dir, 'include/api.hpp'), 'namespace n { int f(); }\n')
      const asC = await runBuilt(['include/api.hpp', '-w', 'cffi', '--no-cache'], {cwd: dir})
      assert.equal(asC.exitCode, 1, 'C++ parsed as C must fail')
      const asCxx = await runBuilt(['include/api.hpp', '-w', 'json', '--no-cache', '--backend-arg=-xc++'], {cwd: dir})
      assert.equal(asCxx.exitCode, 0, asCxx.stderr)
    })

    it('a binary file or a directory is not a header', async () => {
      const dir = demoProject()
      writeFileSync(join(dir, 'include/blob.h'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]))
      const blob = await runBuilt(['include/blob.h', '-w', 'cffi'], {cwd: dir})
      assert.equal(blob.exitCode, 1)
      assert.match(errorLine(blob), /not a C header: include\/blob\.h holds binary data/)
      const folder = await runBuilt(['include', '-w', 'cffi'], {cwd: dir})
      assert.equal(folder.exitCode, 1)
      assert.match(errorLine(folder), /not a file: include/)
    })
  })

  describe('smaller points', () => {
    it('a broken pyproject.toml that mentions tool.headerkit reports its syntax error', async () => {
      for (const text of ['[[tool.headerkit.headers]]\npattern = "include/demo.h"\nbroken = [\n', '[tool.headerkit\nwriters = ["cffi"]\n']) {
        const dir = demoProject()
        writeFileSync(join(dir, 'pyproject.toml'), text)
        const r = await runBuilt([], {cwd: dir})
        assert.equal(r.exitCode, 1, r.stderr)
        assert.match(errorLine(r), /config error in .*pyproject\.toml.*TOML syntax error/)
      }
    })

    it('--exclude removing every header blames --exclude', async () => {
      const r = await runBuilt(['--exclude', 'include/*'], {cwd: demoProject()})
      assert.equal(r.exitCode, 2)
      assert.match(errorLine(r), /every header configured \(1\) was excluded by --exclude/)
    })

    it('--target with an unknown arch echoes what the user typed', async () => {
      const r = await runBuilt(['include/demo.h', '-w', 'cffi', '--target', 'foo-bar-baz'], {cwd: demoProject()})
      assert.equal(r.exitCode, 2)
      assert.match(errorLine(r), /unknown architecture 'foo' in target triple 'foo-bar-baz' \(from --target\)/)
    })

    it('HEADERKIT_LIBCLANG is named as the source of a bad libclang path', async () => {
      const r = await runBuilt(['include/demo.h', '-w', 'cffi', '--no-cache'], {cwd: demoProject(), env: {HEADERKIT_LIBCLANG: '/nope'}})
      assert.equal(r.exitCode, 1)
      assert.match(errorLine(r), /libclang not found at \/nope \(from HEADERKIT_LIBCLANG\)/)
      assert.doesNotMatch(r.stderr, /--libclang/)
    })

    it('cache populate refuses a backend generation would refuse', async () => {
      const r = await runBuilt(['cache', 'populate', '--backend', 'gcc', '--dry-run', '--platform', 'linux/arm64'], {cwd: demoProject()})
      assert.equal(r.exitCode, 2)
      assert.match(errorLine(r), /unknown parser backend 'gcc' \(from --backend\)/)
    })

    it('a typo\'d writer name under [output] or [writer.*] warns with the likely name', async () => {
      const dir = demoProject()
      const pyproject = join(dir, 'pyproject.toml')
      writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace(/^json = "bindings/m, 'jsn = "bindings/'))
      appendFileSync(pyproject, '\n[tool.headerkit.writer.cfi]\nexclude_patterns = ["x"]\n')
      const r = await runBuilt([], {cwd: dir})
      assert.equal(r.exitCode, 0, r.stderr)
      assert.match(r.stderr, /Warning: output\.jsn in .*pyproject\.toml names no writer.*did you mean output\.json\?/)
      assert.match(r.stderr, /Warning: writer\.cfi in .*pyproject\.toml names no writer.*did you mean writer\.cffi\?/)
    })

    it('-o naming a pipe writes into it, and a symlinked output stays a link', async () => {
      const dir = demoProject()
      const fifo = join(dir, 'pipe')
      execFileSync('mkfifo', [fifo])
      const reader = execa('cat', [fifo])
      const r = await runBuilt(['include/demo.h', '-w', 'cffi', '-o', 'cffi:pipe'], {cwd: dir, timeoutMs: 20_000})
      assert.equal(r.exitCode, 0, r.stderr)
      const read = await reader
      assert.match(read.stdout, /demo_open/)
      assert.ok(lstatSync(fifo).isFIFO(), 'the pipe must not be replaced by a file')
      symlinkSync('bindings/real.txt', join(dir, 'link.txt'))
      const linked = await runBuilt(['include/demo.h', '-w', 'cffi', '-o', 'cffi:link.txt'], {cwd: dir})
      assert.equal(linked.exitCode, 0, linked.stderr)
      assert.ok(lstatSync(join(dir, 'link.txt')).isSymbolicLink())
      assert.match(readFileSync(join(dir, 'bindings/real.txt'), 'utf8'), /demo_open/)
    })

    it('-o naming a directory says so', async () => {
      const dir = demoProject()
      mkdirSync(join(dir, 'out'))
      const r = await runBuilt(['include/demo.h', '-w', 'cffi', '-o', 'cffi:out'], {cwd: dir})
      assert.equal(r.exitCode, 1)
      assert.match(errorLine(r), /writes .*out, which is a directory/)
      assert.doesNotMatch(r.stderr, /writable/)
    })
  })
})
