import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Header} from '../../src/ir/types.js'
import {getWriter, resolveWriterOptions, UnsupportedIrError, type ResolvedOptions} from '../../src/writers/index.js'
import {makeTempDir} from '../support/tmp.js'
import {python, systemIr, TRICKY_DIR, trickyIr} from './helpers.js'

const cffi = getWriter('cffi')
const write = (ir: Header, options: ResolvedOptions = resolveWriterOptions(cffi)): string => cffi.write(ir, options, {})

describe('cffi writer, checked by cffi', function () {
  this.timeout(240_000)
  let dir: string
  let report: Record<string, unknown>
  let tricky: string

  before(async () => {
    dir = makeTempDir()
    const zlib = await systemIr('zlib')
    const sqlite = await systemIr('sqlite3')
    tricky = write(trickyIr(), resolveWriterOptions(cffi, {flags: ['cffi:define_patterns=^TRICKY_(NAME|RATIO|VERSION)$']}))
    writeFileSync(join(dir, 'tricky.cdef'), tricky)
    writeFileSync(join(dir, 'tricky_abi.cdef'), write(trickyIr()))
    writeFileSync(join(dir, 'zlib.cdef'), write(zlib, resolveWriterOptions(cffi, {flags: ['cffi:define_patterns=^Z_(OK|DEFLATED)$', 'cffi:define_patterns=^ZLIB_VERSION$']})))
    writeFileSync(join(dir, 'sqlite3.cdef'), write(sqlite))
    // One Python process: ABI-mode cdefs, then API-mode builds of the tricky header
    // (with its implementation) and of the real zlib.h against libz.
    const out = python(`
import cffi, json, sys
d = ${JSON.stringify(dir)}
r = {}
for name in ['tricky_abi', 'zlib', 'sqlite3']:
    ffi = cffi.FFI(); ffi.cdef(open(d + '/' + name + '.cdef').read())
    r['abi_' + name] = 'ok'
ffi = cffi.FFI(); ffi.cdef(open(d + '/tricky_abi.cdef').read())
r['abi_sizes'] = {c: ffi.sizeof(c) for c in ['struct flags', 'struct with_anon', 'struct callbacks', 'vec2', 'struct node']}
try:
    ffi.sizeof('struct packed_rec'); r['abi_packed'] = 'silently unpacked'
except Exception as e:
    r['abi_packed'] = 'refused'
ffi = cffi.FFI(); ffi.cdef(open(d + '/tricky.cdef').read())
ffi.set_source('_tricky', '#include "tricky.h"', sources=[${JSON.stringify(join(TRICKY_DIR, 'tricky.c'))}], include_dirs=[${JSON.stringify(TRICKY_DIR)}])
ffi.compile(tmpdir=d)
ffi = cffi.FFI(); ffi.cdef(open(d + '/zlib.cdef').read())
ffi.set_source('_z', '#include <zlib.h>', libraries=['z'])
ffi.compile(tmpdir=d)
sys.path.insert(0, d)
from _tricky import ffi as tf, lib as tl
from _z import ffi as zf, lib as zl
f = tf.new('struct flags *'); f.c = -5; f.b = 5
r['tricky'] = {
  'apply': tl.tricky_apply(tl.tricky_pick(1), 6, 7), 'sum': tl.tricky_sum(3, tf.cast('int', 1), tf.cast('int', 2), tf.cast('int', 3)),
  'len': tl.tricky_len({'x': 3.0, 'y': 4.0}), 'flags_c': tl.tricky_flags_c(f), 'b': f.b,
  'name': tf.string(tl.TRICKY_NAME).decode(), 'ratio': tl.TRICKY_RATIO, 'version': tl.TRICKY_VERSION,
  'packed': [tf.sizeof('struct packed_rec'), tf.offsetof('struct packed_rec', 'small')],
  'counter': tl.tricky_counter, 'table': tf.string(tl.tricky_table[3]).decode(), 'green': tl.GREEN, 'big': tl.BIG_HUGE,
}
buf = b'hello'
r['zlib'] = {'version': zf.string(zl.zlibVersion()).decode(), 'ZLIB_VERSION': zf.string(zl.ZLIB_VERSION).decode(), 'Z_OK': zl.Z_OK,
             'crc32': zl.crc32(0, buf, len(buf)), 'z_stream': zf.sizeof('z_stream')}
print(json.dumps(r))
`, dir)
    report = JSON.parse(out.trim().split('\n').pop()!)
  })

  it('ffi.cdef() accepts the tricky IR, zlib.h and sqlite3.h', () => {
    assert.deepEqual([report.abi_tricky_abi, report.abi_zlib, report.abi_sqlite3], ['ok', 'ok', 'ok'])
    assert.deepEqual(report.abi_sizes, {'struct flags': 4, 'struct with_anon': 24, 'struct callbacks': 40, 'vec2': 16, 'struct node': 32})
  })

  it('spells function pointers, bitfields and anonymous members as valid C (B-BE-7)', () => {
    assert.match(tricky, /^ {4}int \(\*on_event\)\(void \*ctx, int code\);$/m)
    assert.match(tricky, /^int \(\*tricky_pick\(int which\)\)\(int, int\);$/m)
    assert.match(tricky, /^int tricky_register\(int \(\*cb\)\(int\), void \*ud\);$/m)
    assert.match(tricky, /^extern int \(\*tricky_hook\)\(int\);$/m)
    assert.match(tricky, /^ {4}unsigned int b : 3;$/m)
    assert.match(tricky, /^ {4}unsigned int : 4;$/m)
  })

  it('an API-mode build of the tricky header compiles and calls through every construct', () => {
    assert.deepEqual(report.tricky, {
      apply: 42, sum: 6, len: 25, flags_c: -5, b: 5, name: 'tricky', ratio: 1.5, version: 3,
      packed: [7, 5], counter: 42, table: 'three', green: 5, big: 4294967295,
    })
  })

  it('packed records take the compiler layout in API mode and are refused, not mis-laid, in ABI mode', () => {
    assert.match(tricky, /struct packed_rec \{\n(.*\n){3} {4}\.\.\.;\n\};/)
    assert.equal(report.abi_packed, 'refused')
  })

  it('an API-mode build against the real zlib.h compiles and calls zlibVersion()', () => {
    const z = report.zlib as Record<string, unknown>
    assert.match(z.version as string, /^1\.\d+\.\d+/)
    assert.equal(z.ZLIB_VERSION, z.version)
    assert.equal(z.Z_OK, 0)
    assert.equal(z.crc32, 907060870)
    assert.equal(z.z_stream, 112)
  })

  it('never prints an integer macro twice, and prints define_patterns matches for the compiler', () => {
    assert.equal(tricky.match(/#define TRICKY_VERSION/g)?.length, 1)
    assert.match(tricky, /^#define TRICKY_VERSION \.\.\.$/m)
    assert.match(tricky, /^#define TRICKY_NEG -7$/m)
    assert.match(tricky, /^static const char \*const TRICKY_NAME;$/m)
  })

  it('a one-element exclude list excludes what it matches, not everything (B-OPT-1)', () => {
    const text = write(trickyIr(), resolveWriterOptions(cffi, {flags: ['cffi:exclude_patterns=^tricky_']}))
    assert.doesNotMatch(text, /tricky_apply/)
    assert.match(text, /struct node \{/)
    assert.match(text, /#define TRICKY_VERSION 3/)
  })

  it('is deterministic and holds no absolute path', () => {
    assert.equal(write(trickyIr()), write(trickyIr()))
    assert.doesNotMatch(tricky, /\/work|\/tmp|\/home/)
  })

  it('refuses IR it cannot express, naming the declaration', () => {
    const bad: Header = {path: 'x.h', declarations: [{kind: 'struct', name: 'wide', fields: [{name: 'v', type: {kind: 'ctype', name: '__int128'}}]}]}
    assert.throws(() => write(bad), (e: unknown) => e instanceof UnsupportedIrError && /cffi writer cannot express struct 'wide': type '__int128'/.test(e.message))
    const unknown: Header = {path: 'x.h', declarations: [{kind: 'function', name: 'f', return_type: {kind: 'ctype', name: 'mystery_t'}, parameters: [], is_variadic: false}]}
    assert.throws(() => write(unknown), /function 'f': type 'mystery_t' is declared neither in the IR/)
  })
})
