/**
 * What each writer emits for declarations from outside the project: what its consumer
 * needs, and never a second definition of what it already knows. The header uses a
 * sibling config header (a system header here), C library types by value and through
 * pointers, and has a named member of an unnamed union, an array of anonymous structs,
 * a `const` pointer parameter and a macro named like an enumerator.
 */
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Header} from '../../src/ir/types.js'
import {isExternal} from '../../src/ir/walk.js'
import {parseHeader} from '../../src/parse/index.js'
import {getWriter, resolveWriterOptions} from '../../src/writers/index.js'
import {makeTempDir} from '../support/tmp.js'
import {cLayout, mustRun, PYTHON, python} from './helpers.js'

const CONFIG = `
#include <stdint.h>
typedef unsigned char my_byte;
typedef my_byte my_Char;
typedef uint32_t my_u32;
`

const HEADER = `
#include <stdio.h>
#include <stdarg.h>
#include <sys/time.h>
#include "myconf.h"

enum my_status { MY_ERROR = 0, MY_OK = 1 };
#define MY_ERROR MY_ERROR

struct session {
  struct timeval started;
  my_Char tag;
  my_u32 count;
  FILE *log;
  union { int i; double d; } last;
  struct { unsigned short off, len; } field_data[3];
};
int session_open(struct session *s, const char **const names, my_Char c);
int session_vlog(struct session *s, const char *fmt, va_list ap);
`

const write = (name: string, ir: Header): string => {
  const w = getWriter(name)
  return w.write(ir, resolveWriterOptions(w), {})
}

describe('writers: declarations from outside the project', function () {
  this.timeout(120_000)
  let ir: Header
  let root: string
  let sys: string
  let gcc: ReturnType<typeof cLayout>

  before(async () => {
    root = makeTempDir()
    sys = join(root, 'sysinc')
    mkdirSync(sys)
    writeFileSync(join(sys, 'myconf.h'), CONFIG)
    writeFileSync(join(root, 'api.h'), HEADER)
    ir = (await parseHeader({header: join(root, 'api.h'), projectRoot: root, target: 'x86_64-unknown-linux-gnu', args: [`-isystem${sys}`]})).ir
    gcc = cLayout(ir, 'api.h', root, [root, sys])
  })

  it('cffi: declares the config typedefs and struct timeval, not FILE, uint32_t or a second MY_ERROR', () => {
    const text = write('cffi', ir)
    assert.match(text, /^typedef unsigned char my_byte;\ntypedef my_byte my_Char;$/m)
    assert.match(text, /^struct timeval \{\n {4}__time_t tv_sec;\n {4}__suseconds_t tv_usec;\n\};$/m)
    assert.match(text, /^typedef long __time_t;$/m)
    // libclang 14's stdarg.h declares va_list where glibc's stdio.h asks only for
    // __gnuc_va_list, so stdio.h's `typedef __gnuc_va_list va_list` comes last there; 16+
    // honours the request, and the project's own #include <stdarg.h> comes last. Either
    // way va_list is one opaque type to cffi.
    assert.match(text, /^typedef \.\.\. va_list;$/m)
    assert.match(text, /^ {4}\} field_data\[3\];$/m)
    assert.doesNotMatch(text, /typedef .*\b(FILE|uint32_t|__uint32_t)\b;|_IO_FILE|#define MY_ERROR/)
    writeFileSync(join(root, 'api.cdef'), text)
    python(`import cffi; cffi.FFI().cdef(open(${JSON.stringify(join(root, 'api.cdef'))}).read())`)
  })

  it('lua: the same in ffi.cdef, externals guarded so two modules sharing them load in one process', () => {
    const text = write('lua', ir)
    assert.match(text, /^cdef_external\[\[\nstruct timeval \{/m)
    assert.doesNotMatch(text, /typedef .*\b(uint32_t|va_list)\b;|static const int MY_ERROR/)
    // Another library's module that also needs struct timeval.
    const other: Header = {path: 'other.h', declarations: [...ir.declarations.filter(isExternal), {kind: 'function', name: 'other_wait', return_type: {kind: 'ctype', name: 'int'}, parameters: [{name: 't', type: {kind: 'ctype', name: 'struct timeval'}}], is_variadic: false}]}
    const file = join(root, 'api_ffi.lua')
    const otherFile = join(root, 'other_ffi.lua')
    writeFileSync(file, text)
    writeFileSync(otherFile, write('lua', other))
    const out = mustRun('luajit', ['-e', `dofile(${JSON.stringify(file)}); dofile(${JSON.stringify(otherFile)}); local ffi = require("ffi"); io.write(ffi.sizeof("struct session"), " ", ffi.offsetof("struct session", "field_data"), " ", ffi.C.MY_ERROR)`])
    assert.equal(out, `${gcc['struct session']!.size} ${gcc['struct session']!.fields.field_data} 0`)
  })

  it('ctypes: classes with the layout for externals, ctypes\' own types for known names', () => {
    const text = write('ctypes', ir)
    assert.match(text, /^class timeval\(ctypes\.Structure\):$/m)
    assert.match(text, /^my_u32 = ctypes\.c_uint32$/m)
    assert.match(text, /\('log', ctypes\.POINTER\(FILE\)\)/)
    writeFileSync(join(root, 'api_ctypes.py'), text)
    const out = python(`import sys; sys.path.insert(0, ${JSON.stringify(root)}); import api_ctypes as m, ctypes; print(ctypes.sizeof(m.session), m.session.started.offset, m.session.field_data.offset, ctypes.sizeof(m.timeval))`)
    assert.equal(out.trim(), `${gcc['struct session']!.size} 0 ${gcc['struct session']!.fields.field_data} ${gcc['struct timeval']!.size}`)
  })

  it('cython: extern blocks from the headers the project includes, cimports for known names, helper types for unnamed members', () => {
    const text = write('cython', ir)
    assert.match(text, /^from libc\.stdio cimport FILE$/m)
    assert.match(text, /^cdef extern from "myconf\.h":\n\n {4}ctypedef unsigned char my_byte$/m)
    assert.match(text, /^cdef extern from "sys\/time\.h":$/m)
    assert.match(text, /^ {4}# session_last_t: the type of member 'last' of struct 'session', which has no C name\n {4}ctypedef union session_last_t "__typeof__\(\(\(struct session \*\)0\)->last\)":$/m)
    assert.match(text, /^ {8}session_field_data_t field_data\[3\]$/m)
    assert.match(text, /int session_open\(session \*s, const char \*\*names, my_Char c\)/)
    assert.doesNotMatch(text, /\*const|ctypedef .* uint32_t/)
    writeFileSync(join(root, 'api_decl.pxd'), text)
    writeFileSync(join(root, 'use_api.pyx'), 'cimport api_decl as a\n\ndef run():\n    cdef a.session s\n    cdef a.session_field_data_t e\n    s.field_data[1].len = 7\n    e = s.field_data[1]\n    s.last.d = 2.5\n    s.started.tv_sec = 3\n    return (e.len, s.last.d, s.started.tv_sec, sizeof(a.session))\n')
    mustRun('cython3', ['-3', '-I', root, join(root, 'use_api.pyx'), '-o', join(root, 'use_api.c')])
    const include = python('import sysconfig; print(sysconfig.get_paths()["include"])').trim()
    const suffix = python('import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))').trim()
    mustRun('gcc', ['-shared', '-fPIC', '-O0', '-w', `-I${include}`, `-I${root}`, `-isystem${sys}`, join(root, 'use_api.c'), '-o', join(root, `use_api${suffix}`)])
    assert.equal(mustRun(PYTHON, ['-c', 'import use_api; print(use_api.run())'], {cwd: root}).trim(), `(7, 2.5, 3, ${gcc['struct session']!.size})`)
  })
})
