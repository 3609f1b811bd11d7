/**
 * The merge of per-target renderings into one universal module: what is equal on every
 * target is written once, what differs is written per target (targets with the same
 * text share a branch), and every target still gets its items in its own order.
 */
import assert from 'node:assert/strict'
import type {Header} from '../../src/ir/types.js'
import {mergeGroup, mergeOrder, partLines, type Item} from '../../src/writers/universal/merge.js'
import {universalCtypes} from '../../src/writers/universal/ctypes.js'
import {getWriter, resolveWriterOptions} from '../../src/writers/index.js'

const item = (key: string, ...lines: string[]): Item => ({key, lines})
const A = 'aarch64-unknown-linux-gnu'
const X = 'x86_64-pc-linux-gnu'
const I = 'i686-pc-linux-gnu'

/** The lines a target runs: shared lines, plus the body of the branch naming it. */
function linesFor(python: string[], target: string): string[] {
  const out: string[] = []
  let inBranch: boolean | undefined
  for (const line of python) {
    const branch = /^(?:if|elif) TARGET (?:== '([^']+)'|in \(([^)]*)\)):$/.exec(line)
    if (branch) {
      inBranch = (branch[1] ? [branch[1]] : branch[2]!.split(', ').map((t) => t.slice(1, -1))).includes(target)
      continue
    }
    if (line.startsWith('    ') && inBranch !== undefined) {
      if (inBranch) out.push(line.slice(4))
      continue
    }
    inBranch = undefined
    if (line !== '') out.push(line)
  }
  return out
}

describe('universal merge of per-target items', () => {
  it('writes an item equal on every target once and a differing one per target', () => {
    const parts = mergeGroup(new Map([
      [A, [item('word', 'word = ctypes.c_uint64'), item('point', 'point = 1')]],
      [X, [item('word', 'word = ctypes.c_uint32'), item('point', 'point = 1')]],
    ]))
    assert.deepEqual(parts, [
      {perTarget: new Map([[A, ['word = ctypes.c_uint64']], [X, ['word = ctypes.c_uint32']]])},
      {shared: ['point = 1']},
    ])
    const python = partLines(parts)
    assert.deepEqual(python, [`if TARGET == '${A}':`, '    word = ctypes.c_uint64', `elif TARGET == '${X}':`, '    word = ctypes.c_uint32', '', 'point = 1'])
    assert.equal(python.filter((l) => l.includes('point = 1')).length, 1)
  })

  it('gives targets with the same text one branch, and an item only some targets have only to them', () => {
    // f and only_arm differ between targets, so they form one run: a branch per distinct text.
    const python = partLines(mergeGroup(new Map([
      [A, [item('f', 'f = 64'), item('only_arm', 'only_arm = 1')]],
      [I, [item('f', 'f = 32')]],
      [X, [item('f', 'f = 64')]],
    ])))
    assert.deepEqual(python, [`if TARGET == '${A}':`, '    f = 64', '    only_arm = 1', `elif TARGET == '${I}':`, '    f = 32', `elif TARGET == '${X}':`, '    f = 64', ''])
    const same = partLines(mergeGroup(new Map([[A, [item('f', 'f = 64')]], [I, [item('f', 'f = 32')]], [X, [item('f', 'f = 64')]]])))
    assert.deepEqual(same, [`if TARGET in ('${A}', '${X}'):`, '    f = 64', `elif TARGET == '${I}':`, '    f = 32', ''])
    assert.deepEqual(linesFor(python, I), ['f = 32'])
    assert.deepEqual(linesFor(python, A), ['f = 64', 'only_arm = 1'])
  })

  it("keeps each target's own order (a typedef before the record that uses it on one target only)", () => {
    const perTarget = new Map([
      [A, [item('wide_t', 'wide_t = ctypes.c_uint64'), item('struct r', 'r._fields_ = [("w", wide_t)]'), item('g', 'g = 1')]],
      [X, [item('struct r', 'r._fields_ = [("w", ctypes.c_int)]'), item('g', 'g = 1')]],
    ])
    const merged = mergeOrder(perTarget)!
    assert.deepEqual(merged.map((m) => m.key), ['wide_t', 'struct r', 'g'])
    const python = partLines(mergeGroup(perTarget))
    assert.deepEqual(linesFor(python, A), ['wide_t = ctypes.c_uint64', 'r._fields_ = [("w", wide_t)]', 'g = 1'])
    assert.deepEqual(linesFor(python, X), ['r._fields_ = [("w", ctypes.c_int)]', 'g = 1'])
  })

  it('writes a whole group per target when two targets order two items differently', () => {
    const perTarget = new Map([
      [A, [item('a', 'a = 1'), item('b', 'b = 2')]],
      [X, [item('b', 'b = 2'), item('a', 'a = 1')]],
    ])
    assert.equal(mergeOrder(perTarget), undefined)
    const python = partLines(mergeGroup(perTarget))
    assert.deepEqual(linesFor(python, A), ['a = 1', 'b = 2'])
    assert.deepEqual(linesFor(python, X), ['b = 2', 'a = 1'])
  })

  it('keeps repeated keys of one target apart', () => {
    const python = partLines(mergeGroup(new Map([[A, [item('e', 'x = 1'), item('e', 'y = 2')]], [X, [item('e', 'x = 1'), item('e', 'y = 3')]]])))
    assert.deepEqual(linesFor(python, A), ['x = 1', 'y = 2'])
    assert.deepEqual(linesFor(python, X), ['x = 1', 'y = 3'])
  })
})

describe('universal ctypes module from per-target IR', () => {
  const ir = (long: number): Header => ({
    path: 'include/m.h',
    declarations: [
      {kind: 'struct', name: 'same', fields: [{name: 'a', type: {kind: 'ctype', name: 'int'}, offset_bits: 0}], size: 4, align: 4},
      {kind: 'struct', name: 'differs', fields: [{name: 'n', type: {kind: 'ctype', name: 'long'}, offset_bits: 0}], size: long, align: long},
      {kind: 'function', name: 'f', return_type: {kind: 'ctype', name: 'int'}, parameters: [], is_variadic: false},
    ],
  })
  const ctypes = getWriter('ctypes')

  it('shares the equal record and its check, and writes the differing one per target, with its source entry named', () => {
    const text = universalCtypes([
      {target: I, entry: 'ir/libclang.m.i686-linux-gnu', ir: ir(4)},
      {target: X, entry: 'ir/libclang.m.x86_64-linux-gnu', ir: ir(8)},
    ], resolveWriterOptions(ctypes, {}))
    assert.match(text, /# {3}i686-pc-linux-gnu: ir\/libclang\.m\.i686-linux-gnu\n# {3}x86_64-pc-linux-gnu: ir\/libclang\.m\.x86_64-linux-gnu\n/)
    assert.equal(text.split('\n').filter((l) => l === 'same._fields_ = [').length, 1)
    assert.equal(text.split('\n').filter((l) => l.trim() === 'differs._fields_ = [').length, 2)
    assert.match(text, /if TARGET == 'i686-pc-linux-gnu':\n {4}_check\(\(differs, 'struct differs', 4, 4,/)
    assert.match(text, /\n_check\(\(same, 'struct same', 4, 4, \(\('a', 0, None\),\)\)\)\n/)
    assert.equal(text.split('\n').filter((l) => l.startsWith('f = _function(')).length, 1)
  })
})
