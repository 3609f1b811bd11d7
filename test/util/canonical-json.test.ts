import assert from 'node:assert/strict'
import {canonicalJson, canonicalJsonFile, compareCodePoints} from '../../src/util/canonical-json.js'

describe('canonical JSON', () => {
  it('gives the same bytes whatever the key insertion order', () => {
    const a = canonicalJson({b: 1, a: {y: [1, {d: 2, c: 3}], x: 'z'}})
    const b = canonicalJson({a: {x: 'z', y: [1, {c: 3, d: 2}]}, b: 1})
    assert.equal(a, b)
    assert.equal(a, '{"a":{"x":"z","y":[1,{"c":3,"d":2}]},"b":1}')
  })

  it('writes files with two-space indent and a trailing newline', () => {
    assert.equal(canonicalJsonFile({b: [], a: {}}), '{\n  "a": {},\n  "b": []\n}\n')
  })

  it('sorts by code point, not UTF-16 unit', () => {
    assert.ok(compareCodePoints('\u{1F600}', '\uFFFF') > 0)
    assert.ok(compareCodePoints('B', 'a') < 0)
  })

  it('refuses values JSON would silently change', () => {
    assert.throws(() => canonicalJson({a: Number.NaN}), /non-finite/)
    assert.throws(() => canonicalJson({a: 1n}), /bigint/)
  })
})
