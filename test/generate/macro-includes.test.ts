/**
 * A header that includes a file by a macro (`#include INC`): the static include scan
 * cannot see it, so its bytes are not in the keys. The files the parser read are
 * recorded with the IR and with every output, and re-checked before either is served.
 */
import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseJsonOutput, runCli} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'

/** A project whose inc/a.h includes inc/b.h through a macro (`#include INC`). */
function macroProject(prefix: string): string {
  const dir = makeTempDir(prefix)
  mkdirSync(join(dir, '.git'))
  mkdirSync(join(dir, 'inc'))
  writeFileSync(join(dir, 'inc/a.h'), '#define INC "b.h"\n#include INC\nint f(struct s *p);\n')
  writeFileSync(join(dir, 'inc/b.h'), 'struct s { int x; };\n')
  return dir
}

describe('an include named by a macro', function () {
  this.timeout(120_000)

  it('is never served stale from the output cache, and the store catches up after a change', async () => {
    const dir = macroProject('hk-macro-inc-')
    const run = async (): Promise<{source: string; text: string}> => {
      const r = await runCli(['inc/a.h', '-w', 'cffi', '-o', 'cffi:out.txt', '--json'], {cwd: dir})
      assert.equal(r.exitCode, 0, r.stderr)
      return {source: parseJsonOutput<{results: {source: string}[]}>(r).results[0]!.source, text: readFileSync(join(dir, 'out.txt'), 'utf8')}
    }
    assert.equal((await run()).source, 'parsed')
    assert.equal((await run()).source, 'output-cache')

    writeFileSync(join(dir, 'inc/b.h'), 'struct s { int x; long y; };\n')
    const changed = await run()
    assert.equal(changed.source, 'parsed')
    assert.match(changed.text, /long y;/)
    const served = await run()
    assert.equal(served.source, 'output-cache', 'the new parse replaces the entries whose recorded reads went stale')
    assert.match(served.text, /long y;/)

    writeFileSync(join(dir, 'inc/b.h'), 'struct s { int x; };\n')
    const back = await run()
    assert.equal(back.source, 'parsed')
    assert.doesNotMatch(back.text, /long y;/)
    const verify = await runCli(['cache', 'verify'], {cwd: dir})
    assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr)
  })

  it('store merge keeps whichever entry matches the project files, instead of a conflict', async () => {
    const dir = macroProject('hk-macro-merge-')
    const generate = async (storeDir: string): Promise<void> => {
      const r = await runCli(['inc/a.h', '-w', 'cffi', '-o', 'cffi:out.txt', '--store-dir', storeDir], {cwd: dir})
      assert.equal(r.exitCode, 0, r.stderr)
    }
    await generate('.headerkit') // the committed store, made before the change
    writeFileSync(join(dir, 'inc/b.h'), 'struct s { int x; long y; };\n')
    const artifact = join(makeTempDir('hk-macro-artifact-'), 'store')
    await generate(artifact) // a CI job's store, made after it

    // The stale committed entries are replaced by the artifact's.
    const merged = await runCli(['store', 'merge', artifact, '-o', '.headerkit', '--json'], {cwd: dir})
    assert.equal(merged.exitCode, 0, merged.stdout + merged.stderr)
    const result = parseJsonOutput<{conflicts: unknown[]; replaced: {reason: string}[]}>(merged)
    assert.deepEqual(result.conflicts, [])
    assert.deepEqual(result.replaced.map((r) => r.reason), ['superseded', 'superseded'], 'the IR and the cffi output')
    const served = await runCli(['inc/a.h', '-w', 'cffi', '-o', 'cffi:out.txt', '--json'], {cwd: dir})
    assert.equal(parseJsonOutput<{results: {source: string}[]}>(served).results[0]!.source, 'output-cache')
    assert.match(readFileSync(join(dir, 'out.txt'), 'utf8'), /long y;/)

    // Merging a stale store into a current one keeps the current entries, with a warning.
    writeFileSync(join(dir, 'inc/b.h'), 'struct s { int x; };\n')
    const old = join(makeTempDir('hk-macro-old-'), 'store')
    await generate(old)
    writeFileSync(join(dir, 'inc/b.h'), 'struct s { int x; long y; };\n')
    const back = await runCli(['store', 'merge', old, '-o', '.headerkit'], {cwd: dir})
    assert.equal(back.exitCode, 0, back.stdout + back.stderr)
    assert.match(back.stderr, /stale: files its parser read have changed since/)
    const again = await runCli(['inc/a.h', '-w', 'cffi', '-o', 'cffi:out.txt', '--json'], {cwd: dir})
    assert.equal(parseJsonOutput<{results: {source: string}[]}>(again).results[0]!.source, 'output-cache')
  })
})
