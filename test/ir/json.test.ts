import assert from 'node:assert/strict'
import {declareC, headerFromJson, headerToJson, IrFormatError, typeToC, type Header, type TypeExpr} from '../../src/ir/index.js'

const int: TypeExpr = {kind: 'ctype', name: 'int'}
const fnPtr: TypeExpr = {kind: 'pointer', pointee: {kind: 'function_pointer', return_type: int, parameters: [{name: 'x', type: int}], is_variadic: false}}

const sample: Header = {
  path: 'include/demo.h',
  included_headers: ['include/types.h'],
  declarations: [
    {kind: 'constant', name: 'DEMO_VERSION', value: 3, is_macro: true, type: {kind: 'ctype', name: 'int'}, location: {file: 'include/demo.h', line: 1, column: 9}},
    {kind: 'constant', name: 'DEMO_RATIO', value: 1.5, is_macro: true, type: {kind: 'ctype', name: 'double'}},
    {kind: 'constant', name: 'DEMO_BIG', value: '18446744073709551615', is_macro: true, type: {kind: 'ctype', name: 'unsigned long long'}},
    {kind: 'struct', name: 'point', size: 8, align: 4, fields: [
      {name: 'x', type: int, offset_bits: 0},
      {name: 'flags', type: {kind: 'ctype', name: 'unsigned int'}, bit_width: 3, offset_bits: 32},
      {name: null, type: {kind: 'ctype', name: 'union'}, anonymous_struct: {kind: 'union', name: null, fields: [{name: 'u', type: int}]}},
    ]},
    {kind: 'enum', name: 'color', values: [{name: 'RED', value: 0}, {name: 'HUGE', value: '9223372036854775807'}], integer_type: {kind: 'ctype', name: 'long'}},
    {kind: 'function', name: 'demo_cb', return_type: fnPtr, parameters: [{name: 'cb', type: fnPtr}, {type: {kind: 'array', element_type: int, size: 4}}], is_variadic: true},
    {kind: 'typedef', name: 'cb_t', underlying_type: fnPtr},
    {kind: 'variable', name: 'demo_table', type: {kind: 'array', element_type: {kind: 'ctype', name: 'char', qualifiers: ['const']}}},
  ],
}

describe('IR JSON', () => {
  it('round-trips every kind without loss', () => {
    const json = JSON.parse(JSON.stringify(headerToJson(sample)))
    assert.deepEqual(headerFromJson(json), sample)
    assert.deepEqual(headerToJson(headerFromJson(json)), json)
  })

  it('keeps the original key order: fixed keys first, optional keys only when set', () => {
    const json = headerToJson(sample)
    assert.deepEqual(Object.keys(json), ['path', 'declarations', 'included_headers'])
    const fn = (json.declarations as Record<string, unknown>[])[5]!
    assert.deepEqual(Object.keys(fn), ['kind', 'name', 'return_type', 'parameters', 'is_variadic'])
    assert.equal('included_headers' in headerToJson({path: 'a.h', declarations: []}), false)
  })

  it('rejects a damaged IR with the JSON path of the problem', () => {
    assert.throws(() => headerFromJson({path: 'a.h', declarations: [{kind: 'function', name: 'f', return_type: {kind: 'wat'}, parameters: []}]}),
      (e: unknown) => e instanceof IrFormatError && /\$\.declarations\[0\]\.return_type\.kind/.test(e.message))
    assert.throws(() => headerFromJson('{not json'), IrFormatError)
    assert.throws(() => headerFromJson({path: 'a.h'}), /declarations/)
    assert.throws(() => headerFromJson({path: 'a.h', declarations: [{kind: 'struct', name: 1, fields: []}]}), /\$\.declarations\[0\]\.name/)
  })
})

describe('C spelling of IR types', () => {
  it('spells function pointers as valid C in every position', () => {
    assert.equal(declareC(fnPtr, 'cb'), 'int (*cb)(int x)')
    assert.equal(typeToC(fnPtr), 'int (*)(int x)')
    assert.equal(declareC({kind: 'pointer', pointee: fnPtr}, 'pp'), 'int (**pp)(int x)')
    const returnsFnPtr: TypeExpr = {kind: 'pointer', pointee: {kind: 'function_pointer', return_type: {kind: 'pointer', pointee: {kind: 'function_pointer', return_type: {kind: 'ctype', name: 'void'}, parameters: [{type: int}], is_variadic: false}}, parameters: [{type: int}], is_variadic: false}}
    assert.equal(declareC(returnsFnPtr, 'f'), 'void (*(*f)(int))(int)')
    assert.equal(declareC({kind: 'array', element_type: fnPtr, size: 3}, 'table'), 'int (*table[3])(int x)')
  })

  it('spells arrays, qualifiers and empty parameter lists', () => {
    assert.equal(declareC({kind: 'array', element_type: {kind: 'array', element_type: int, size: 3}, size: 2}, 'm'), 'int m[2][3]')
    assert.equal(declareC({kind: 'pointer', pointee: {kind: 'ctype', name: 'char', qualifiers: ['const']}, qualifiers: ['const']}, 's'), 'const char *const s')
    assert.equal(declareC({kind: 'pointer', pointee: {kind: 'array', element_type: int, size: 4}}, 'pa'), 'int (*pa)[4]')
    assert.equal(typeToC({kind: 'function_pointer', return_type: int, parameters: [], is_variadic: false}), 'int (void)')
    assert.equal(typeToC({kind: 'function_pointer', return_type: int, parameters: [], is_variadic: false, no_prototype: true}), 'int ()')
  })
})
