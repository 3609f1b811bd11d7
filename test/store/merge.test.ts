import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {compareVersions, lookupIr, lookupOutput, openStore, storeMerge, verifyStore, writeIr, writeOutput} from '../../src/store/index.js'
import {makeTempDir} from '../support/tmp.js'
import {irParams, outputParams} from './support/entries.js'

function allText(dir: string): string {
  let out = ''
  for (const e of readdirSync(dir, {withFileTypes: true, recursive: true})) if (e.isFile()) out += readFileSync(join(e.parentPath, e.name), 'utf8')
  return out
}

describe('store merge', () => {
  it('matches by key: new entries copied, same key and bytes skipped; the result verifies', async () => {
    const top = makeTempDir()
    const a = openStore(join(top, 'a'))
    const b = openStore(join(top, 'b'))
    const wa = await writeIr(a, irParams('one'))
    await writeOutput(a, await outputParams('one'))
    await writeIr(b, irParams('one'))
    const wb = await writeIr(b, irParams('two'))
    const target = openStore(join(top, 'merged'))
    const r = await storeMerge([a.root, b.root], target.root)
    assert.equal(r.ok, true)
    assert.equal(r.new, 3)
    assert.equal(r.skipped, 1)
    assert.deepEqual([r.renamed, r.replaced, r.conflicts, r.errors], [[], [], [], []])
    assert.ok((await lookupIr(target, wa.key)).hit)
    assert.ok((await lookupIr(target, wb.key)).hit)
    assert.ok((await lookupOutput(target, 'cffi', (await writeOutput(a, await outputParams('one'))).key)).hit)
    const v = await verifyStore(target)
    assert.deepEqual(v.problems, [])
    const again = await storeMerge([a.root, b.root], target.root)
    assert.deepEqual([again.new, again.skipped], [0, 4])
  })

  it('keeps glibc and musl entries of one header apart', async () => {
    const top = makeTempDir()
    const gnu = openStore(join(top, 'gnu'))
    const musl = openStore(join(top, 'musl'))
    await writeIr(gnu, irParams('a'))
    await writeIr(musl, irParams('a', {target: 'x86_64-pc-linux-musl'}))
    const r = await storeMerge([gnu.root, musl.root], join(top, 't'))
    assert.deepEqual([r.new, r.renamed.length], [2, 0])
    assert.deepEqual(readdirSync(join(top, 't/ir')).filter((n) => n.startsWith('libclang')).sort(), ['libclang.a.x86_64-linux-gnu.d.DEBUG.i.include.args.std=c11', 'libclang.a.x86_64-linux-musl.d.DEBUG.i.include.args.std=c11'])
  })

  it('reports the same key with different bytes as a conflict and keeps the target entry', async () => {
    const top = makeTempDir()
    const a = openStore(join(top, 'a'))
    const b = openStore(join(top, 'b'))
    const wa = await writeIr(a, irParams('one'))
    await writeIr(b, {...irParams('one'), ir: {kind: 'header', nondeterministic: true}})
    const t = join(top, 't')
    await storeMerge([a.root], t)
    const r = await storeMerge([b.root], t)
    assert.equal(r.ok, false)
    assert.equal(r.conflicts.length, 1)
    assert.equal(r.conflicts[0]!.key, wa.key)
    const hit = await lookupIr(openStore(t), wa.key)
    assert.ok(hit.hit)
    assert.equal((hit.payload as {nondeterministic?: boolean}).nondeterministic, undefined)
  })

  it('gives a fresh slug to a new key whose slug is taken, unless it is the same entry in a newer version', async () => {
    const top = makeTempDir()
    const t = join(top, 't')
    const old = openStore(join(top, 'old'), {toolVersion: '0.9.0'})
    await writeIr(old, irParams('a'))
    // Same logical entry, different header bytes, same version: both kept.
    const edited = openStore(join(top, 'edited'), {toolVersion: '0.9.0'})
    const we = await writeIr(edited, irParams('a', {header: {path: 'include/a.h', hash: 'e'.repeat(64), sha256: 'e'.repeat(64)}}))
    await storeMerge([old.root], t)
    const r1 = await storeMerge([edited.root], t)
    assert.deepEqual(r1.renamed.map((x) => [x.from, x.to]), [[we.slug, `${we.slug}-2`]])
    assert.equal(r1.ok, true)

    // Same logical entry made by a newer headerkit (and extractor): replaces the old one.
    const t2 = join(top, 't2')
    await storeMerge([old.root], t2)
    const newer = openStore(join(top, 'newer'), {toolVersion: '0.10.0'})
    const wn = await writeIr(newer, irParams('a', {extractorVersion: '1.1.0'}))
    const r2 = await storeMerge([newer.root], t2)
    assert.deepEqual(r2.replaced.map((x) => [x.slug, x.reason]), [[wn.slug, 'newer-version']])
    const target2 = openStore(t2)
    assert.ok((await lookupIr(target2, wn.key)).hit)
    assert.deepEqual((await verifyStore(target2)).problems, [])

    // The older one merged into the newer target does not replace it.
    const r3 = await storeMerge([old.root], t2)
    assert.equal(r3.replaced.length, 0)
    assert.equal(r3.renamed.length, 1)
    assert.ok((await lookupIr(target2, wn.key)).hit)
  })

  it('refuses a symlink inside a source entry; the outside file never reaches the target', async () => {
    const top = makeTempDir()
    writeFileSync(join(top, 'id_rsa'), 'PRIVATE KEY MATERIAL')
    const src = openStore(join(top, 'src'))
    const ow = await writeOutput(src, await outputParams('a'))
    await writeIr(src, irParams('b'))
    const file = join(src.root, 'output/cffi', ow.slug, 'output.py')
    rmSync(file)
    symlinkSync(join(top, 'id_rsa'), file)
    const t = join(top, 't')
    const r = await storeMerge([src.root], t)
    assert.equal(r.ok, false)
    assert.equal(r.new, 1)
    assert.equal(r.errors.length, 1)
    assert.equal(r.errors[0]!.path, join(src.root, 'output/cffi', ow.slug))
    assert.match(r.errors[0]!.message, /output\.py is a symlink/)
    assert.ok(!allText(t).includes('PRIVATE KEY'))
  })

  it('refuses a symlinked layer or entry directory and a fifo, naming each path', async () => {
    const top = makeTempDir()
    const src = openStore(join(top, 'src'))
    const w = await writeIr(src, irParams('a'))
    mkdirSync(join(top, 'outside/entry'), {recursive: true})
    writeFileSync(join(top, 'outside/entry/metadata.json'), '{}')
    symlinkSync(join(top, 'outside/entry'), join(src.root, 'ir', 'libclang.linked'))
    execFileSync('mkfifo', [join(src.root, 'ir', w.slug, 'pipe')])
    execFileSync('mkfifo', [join(src.root, 'ir', 'fifo-in-layer')])
    mkdirSync(join(src.root, 'output'))
    symlinkSync(join(top, 'outside'), join(src.root, 'output', 'cffi'))
    const t = join(top, 't')
    const r = await storeMerge([src.root], t)
    const paths = r.errors.map((e) => e.path).sort()
    assert.deepEqual(paths, [join(src.root, 'ir', 'fifo-in-layer'), join(src.root, 'ir', 'libclang.linked'), join(src.root, 'ir', w.slug), join(src.root, 'output', 'cffi')].sort())
    assert.match(r.errors.find((e) => e.path.endsWith(w.slug))!.message, /pipe is a fifo/)
    assert.equal(r.new, 0)
    assert.ok(!existsSync(join(t, 'output/cffi')))
  })

  it('merges the sound entries of a source whose index was overwritten by another store (artifact merge)', async () => {
    const top = makeTempDir()
    const gnu = openStore(join(top, 'gnu'))
    const other = openStore(join(top, 'other'))
    const w1 = await writeIr(gnu, irParams('a'))
    const w2 = await writeIr(gnu, irParams('b'))
    await writeIr(other, irParams('a', {header: {path: 'include/a.h', hash: 'f'.repeat(64), sha256: 'f'.repeat(64)}}))
    writeFileSync(join(gnu.root, 'ir/index.json'), readFileSync(join(other.root, 'ir/index.json')))
    const t = join(top, 't')
    const r = await storeMerge([gnu.root], t)
    assert.equal(r.ok, true)
    assert.equal(r.new, 2)
    assert.equal(r.warnings.length, 1)
    assert.ok((await lookupIr(openStore(t), w1.key)).hit && (await lookupIr(openStore(t), w2.key)).hit)
  })

  it('does not copy a damaged source entry', async () => {
    const top = makeTempDir()
    const src = openStore(join(top, 'src'))
    const w = await writeIr(src, irParams('a'))
    writeFileSync(join(src.root, 'ir', w.slug, 'ir.json'), '{"tampered": true}\n')
    const r = await storeMerge([src.root], join(top, 't'))
    assert.equal(r.ok, false)
    assert.match(r.errors[0]!.message, /ir\.json has \d+ bytes|does not match/)
    assert.equal(r.new, 0)
    assert.ok(!existsSync(join(top, 't/ir', w.slug)))
  })

  it('a source store that does not exist, or a target that is a file: one error, nothing written', async () => {
    const top = makeTempDir()
    const good = openStore(join(top, 'good'))
    await writeIr(good, irParams('a'))
    await assert.rejects(storeMerge([good.root, join(top, 'missing')], join(top, 't')), (e: Error) => /source store not found: .*missing/.test(e.message))
    assert.ok(!existsSync(join(top, 't')))
    writeFileSync(join(top, 'file'), 'x')
    await assert.rejects(storeMerge([good.root], join(top, 'file')), /merge target is not a directory/)
    assert.equal(readFileSync(join(top, 'file'), 'utf8'), 'x')
    await assert.rejects(storeMerge([join(top, 'file')], join(top, 't')), /source store is not a directory/)
    assert.ok(!existsSync(join(top, 't')))
  })

  it('orders versions numerically', () => {
    assert.equal(compareVersions('0.10.0', '0.9.1'), 1)
    assert.equal(compareVersions('1.0.0', '1.0.0'), 0)
    assert.equal(compareVersions('1.0.0-rc.1', '1.0.0'), -1)
    assert.equal(compareVersions('2', '1.9'), 1)
  })
})
