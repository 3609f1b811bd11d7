/**
 * Real headers from Debian packages (zlib1g-dev, libsqlite3-dev, libcurl4-openssl-dev),
 * each with the directory holding it as its project root, for x86_64 and (zlib,
 * sqlite3) aarch64 with the cross sysroot.
 */
import assert from 'node:assert/strict'
import type {Constant, Declaration, Enum, Function as Fn, Struct} from '../../src/ir/types.js'
import {crossSysrootArgs, parseHeader, type ParseResult} from '../../src/parse/index.js'
import {projectDeclarations} from '../../src/ir/walk.js'
import {ARM, find, X86} from './helpers.js'


const names = (r: ParseResult, kind: Declaration['kind']): string[] => projectDeclarations(r.ir).filter((d) => d.kind === kind).map((d) => d.name ?? '')
const ptr = (name: string, qualifiers?: string[]): unknown => ({kind: 'pointer', pointee: qualifiers ? {kind: 'ctype', name, qualifiers} : {kind: 'ctype', name}})

describe('parse: zlib.h', function () {
  let x86: ParseResult
  let arm: ParseResult
  before(async function () {
    x86 = await parseHeader({header: '/usr/include/zlib.h', projectRoot: '/usr/include', target: X86, args: []})
    arm = await parseHeader({header: '/usr/include/zlib.h', projectRoot: '/usr/include', target: ARM, args: crossSysrootArgs(ARM)})
  })

  it('keeps zconf.h (a quote include next to it) and nothing from the system', function () {
    assert.deepEqual(x86.included, ['zconf.h'])
    assert.ok(names(x86, 'typedef').includes('uLong'), 'zconf.h typedefs kept')
    assert.ok(!names(x86, 'typedef').includes('off_t'))
  })

  it('finds every exported function with exact signatures', function () {
    const fns = names(x86, 'function')
    assert.equal(fns.length, 81)
    for (const f of ['deflate', 'inflate', 'compress2', 'crc32', 'gzopen', 'deflateInit_', 'zlibVersion']) assert.ok(fns.includes(f), f)
    const compress2 = find<Fn>(x86, 'function', 'compress2')
    assert.deepEqual(compress2.return_type, {kind: 'ctype', name: 'int'})
    assert.deepEqual(compress2.parameters, [
      {name: 'dest', type: ptr('Bytef')}, {name: 'destLen', type: ptr('uLongf')},
      {name: 'source', type: ptr('Bytef', ['const'])}, {name: 'sourceLen', type: {kind: 'ctype', name: 'uLong'}},
      {name: 'level', type: {kind: 'ctype', name: 'int'}},
    ])
    assert.equal(find<Fn>(x86, 'function', 'gzprintf').is_variadic, true)
  })

  it('lays out z_stream and gives the macro constants', function () {
    const z = find<Struct>(x86, 'struct', 'z_stream_s')
    assert.deepEqual([z.size, z.align], [112, 8])
    assert.deepEqual(z.fields.slice(0, 4).map((f) => [f.name, f.offset_bits]), [['next_in', 0], ['avail_in', 64], ['total_in', 128], ['next_out', 192]])
    assert.equal(find<Constant>(x86, 'constant', 'ZLIB_VERSION').value, '"1.2.13"')
    assert.equal(find<Constant>(x86, 'constant', 'Z_BEST_COMPRESSION').value, 9)
    assert.equal(find<Constant>(x86, 'constant', 'Z_STREAM_ERROR').value, -2)
  })

  it('parses for aarch64 with the same API and the aarch64 layout', function () {
    assert.deepEqual(names(arm, 'function'), names(x86, 'function'))
    assert.equal(find<Struct>(arm, 'struct', 'z_stream_s').size, 112)
    assert.equal(arm.ir.char_signed, false)
  })
})

describe('parse: sqlite3.h', function () {
  let x86: ParseResult
  let arm: ParseResult
  before(async function () {
    x86 = await parseHeader({header: '/usr/include/sqlite3.h', projectRoot: '/usr/include', target: X86, args: []})
    arm = await parseHeader({header: '/usr/include/sqlite3.h', projectRoot: '/usr/include', target: ARM, args: crossSysrootArgs(ARM)})
  })

  it('finds the API: functions, signatures, opaque handles', function () {
    const fns = names(x86, 'function')
    assert.equal(fns.length, 286)
    assert.equal(new Set(fns).size, fns.length, 'no duplicates')
    const open = find<Fn>(x86, 'function', 'sqlite3_open_v2')
    assert.deepEqual(open.parameters.map((p) => p.name), ['filename', 'ppDb', 'flags', 'zVfs'])
    assert.deepEqual(open.parameters[1]!.type, {kind: 'pointer', pointee: {kind: 'pointer', pointee: {kind: 'ctype', name: 'sqlite3'}}})
    const exec = find<Fn>(x86, 'function', 'sqlite3_exec')
    assert.equal(exec.parameters[2]!.type.kind, 'pointer')
    assert.equal(find<Fn>(x86, 'function', 'sqlite3_mprintf').is_variadic, true)
    assert.equal(find<Struct>(x86, 'struct', 'sqlite3').is_opaque, true)
  })

  it('evaluates the macro constants, expressions included', function () {
    const value = (n: string): Constant['value'] => find<Constant>(x86, 'constant', n).value
    assert.equal(value('SQLITE_OK'), 0)
    assert.equal(value('SQLITE_ROW'), 100)
    assert.equal(value('SQLITE_IOERR_READ'), 266)
    assert.equal(value('SQLITE_OPEN_READWRITE'), 2)
    assert.equal(value('SQLITE_VERSION'), '"3.40.1"')
    assert.equal(value('SQLITE_VERSION_NUMBER'), 3040001)
    assert.equal(names(x86, 'constant').length, 459)
    assert.ok(!names(x86, 'constant').includes('SQLITE_TRANSIENT'), 'a pointer cast is not a constant')
  })

  it('gives the same API on aarch64', function () {
    assert.deepEqual(names(arm, 'function'), names(x86, 'function'))
    assert.deepEqual(names(arm, 'constant'), names(x86, 'constant'))
    assert.equal(find<Struct>(arm, 'struct', 'sqlite3_vfs').size, find<Struct>(x86, 'struct', 'sqlite3_vfs').size)
  })
})

describe('parse: curl/curl.h (x86_64)', function () {
  let r: ParseResult
  before(async function () {
    r = await parseHeader({header: '/usr/include/x86_64-linux-gnu/curl/curl.h', projectRoot: '/usr/include/x86_64-linux-gnu/curl', target: X86, args: ['-I/usr/include/x86_64-linux-gnu']})
  })

  it('lists the curl headers it included', function () {
    assert.deepEqual(r.included, ['curlver.h', 'easy.h', 'header.h', 'multi.h', 'options.h', 'system.h', 'urlapi.h', 'websockets.h'])
  })

  it('evaluates enum values built by macros', function () {
    const option = find<Enum>(r, 'enum', 'CURLoption')
    const url = option.values.find((v) => v.name === 'CURLOPT_URL')
    assert.deepEqual(url, {name: 'CURLOPT_URL', value: 10002})
    assert.equal(option.values.find((v) => v.name === 'CURLOPT_PORT')?.value, 3)
  })

  it('lays out struct curl_easyoption and finds the easy API', function () {
    const s = find<Struct>(r, 'struct', 'curl_easyoption')
    assert.deepEqual([s.size, s.fields.map((f) => f.offset_bits)], [24, [0, 64, 96, 128]])
    const fns = names(r, 'function')
    for (const f of ['curl_easy_init', 'curl_easy_setopt', 'curl_multi_perform', 'curl_url_set', 'curl_global_init']) assert.ok(fns.includes(f), f)
    assert.equal(find<Fn>(r, 'function', 'curl_easy_setopt').is_variadic, true)
    assert.equal(find<Constant>(r, 'constant', 'LIBCURL_VERSION').value, '"7.88.1"')
  })
})
