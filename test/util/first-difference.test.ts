import assert from 'node:assert/strict'
import {firstJsonDifference, firstJsonTextDifference, firstLineDifference} from '../../src/util/first-difference.js'

describe('first difference of stored and made bytes', () => {
  it('names the first differing line, also when one text ends first', () => {
    assert.equal(firstLineDifference('a\nb\n', 'a\nb\n'), undefined)
    assert.equal(firstLineDifference('a\nb\nc\n', 'a\nx\nc\n'), 'line 2: stored "b", made "x"')
    assert.equal(firstLineDifference('a\n', 'a\nimport os\n'), 'line 2: stored "", made "import os"')
    assert.equal(firstLineDifference('a\nb', 'a'), 'line 2: stored "b", made nothing (the text ends before)')
    assert.match(firstLineDifference(`${'x'.repeat(200)}\n`, 'y\n')!, /^line 1: stored "x{80}\.\.\.", made "y"$/)
  })

  it('names the first differing JSON path, keys in code-point order, arrays by index', () => {
    assert.equal(firstJsonDifference({a: [1, {b: 2}]}, {a: [1, {b: 2}]}), undefined)
    assert.equal(firstJsonDifference({z: 1, a: [1, {b: 2}]}, {z: 2, a: [1, {b: 3}]}), '$.a[1].b: stored 2, made 3')
    assert.equal(firstJsonDifference({a: [1]}, {a: [1, 2]}), '$.a[1]: stored nothing, made 2')
    assert.equal(firstJsonDifference({'odd key': true}, {'odd key': false}), '$["odd key"]: stored true, made false')
    assert.equal(firstJsonDifference({a: {b: 1}}, {a: [1]}), '$.a: stored {"b":1}, made [1]')
  })

  it('compares JSON text by value, and by line when the values agree or one side is not JSON', () => {
    assert.equal(firstJsonTextDifference('{"a": 1}\n', '{"a": 2}\n'), '$.a: stored 1, made 2')
    assert.equal(firstJsonTextDifference('{"a": 1}\n', '{"a":1}\n'), 'line 1: stored "{\\"a\\": 1}", made "{\\"a\\":1}"')
    assert.equal(firstJsonTextDifference('not json', '{}'), 'line 1: stored "not json", made "{}"')
  })
})
