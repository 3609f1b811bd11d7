/**
 * The ctypes module's layout self-check, run by /usr/bin/python3: a module whose records
 * ctypes lays out as the IR says imports; one whose IR disagrees with what ctypes does on
 * this machine refuses to import in one ImportError naming the record, the member and
 * both values; the layout_check option turns the check off.
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Header, Struct} from '../../src/ir/types.js'
import {parseHeader} from '../../src/parse/index.js'
import {getWriter, resolveWriterOptions} from '../../src/writers/index.js'
import {UNIVERSAL_FIXTURE, X86_64} from '../support/universal-project.js'
import {makeTempDir} from '../support/tmp.js'
import {PYTHON, run, systemIr} from './helpers.js'

const ctypes = getWriter('ctypes')

function record(ir: Header, name: string): Struct {
  return ir.declarations.find((d): d is Struct => d.kind === 'struct' && d.name === name)!
}

describe('ctypes layout self-check, run by /usr/bin/python3', function () {
  this.timeout(120_000)
  let dir: string
  let uni: Header
  let n = 0

  before(async () => {
    dir = makeTempDir('hk-ctypes-check-')
    uni = (await parseHeader({header: join(UNIVERSAL_FIXTURE, 'include/uni.h'), projectRoot: UNIVERSAL_FIXTURE, target: X86_64, args: []})).ir
  })

  /** Writes the module for `ir` and imports it: the exit status and the last line of stderr. */
  function importModule(ir: Header, flags: string[] = [], edit: (text: string) => string = (t) => t): {status: number | null; error: string; stderr: string} {
    const name = `m${n++}`
    writeFileSync(join(dir, `${name}.py`), edit(ctypes.write(ir, resolveWriterOptions(ctypes, {flags}), {target: X86_64})))
    const r = run(PYTHON, ['-c', `import ${name}; print('imported')`], {cwd: dir})
    return {status: r.status, error: r.stderr.trim().split('\n').pop() ?? '', stderr: r.stderr}
  }

  it('imports when the IR is this platform\'s (records with bitfields, packed and anonymous members included)', async () => {
    assert.equal(importModule(uni).status, 0)
    const sqlite = await systemIr('sqlite3')
    const text = ctypes.write(sqlite, resolveWriterOptions(ctypes, {}), {target: X86_64})
    assert.ok(text.split('\n').filter((l) => l.startsWith('_check((')).length > 5, 'sqlite3.h has records, each checked')
    assert.equal(importModule(sqlite).status, 0)
  })

  it('refuses a member offset the IR gives and ctypes does not, naming the record, the member and both offsets', () => {
    const ir = structuredClone(uni)
    record(ir, 'uni_point').fields[1]!.offset_bits = 16
    const r = importModule(ir)
    assert.notEqual(r.status, 0)
    assert.match(r.error, /^ImportError: m\d+: the layout of struct uni_point disagrees with the IR for x86_64-pc-linux-gnu: member 'y' is at byte 4 in ctypes, byte 2 in the IR; .*regenerate them for this platform/)
    assert.ok(!/^\s+File .*ctypes/.test(r.stderr.split('\n').slice(-3).join('\n')), 'the traceback ends at the module, not inside the check')
  })

  it('refuses a size and an alignment the IR gives and ctypes does not', () => {
    const small = structuredClone(uni)
    record(small, 'uni_regs').size = 8
    assert.match(importModule(small).error, /the layout of struct uni_regs disagrees with the IR for x86_64-pc-linux-gnu: its size is 10 bytes in ctypes, 8 in the IR/)
    const aligned = structuredClone(uni)
    record(aligned, 'uni_point').align = 8
    assert.match(importModule(aligned).error, /the layout of struct uni_point disagrees .*: its alignment is 4 in ctypes, 8 in the IR/)
  })

  it('checks a bitfield by its bit position and width', () => {
    const position = importModule(uni, [], (t) => t.replace("('level', 9, 3)", "('level', 10, 3)"))
    assert.match(position.error, /the layout of struct uni_packet disagrees .*: member 'level' is at bit 9 in ctypes, bit 10 in the IR/)
    const width = importModule(uni, [], (t) => t.replace("('level', 9, 3)", "('level', 9, 4)"))
    assert.match(width.error, /bitfield 'level' is 3 bits wide in ctypes, 4 in the IR/)
  })

  it('is left out with layout_check=false', () => {
    const ir = structuredClone(uni)
    record(ir, 'uni_point').fields[1]!.offset_bits = 16
    const off = ctypes.write(ir, resolveWriterOptions(ctypes, {flags: ['ctypes:layout_check=false']}), {target: X86_64})
    assert.ok(!off.includes('_check(') && !off.includes('_layout_problem'))
    assert.equal(importModule(ir, ['ctypes:layout_check=false']).status, 0)
  })
})
