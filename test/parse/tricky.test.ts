/**
 * The hand-written tricky header through real libclang, for x86_64 and aarch64
 * (Debian's cross sysroot). Every assertion is something a writer or a user of the
 * IR relies on: names, exact types, layout, enum values, macro constants.
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {Constant, Enum, Function as Fn, Struct, Typedef, Variable} from '../../src/ir/types.js'
import {crossSysrootArgs, parseHeader, type ParseResult} from '../../src/parse/index.js'
import {projectDeclarations} from '../../src/ir/walk.js'
import {ARM, find, X86} from './helpers.js'
import {makeTempDir} from '../support/tmp.js'

const ROOT = fileURLToPath(new URL('../../fixtures/headers/tricky', import.meta.url))
const HEADER = `${ROOT}/tricky.h`

// System declarations the project uses are in the IR as externals; the project's own are the rest.
const has = (r: ParseResult, name: string): boolean => projectDeclarations(r.ir).some((d) => d.name === name)
const int = {kind: 'ctype', name: 'int'} as const

describe('parse: tricky header (x86_64)', function () {
  let r: ParseResult
  before(async function () {
    r = await parseHeader({header: HEADER, projectRoot: ROOT, target: X86, args: []})
  })

  it('keeps project paths relative and lists the included project header', function () {
    assert.equal(r.ir.path, 'tricky.h')
    assert.deepEqual(r.included, ['sub/other.h'])
    assert.deepEqual(r.ir.included_headers, ['sub/other.h'])
    assert.match(r.libclangVersion, /clang version \d+/)
    const text = JSON.stringify(r.ir)
    assert.ok(!text.includes(ROOT), 'no absolute path in the IR')
    assert.ok(!text.includes('/usr/include'), 'no system path in the IR')
  })

  it('keeps declarations of the included project header, in include order, and drops system ones', function () {
    const other = find<Fn>(r, 'function', 'other_fn')
    assert.equal(other.location?.file, 'sub/other.h')
    const names = projectDeclarations(r.ir).map((d) => d.name)
    assert.ok(names.indexOf('other_fn') < names.indexOf('plain_fn'), 'included header comes where it is included')
    assert.ok(names.indexOf('OTHER_LEVEL') < names.indexOf('BUF2'))
    for (const sys of ['size_t', 'uint32_t', 'va_list', 'printf', 'NULL', 'INT32_MAX']) assert.ok(!has(r, sys), `${sys} comes from a system header`)
  })

  it('nests anonymous members, names unnamed member types, hoists nested tags, with offsets', function () {
    const nested = find<Struct>(r, 'struct', 'nested')
    assert.deepEqual([nested.size, nested.align], [56, 8])
    const [tag, anon, named, inner, name] = nested.fields
    assert.deepEqual(tag, {name: 'tag', type: int, offset_bits: 0})
    assert.equal(anon!.name, null)
    assert.equal(anon!.offset_bits, 64)
    assert.equal(anon!.anonymous_struct?.kind, 'union')
    const innerStruct = anon!.anonymous_struct.fields[0]!
    assert.deepEqual(innerStruct.anonymous_struct?.fields.map((f) => [f.name, f.offset_bits]), [['a', 0], ['b', 32]])
    assert.equal(named!.name, 'named_member')
    assert.deepEqual(named!.type, {kind: 'ctype', name: 'struct'})
    assert.deepEqual(named!.anonymous_struct?.fields.map((f) => f.name), ['c'])
    assert.deepEqual(inner!.type, {kind: 'ctype', name: 'struct inner'})
    assert.deepEqual(name!.type, {kind: 'array', element_type: {kind: 'ctype', name: 'char'}, size: 32})
    const names = r.ir.declarations.map((d) => d.name)
    assert.equal(names.indexOf('inner') + 1, names.indexOf('nested'), 'struct inner hoisted just before struct nested')
  })

  it('gives bitfield widths and bit offsets, including :0 and a 40-bit field', function () {
    const bits = find<Struct>(r, 'struct', 'bits')
    assert.deepEqual(bits.fields.map((f) => [f.name, f.bit_width, f.offset_bits]), [
      ['a', 3, 0], ['b', 5, 3], ['c', 1, 8], [null, 0, 32], ['d', 40, 64], ['e', 1, 104],
    ])
    assert.equal(bits.size, 16)
  })

  it('marks packed records (attribute and pragma) and aligned ones, with their layout', function () {
    const p = find<Struct>(r, 'struct', 'packed_s')
    assert.deepEqual([p.is_packed, p.size, p.align, p.fields.map((f) => f.offset_bits)], [true, 7, 1, [0, 8, 40]])
    const pp = find<Struct>(r, 'struct', 'pragma_packed')
    assert.deepEqual([pp.is_packed, pp.size, pp.align], [true, 9, 1])
    const a = find<Struct>(r, 'struct', 'aligned_s')
    assert.deepEqual([a.aligned, a.size, a.align, a.fields[1]!.offset_bits, a.is_packed], [16, 32, 16, 128, undefined])
  })

  it('gives every enum value, implicit ones too, and the integer type', function () {
    const color = find<Enum>(r, 'enum', 'color')
    assert.deepEqual(color.values, [
      {name: 'RED', value: 0}, {name: 'GREEN', value: 5}, {name: 'BLUE', value: 6}, {name: 'ALPHA', value: 21},
      {name: 'NEGV', value: -3}, {name: 'FROMMAC', value: 65}, {name: 'SZ', value: 8},
    ])
    assert.deepEqual(color.integer_type, int)
    const flags = find<Enum>(r, 'enum', 'flags')
    assert.deepEqual(flags.values.map((v) => v.value), [1, 2147483648])
    assert.deepEqual(flags.integer_type, {kind: 'ctype', name: 'unsigned int'})
    const big = find<Enum>(r, 'enum', 'big')
    assert.deepEqual([big.values[0]!.value, big.integer_type?.name, big.size], [4294967296, 'unsigned long', 8])
    const tenum = find<Enum>(r, 'enum', 'tenum_t')
    assert.deepEqual([tenum.is_typedef, tenum.values.map((v) => v.value)], [true, [1, 2]])
    const anon = r.ir.declarations.find((d) => d.kind === 'enum' && d.name === null) as Enum
    assert.deepEqual(anon.values, [{name: 'ANON_X', value: 100}])
  })

  it('gives functions exactly: variadic, K&R, void, deprecated; static ones excluded', function () {
    const plain = find<Fn>(r, 'function', 'plain_fn')
    assert.deepEqual(plain.parameters, [
      {name: 'a', type: int},
      {name: 'b', type: {kind: 'pointer', pointee: {kind: 'ctype', name: 'char', qualifiers: ['const']}}},
    ])
    assert.equal(plain.is_variadic, false)
    assert.equal(find<Fn>(r, 'function', 'variadic_fn').is_variadic, true)
    const knr = find<Fn>(r, 'function', 'knr_fn')
    assert.deepEqual([knr.no_prototype, knr.is_variadic, knr.parameters], [true, false, []])
    assert.deepEqual(find<Fn>(r, 'function', 'void_fn').parameters, [])
    assert.equal(find<Fn>(r, 'function', 'old_fn').is_deprecated, true)
    assert.ok(!has(r, 'static_fn') && !has(r, 'static_inline_fn'), 'static functions are not exported')
    const fns = r.ir.declarations.filter((d) => d.kind === 'function').map((d) => d.name)
    assert.deepEqual(fns, ['other_fn', 'plain_fn', 'variadic_fn', 'knr_fn', 'void_fn', 'fp_param', 'fp_return', 'raw_fp_return', 'array_param', 'old_fn', 'die', 'ld_fn', 'plain_char_fn', 'arch_fn', 'takes_opaque', 'uses_other'])
  })

  it('represents function pointers everywhere as pointer(function_pointer)', function () {
    const binop = {kind: 'pointer', pointee: {kind: 'function_pointer', return_type: int, parameters: [{type: int}, {type: int}], is_variadic: false}}
    assert.deepEqual(find<Typedef>(r, 'typedef', 'binop_t').underlying_type, binop)
    const voidInt = {kind: 'pointer', pointee: {kind: 'function_pointer', return_type: {kind: 'ctype', name: 'void'}, parameters: [{type: int}], is_variadic: false}}
    assert.deepEqual(find<Typedef>(r, 'typedef', 'signal_like_t').underlying_type, {kind: 'pointer', pointee: {kind: 'function_pointer', return_type: voidInt, parameters: [{type: int}], is_variadic: false}})
    assert.deepEqual(find<Fn>(r, 'function', 'raw_fp_return').return_type, voidInt)
    assert.deepEqual(find<Fn>(r, 'function', 'fp_param').parameters[0]!.type, {kind: 'pointer', pointee: {kind: 'function_pointer', return_type: int, parameters: [{type: int}], is_variadic: false}})
    const withFp = find<Struct>(r, 'struct', 'with_fp')
    const cb = withFp.fields[0]!
    assert.equal(cb.type.kind, 'pointer')
    assert.deepEqual(withFp.fields[1]!.type, {kind: 'array', element_type: {kind: 'ctype', name: 'binop_t'}, size: 2})
  })

  it('gives array sizes, macro-sized and flexible ones', function () {
    const withFp = find<Struct>(r, 'struct', 'with_fp')
    const matrix = withFp.fields.find((f) => f.name === 'matrix')!
    assert.deepEqual(matrix.type, {kind: 'array', element_type: {kind: 'array', element_type: int, size: 65}, size: 3})
    const data = withFp.fields.find((f) => f.name === 'data')!
    assert.deepEqual(data.type, {kind: 'array', element_type: {kind: 'ctype', name: 'char'}})
    assert.deepEqual(find<Variable>(r, 'variable', 'global_names').type, {kind: 'array', element_type: {kind: 'pointer', pointee: {kind: 'ctype', name: 'char', qualifiers: ['const']}, qualifiers: ['const']}})
  })

  it('keeps typedef chains and records behind typedefs', function () {
    assert.deepEqual(find<Typedef>(r, 'typedef', 'myint2').underlying_type, {kind: 'ctype', name: 'myint'})
    assert.deepEqual(find<Typedef>(r, 'typedef', 'myint_cptr').underlying_type, {kind: 'pointer', pointee: {kind: 'ctype', name: 'myint2', qualifiers: ['const']}})
    assert.deepEqual(find<Typedef>(r, 'typedef', 'point_t').underlying_type, {kind: 'ctype', name: 'struct point'})
    assert.equal(find<Struct>(r, 'struct', 'point').is_typedef, true, 'typedef struct point point marks the struct')
    assert.ok(!r.ir.declarations.some((d) => d.kind === 'typedef' && d.name === 'point'))
    const wrapped = find<Struct>(r, 'struct', 'wrapped_t')
    assert.deepEqual([wrapped.is_typedef, wrapped.fields.map((f) => f.name)], [true, ['w']])
    assert.equal(find<Struct>(r, 'struct', 'opaque').is_opaque, true)
    assert.deepEqual(find<Typedef>(r, 'typedef', 'opaque_t').underlying_type, {kind: 'ctype', name: 'struct opaque'})
  })

  it('keeps extern and defined globals, drops static ones', function () {
    assert.deepEqual(find<Variable>(r, 'variable', 'global_counter').type, int)
    assert.deepEqual(find<Variable>(r, 'variable', 'origin').type, {kind: 'ctype', name: 'struct point'})
    assert.ok(has(r, 'defined_global'))
    assert.ok(!has(r, 'hidden_global'))
  })

  it('evaluates macros to int, float and string constants, expressions included', function () {
    const c = (name: string): [Constant['value'], string | undefined] => {
      const k = find<Constant>(r, 'constant', name)
      assert.equal(k.is_macro, true)
      return [k.value, k.type?.name]
    }
    assert.deepEqual(c('INT_MAC'), [42, 'int'])
    assert.deepEqual(c('NEG_MAC'), [-7, 'int'])
    assert.deepEqual(c('HEX_MAC'), [254, 'unsigned int'])
    assert.deepEqual(c('BIG_MAC'), [1099511627776, 'unsigned long long'])
    assert.deepEqual(c('EXPR_MAC'), [149, 'int'])
    assert.deepEqual(c('FLOAT_MAC'), [1.5, 'float'])
    assert.deepEqual(c('DOUBLE_MAC'), [4.5, 'double'])
    assert.deepEqual(c('STR_MAC'), ['"hello"', 'const char *'])
    assert.deepEqual(c('PAREN_STR'), ['"paren"', 'const char *'])
    assert.deepEqual(c('CHAR_MAC'), ['\'x\'', 'char'])
    assert.deepEqual(c('ALIAS_MAC'), [42, 'int'])
    assert.deepEqual(c('SIZE_MAC'), [56, 'unsigned long'])
    assert.deepEqual(c('OTHER_LEVEL'), [30, 'int'])
    for (const dropped of ['EMPTY_MAC', 'FUNC_MAC', 'TYPE_MAC', 'KEYWORD_MAC', 'TRICKY_H']) assert.ok(!has(r, dropped), `${dropped} is not a constant`)
    assert.deepEqual(find<Constant>(r, 'constant', 'INT_MAC').location, {file: 'tricky.h', line: 11, column: 9})
  })

  it('takes the x86_64 branch and gives plain char as char', function () {
    assert.deepEqual(find<Typedef>(r, 'typedef', 'arch_word_t').underlying_type, {kind: 'ctype', name: 'uint32_t'})
    assert.equal(find<Constant>(r, 'constant', 'ARCH_NAME').value, '"x86_64"')
    assert.equal(find<Struct>(r, 'struct', 'arch_regs').size, 32)
    assert.equal(r.ir.char_signed, true)
  })

  it('is deterministic: the same input gives the same IR', async function () {
    const again = await parseHeader({header: HEADER, projectRoot: ROOT, target: X86, args: []})
    assert.deepEqual(again, r)
  })
})

describe('parse: tricky header (aarch64 with the Debian cross sysroot)', function () {
  let x86: ParseResult
  let arm: ParseResult
  before(async function () {
    const sysroot = crossSysrootArgs(ARM)
    assert.deepEqual(sysroot, ['--sysroot=/usr/aarch64-linux-gnu'], 'libc6-dev-arm64-cross is installed')
    arm = await parseHeader({header: HEADER, projectRoot: ROOT, target: ARM, args: sysroot})
    x86 = await parseHeader({header: HEADER, projectRoot: ROOT, target: X86, args: []})
  })

  it('takes the __aarch64__ branch', function () {
    assert.deepEqual(find<Typedef>(arm, 'typedef', 'arch_word_t').underlying_type, {kind: 'ctype', name: 'uint64_t'})
    assert.equal(find<Constant>(arm, 'constant', 'ARCH_NAME').value, '"arm64"')
    const regs = find<Struct>(arm, 'struct', 'arch_regs')
    assert.deepEqual([regs.size, regs.fields[0]!.name], [264, 'x'])
  })

  it('gives plain char unsigned on aarch64, signed on x86_64', function () {
    assert.equal(arm.ir.char_signed, false)
    assert.equal(x86.ir.char_signed, true)
  })

  it('keeps everything target-independent the same', function () {
    const strip = (r: ParseResult): string[] => projectDeclarations(r.ir).filter((d) => !['arch_word_t', 'ARCH_NAME', 'arch_regs'].includes(d.name ?? '')).map((d) => JSON.stringify({...d, location: undefined}))
    assert.deepEqual(strip(arm), strip(x86))
  })
})

describe('parse: plain char in a header without macro constants', function () {
  // Such a header's macro probe has nothing to evaluate and does not include it again;
  // plain char must still come from the target and flags.
  let root: string
  before(function () {
    root = makeTempDir('headerkit-char-')
    writeFileSync(join(root, 'plain.h'), '#ifndef PLAIN_H\n#define PLAIN_H\nchar plain_get(void);\n#endif\n')
  })
  const parse = (target: string, args: string[]) => parseHeader({header: join(root, 'plain.h'), projectRoot: root, target, args})

  it('is signed on x86_64, unsigned on aarch64 and under -funsigned-char, and no constant appears', async function () {
    const x86 = await parse(X86, [])
    assert.equal(x86.ir.char_signed, true)
    assert.equal((await parse(ARM, crossSysrootArgs(ARM))).ir.char_signed, false)
    assert.equal((await parse(X86, ['-funsigned-char'])).ir.char_signed, false)
    assert.deepEqual(projectDeclarations(x86.ir).map((d) => d.name), ['plain_get'])
  })
})
