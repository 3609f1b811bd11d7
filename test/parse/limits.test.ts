/**
 * Headers built to break the parser. A macro too big for the probe (clang's recursive walk
 * of a huge expression overflows the stack and kills the process) is left out of the IR
 * instead of evaluated; macros that expand past a budget linear in the header's size, in
 * all, and a type nested too deep, are refused in one line.
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Constant} from '../../src/ir/types.js'
import {InputError} from '../../src/errors.js'
import {expansionBound, MAX_PROBE_TOKENS, PROBE_BUDGET_BASE, probeBudget, splitFunctionLike} from '../../src/parse/libclang/macro-size.js'
import {parseHeader} from '../../src/parse/index.js'
import {makeTempDir} from '../support/tmp.js'
import {X86} from './helpers.js'

/** `#define A1 A0+A0` ... : A<k> expands to 2^(k+1) - 1 tokens. */
function doubling(levels: number): string[] {
  return ['#define A0 1', ...Array.from({length: levels}, (_, i) => `#define A${i + 1} A${i}+A${i}`)]
}

describe('parse: macros too big to evaluate', function () {
  it('bounds object-like chains, function-like uses and recursion, linearly', () => {
    const texts = new Map([
      ['ONE', {body: '1'}],
      ['PAIR', {body: 'ONE + ONE'}],
      ['SELF', {body: 'SELF + 1'}],
      ['D', splitFunctionLike('(x) (x)+(x)')!],
      ['DD', {body: 'D(D(2))'}],
      ...Array.from({length: 200}, (_, i) => [`A${i + 1}`, {body: `A${i}+A${i}`}] as const),
      ['A0', {body: '1'}],
    ])
    const bound = expansionBound(texts)
    assert.equal(bound('PAIR'), 3)
    assert.equal(bound('SELF'), 3, 'a macro is one token inside its own expansion')
    assert.ok(bound('DD') >= 17, 'D(D(2)) is 17 tokens; the bound may only be larger')
    assert.equal(bound('A5'), 63)
    assert.equal(bound('A200'), MAX_PROBE_TOKENS, 'saturates instead of growing without end')
    assert.equal(bound('not_a_macro'), 1)
  })

  it('leaves out a huge unused macro instead of crashing, and keeps the ones it can evaluate', async () => {
    const root = makeTempDir('headerkit-bigmacro-')
    const lines = [...doubling(40), '#define D(x) (x)+(x)', '#define NESTED D(D(D(D(D(D(D(D(D(D(D(D(D(D(1))))))))))))))', '#define SMALL D(D(3))', 'int f(void);']
    writeFileSync(join(root, 'big.h'), `${lines.join('\n')}\n`)
    const r = await parseHeader({header: join(root, 'big.h'), projectRoot: root, target: X86, args: []})
    const constants = new Map(r.ir.declarations.filter((d): d is Constant => d.kind === 'constant').map((c) => [c.name, c.value]))
    assert.equal(constants.get('A10'), 2 ** 10)
    assert.equal(constants.get('SMALL'), 12)
    for (const left of ['A12', 'A40', 'NESTED']) assert.ok(!constants.has(left), `${left} is left out`)
  })
})

describe('parse: macros too big to evaluate in all', function () {
  /** A11 expands to 4,095 tokens, just under the limit for one macro; `count` macros each expand to it. */
  const copies = (count: number): string => `${[...doubling(11), ...Array.from({length: count}, (_, k) => `#define B${k} A11`)].join('\n')}\n`

  it('refuses a header whose macros expand past the budget in all, in one line naming it', async () => {
    const root = makeTempDir('headerkit-manymacros-')
    // 2,000 of them: 8 M tokens from a 35 KB header, which took 8 s to evaluate.
    writeFileSync(join(root, 'many.h'), copies(2000))
    await assert.rejects(parseHeader({header: join(root, 'many.h'), projectRoot: root, target: X86, args: []}), (e: InputError) => {
      assert.ok(e instanceof InputError)
      assert.equal(e.message, `many.h: its macros expand to more than ${probeBudget(copies(2000).length)} tokens in all (${PROBE_BUDGET_BASE} plus one per byte of the files defining them), which headerkit does not evaluate`)
      return true
    })
  })

  it('evaluates every macro of a header within the budget', async () => {
    const root = makeTempDir('headerkit-somemacros-')
    // 14 x 4,095 tokens, and 8,190 for A0..A11 themselves: under 65,536 plus the header's bytes.
    writeFileSync(join(root, 'some.h'), copies(14))
    const r = await parseHeader({header: join(root, 'some.h'), projectRoot: root, target: X86, args: []})
    const constants = new Map(r.ir.declarations.filter((d): d is Constant => d.kind === 'constant').map((c) => [c.name, c.value]))
    assert.equal(constants.get('B13'), 2 ** 11)
    // Sixteen do not fit: the budget grows with the header, not with what its macros expand to.
    writeFileSync(join(root, 'more.h'), copies(16))
    await assert.rejects(parseHeader({header: join(root, 'more.h'), projectRoot: root, target: X86, args: []}), /more\.h: its macros expand to more than/)
  })
})

describe('parse: types nested too deep', function () {
  it('refuses a type nested more than 256 levels in one line naming the header, instead of overflowing the stack', async () => {
    const root = makeTempDir('headerkit-deeptype-')
    writeFileSync(join(root, 'deep.h'), `typedef int ${'*'.repeat(5000)} deep;\n`)
    await assert.rejects(parseHeader({header: join(root, 'deep.h'), projectRoot: root, target: X86, args: []}), (e: Error) => {
      assert.equal(e.message, 'deep.h: a type is nested more than 256 levels deep (pointers, arrays or function types inside each other)')
      return true
    })
    writeFileSync(join(root, 'ok.h'), `typedef int ${'*'.repeat(200)} fine;\n`)
    const ok = await parseHeader({header: join(root, 'ok.h'), projectRoot: root, target: X86, args: []})
    assert.equal(ok.ir.declarations.length, 1)
  })
})
