/** Parses that must fail, each with one clear typed error carrying the diagnostics. */
import assert from 'node:assert/strict'
import {fileURLToPath} from 'node:url'
import {InputError, UsageError} from '../../src/errors.js'
import {LibclangNotFoundError, ParseError, parseHeader} from '../../src/parse/index.js'

const ROOT = fileURLToPath(new URL('../../fixtures/headers/errors', import.meta.url))
const X86 = 'x86_64-pc-linux-gnu'

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (error) {
    return error as Error
  }
  assert.fail('expected the parse to fail')
}

describe('parse: failures', function () {
  it('a syntax error fails with every error diagnostic, project-relative, and no IR', async function () {
    const e = await failure(parseHeader({header: `${ROOT}/syntax.h`, projectRoot: ROOT, target: X86, args: []}))
    assert.ok(e instanceof ParseError, String(e))
    assert.equal(e.header, 'syntax.h')
    const errors = e.diagnostics.filter((d) => d.severity === 'error')
    assert.ok(errors.length >= 2, 'both broken lines reported')
    assert.deepEqual([errors[0]!.file, errors[0]!.line], ['syntax.h', 2])
    assert.match(e.message, /syntax\.h:2:\d+: error: /)
    assert.match(e.message, /syntax\.h:3:\d+: error: /)
  })

  it('a missing include fails and names the file', async function () {
    const e = await failure(parseHeader({header: `${ROOT}/missing.h`, projectRoot: ROOT, target: X86, args: []}))
    assert.ok(e instanceof ParseError)
    assert.match(e.message, /missing\.h:1:10: (error|fatal): 'does_not_exist\.h' file not found/)
    assert.match(e.hint ?? '', /-I/)
  })

  it('an unknown target is a usage error naming it', async function () {
    const e = await failure(parseHeader({header: `${ROOT}/flags.h`, projectRoot: ROOT, target: 'bogus-unknown-nowhere', args: [`-I${ROOT}/inc`]}))
    assert.ok(e instanceof UsageError, String(e))
    assert.match(e.message, /unknown target triple 'bogus-unknown-nowhere'/)
  })

  it('args keep their order and meaning: -I finds the include, -D takes the branch', async function () {
    const without = await failure(parseHeader({header: `${ROOT}/flags.h`, projectRoot: ROOT, target: X86, args: []}))
    assert.match(without.message, /'dep\.h' file not found/)
    const r = await parseHeader({header: `${ROOT}/flags.h`, projectRoot: ROOT, target: X86, args: [`-I${ROOT}/inc`, '-DFEATURE_X=30']})
    const names = r.ir.declarations.map((d) => d.name)
    assert.ok(names.includes('feature_fn') && !names.includes('nofeature_fn'))
    assert.ok(names.includes('dep_t'), 'inc/dep.h is a project header (under the root, found with -I)')
    assert.deepEqual(r.included, ['inc/dep.h'])
    const isystem = await parseHeader({header: `${ROOT}/flags.h`, projectRoot: ROOT, target: X86, args: ['-isystem', `${ROOT}/inc`]})
    assert.ok(!isystem.ir.declarations.some((d) => d.name === 'dep_t'), 'an -isystem dir is never project code')
    assert.deepEqual(isystem.included, [])
  })

  it('a missing header, a header outside the project, a missing libclang', async function () {
    assert.ok(await failure(parseHeader({header: `${ROOT}/nope.h`, projectRoot: ROOT, target: X86, args: []})) instanceof InputError)
    const outside = await failure(parseHeader({header: '/usr/include/zlib.h', projectRoot: ROOT, target: X86, args: []}))
    assert.ok(outside instanceof UsageError)
    const lib = await failure(parseHeader({header: `${ROOT}/flags.h`, projectRoot: ROOT, target: X86, args: [], libclang: '/nonexistent/libclang.so.1'}))
    assert.ok(lib instanceof LibclangNotFoundError)
    assert.match(lib.message, /\/nonexistent\/libclang\.so\.1 \(from --libclang\)/)
  })
})
