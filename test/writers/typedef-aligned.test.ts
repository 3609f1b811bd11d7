/**
 * An `aligned` attribute on a typedef of a record (`typedef struct {...} T
 * __attribute__((aligned(16)))`, libffi's ffi_closure) aligns the type without padding
 * it: sizeof stays the record's. Each writer's consumer must see GCC's sizeof and
 * alignof for the type and for the records that embed it.
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Header, Struct} from '../../src/ir/types.js'
import {parseHeader} from '../../src/parse/index.js'
import {getWriter, resolveWriterOptions} from '../../src/writers/index.js'
import {makeTempDir} from '../support/tmp.js'
import {mustRun, python} from './helpers.js'

const HEADER = `
typedef struct { char c; } t16 __attribute__((aligned(16)));
typedef struct __attribute__((packed)) { char c; int i; } packed8 __attribute__((aligned(8)));
typedef struct { int a; char tramp[12]; } closure_t __attribute__((aligned(8)));
struct holder { char x; t16 t; char y; packed8 p; char z; closure_t c; };
`
const NAMES = ['t16', 'packed8', 'closure_t', 'struct holder']

const write = (name: string, ir: Header): string => {
  const w = getWriter(name)
  return w.write(ir, resolveWriterOptions(w), {target: 'x86_64-unknown-linux-gnu'})
}

describe('writers: an aligned typedef of a record', function () {
  this.timeout(60_000)
  let dir: string
  let ir: Header
  /** GCC's "sizeof alignof" of each name, and holder's member offsets. */
  let gcc: string

  before(async () => {
    dir = makeTempDir()
    writeFileSync(join(dir, 'al.h'), HEADER)
    ir = (await parseHeader({header: join(dir, 'al.h'), projectRoot: dir, target: 'x86_64-unknown-linux-gnu', args: []})).ir
    const lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "al.h"', 'int main(void) {']
    for (const n of NAMES) lines.push(`  printf("%zu %zu ", sizeof(${n}), _Alignof(${n}));`)
    lines.push('  printf("%zu %zu %zu %zu %zu", offsetof(struct holder, t), offsetof(struct holder, y), offsetof(struct holder, p), offsetof(struct holder, z), offsetof(struct holder, c));', '  return 0;', '}')
    writeFileSync(join(dir, 'probe.c'), lines.join('\n'))
    mustRun('gcc', ['-o', join(dir, 'probe'), join(dir, 'probe.c'), `-I${dir}`])
    gcc = mustRun(join(dir, 'probe'), [])
  })

  it('the IR gives the typedef\'s alignment and the record\'s size', function () {
    const rec = (name: string): Struct => ir.declarations.find((d) => d.name === name) as Struct
    assert.deepEqual([rec('t16').size, rec('t16').align, rec('t16').aligned], [1, 16, 16])
    assert.deepEqual([rec('packed8').size, rec('packed8').align, rec('packed8').is_packed], [5, 8, true])
    assert.equal(gcc.split(' ').slice(0, 4).join(' '), '1 16 5 8')
  })

  it('lua: LuaJIT gives GCC\'s sizeof, alignof and offsets', function () {
    const text = write('lua', ir)
    assert.match(text, /\} t16 __attribute__\(\(aligned\(16\)\)\);/)
    writeFileSync(join(dir, 'al_ffi.lua'), text)
    const out = mustRun('luajit', ['-e', `dofile(${JSON.stringify(join(dir, 'al_ffi.lua'))}); local ffi = require("ffi"); local t = {}
      for _, n in ipairs({${NAMES.map((n) => JSON.stringify(n)).join(', ')}}) do t[#t + 1] = ffi.sizeof(n) .. " " .. ffi.alignof(n) end
      for _, f in ipairs({"t", "y", "p", "z", "c"}) do t[#t + 1] = ffi.offsetof("struct holder", f) end
      io.write(table.concat(t, " "))`])
    assert.equal(out, gcc)
  })

  it('ctypes: the records that embed it have GCC\'s size and offsets', function () {
    writeFileSync(join(dir, 'al_ctypes.py'), write('ctypes', ir))
    const out = python(`import sys; sys.path.insert(0, ${JSON.stringify(dir)}); import al_ctypes as m, ctypes
h = m.holder
print(ctypes.sizeof(m.t16), ctypes.sizeof(m.packed8), ctypes.sizeof(m.closure_t), ctypes.sizeof(h), h.t.offset, h.y.offset, h.p.offset, h.z.offset, h.c.offset)`)
    const g = gcc.split(' ')
    assert.equal(out.trim(), [g[0], g[2], g[4], g[6], ...g.slice(8)].join(' '))
  })

  it('cffi: the compiler lays it out (API mode), and the cdef parses', function () {
    const text = write('cffi', ir)
    assert.match(text, /typedef struct \{\n {4}char c;\n {4}\.\.\.;\n\} t16;/)
    writeFileSync(join(dir, 'al.cdef'), text)
    python(`import cffi; cffi.FFI().cdef(open(${JSON.stringify(join(dir, 'al.cdef'))}).read())`)
  })
})
