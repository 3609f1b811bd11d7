/**
 * The Python reader serves universal outputs byte for byte as the Node tool wrote them
 * (ctypes and cffi, every target the store holds or those universal_targets names), with
 * neither node nor libclang reachable, and misses when a named target is not in the store.
 */
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {AARCH64, universalProject, X86_64} from '../support/universal-project.js'
import {runNode, runReader} from './support/python.js'

describe('Python reader: universal outputs', function () {
  this.timeout(240_000)
  let dir: string

  before(async () => {
    dir = await universalProject([X86_64, AARCH64], 'hk-py-universal-')
  })

  async function node(args: string[]): Promise<string> {
    const r = await runNode(['include/uni.h', ...args], {cwd: dir})
    assert.equal(r.exitCode, 0, r.stderr)
    return r.stdout.toString('utf8')
  }

  it('serves the universal ctypes and cffi modules byte for byte', async () => {
    for (const writer of ['ctypes', 'cffi']) {
      const text = await node(['-w', writer, '--universal'])
      assert.match(text, /^TARGET, _problem = _select\(\)$/m)
      const py = await runReader(['include/uni.h', '-w', writer, '--writer-opt', `${writer}:universal=true`], {cwd: dir})
      assert.equal(py.exitCode, 0, py.stderr)
      assert.equal(py.stdout.toString('utf8'), text)
      const flag = await runReader(['include/uni.h', '-w', writer, '--universal'], {cwd: dir})
      assert.equal(flag.exitCode, 0, flag.stderr)
      assert.equal(flag.stdout.toString('utf8'), text)
    }
  })

  it('serves the module narrowed by universal_targets, and from the config, the same bytes', async () => {
    const text = await node(['-w', 'ctypes', '--universal', '--target', 'aarch64-linux-gnu'])
    const py = await runReader(['include/uni.h', '-w', 'ctypes', '--writer-opt', 'ctypes:universal=true', '--writer-opt', 'ctypes:universal_targets=aarch64-linux-gnu'], {cwd: dir})
    assert.equal(py.exitCode, 0, py.stderr)
    assert.equal(py.stdout.toString('utf8'), text)
    const flags = await runReader(['include/uni.h', '-w', 'ctypes', '--universal', '--target', 'aarch64-linux-gnu'], {cwd: dir})
    assert.equal(flags.stdout.toString('utf8'), text, flags.stderr)
    const twice = await runReader(['include/uni.h', '-w', 'ctypes', '--target', 'aarch64-linux-gnu', '--target', 'x86_64-linux-gnu'], {cwd: dir})
    assert.equal(twice.exitCode, 2, twice.stderr)
    assert.match(twice.stderr, /--target was given 2 times, but a request without --universal takes one target/)
    writeFileSync(join(dir, 'pyproject.toml'), `${readFileSync(join(dir, 'pyproject.toml'), 'utf8')}\n[tool.headerkit.writer.cffi]\nuniversal = true\n`)
    const all = await node(['-w', 'cffi'])
    assert.match(all, /# {3}x86_64-pc-linux-gnu: ir\//)
    const fromConfig = await runReader(['include/uni.h', '-w', 'cffi'], {cwd: dir})
    assert.equal(fromConfig.exitCode, 0, fromConfig.stderr)
    assert.equal(fromConfig.stdout.toString('utf8'), all)
  })

  it('misses, naming the target, when universal_targets names one the store does not hold', async () => {
    const py = await runReader(['include/uni.h', '-w', 'ctypes', '--writer-opt', 'ctypes:universal=true', '--writer-opt', 'ctypes:universal_targets=riscv64-linux-gnu'], {cwd: dir})
    assert.notEqual(py.exitCode, 0)
    assert.match(py.stderr, /the universal output covers riscv64-unknown-linux-gnu, and no entry for target riscv64-unknown-linux-gnu/)
  })
})
