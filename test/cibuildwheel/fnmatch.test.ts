import assert from 'node:assert/strict'
import {expandSelector, fnmatch, fnmatchToRegExp, selectorMatches} from '../../src/cibuildwheel/fnmatch.js'
import {UsageError} from '../../src/errors.js'

describe('cibuildwheel fnmatch', () => {
  it('matches like Python fnmatch on POSIX', () => {
    const cases: Array<[string, string, boolean]> = [
      ['cp312-manylinux_x86_64', 'cp312-*', true],
      ['cp312-manylinux_x86_64', '*-manylinux_x86_64', true],
      ['cp312-manylinux_x86_64', '*-manylinux_x86', false],
      ['cp312-manylinux_x86_64', 'cp31?-*', true],
      ['cp39-manylinux_x86_64', 'cp31?-*', false],
      ['cp314t-musllinux_aarch64', 'cp31?t-*', true],
      ['cp314-musllinux_aarch64', 'cp31?t-*', false],
      ['cp312-manylinux_x86_64', 'cp3[02]*', false],
      ['cp312-manylinux_x86_64', 'cp3[!0]*', true],
      ['cp312-manylinux_x86_64', 'cp3[1-2]2-*', true],
      ['cp312-manylinux_x86_64', 'CP312-*', false],
      ['a.b', 'a?b', true],
      ['a.b', 'a.b', true],
      ['axb', 'a.b', false],
      ['a[b', 'a[b', true],
      ['a(b)+', 'a(b)+', true],
      ['', '*', true],
      ['x', '', false],
    ]
    for (const [name, pattern, expected] of cases) assert.equal(fnmatch(name, pattern), expected, `${pattern} vs ${name}`)
  })

  it('translates to an anchored expression', () => {
    assert.equal(fnmatchToRegExp('cp3*').test('xcp312'), false)
    assert.equal(fnmatchToRegExp('*x').test('ax\nb'), false)
  })

  it('expands braces, including ranges and nesting, after splitting on whitespace', () => {
    assert.deepEqual(expandSelector('cp3{11,12}-*  pp*'), ['cp311-*', 'cp312-*', 'pp*'])
    assert.deepEqual(expandSelector('cp3{10..12}-*'), ['cp310-*', 'cp311-*', 'cp312-*'])
    assert.deepEqual(expandSelector('*-*linux_{aarch64,{ppc64le,s390x}}'), ['*-*linux_aarch64', '*-*linux_ppc64le', '*-*linux_s390x'])
    assert.deepEqual(expandSelector(''), [])
    assert.equal(selectorMatches('cp3{11,12}-manylinux*', 'cp312-manylinux_i686'), true)
    assert.equal(selectorMatches('cp3{11,12}-manylinux*', 'cp313-manylinux_i686'), false)
  })

  it('rejects unbalanced braces, naming the pattern and its source', () => {
    for (const bad of ['cp3{11,12-*', 'cp3}11{', 'cp{{3}']) {
      assert.throws(() => expandSelector(bad, 'CIBW_BUILD'), (e: unknown) => e instanceof UsageError && e.message.includes(bad) && e.message.includes('CIBW_BUILD'))
    }
  })
})
