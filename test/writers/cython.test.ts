/**
 * cython: the .pxd files for the tricky IR, zlib.h and sqlite3.h are cimported by one
 * tiny extension, translated by cython3, compiled by gcc against the Python headers,
 * imported by /usr/bin/python3 and called.
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Header} from '../../src/ir/types.js'
import {getWriter, resolveWriterOptions, UnsupportedIrError} from '../../src/writers/index.js'
import {makeTempDir} from '../support/tmp.js'
import {mustRun, PYTHON, python, ROOT, systemIr, TRICKY_DIR, trickyIr} from './helpers.js'

const cython = getWriter('cython')
const write = (ir: Header): string => cython.write(ir, resolveWriterOptions(cython), {})

const PYX = `
cimport tricky_decl as t
cimport zlib_decl as z
cimport sqlite3_decl as s

cdef int sub(int a, int b):
    return a - b

def run():
    cdef t.vec2 v
    v.x = 3
    v.y = 4
    cdef t.flags f
    f.c = -5
    cdef t.with_anon w
    w.d = 2.5
    cdef t.callbacks cb
    cb.ops[0] = sub
    cdef t.node n
    n.next = &n
    cdef z.z_stream strm
    strm.zalloc = NULL
    cdef const unsigned char *data = <const unsigned char *>b"hello"
    return {
        'apply': t.tricky_apply(sub, 10, 3), 'sum': t.tricky_sum(3, <int>1, <int>2, <int>3), 'len': t.tricky_len(v),
        'flags_c': t.tricky_flags_c(&f), 'anon': w.d, 'version': t.TRICKY_VERSION, 'name': t.TRICKY_NAME.decode(),
        'counter': t.tricky_counter, 'enum': [t.RED, t.GREEN, t.MODE_B], 'pick': t.tricky_pick(1)(6, 7), 'op': cb.ops[0](1, 2),
        'zlib': z.zlibVersion().decode(), 'crc32': z.crc32(0, data, 5), 'Z_OK': z.Z_OK,
        'sqlite': s.sqlite3_libversion().decode(), 'SQLITE_OK': s.SQLITE_OK,
    }
`

describe('cython writer, checked by cython3 + gcc + /usr/bin/python3', function () {
  this.timeout(300_000)
  let result: Record<string, unknown>
  let tricky: string

  before(async () => {
    const dir = makeTempDir()
    tricky = write(trickyIr())
    writeFileSync(join(dir, 'tricky_decl.pxd'), tricky)
    writeFileSync(join(dir, 'zlib_decl.pxd'), write(await systemIr('zlib')))
    writeFileSync(join(dir, 'sqlite3_decl.pxd'), write(await systemIr('sqlite3')))
    writeFileSync(join(dir, 'use_decls.pyx'), PYX)
    mustRun('cython3', ['-3', '-I', dir, join(dir, 'use_decls.pyx'), '-o', join(dir, 'use_decls.c')])
    const include = python('import sysconfig; print(sysconfig.get_paths()["include"])').trim()
    const suffix = python('import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))').trim()
    // The tricky .pxd names its header project-relative (fixtures/ir/tricky.h), so the project root is on the include path.
    mustRun('gcc', ['-shared', '-fPIC', '-O0', `-I${include}`, `-I${ROOT}`, `-I${TRICKY_DIR}`, join(dir, 'use_decls.c'), join(TRICKY_DIR, 'tricky.c'),
      '-lz', '-lsqlite3', '-o', join(dir, `use_decls${suffix}`)])
    const out = mustRun(PYTHON, ['-c', 'import json, use_decls; print(json.dumps(use_decls.run()))'], {cwd: dir})
    result = JSON.parse(out)
  })

  it('the .pxd files compile in an extension that calls through them', () => {
    const {zlib, sqlite, crc32, ...rest} = result
    assert.deepEqual(rest, {apply: 7, sum: 6, len: 25, flags_c: -5, anon: 2.5, version: 3, name: 'tricky', counter: 42, enum: [0, 5, 2], pick: 42, op: -1, Z_OK: 0, SQLITE_OK: 0})
    assert.match(zlib as string, /^1\.\d+/)
    assert.equal(crc32, 907060870)
    assert.match(sqlite as string, /^3\.\d+/)
  })

  it('declares from the project-relative header path, with valid function-pointer declarators', () => {
    assert.match(tricky, /^cdef extern from "fixtures\/ir\/tricky\.h":$/m)
    assert.match(tricky, /^ {8}int \(\*on_event\)\(void \*ctx, int code\)$/m)
    assert.match(tricky, /^ {4}int \(\*tricky_pick\(int which\)\)\(int, int\)$/m)
    assert.match(tricky, /^ {4}int tricky_register\(int \(\*cb\)\(int\), void \*ud\)$/m)
    assert.doesNotMatch(tricky, /\/work|\/tmp/)
    assert.equal(write(trickyIr()), tricky)
  })

  it('renames names Cython reserves and keeps their C names', () => {
    const ir: Header = {path: 'k.h', declarations: [
      {kind: 'struct', name: 'kw', fields: [{name: 'lambda', type: {kind: 'ctype', name: 'int'}}]},
      {kind: 'function', name: 'print', return_type: {kind: 'ctype', name: 'void'}, parameters: [{name: 'from', type: {kind: 'ctype', name: '_Bool'}}], is_variadic: false},
    ]}
    const text = write(ir)
    assert.match(text, /int lambda_ "lambda"/)
    assert.match(text, /void print_ "print"\(bint from_\)/)
  })

  it('refuses IR it cannot express, naming the declaration', () => {
    const bad: Header = {path: 'x.h', declarations: [{kind: 'variable', name: 'big', type: {kind: 'ctype', name: '__int128'}}]}
    assert.throws(() => write(bad), (e: unknown) => e instanceof UnsupportedIrError && /cython writer cannot express variable 'big'/.test(e.message))
  })
})
