import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {blake3Hex} from '../../../src/hash/blake3.js'
import {parseJsonOutput, REPO_ROOT, runCli} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'

const GOOD = join(REPO_ROOT, 'fixtures/stores/good')
const SLUG = 'libclang.mylib.x86_64-linux-gnu.d.DEBUG.i.include.args.std=c11'

describe('headerkit store merge', () => {
  it('prints new / skipped counts and merges again as all skipped (--json)', async () => {
    const dir = makeTempDir()
    const r = await runCli(['store', 'merge', GOOD, '-o', 'merged'], {cwd: dir})
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /^Merged into merged:\n {2}New entries: 6\n {2}Skipped \(already present\): 0\n {2}Renamed \(slug taken by another key\): 0\n {2}Replaced \(same entry, newer version\): 0\n {2}Conflicts \(same key, different bytes\): 0$/)
    const j = await runCli(['store', 'merge', GOOD, GOOD, '--output', 'merged', '--json'], {cwd: dir})
    assert.equal(j.exitCode, 0, j.stderr)
    const result = parseJsonOutput<{new: number; skipped: number; ok: boolean}>(j)
    assert.deepEqual([result.new, result.skipped, result.ok], [0, 12, true])
    assert.equal((await runCli(['cache', 'verify', '--store-dir', 'merged'], {cwd: dir})).exitCode, 0)
  })

  it('a conflict and a symlinked file: listed on stderr, exit 1, the outside file not copied', async () => {
    const dir = makeTempDir()
    cpSync(GOOD, join(dir, 'target'), {recursive: true})
    cpSync(GOOD, join(dir, 'src'), {recursive: true})
    // Same key, different bytes (metadata kept consistent with the new bytes is not possible
    // without the key changing, so tamper with a copy that also rewrites the recorded hash).
    const meta = join(dir, 'src/output/json', SLUG, 'metadata.json')
    const m = JSON.parse(readFileSync(meta, 'utf8'))
    const text = '{"name": "different"}\n'
    m.files['output.txt'] = {size: Buffer.byteLength(text), blake3: await blake3Hex(text), sha256: createHash('sha256').update(text).digest('hex')}
    writeFileSync(meta, JSON.stringify(m))
    writeFileSync(join(dir, 'src/output/json', SLUG, 'output.txt'), text)
    writeFileSync(join(dir, 'secret'), 'TOP SECRET')
    rmSync(join(dir, 'src/output/cffi', SLUG, 'output.py'))
    symlinkSync(join(dir, 'secret'), join(dir, 'src/output/cffi', SLUG, 'output.py'))
    const r = await runCli(['store', 'merge', 'src', '-o', 'target'], {cwd: dir})
    assert.equal(r.exitCode, 1)
    assert.match(r.stdout, /Conflicts \(same key, different bytes\): 1/)
    assert.match(r.stdout, /Errors: 1/)
    assert.match(r.stderr, /conflict: output\/json\/libclang\.mylib\..*: src has different bytes/)
    assert.match(r.stderr, /error: src\/output\/cffi\/libclang\.mylib\..*: output\.py is a symlink/)
    const j = parseJsonOutput<{ok: boolean; conflicts: unknown[]; errors: {path: string}[]}>(await runCli(['store', 'merge', 'src', '-o', 'target', '--json'], {cwd: dir}))
    assert.deepEqual([j.ok, j.conflicts.length, j.errors.length], [false, 1, 1])
    for (const e of readdirSync(join(dir, 'target'), {withFileTypes: true, recursive: true})) {
      if (e.isFile()) assert.ok(!readFileSync(join(e.parentPath, e.name), 'utf8').includes('TOP SECRET'), join(e.parentPath, e.name))
      assert.ok(!e.isSymbolicLink())
    }
  })

  it('a missing source or a file as target: one error line, exit 1, nothing written', async () => {
    const dir = makeTempDir()
    const r = await runCli(['store', 'merge', GOOD, 'nope', '-o', 'out'], {cwd: dir})
    assert.equal(r.exitCode, 1)
    assert.equal(r.stderr.trim(), 'Error: source store not found: nope (check the path; nothing was merged)')
    assert.ok(!existsSync(join(dir, 'out')))
    writeFileSync(join(dir, 'file'), '')
    const f = await runCli(['store', 'merge', GOOD, '-o', 'file'], {cwd: dir})
    assert.equal(f.exitCode, 1)
    assert.match(f.stderr.trim(), /^Error: merge target is not a directory: file \(/)
  })

  it('without -o it is a usage error (exit 2)', async () => {
    const r = await runCli(['store', 'merge', GOOD], {cwd: makeTempDir()})
    assert.equal(r.exitCode, 2)
    assert.match(r.stderr, /^Error: missing required flag --output \(run `headerkit store merge --help` for the flags\)$/)
  })
})
