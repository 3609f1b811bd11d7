import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {searchPaths, toClangArgs} from '../../src/generate/args.js'
import {dependenciesUnchanged, includeClosure, scanIncludes} from '../../src/generate/deps.js'
import {makeTempDir} from '../support/tmp.js'

function project(files: Record<string, string>): string {
  const root = makeTempDir()
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), {recursive: true})
    writeFileSync(join(root, path), text)
  }
  return root
}

describe('include closure (no libclang)', () => {
  it('finds quoted and -I includes transitively, through every #if branch', async () => {
    const root = project({
      'include/a.h': '#include "b.h"\n#ifdef X\n#  include <sub/c.h>\n#else\n#include "missing.h"\n#endif\n#include <stdio.h>\n',
      'include/b.h': '#pragma once\n#include "b.h"\n',
      'include/sub/c.h': '#include "d.h"\n',
      'include/sub/d.h': 'int d;\n',
      'include/unused.h': 'int u;\n',
    })
    const paths = searchPaths(toClangArgs({defines: [], includeDirs: ['include'], extraArgs: []}, root))
    const deps = await includeClosure(join(root, 'include/a.h'), root, paths)
    assert.deepEqual(deps.map((d) => d.path), ['include/b.h', 'include/sub/c.h', 'include/sub/d.h'])
    assert.ok(deps.every((d) => /^[0-9a-f]{64}$/.test(d.hash)))
  })

  it('ignores includes in comments and does not follow -isystem directories', async () => {
    const root = project({
      'a.h': '/* #include "commented.h" */\n// #include "line-commented.h" is a line comment\n#include <vendor.h>\n',
      'commented.h': '', 'line-commented.h': '',
      'third_party/vendor.h': '#include "deep.h"\n', 'third_party/deep.h': '',
    })
    const paths = searchPaths(toClangArgs({defines: [], includeDirs: [], extraArgs: ['-isystem', 'third_party']}, root))
    assert.deepEqual(await includeClosure(join(root, 'a.h'), root, paths), [])
  })

  it('detects an edit to any file of the closure, and not a touch', async () => {
    const root = project({'a.h': '#include "b.h"\n', 'b.h': 'int b;\n'})
    const deps = await includeClosure(join(root, 'a.h'), root, searchPaths([]))
    assert.equal(await dependenciesUnchanged(deps, root), true)
    writeFileSync(join(root, 'b.h'), 'int b;\n') // same bytes, new mtime
    assert.equal(await dependenciesUnchanged(deps, root), true)
    writeFileSync(join(root, 'b.h'), 'long b;\n')
    assert.equal(await dependenciesUnchanged(deps, root), false)
  })

  it('treats CRLF and LF checkouts of a header alike', async () => {
    const lf = project({'a.h': '#include "b.h"\n', 'b.h': 'int b;\nint c;\n'})
    const crlf = project({'a.h': '#include "b.h"\r\n', 'b.h': 'int b;\r\nint c;\r\n'})
    assert.deepEqual(await includeClosure(join(lf, 'a.h'), lf, searchPaths([])), await includeClosure(join(crlf, 'a.h'), crlf, searchPaths([])))
  })

  it('scans include_next and spaced directives', () => {
    assert.deepEqual(scanIncludes('#  include_next <x.h>\n  #\tinclude "y.h"\n#define INC "z.h"\n#include INC\n'), {quoted: ['y.h'], angled: ['x.h']})
  })
})

describe('include scanning', () => {
  it('skips directives inside block comments, wherever the comments are', () => {
    const text = '#include "a.h"\n/* one\n#include "b.h"\n*/\n#include "c.h" /* trailing */\n/**/#include "not-a-directive.h"\n/* x */ /* y\n#include "d.h" */\n#include "e.h"\n'
    assert.deepEqual(scanIncludes(text).quoted, ['a.h', 'c.h', 'e.h'])
  })
})
