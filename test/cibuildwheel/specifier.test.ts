import assert from 'node:assert/strict'
import {parseSpecifierSet, specifierSetContains} from '../../src/cibuildwheel/specifier.js'
import {identifierTestVersion} from '../../src/cibuildwheel/select.js'
import {UsageError} from '../../src/errors.js'

function ok(spec: string, version: string): boolean {
  return specifierSetContains(parseSpecifierSet(spec), version)
}

describe('requires-python specifiers', () => {
  it('tests the X.Y.99 version cibuildwheel derives from an identifier', () => {
    assert.equal(identifierTestVersion('cp312-manylinux_x86_64'), '3.12.99')
    assert.equal(identifierTestVersion('cp314t-musllinux_aarch64'), '3.14.99')
    assert.equal(identifierTestVersion('pp311-manylinux_i686'), '3.11.99')
    assert.equal(identifierTestVersion('gp312_250-manylinux_x86_64'), '3.12.99')
    assert.equal(identifierTestVersion('cp39-manylinux_x86_64'), '3.9.99')
  })

  it('implements the comparison operators', () => {
    assert.equal(ok('>=3.10', '3.10.99'), true)
    assert.equal(ok('>=3.10', '3.9.99'), false)
    assert.equal(ok('>3.10', '3.10.99'), true) // 3.10.99 > 3.10(.0)
    assert.equal(ok('<3.12', '3.11.99'), true)
    assert.equal(ok('<3.12', '3.12.99'), false)
    assert.equal(ok('<=3.12', '3.12.99'), false)
    assert.equal(ok('<=3.12.99', '3.12.99'), true)
    assert.equal(ok('==3.10', '3.10.99'), false)
    assert.equal(ok('==3.10.*', '3.10.99'), true)
    assert.equal(ok('!=3.10.*', '3.10.99'), false)
    assert.equal(ok('!=3.10.*', '3.11.99'), true)
    assert.equal(ok('!=3.11', '3.11.99'), true)
    assert.equal(ok('~=3.10', '3.14.99'), true)
    assert.equal(ok('~=3.10', '4.0.99'), false)
    assert.equal(ok('~=3.10.1', '3.10.99'), true)
    assert.equal(ok('~=3.10.1', '3.11.99'), false)
    assert.equal(ok('==3.*', '3.9.99'), true)
  })

  it('joins specifiers with commas and tolerates spaces', () => {
    assert.equal(ok('>=3.10, <3.13', '3.12.99'), true)
    assert.equal(ok('>= 3.10 ,< 3.13', '3.13.99'), false)
    assert.deepEqual(parseSpecifierSet(''), [])
  })

  it('rejects malformed specifiers with a clear error', () => {
    for (const bad of ['3.10', '>=3.10,', '=>3.10', '>=3.10a1', '~=3', '>=3.*', '>=three']) {
      assert.throws(() => parseSpecifierSet(bad, 'project.requires-python'), (e: unknown) => e instanceof UsageError && e.message.includes('project.requires-python') && e.message.includes(bad))
    }
  })
})
