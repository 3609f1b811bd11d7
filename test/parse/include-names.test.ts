/** Which header a project includes to reach an external declaration: the directive where the include chain leaves the project. */
import assert from 'node:assert/strict'
import {directiveAt, includedAs, systemHeaderName} from '../../src/parse/libclang/externals.js'

describe('parse: the header an external declaration comes from', function () {
  const text = '#include "zconf.h"\n#  include <sys/time.h> /* timeval */\nint x;\n'

  it('reads the header named by the directive on a line', function () {
    assert.equal(directiveAt(text, 3), 'zconf.h')
    assert.equal(directiveAt(text, text.indexOf('sys/')), 'sys/time.h')
    assert.equal(directiveAt(text, text.indexOf('int x')), undefined)
  })

  it('takes the last project file of the chain, whatever system headers follow it', function () {
    const files: Record<string, string> = {'/p/api.h': text, '/usr/include/sys/time.h': '#include <bits/types/struct_timeval.h>\n'}
    const read = (f: string): string => files[f]!
    const chain = [{file: '/p/api.h', project: true, offset: text.indexOf('sys/')}, {file: '/usr/include/sys/time.h', project: false, offset: 0}]
    assert.equal(includedAs(chain, 'fallback.h', read), 'sys/time.h')
    assert.equal(includedAs([], 'fallback.h', read), 'fallback.h', 'a file with no chain (the main file) falls back')
    assert.equal(includedAs([{file: '/gone.h', project: true, offset: 0}], 'fallback.h', () => { throw new Error('ENOENT') }), 'fallback.h')
  })

  it('names a system file below the usual include directories when no directive does', function () {
    assert.equal(systemHeaderName('/usr/include/x86_64-linux-gnu/bits/types/struct_timeval.h'), 'bits/types/struct_timeval.h')
    assert.equal(systemHeaderName('/usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h'), 'stddef.h')
  })
})
