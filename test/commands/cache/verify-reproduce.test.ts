/**
 * The command: `cache verify --reproduce` (all) and `--reproduce=outputs` print each
 * difference as an error naming layer, slug and writer, exit 1 on any, print the summary
 * counts, give the report under --json, compose with --sources, and write nothing.
 */
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseJsonOutput, REPO_ROOT, runCli} from '../../support/cli.js'
import type {ReproduceReport} from '../../../src/verify/index.js'
import {entriesOf, generateInto, rewritePayload, shapesProject} from '../../verify/support.js'
import {treeHashes} from '../../support/tree.js'

describe('headerkit cache verify --reproduce', function () {
  this.timeout(180_000)

  it('passes a clean store with its summary, then fails a doctored one naming the entry, and never writes', async () => {
    const root = shapesProject()
    await generateInto(root)
    const store = join(root, '.headerkit')
    const clean = await runCli(['cache', 'verify', '--reproduce'], {cwd: root})
    assert.equal(clean.exitCode, 0, clean.stdout + clean.stderr)
    assert.match(clean.stdout, /^reproduce: 2\/2 outputs reproduced, 1\/1 IR entries re-parsed identical, 0 IR entries not re-parsed here$/m)

    const entry = entriesOf(store, 'output/ctypes')[0]!
    const text = readFileSync(join(entry.dir, 'output.py'), 'utf8')
    await rewritePayload(entry.dir, text.replace('import ctypes\n', 'import ctypes\nimport os\n'))
    const before = treeHashes(store)

    const cheap = await runCli(['cache', 'verify', '--sources', '--reproduce=outputs'], {cwd: root, env: {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so.1'}})
    assert.equal(cheap.exitCode, 1, cheap.stdout + cheap.stderr)
    assert.match(cheap.stdout, new RegExp(`^error {3}output/ctypes/${entry.slug.replace(/[.]/g, '\\.')}: output-differs: ctypes output of include/shapes\\.h \\(x86_64-pc-linux-gnu\\): differs from what the ctypes writer makes of ir/\\S+: line \\d+: stored "import os", made "import ctypes.util"$`, 'm'))
    assert.match(cheap.stdout, /^reproduce: 1\/2 outputs reproduced \(IR not re-parsed: --reproduce=outputs\)$/m)
    assert.match(cheap.stdout, /^FAILED: /m)

    const json = await runCli(['cache', 'verify', '--reproduce', '--json'], {cwd: root})
    assert.equal(json.exitCode, 1)
    const result = parseJsonOutput<{ok: boolean; reproduce: ReproduceReport}>(json)
    assert.equal(result.ok, false)
    assert.equal(result.reproduce.mode, 'all')
    assert.deepEqual(result.reproduce.outputs, {total: 2, reproduced: 1, failed: 1})
    assert.deepEqual(result.reproduce.ir, {total: 1, identical: 1, failed: 0, notReparsed: 0})
    assert.deepEqual(result.reproduce.differences.map((d) => [d.layer, d.slug, d.writer]), [['output/ctypes', entry.slug, 'ctypes']])
    assert.deepEqual(treeHashes(store), before)
  })

  it('the shipped pre-commit hook runs the cheap check: passes a fresh store, fails a stale one and a doctored output', async () => {
    // Debian's pre-commit installs a node hook with npm from a registry, which this machine cannot reach: the hook's definition is read and its command run.
    const hooks = readFileSync(join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')
    const field = (name: string): string | undefined => new RegExp(`^\\s*(?:-\\s+)?${name}:\\s*(.+)$`, 'm').exec(hooks)?.[1]?.trim()
    assert.equal(field('id'), 'headerkit-verify')
    assert.equal(field('language'), 'node')
    assert.equal(field('pass_filenames'), 'false')
    const entry = field('entry')!.split(/\s+/)
    assert.deepEqual(entry, ['headerkit', 'cache', 'verify', '--sources', '--reproduce=outputs'])
    const files = new RegExp(field('files')!)
    for (const staged of ['.headerkit/output/cffi/x/output.cdef.txt', 'include/shapes.h', 'pyproject.toml', 'src/deep/api.hpp']) assert.match(staged, files)
    assert.doesNotMatch('README.md', files)

    const root = shapesProject()
    await generateInto(root)
    const run = (): ReturnType<typeof runCli> => runCli(entry.slice(1), {cwd: root, env: {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so.1'}})
    assert.equal((await run()).exitCode, 0)
    const entryDir = entriesOf(join(root, '.headerkit'), 'output/cffi')[0]!.dir
    const text = readFileSync(join(entryDir, 'output.cdef.txt'), 'utf8')
    await rewritePayload(entryDir, text.replace('long area(', 'long area_('))
    const doctored = await run()
    assert.equal(doctored.exitCode, 1)
    assert.match(doctored.stdout, /output-differs: cffi output of include\/shapes\.h/)
    await rewritePayload(entryDir, text)
    writeFileSync(join(root, 'include/shapes.h'), `${readFileSync(join(root, 'include/shapes.h'), 'utf8')}int added(void);\n`)
    const stale = await run()
    assert.equal(stale.exitCode, 1)
    assert.match(stale.stdout, /source-missing/)
  })
})
