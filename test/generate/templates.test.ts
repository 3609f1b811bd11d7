import assert from 'node:assert/strict'
import {checkTemplate, renderTemplate} from '../../src/generate/templates.js'
import {InputError, UsageError} from '../../src/errors.js'

describe('output templates', () => {
  it('expands {stem}, {name} and {dir} relative to the project root', () => {
    assert.equal(renderTemplate('out/{dir}/{stem}.json', 'include/net/sock.h', '-o').path, 'out/include/net/sock.json')
    assert.equal(renderTemplate('{dir}/{name}.txt', 'include/net/sock.h', '-o').path, 'include/net/sock.h.txt')
    assert.equal(renderTemplate('{dir}/{stem}.cdef.txt', 'tiny.h', '-o').path, 'tiny.cdef.txt')
    assert.equal(renderTemplate('gen/{stem}.py', 'a.tar.h', '-o').path, 'gen/a.tar.py')
  })

  it('writes literal braces with {{ and }}', () => {
    assert.equal(renderTemplate('{{{stem}}}.h', 'x.h', '-o').path, '{x}.h')
  })

  it('rejects unknown variables, positional fields and format specs with the template named', () => {
    for (const bad of ['{stem.upper}', '{0}', '{}', '{stem:>10}', '{nope}']) {
      assert.throws(() => checkTemplate(`out/${bad}`, 'config [output]'), (e: unknown) => e instanceof UsageError && e.message.includes(`out/${bad}`) && e.message.includes('config [output]'))
    }
    assert.throws(() => checkTemplate('out/{stem', '-o'), /unclosed/)
    assert.throws(() => checkTemplate('out/stem}', '-o'), /unmatched/)
  })

  it('refuses a path outside the project unless allowed', () => {
    assert.throws(() => renderTemplate('../{stem}.py', 'a.h', '-o'), (e: unknown) => e instanceof InputError && e.code === 'E_OUTSIDE_PROJECT')
    assert.throws(() => renderTemplate('/tmp/{stem}.py', 'a.h', '-o'), InputError)
    assert.throws(() => renderTemplate('{dir}/../../{stem}.py', 'a.h', '-o'), InputError)
    assert.deepEqual(renderTemplate('../{stem}.py', 'a.h', '-o', true), {path: '../a.py', outside: true})
  })
})
