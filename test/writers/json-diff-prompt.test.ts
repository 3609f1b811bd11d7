import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {headerFromJson} from '../../src/ir/json.js'
import type {Function, Header, Struct} from '../../src/ir/types.js'
import {getWriter, resolveWriterOptions, WriterOptionError, type ApiDiff} from '../../src/writers/index.js'
import {makeTempDir} from '../support/tmp.js'
import {systemIr, trickyIr} from './helpers.js'

const render = (name: string, ir: Header, flags: string[] = [], api: Record<string, unknown> = {}, cwd?: string): string => {
  const w = getWriter(name)
  return w.write(ir, resolveWriterOptions(w, {flags, api}), {cwd})
}

describe('json writer', () => {
  it('round-trips the tricky IR, zlib.h and sqlite3.h to the same IR', async () => {
    for (const ir of [trickyIr(), await systemIr('zlib'), await systemIr('sqlite3')]) {
      assert.deepEqual(headerFromJson(render('json', ir)), ir)
      assert.deepEqual(headerFromJson(render('json', ir, ['json:indent=0'])), ir)
    }
  })

  it('keeps the original shape: key order, indent, one line at indent 0, ASCII only', () => {
    const text = render('json', trickyIr())
    assert.ok(text.startsWith('{\n  "path": "fixtures/ir/tricky.h",\n  "declarations": [\n    {\n      "kind": "constant",'))
    const line = render('json', trickyIr(), ['json:indent=0'])
    assert.equal(line.includes('\n'), false)
    assert.ok(line.startsWith('{"path": "fixtures/ir/tricky.h", "declarations": [{"kind": "constant", "name": "TRICKY_VERSION"'))
    const accented = render('json', {path: 'é.h', declarations: []})
    assert.match(accented, /"\\u00e9\.h"/)
    assert.deepEqual(headerFromJson(accented).path, 'é.h')
  })
})

describe('diff writer', () => {
  const base = trickyIr()
  const changed: Header = structuredClone(base)
  changed.path = 'fixtures/ir/tricky-next.h'
  changed.declarations = changed.declarations.filter((d) => d.name !== 'tricky_sum')
  const apply = changed.declarations.find((d) => d.name === 'tricky_apply') as Function
  apply.parameters[2] = {name: 'b', type: {kind: 'ctype', name: 'long'}}
  const tree = changed.declarations.find((d) => d.name === 'tree') as Struct
  tree.fields.push({name: 'depth', type: {kind: 'ctype', name: 'int'}})
  changed.declarations.push({kind: 'function', name: 'tricky_new', return_type: {kind: 'ctype', name: 'int'}, parameters: [], is_variadic: false})

  it('compares the project\'s API only: external declarations changing is no API change', () => {
    const withSystem: Header = structuredClone(base)
    withSystem.declarations.unshift({kind: 'typedef', name: '__off_t', underlying_type: {kind: 'ctype', name: 'long'}, external_header: 'sys/types.h'})
    assert.deepEqual((JSON.parse(render('diff', withSystem, [], {baseline: base})) as ApiDiff).entries, [])
    const project: Header = structuredClone(withSystem)
    delete (project.declarations[0] as {external_header?: string}).external_header
    assert.deepEqual((JSON.parse(render('diff', project, [], {baseline: base})) as ApiDiff).entries.map((e) => `${e.kind}:${e.name}`), ['typedef_added:__off_t'])
  })

  it('reports added, removed and changed declarations as parseable JSON', () => {
    const diff = JSON.parse(render('diff', changed, [], {baseline: base})) as ApiDiff
    assert.equal(diff.baseline, 'fixtures/ir/tricky.h')
    assert.equal(diff.target, 'fixtures/ir/tricky-next.h')
    const kinds = diff.entries.map((e) => `${e.kind}:${e.name}:${e.severity}`).sort()
    assert.deepEqual(kinds, [
      'function_added:tricky_new:non_breaking',
      'function_removed:tricky_sum:breaking',
      'function_signature_changed:tricky_apply:breaking',
      'struct_field_added:tree:non_breaking',
    ])
    assert.deepEqual(diff.summary, {total: 4, breaking: 2, non_breaking: 2})
    const sig = diff.entries.find((e) => e.kind === 'function_signature_changed')!
    assert.equal(sig.target, 'int tricky_apply(binop_t op, int a, long b);')
  })

  it('reads a baseline JSON IR file named on the command line, and writes Markdown', () => {
    const dir = makeTempDir()
    writeFileSync(join(dir, 'old.json'), render('json', base))
    const md = render('diff', changed, ['diff:baseline=old.json', 'diff:format=markdown'], {}, dir)
    assert.match(md, /^# API Diff: fixtures\/ir\/tricky\.h -> fixtures\/ir\/tricky-next\.h$/m)
    assert.match(md, /^## Breaking Changes$/m)
    assert.match(md, /^- \*\*tricky_sum\*\*: function 'tricky_sum' removed$/m)
    assert.match(render('diff', base, [], {baseline: base, format: 'markdown'}), /No changes detected\./)
    assert.throws(() => render('diff', base, ['diff:baseline=missing.json'], {}, dir), (e: unknown) => e instanceof WriterOptionError && /cannot read missing\.json/.test(e.message))
  })

  it('with no baseline, everything named is added', () => {
    const diff = JSON.parse(render('diff', base)) as ApiDiff
    assert.equal(diff.baseline, '(empty)')
    assert.equal(diff.summary.breaking, 0)
    assert.equal(diff.summary.total, base.declarations.filter((d) => d.name).length)
  })
})

describe('prompt writer', () => {
  it('compact: one line per declaration with signatures and struct names', async () => {
    const text = render('prompt', trickyIr())
    assert.ok(text.startsWith('// fixtures/ir/tricky.h (headerkit compact)\n'))
    assert.match(text, /^FUNC tricky_apply\(op:binop_t, a:int, b:int\) -> int$/m)
    assert.match(text, /^FUNC tricky_sum\(count:int, \.\.\.\) -> int$/m)
    assert.match(text, /^CALLBACK binop_t\(int, int\) -> int$/m)
    assert.match(text, /^STRUCT __packed packed_rec \{tag:char, value:uint32_t, small:uint16_t\}$/m)
    assert.match(text, /^STRUCT flags \{a:unsigned int:1b, /m)
    assert.match(text, /^ENUM color: RED=0, GREEN=5, BLUE=6$/m)
    assert.match(text, /^STRUCT opaque_handle \(opaque\)$/m)
    const zlib = render('prompt', await systemIr('zlib'))
    assert.match(zlib, /^FUNC zlibVersion\(\) -> const char\*$/m)
    // zlib uses off_t from sys/types.h (an external declaration): not part of its API.
    assert.ok((await systemIr('zlib')).declarations.some((d) => d.name === 'off_t'))
    assert.match(zlib, /^TYPEDEF uLong = unsigned long$/m)
    assert.doesNotMatch(zlib, /^TYPEDEF (off_t|__off_t) = /m)
    assert.match(zlib, /^STRUCT z_stream_s \{/m)
  })

  it('standard: YAML-like sections', () => {
    const text = render('prompt', trickyIr(), ['prompt:verbosity=standard'])
    assert.ok(text.startsWith('# fixtures/ir/tricky.h (headerkit standard)\n'))
    for (const s of ['constants', 'enums', 'structs', 'callbacks', 'functions', 'typedefs', 'variables']) assert.match(text, new RegExp(`^${s}:$`, 'm'))
    assert.match(text, /^ {2}packed_rec:\n {4}packed: true$/m)
    assert.match(text, /^ {2}tricky_apply\(op:binop_t, a:int, b:int\) -> int$/m)
  })

  it('verbose: the JSON IR with used_in references', () => {
    const v = JSON.parse(render('prompt', trickyIr(), ['prompt:verbosity=verbose'])) as {declarations: {name: string; used_in?: string[]}[]}
    assert.deepEqual(v.declarations.find((d) => d.name === 'binop_t')!.used_in, ['callbacks', 'handler_t', 'tricky_apply'])
    assert.deepEqual(v.declarations.find((d) => d.name === 'vec2')!.used_in, ['tricky_len'])
  })

  it('is deterministic at every level', async () => {
    const sqlite = await systemIr('sqlite3')
    for (const level of ['compact', 'standard', 'verbose']) assert.equal(render('prompt', sqlite, [`prompt:verbosity=${level}`]), render('prompt', sqlite, [`prompt:verbosity=${level}`]))
  })
})
