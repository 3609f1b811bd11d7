/**
 * ctypes and lua: the generated module is loaded by its real consumer
 * (/usr/bin/python3, luajit), calls real functions of real libraries, and its record
 * sizes and member offsets equal gcc's for x86_64.
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Header} from '../../src/ir/types.js'
import {getWriter, resolveWriterOptions, UnsupportedIrError} from '../../src/writers/index.js'
import {makeTempDir} from '../support/tmp.js'
import {cLayout, completeRecords, mustRun, python, systemIr, TRICKY_DIR, trickyIr} from './helpers.js'

type Layout = Record<string, {size: number; fields: Record<string, number>}>

interface Case {
  name: string
  ir: Header
  include: string
  includeDirs: string[]
  library: string
  c: Layout
}

const ctypes = getWriter('ctypes')
const lua = getWriter('lua')

async function cases(dir: string): Promise<Case[]> {
  const lib = join(dir, 'libtricky.so')
  mustRun('gcc', ['-shared', '-fPIC', '-o', lib, join(TRICKY_DIR, 'tricky.c')])
  const out: Case[] = [{name: 'tricky', ir: trickyIr(), include: 'tricky.h', includeDirs: [TRICKY_DIR], library: lib, c: {}}]
  for (const [name, library] of [['zlib', 'z'], ['sqlite3', 'sqlite3']] as const) {
    out.push({name, ir: await systemIr(name), include: `${name}.h`, includeDirs: [], library, c: {}})
  }
  for (const c of out) c.c = cLayout(c.ir, c.include, dir, c.includeDirs)
  return out
}

/** Python/Lua list of [C name, kind, tag, fields] for the records of an IR. */
function recordList(ir: Header): [string, string, string, boolean, string[]][] {
  return completeRecords(ir).map((s) => [s.is_typedef ? s.name! : `${s.kind} ${s.name}`, s.kind, s.name!, !!s.is_typedef, s.fields.filter((f) => f.name && f.bit_width === undefined).map((f) => f.name!)])
}

describe('ctypes writer, checked by /usr/bin/python3', function () {
  this.timeout(240_000)
  let dir: string
  let all: Case[]
  let results: Record<string, {sizes: Layout; calls: Record<string, unknown>}>

  before(async () => {
    dir = makeTempDir()
    all = await cases(dir)
    for (const c of all) writeFileSync(join(dir, `${c.name}_ctypes.py`), ctypes.write(c.ir, resolveWriterOptions(ctypes, {flags: [`ctypes:library=${c.library}`]}), {}))
    const out = python(`
import ctypes, json, sys
sys.path.insert(0, ${JSON.stringify(dir)})
records = json.loads(${JSON.stringify(JSON.stringify(Object.fromEntries(all.map((c) => [c.name, recordList(c.ir)]))))})
r = {}
for name, recs in records.items():
    m = __import__(name + '_ctypes')
    sizes = {}
    for cname, kind, tag, is_typedef, fields in recs:
        cls = getattr(m, tag, None) if is_typedef else (getattr(m, tag, None) or getattr(m, kind + '_' + tag))
        # A member written as a bitfield of the open unit (GCC layout) reports the unit's
        # offset; its byte offset is the unit's plus its bit offset.
        sizes[cname] = {'size': ctypes.sizeof(cls), 'fields': {f: getattr(cls, f).offset + ((getattr(cls, f).size & 0xffff) // 8 if getattr(cls, f).size >> 16 else 0) for f in fields}}
    r[name] = {'sizes': sizes, 'calls': {}}
t = __import__('tricky_ctypes')
f = t.flags(); f.c = -5; f.b = 5
buf = ctypes.create_string_buffer(16)
r['tricky']['calls'] = {
  'apply': t.tricky_apply(t.binop_t(lambda a, b: a - b), 10, 3), 'pick': t.tricky_pick(1)(6, 7), 'sum': t.tricky_sum(3, 1, 2, 3),
  'len': t.tricky_len(t.vec2(3.0, 4.0)), 'flags_c': t.tricky_flags_c(ctypes.byref(f)), 'b': f.b,
  'fill': [t.tricky_fill(buf, None), buf.raw[:2].decode()], 'counter': t.tricky_counter.value, 'name': t.TRICKY_NAME.decode(),
  'big': str(t.TRICKY_BIG), 'green': t.GREEN, 'table': t.tricky_table[3].value.decode(),
}
z = __import__('zlib_ct'.replace('_ct', '_ctypes'))
data = (ctypes.c_ubyte * 5).from_buffer_copy(b'hello')
r['zlib']['calls'] = {'version': z.zlibVersion().decode(), 'crc32': z.crc32(0, data, 5), 'Z_OK': z.Z_OK}
s = __import__('sqlite3_ctypes')
r['sqlite3']['calls'] = {'version': s.sqlite3_libversion().decode(), 'SQLITE_OK': s.SQLITE_OK}
print(json.dumps(r))
`)
    results = JSON.parse(out.trim().split('\n').pop()!)
  })

  it('imports and calls real functions of the real libraries', () => {
    assert.deepEqual(results.tricky!.calls, {apply: 7, pick: 42, sum: 6, len: 25, flags_c: -5, b: 5, fill: [0, 'xx'], counter: 42, name: 'tricky', big: '18446744073709551615', green: 5, table: 'three'})
    assert.match(results.zlib!.calls.version as string, /^1\.\d+/)
    assert.equal(results.zlib!.calls.crc32, 907060870)
    assert.match(results.sqlite3!.calls.version as string, /^3\.\d+/)
    assert.equal(results.sqlite3!.calls.SQLITE_OK, 0)
  })

  it('gives every record the size and member offsets gcc gives it (bitfields, packed, anonymous members included)', () => {
    for (const c of all) {
      assert.ok(Object.keys(c.c).length > 0, c.name)
      assert.deepEqual(results[c.name]!.sizes, c.c, c.name)
    }
  })

  it('declares records before completing them, so self- and mutually-referential records work', () => {
    const text = ctypes.write(trickyIr(), resolveWriterOptions(ctypes), {})
    assert.ok(text.indexOf('class tree(ctypes.Structure):') < text.indexOf('node._fields_ = ['))
    assert.match(text, /\('owner', ctypes\.POINTER\(tree\)\)/)
    assert.match(text, /packed_rec\._pack_ = 1/)
    assert.match(text, /\('b', ctypes\.c_uint, 3\)/)
  })

  it('refuses IR it cannot express, naming the declaration', () => {
    const bad: Header = {path: 'x.h', declarations: [{kind: 'function', name: 'cabs2', return_type: {kind: 'ctype', name: 'double _Complex'}, parameters: [], is_variadic: false}]}
    assert.throws(() => ctypes.write(bad, resolveWriterOptions(ctypes), {}), (e: unknown) => e instanceof UnsupportedIrError && /ctypes writer cannot express function 'cabs2'/.test(e.message))
  })
})

describe('lua writer, checked by luajit', function () {
  this.timeout(240_000)
  let dir: string
  let all: Case[]
  let results: Record<string, unknown>

  before(async () => {
    dir = makeTempDir()
    all = await cases(dir)
    const luaStr = (s: string): string => JSON.stringify(s)
    const script: string[] = ['local ffi = require("ffi")', 'local out = {}']
    for (const c of all) {
      const opts = c.name === 'tricky' ? ['lua:exclude_patterns=^big_values$'] : []
      const file = join(dir, `${c.name}_ffi.lua`)
      writeFileSync(file, lua.write(c.ir, resolveWriterOptions(lua, {flags: opts}), {}))
      script.push(`local consts_${c.name} = dofile(${luaStr(file)})`)
      for (const [cname, , , , fields] of recordList(c.ir)) {
        script.push(`out[#out + 1] = ${luaStr(`${c.name}\t${cname}\t`)} .. ffi.sizeof(${luaStr(cname)})`)
        for (const f of fields) script.push(`out[#out + 1] = ${luaStr(`${c.name}\t${cname}.${f}\t`)} .. ffi.offsetof(${luaStr(cname)}, ${luaStr(f)})`)
      }
    }
    script.push(
      `local T = ffi.load(${luaStr(all[0]!.library)})`,
      'local f = ffi.new("struct flags"); f.c = -5',
      'out[#out + 1] = "call\\ttricky\\t" .. table.concat({T.tricky_apply(T.tricky_pick(1), 6, 7), T.tricky_sum(3, ffi.new("int", 1), ffi.new("int", 2), ffi.new("int", 3)), T.tricky_len(ffi.new("vec2", 3, 4)), T.tricky_flags_c(f), T.tricky_counter, ffi.string(T.tricky_table[3]), consts_tricky.TRICKY_NAME, tostring(consts_tricky.TRICKY_BIG), ffi.C.TRICKY_VERSION, ffi.C.GREEN}, ",")',
      'local Z = ffi.load("z")',
      'out[#out + 1] = "call\\tzlib\\t" .. ffi.string(Z.zlibVersion()) .. "," .. tonumber(Z.crc32(0, "hello", 5))',
      'local S = ffi.load("sqlite3")',
      'out[#out + 1] = "call\\tsqlite3\\t" .. ffi.string(S.sqlite3_libversion())',
      'io.write(table.concat(out, "\\n"))',
    )
    const scriptFile = join(dir, 'check.lua')
    writeFileSync(scriptFile, script.join('\n'))
    const lines = mustRun('luajit', [scriptFile]).trim().split('\n')
    const layout: Record<string, Layout> = {}
    const calls: Record<string, string> = {}
    for (const line of lines) {
      const [a, b, value] = line.split('\t') as [string, string, string]
      if (a === 'call') {
        calls[b] = value
        continue
      }
      const l = (layout[a] ??= {})
      const dot = b.lastIndexOf('.')
      if (dot > 0 && l[b.slice(0, dot)]) l[b.slice(0, dot)]!.fields[b.slice(dot + 1)] = Number(value)
      else l[b] = {size: Number(value), fields: {}}
    }
    results = {layout, calls}
  })

  it('ffi.cdef accepts the output and the real libraries are callable through it', () => {
    const calls = results.calls as Record<string, string>
    assert.equal(calls.tricky, '42,6,25,-5,42,three,tricky,18446744073709551615ULL,3,5')
    assert.match(calls.zlib!, /^1\.\d+\.\d+,907060870$/)
    assert.match(calls.sqlite3!, /^3\.\d+/)
  })

  it('ffi.sizeof and ffi.offsetof of every record equal gcc', () => {
    const layout = results.layout as Record<string, Layout>
    for (const c of all) {
      // big_values is excluded from the tricky run (see the next test); no record holds it.
      assert.deepEqual(layout[c.name], c.c, c.name)
    }
  })

  it('declares records as types, never as variables of an anonymous struct (B-WR-1)', () => {
    const text = lua.write(trickyIr(), resolveWriterOptions(lua, {api: {exclude_patterns: ['^big_values$']}}), {})
    assert.match(text, /^struct node \{$/m)
    assert.match(text, /^typedef struct \{\n {4}double x;\n {4}double y;\n\} vec2;$/m)
    assert.match(text, /^struct __attribute__\(\(packed\)\) packed_rec \{$/m)
    assert.match(text, /^enum color \{$/m)
    assert.doesNotMatch(text, /^\} node;$/m)
    assert.doesNotMatch(text, /\/work|\/tmp/)
  })

  it('gives the values of an enum wider than LuaJIT\'s as constants, and refuses a declaration of its type, naming both', () => {
    const text = lua.write(trickyIr(), resolveWriterOptions(lua), {})
    assert.match(text, /enum 'big_values' is 8 bytes in C and LuaJIT enums are 32-bit: its values are constants/)
    assert.doesNotMatch(text, /^enum big_values \{$/m)
    const ir = trickyIr()
    ir.declarations.push({kind: 'function', name: 'take_big', return_type: {kind: 'ctype', name: 'void'}, parameters: [{name: 'v', type: {kind: 'ctype', name: 'enum big_values'}}], is_variadic: false})
    assert.throws(() => lua.write(ir, resolveWriterOptions(lua), {}), (e: unknown) => e instanceof UnsupportedIrError &&
      /lua writer cannot express function 'take_big': it uses enum big_values, an enum wider than 32 bits/.test(e.message) && /exclude_patterns='\^take_big\$'/.test(e.hint ?? ''))
  })
})
