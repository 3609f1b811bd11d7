import assert from 'node:assert/strict'
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {resolveHeaders} from '../../src/generate/inputs.js'
import type {HeaderEntry} from '../../src/config/types.js'
import {InputError, UsageError} from '../../src/errors.js'
import {makeTempDir} from '../support/tmp.js'

function project(): string {
  const root = makeTempDir()
  for (const f of ['include/a.h', 'include/net/sock.h', 'include/.hidden.h', 'src/b.h', 'src/deep/c.h', 'README.md']) {
    mkdirSync(join(root, f, '..'), {recursive: true})
    writeFileSync(join(root, f), '/* */\n')
  }
  return root
}

const entry = (pattern: string, overrides = {}, form: 'array' | 'table' = 'array'): HeaderEntry => ({pattern, form, overrides})

describe('resolveHeaders', () => {
  it('resolves literal command-line paths against the cwd, project-relative and POSIX', () => {
    const root = project()
    const r = resolveHeaders({patterns: ['net/sock.h', '../src/b.h'], projectRoot: root, cwd: join(root, 'include')})
    assert.deepEqual(r.headers.map((h) => h.path), ['include/net/sock.h', 'src/b.h'])
    assert.equal(r.source, 'command line')
  })

  it('expands globs from the project root (** is zero or more dirs, * matches dot files), dedups and sorts', () => {
    const root = project()
    const r = resolveHeaders({patterns: ['src/**/*.h', 'include/*.h', '../include/a.h'], projectRoot: root, cwd: join(root, 'src')})
    assert.deepEqual(r.headers.map((h) => h.path), ['include/.hidden.h', 'include/a.h', 'src/b.h', 'src/deep/c.h'])
    const q = resolveHeaders({patterns: ['include/?.h', 'src/[bc].h'], projectRoot: root, cwd: root})
    assert.deepEqual(q.headers.map((h) => h.path), ['include/a.h', 'src/b.h'])
  })

  it('uses the config headers when none are given, applies excludes, and reports matching entries', () => {
    const root = project()
    const entries = [entry('include/**/*.h', {defines: ['A']}), entry('include/net/sock.h', {defines: ['B']}, 'table'), entry('src/*.h')]
    const r = resolveHeaders({patterns: [], fromConfig: entries, exclude: ['**/.hidden.h'], projectRoot: root, cwd: join(root, 'src')})
    assert.equal(r.source, 'config')
    assert.deepEqual(r.headers.map((h) => [h.path, h.entries.map((e) => e.pattern)]), [
      ['include/a.h', ['include/**/*.h']],
      ['include/net/sock.h', ['include/**/*.h', 'include/net/sock.h']],
      ['src/b.h', ['src/*.h']],
    ])
  })

  it('errors on a missing literal, an empty glob, a header outside the root, and stdin', () => {
    const root = project()
    const outside = makeTempDir()
    writeFileSync(join(outside, 'x.h'), '')
    assert.throws(() => resolveHeaders({patterns: ['nope.h'], projectRoot: root, cwd: root}), (e: unknown) => e instanceof InputError && e.code === 'E_HEADER_NOT_FOUND' && e.message.includes('nope.h'))
    assert.throws(() => resolveHeaders({patterns: ['include/**/*.hpp'], projectRoot: root, cwd: root}), (e: unknown) => e instanceof InputError && e.code === 'E_GLOB_NO_MATCH')
    assert.throws(() => resolveHeaders({patterns: [join(outside, 'x.h')], projectRoot: root, cwd: root}), (e: unknown) => e instanceof InputError && e.code === 'E_HEADER_OUTSIDE_ROOT')
    assert.throws(() => resolveHeaders({patterns: ['../*.h'], projectRoot: root, cwd: root}), (e: unknown) => e instanceof InputError && e.code === 'E_HEADER_OUTSIDE_ROOT')
    assert.throws(() => resolveHeaders({patterns: ['-'], projectRoot: root, cwd: root}), UsageError)
    assert.throws(() => resolveHeaders({patterns: [], projectRoot: root, cwd: root}), /no headers given and none configured/)
  })

  it('refuses a symlink that leads out of the project', () => {
    const root = project()
    const outside = makeTempDir()
    writeFileSync(join(outside, 'evil.h'), '')
    symlinkSync(join(outside, 'evil.h'), join(root, 'include', 'evil.h'))
    assert.throws(() => resolveHeaders({patterns: ['include/*.h'], projectRoot: root, cwd: root}), (e: unknown) => e instanceof InputError && e.code === 'E_HEADER_OUTSIDE_ROOT' && e.message.includes('evil.h'))
    assert.throws(() => resolveHeaders({patterns: ['include/evil.h'], projectRoot: root, cwd: root}), (e: unknown) => e instanceof InputError && e.code === 'E_HEADER_OUTSIDE_ROOT')
  })
})
