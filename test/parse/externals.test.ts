/**
 * Declarations from outside the project: a header whose config header is a system
 * header (an -isystem directory, as for anyone binding a library they do not vendor),
 * and C library types used by value, through pointers and as function-pointer typedefs.
 */
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Declaration, Struct, Typedef} from '../../src/ir/types.js'
import {IR_SCHEMA_VERSION} from '../../src/ir/types.js'
import {isExternal, projectDeclarations} from '../../src/ir/walk.js'
import {parseHeader, type ParseResult} from '../../src/parse/index.js'
import {makeTempDir} from '../support/tmp.js'
import {X86} from './helpers.js'

const CONFIG = `
typedef unsigned char my_byte;
typedef my_byte my_Char;
typedef void (*my_cb)(int);
typedef struct { int a; long b; } my_pair;
struct my_private;
`

const HEADER = `
#include <stdio.h>
#include <pthread.h>
#include <sys/time.h>
#include <sys/socket.h>
#include "myconf.h"

struct session {
  struct timeval started;
  struct sockaddr peer;
  pthread_once_t once;
  FILE *log;
  my_Char tag;
  my_cb on_close;
  my_pair pair;
  struct my_private *priv;
  struct { unsigned short off, len; } field_data[3];
};
int session_open(struct session *s, const my_byte *name);
`

const external = (r: ParseResult, kind: Declaration['kind'], name: string): Declaration => {
  const d = r.ir.declarations.find((x) => x.kind === kind && x.name === name && isExternal(x))
  assert.ok(d, `external ${kind} ${name} missing`)
  return d
}

describe('parse: external declarations', function () {
  let r: ParseResult
  before(async function () {
    const root = makeTempDir()
    const sys = join(root, 'sysinc')
    mkdirSync(sys)
    writeFileSync(join(sys, 'myconf.h'), CONFIG)
    writeFileSync(join(root, 'api.h'), HEADER)
    r = await parseHeader({header: join(root, 'api.h'), projectRoot: root, target: X86, args: [`-isystem${sys}`]})
  })

  it('keeps the project declarations apart: only api.h becomes bindings', function () {
    assert.deepEqual(projectDeclarations(r.ir).map((d) => d.name), ['session', 'session_open'])
  })

  it('follows typedef chains from a sibling config header down to builtins, naming the header', function () {
    assert.deepEqual(external(r, 'typedef', 'my_Char'), {kind: 'typedef', name: 'my_Char', underlying_type: {kind: 'ctype', name: 'my_byte'}, external_header: 'myconf.h'})
    assert.deepEqual((external(r, 'typedef', 'my_byte') as Typedef).underlying_type, {kind: 'ctype', name: 'unsigned char'})
    assert.equal((external(r, 'typedef', 'my_cb') as Typedef).underlying_type.kind, 'pointer')
  })

  it('gives records used by value their full layout, and those behind pointers none', function () {
    const tv = external(r, 'struct', 'timeval') as Struct
    assert.equal(tv.external_header, 'sys/time.h')
    assert.deepEqual([tv.size, tv.fields.map((f) => f.name)], [16, ['tv_sec', 'tv_usec']])
    assert.equal((external(r, 'struct', 'sockaddr') as Struct).size, 16)
    const once = external(r, 'typedef', 'pthread_once_t') as Typedef
    assert.equal(once.external_header, 'pthread.h')
    assert.equal((external(r, 'struct', 'my_private') as Struct).is_opaque, true)
    const file = external(r, 'typedef', 'FILE') as Typedef
    assert.deepEqual([file.external_header, file.underlying_type], ['stdio.h', {kind: 'ctype', name: 'struct _IO_FILE'}])
    assert.equal((external(r, 'struct', '_IO_FILE') as Struct).is_opaque, true)
    const pair = external(r, 'struct', 'my_pair') as Struct
    assert.deepEqual([pair.is_typedef, pair.size], [true, 16])
    assert.ok(!JSON.stringify(r.ir).includes('struct my_pair'), 'an unnamed record has no tag, whatever libclang 16+ spells it')
  })

  it('names an unnamed record by its typedef, never by a tag it does not have', async function () {
    const root = makeTempDir()
    writeFileSync(join(root, 't.h'), 'typedef struct { int a; } plain_t, *plain_p;\ntypedef union { int i; } u_t;\nvoid use(plain_t *p, u_t u);\n')
    const t = await parseHeader({header: join(root, 't.h'), projectRoot: root, target: X86, args: []})
    const plain = t.ir.declarations.find((d) => d.name === 'plain_t') as Struct
    assert.deepEqual([plain.kind, plain.is_typedef], ['struct', true])
    assert.deepEqual((t.ir.declarations.find((d) => d.name === 'plain_p') as Typedef).underlying_type, {kind: 'pointer', pointee: {kind: 'ctype', name: 'plain_t'}})
    assert.doesNotMatch(JSON.stringify(t.ir), /(struct|union) (plain_t|u_t)/)
  })

  it('puts every external before the declarations that use it', function () {
    const index = (name: string): number => r.ir.declarations.findIndex((d) => d.name === name)
    for (const name of ['timeval', 'my_Char', 'my_byte', 'FILE']) assert.ok(index(name) < index('session'), name)
    assert.ok(index('my_byte') < index('my_Char'))
    assert.ok(index('__time_t') < index('timeval'), 'the members of a record come before it')
  })

  it('keeps the element record of an array of anonymous structs', function () {
    const s = r.ir.declarations.find((d) => d.name === 'session') as Struct
    const fd = s.fields.find((f) => f.name === 'field_data')!
    assert.deepEqual(fd.type, {kind: 'array', element_type: {kind: 'ctype', name: 'struct'}, size: 3})
    assert.deepEqual(fd.anonymous_struct?.fields.map((f) => f.name), ['off', 'len'])
  })

  it('lists only macros still defined after the header as constants', async function () {
    const root = makeTempDir()
    writeFileSync(join(root, 'm.h'), '#define KEPT 1\n#define HELPER 2\n#undef HELPER\n#define REDEFINED 3\n')
    const m = await parseHeader({header: join(root, 'm.h'), projectRoot: root, target: X86, args: []})
    assert.deepEqual(m.ir.declarations.filter((d) => d.kind === 'constant').map((d) => d.name), ['KEPT', 'REDEFINED'])
  })

  it('is a new IR schema, so cached IR of the old shape misses', function () {
    assert.ok(IR_SCHEMA_VERSION >= 5)
  })
})
