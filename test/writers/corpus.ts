/**
 * The corpus of real headers (Debian -dev packages, installed by scripts/setup.sh --tests),
 * each copied alone into a project of its own so that its siblings are system headers,
 * as for anyone binding a library they do not vendor. Each runs through the cffi, lua,
 * ctypes and cython writers and their real consumers, in batches: one python3 for all
 * cffi cdefs, one for all ctypes modules, one luajit for all Lua modules, one cython3
 * and one gcc for all .pyx files, one gcc per header for the C layout.
 */
import {copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import type {Field, Header, Struct} from '../../src/ir/types.js'
import {isExternal} from '../../src/ir/walk.js'
import {parseHeader} from '../../src/parse/index.js'
import {getWriter, resolveWriterOptions} from '../../src/writers/index.js'
import {Layouts} from '../../src/writers/layout.js'
import {python, recordCName, run} from './helpers.js'

export interface CorpusHeader {
  /** Short name, also the module stem. */
  name: string
  /** The installed header. */
  source: string
  /** What it covers, from the list of header shapes. */
  shapes: string[]
  /** Directories holding its siblings, searched as system directories (besides the usual ones). */
  systemDirs?: string[]
  /**
   * For an umbrella header that pulls in a directory of its own: that directory, copied
   * into the project under its name (with the project on the include path), so its
   * headers are the project's too.
   */
  umbrellaDir?: string
}

const X86_INC = '/usr/include/x86_64-linux-gnu'

export const CORPUS: CorpusHeader[] = [
  {name: 'zlib', source: '/usr/include/zlib.h', shapes: ['typedefs from a sibling config header (zconf.h)', 'off_t', 'va_list']},
  {name: 'expat', source: '/usr/include/expat.h', shapes: ['XML_Char typedefs from expat_external.h', 'macro/enumerator name clash']},
  {name: 'curl', source: `${X86_INC}/curl/curl.h`, umbrellaDir: `${X86_INC}/curl`, shapes: ['umbrella header of its own directory', 'anonymous unions in structs', 'struct sockaddr', 'huge macro-built enums', 'token-pasted names']},
  {name: 'hiredis', source: '/usr/include/hiredis/hiredis.h', systemDirs: ['/usr/include/hiredis'], shapes: ['struct timeval by value', 'va_list', 'typedefs from sibling headers']},
  {name: 'yaml', source: '/usr/include/yaml.h', shapes: ['named members of anonymous union and struct types']},
  {name: 'http_parser', source: '/usr/include/http_parser.h', shapes: ['bitfields', 'arrays of anonymous structs']},
  {name: 'uv', source: '/usr/include/uv.h', umbrellaDir: '/usr/include/uv', shapes: ['umbrella header of its own directory', 'pthread types', 'sockaddr_in6 by value', 'huge macro-built enums', 'token-pasted names']},
  {name: 'png', source: '/usr/include/png.h', shapes: ['png_byte typedefs from pngconf.h', 'jmp_buf', 'FILE', 'time_t']},
  {name: 'lz4', source: '/usr/include/lz4.h', shapes: ['unions of arrays']},
  {name: 'zstd', source: '/usr/include/zstd.h', shapes: ['enums', 'function pointers']},
  {name: 'bzlib', source: '/usr/include/bzlib.h', shapes: ['FILE']},
  {name: 'lzma', source: '/usr/include/lzma.h', umbrellaDir: '/usr/include/lzma', shapes: ['umbrella header of its own directory', 'uint64_t typedefs']},
  {name: 'ffi', source: `${X86_INC}/ffi.h`, shapes: ['ffitarget.h sibling', 'aligned records', 'anonymous unions', 'function pointers']},
  {name: 'uuid', source: '/usr/include/uuid/uuid.h', shapes: ['time_t', 'struct timeval']},
  {name: 'archive', source: '/usr/include/archive.h', shapes: ['la_int64_t', 'time_t', 'FILE']},
  {name: 'magic', source: '/usr/include/magic.h', shapes: ['size_t']},
  {name: 'jansson', source: '/usr/include/jansson.h', shapes: ['jansson_config.h sibling', 'va_list']},
  {name: 'bluetooth', source: '/usr/include/bluetooth/bluetooth.h', shapes: ['packed structs']},
  {name: 'sqlite3', source: '/usr/include/sqlite3.h', shapes: ['function pointers returning function pointers', 'va_list']},
  {name: 'pcap', source: '/usr/include/pcap/pcap.h', shapes: ['struct timeval by value', 'struct sockaddr', 'FILE']},
  {name: 'event', source: '/usr/include/event2/event.h', shapes: ['struct timeval', 'evutil_socket_t from a sibling header']},
  {name: 'gmp', source: `${X86_INC}/gmp.h`, shapes: ['token-pasted names (__gmpz_*)', 'FILE', 'arrays of records']},
  {name: 'perf_event', source: '/usr/include/linux/perf_event.h', shapes: ['64-bit bitfields', 'anonymous unions', '__u64 typedefs from asm/types.h']},
]

export const WRITERS = ['cffi', 'lua', 'ctypes', 'cython'] as const
export type CorpusWriter = (typeof WRITERS)[number]

export interface Outcome {
  ok: boolean
  error?: string
}

export interface Prepared {
  header: CorpusHeader
  /** The project directory holding the one copied header (and an umbrella's directory). */
  project: string
  headerFile: string
  /** The header as the layout program includes it, relative to the project. */
  include: string
  ir: Header
  args: string[]
  outputs: Partial<Record<CorpusWriter, string>>
  /** Declarations a writer left out, as its warnings say. */
  warnings: Partial<Record<CorpusWriter, string[]>>
}

/** How to parse the corpus: x86_64 by default, or a cross target with its sysroot args. */
export interface CorpusTarget {
  target: string
  /** Parse args added after each header's own (`--sysroot=...`, `-march=...`). */
  args: string[]
}

const HOST_TARGET: CorpusTarget = {target: 'x86_64-unknown-linux-gnu', args: []}

/** Copies each header alone into `dir/<name>/` and parses it (for x86_64 unless told). */
export async function prepareCorpus(dir: string, headers = CORPUS, on: CorpusTarget = HOST_TARGET): Promise<Prepared[]> {
  const out: Prepared[] = []
  for (const header of headers) {
    if (!existsSync(header.source)) throw new Error(`${header.source} is missing: run scripts/setup.sh --tests`)
    const project = join(dir, header.name)
    mkdirSync(project, {recursive: true})
    const args = (header.systemDirs ?? []).map((d) => `-isystem${d}`)
    let include = basename(header.source)
    if (header.umbrellaDir) {
      cpSync(header.umbrellaDir, join(project, basename(header.umbrellaDir)), {recursive: true})
      if (dirname(header.source) === header.umbrellaDir) include = `${basename(header.umbrellaDir)}/${include}`
      args.push(`-I${project}`)
    }
    const headerFile = join(project, include)
    copyFileSync(header.source, headerFile)
    const r = await parseHeader({header: headerFile, projectRoot: project, target: on.target, args: [...args, ...on.args]})
    const p: Prepared = {header, project, headerFile, include, ir: r.ir, args, outputs: {}, warnings: {}}
    for (const w of WRITERS) {
      const writer = getWriter(w)
      const warnings: string[] = []
      p.outputs[w] = writer.write(r.ir, resolveWriterOptions(writer), {strict: false, warn: (m) => warnings.push(m), target: on.target})
      p.warnings[w] = warnings
    }
    out.push(p)
  }
  return out
}

// ---------------------------------------------------------------- layout

/** A record the layout check covers: a named, complete record of the project. */
export function projectRecords(h: Header): Struct[] {
  return h.declarations.filter((d): d is Struct => (d.kind === 'struct' || d.kind === 'union') && !isExternal(d) && !!d.name && !d.is_opaque && d.fields.length > 0 && d.size !== undefined && d.size > 0)
}

export interface BitfieldProbe {
  field: string
  /** The value the C program stores, as a decimal string. */
  value: string
  /** For LuaJIT's split of a bitfield wider than 32 bits. */
  width: number
}

/** Bitfields of a record and the value each gets in the round-trip check: a pattern that fits the field. */
export function bitfieldProbes(s: Struct, layouts: Layouts): BitfieldProbe[] {
  const out: BitfieldProbe[] = []
  s.fields.forEach((f: Field, i) => {
    if (!f.name || f.bit_width === undefined || f.bit_width === 0) return
    const int = layouts.integer(f.type)
    if (!int) return
    const bits = BigInt(int.signed ? f.bit_width - 1 : f.bit_width)
    const mask = (1n << bits) - 1n
    const value = (0x5a5aa5a5c3c33c3cn >> BigInt(i % 7)) & mask
    out.push({field: f.name, value: String(f.type.kind === 'ctype' && /bool/i.test(f.type.name) ? value & 1n : value), width: f.bit_width})
  })
  return out
}

export interface CRecordLayout {
  size: number
  fields: Record<string, number>
  /** The bytes of a zeroed record whose bitfields got their probe values, hex. */
  bytes?: string
}

/**
 * gcc's layout of the project records of a header: sizeof, offsetof of every named
 * non-bitfield member, and the bytes of a record with its bitfields set.
 */
export function gccLayout(p: Prepared, dir: string): Record<string, CRecordLayout> {
  const layouts = new Layouts(p.ir)
  const lines = ['#include <stdio.h>', '#include <stddef.h>', '#include <string.h>', `#include "${p.include}"`, 'int main(void) {']
  for (const s of projectRecords(p.ir)) {
    const c = recordCName(s)
    lines.push(`  printf("%s\\t%zu\\n", "${c}", sizeof(${c}));`)
    for (const f of s.fields) if (f.name && f.bit_width === undefined) lines.push(`  printf("%s.%s\\t%zu\\n", "${c}", "${f.name}", offsetof(${c}, ${f.name}));`)
    const probes = bitfieldProbes(s, layouts)
    if (probes.length > 0) {
      lines.push('  {', `    ${c} v; memset(&v, 0, sizeof v);`)
      for (const b of probes) lines.push(`    v.${b.field} = ${b.value}ULL;`)
      lines.push(`    printf("%s#\\t", "${c}"); for (size_t i = 0; i < sizeof v; i++) printf("%02x", ((unsigned char *)&v)[i]); printf("\\n");`, '  }')
    }
  }
  lines.push('  return 0;', '}')
  const src = join(dir, `${p.header.name}_layout.c`)
  const exe = join(dir, `${p.header.name}_layout`)
  writeFileSync(src, lines.join('\n'))
  const cc = run('gcc', ['-w', '-o', exe, src, `-I${p.project}`, ...p.args])
  if (cc.status !== 0) throw new Error(`gcc layout program for ${p.header.name}: ${cc.stderr.slice(0, 2000)}`)
  const out: Record<string, CRecordLayout> = {}
  for (const line of run(exe, []).stdout.split("\n").filter((l) => l !== "")) {
    const [key, value] = line.split('\t') as [string, string]
    if (key.endsWith('#')) out[key.slice(0, -1)]!.bytes = value
    else if (out[key] === undefined && !key.includes('.')) out[key] = {size: Number(value), fields: {}}
    else {
      const dot = key.lastIndexOf('.')
      out[key.slice(0, dot)]!.fields[key.slice(dot + 1)] = Number(value)
    }
  }
  return out
}

// ---------------------------------------------------------------- consumers

export interface ConsumerReport {
  outcome: Outcome
  layout?: Record<string, {size: number; fields: Record<string, number>; bitfields?: Record<string, string>}>
}

/** The records a consumer is asked about: C name, kind, Python class lookup, named members, bitfield probes. */
function recordQuery(p: Prepared): unknown[] {
  const layouts = new Layouts(p.ir)
  return projectRecords(p.ir).map((s) => [recordCName(s), s.kind, s.name, !!s.is_typedef,
    s.fields.filter((f) => f.name && f.bit_width === undefined).map((f) => f.name),
    bitfieldProbes(s, layouts).map((b) => [b.field, b.width])])
}

/** cffi: every cdef through `cffi.FFI().cdef()` in one python3. */
export function checkCffi(all: Prepared[], dir: string): Record<string, ConsumerReport> {
  for (const p of all) writeFileSync(join(dir, `${p.header.name}.cdef`), p.outputs.cffi!)
  const out = python(`
import cffi, json
r = {}
for name in ${JSON.stringify(all.map((p) => p.header.name))}:
    try:
        cffi.FFI().cdef(open(${JSON.stringify(dir)} + '/' + name + '.cdef').read())
        r[name] = {'ok': True}
    except Exception as e:
        r[name] = {'ok': False, 'error': type(e).__name__ + ': ' + str(e)[:1500]}
print(json.dumps(r))
`)
  const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, Outcome>
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, {outcome: v}]))
}

/**
 * What both ctypes scripts start with: the generated modules on the path, the records to
 * look at, and how a record's class is named (the typedef name, else `struct_tag`, else the tag).
 */
function ctypesPrelude(dir: string, query: unknown): string {
  return `import ctypes, json, sys, importlib, traceback
sys.path.insert(0, ${JSON.stringify(dir)})
query = json.loads(${JSON.stringify(JSON.stringify(query))})
def record_class(m, kind, tag, is_typedef):
    return getattr(m, tag, None) if is_typedef else (getattr(m, kind + '_' + tag, None) or getattr(m, tag))`
}

/** ctypes: every module imported in one python3, with sizes, offsets and bitfield values of its records. */
export function checkCtypes(all: Prepared[], dir: string): Record<string, ConsumerReport> {
  for (const p of all) writeFileSync(join(dir, `${p.header.name}_ctypes.py`), p.outputs.ctypes!)
  const query = Object.fromEntries(all.map((p) => [p.header.name, recordQuery(p)]))
  const out = python(`
${ctypesPrelude(dir, query)}
r = {}
for name, recs in query.items():
    try:
        m = importlib.import_module(name + '_ctypes')
    except Exception as e:
        r[name] = {'outcome': {'ok': False, 'error': traceback.format_exc()[-1500:]}}
        continue
    layout = {}
    try:
        for cname, kind, tag, is_typedef, fields, bitfields in recs:
            cls = record_class(m, kind, tag, is_typedef)
            layout[cname] = {'size': ctypes.sizeof(cls), 'fields': {f: getattr(cls, f).offset for f in fields}}
        r[name] = {'outcome': {'ok': True}, 'layout': layout}
    except Exception as e:
        r[name] = {'outcome': {'ok': False, 'error': traceback.format_exc()[-1500:]}}
print(json.dumps(r))
`)
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, ConsumerReport>
}

/** Reads bitfields back from gcc's bytes with ctypes (one python3), for the round-trip check. */
export function ctypesBitfields(all: Prepared[], dir: string, c: Record<string, Record<string, CRecordLayout>>): Record<string, Record<string, Record<string, string>>> {
  const query = Object.fromEntries(all.map((p) => [p.header.name, recordQuery(p).filter((q) => (q as unknown[])[5] && ((q as unknown[])[5] as unknown[]).length > 0).map((q) => [...(q as unknown[]), c[p.header.name]?.[(q as string[])[0]!]?.bytes ?? ''])]))
  const out = python(`
${ctypesPrelude(dir, query)}
r = {}
for name, recs in query.items():
    try:
        m = importlib.import_module(name + '_ctypes')
    except Exception:
        continue
    r[name] = {}
    for cname, kind, tag, is_typedef, fields, bitfields, data in recs:
        cls = record_class(m, kind, tag, is_typedef)
        v = cls.from_buffer_copy(bytes.fromhex(data))
        r[name][cname] = {f: str(int(getattr(v, f))) for f, width in bitfields}
print(json.dumps(r))
`)
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, Record<string, Record<string, string>>>
}

/**
 * A bitfield's value in LuaJIT, whole or from the parts the lua writer splits it into:
 * `_lo`/`_hi` at a 32-bit word, `_0`, `_1`, … at bytes (packed records). ffi.offsetof gives
 * no bit size for a part as wide as its type, which is then a whole word or byte.
 */
const READBITS = `local function readbits(v, ct, f)
  local ok, x = pcall(function() return v[f] end)
  if ok then return tostring(tonumber(x)) end
  local parts, width = {}, 32
  if pcall(function() return v[f .. "_lo"] end) then parts = {f .. "_lo", f .. "_hi"} else
    width = 8
    local i = 0
    while pcall(function() return v[f .. "_" .. i] end) do parts[#parts + 1] = f .. "_" .. i; i = i + 1 end
  end
  local total, shift = ffi.new("uint64_t", 0), 0
  for _, p in ipairs(parts) do
    local _, _, bits = ffi.offsetof(ct, p)
    total = total + ffi.new("uint64_t", v[p]) * ffi.new("uint64_t", 2 ^ shift)
    shift = shift + (bits or width)
  end
  return (tostring(total):gsub("U?LL$", ""))
end`

/** LuaJIT: every module loaded in one luajit (so external declarations repeat across modules), with layouts and bitfield values. */
export function checkLua(all: Prepared[], dir: string, c: Record<string, Record<string, CRecordLayout>>): Record<string, ConsumerReport> {
  const q = (s: string): string => JSON.stringify(s)
  const script = ['local ffi = require("ffi")', 'local out = {}', 'local function emit(...) out[#out + 1] = table.concat({...}, "\\t") end', READBITS]
  for (const p of all) {
    const file = join(dir, `${p.header.name}_ffi.lua`)
    writeFileSync(file, p.outputs.lua!)
    const body: string[] = []
    for (const rec of recordQuery(p) as [string, string, string, boolean, string[], [string, number][]][]) {
      const [cname, , , , fields, bitfields] = rec
      body.push(`emit("size", ${q(p.header.name)}, ${q(cname)}, "", tostring(ffi.sizeof(${q(cname)})))`)
      for (const f of fields) body.push(`emit("offset", ${q(p.header.name)}, ${q(cname)}, ${q(f)}, tostring((ffi.offsetof(${q(cname)}, ${q(f)}))))`)
      const bytes = c[p.header.name]?.[cname]?.bytes
      if (bitfields.length > 0 && bytes) {
        body.push(`do local v = ffi.new(${q(cname)}); local hex = ${q(bytes)}; local buf = ffi.cast("unsigned char *", v)`,
          '  for i = 0, #hex / 2 - 1 do buf[i] = tonumber(hex:sub(2 * i + 1, 2 * i + 2), 16) end')
        for (const [f] of bitfields) {
          // A bitfield wider than 32 bits is split into _lo and _hi (LuaJIT takes none wider).
          body.push(`  emit("bit", ${q(p.header.name)}, ${q(cname)}, ${q(f)}, readbits(v, ${q(cname)}, ${q(f)}))`)
        }
        body.push('end')
      }
    }
    script.push(`do local ok, err = pcall(function() dofile(${q(file)})`, ...body.map((l) => `  ${l}`), `end)`, `if ok then emit("ok", ${q(p.header.name)}) else emit("error", ${q(p.header.name)}, "", "", (tostring(err):gsub("[\\t\\n]", " "))) end end`)
  }
  script.push('io.write(table.concat(out, "\\n"))')
  const file = join(dir, 'corpus_check.lua')
  writeFileSync(file, script.join('\n'))
  const r = run('luajit', [file])
  if (r.status !== 0) throw new Error(`luajit: ${r.stderr.slice(0, 2000)}`)
  const reports: Record<string, ConsumerReport> = {}
  const pending: Record<string, NonNullable<ConsumerReport['layout']>> = {}
  for (const line of r.stdout.split('\n')) {
    const [what, name, cname, field, value] = line.split('\t') as [string, string, string, string, string]
    const layout = (pending[name] ??= {})
    if (what === 'size') layout[cname] = {size: Number(value), fields: {}}
    else if (what === 'offset') layout[cname]!.fields[field] = Number(value)
    else if (what === 'bit') (layout[cname]!.bitfields ??= {})[field] = value
    else if (what === 'ok') reports[name] = {outcome: {ok: true}, layout}
    else if (what === 'error') reports[name] = {outcome: {ok: false, error: value}}
  }
  return reports
}

/**
 * Cython: per header, a .pyx cimports the .pxd and declares a variable of every
 * project record, translated by one cython3 run and compiled by one gcc run.
 */
export function checkCython(all: Prepared[], dir: string): Record<string, ConsumerReport> {
  const reports: Record<string, ConsumerReport> = {}
  const pyx: string[] = []
  for (const p of all) {
    const n = p.header.name
    writeFileSync(join(dir, `${n}_decl.pxd`), p.outputs.cython!)
    const uses = projectRecords(p.ir).map((s, i) => `    cdef h.${s.name} v${i}\n    sizes.append(sizeof(v${i}))`)
    writeFileSync(join(dir, `use_${n}.pyx`), `cimport ${n}_decl as h\n\ndef sizes():\n    sizes = []\n${uses.join('\n')}\n    return sizes\n`)
    pyx.push(join(dir, `use_${n}.pyx`))
  }
  for (const file of pyx) {
    const n = basename(file, '.pyx').slice(4)
    const r = run('cython3', ['-3', '-I', dir, file, '-o', join(dir, `use_${n}.c`)])
    if (r.status !== 0) reports[n] = {outcome: {ok: false, error: `cython3: ${(r.stderr + r.stdout).slice(0, 1500)}`}}
  }
  const include = python('import sysconfig; print(sysconfig.get_paths()["include"])').trim()
  // One gcc run per set of include arguments (most headers share none); its messages name the file that failed.
  const groups = new Map<string, Prepared[]>()
  for (const p of all) if (!reports[p.header.name]) groups.set(p.args.join(' '), [...(groups.get(p.args.join(' ')) ?? []), p])
  const objects = join(dir, 'objects')
  mkdirSync(objects, {recursive: true})
  for (const group of groups.values()) {
    const cc = run('gcc', ['-c', '-fPIC', '-O0', '-w', `-I${include}`, ...group.map((p) => `-I${p.project}`), ...group[0]!.args, ...group.map((p) => join(dir, `use_${p.header.name}.c`))], {cwd: objects})
    for (const p of group) {
      const n = p.header.name
      const errors = cc.stderr.split('\n').filter((l) => l.includes(`use_${n}.c:`) && /error/.test(l))
      reports[n] = errors.length === 0 && existsSync(join(objects, `use_${n}.o`)) ? {outcome: {ok: true}} : {outcome: {ok: false, error: `gcc: ${errors.slice(0, 5).join('\n') || cc.stderr.slice(0, 1500)}`}}
    }
  }
  return reports
}


/** The values the C program stored in the bitfields of each project record that has some. */
export function expectedBitfields(p: Prepared): Record<string, Record<string, string>> {
  const layouts = new Layouts(p.ir)
  const out: Record<string, Record<string, string>> = {}
  for (const s of projectRecords(p.ir)) {
    const probes = bitfieldProbes(s, layouts)
    if (probes.length > 0) out[recordCName(s)] = Object.fromEntries(probes.map((b) => [b.field, b.value]))
  }
  return out
}

/**
 * Libraries of the headers whose cffi output is built in API mode (header-only ones link
 * nothing): bitfields, packed and aligned records, anonymous unions, system records and
 * pthread types by value, jmp_buf, va_list. The others are not, for reasons outside the
 * writer: see docs/writers.md.
 */
export const API_MODE: Record<string, string[]> = {
  zlib: ['z'], http_parser: ['http_parser'], bluetooth: ['bluetooth'], expat: ['expat'], yaml: ['yaml'], perf_event: [],
  uv: ['uv'], png: ['png16'], ffi: ['ffi'], hiredis: ['hiredis'], jansson: ['jansson'], gmp: ['gmp'], lzma: ['lzma'],
  // The bitfields fixture (not in the corpus) declares no functions.
  bitfields: [],
}

/**
 * cffi in API mode (`set_source` + `compile`, linked against the library): the compiler
 * lays out every record, `...;` ones included; `ffi.sizeof`/`ffi.offsetof` of each
 * project record, in one python3.
 */
export function cffiApiLayouts(all: Prepared[], dir: string): Record<string, ConsumerReport> {
  const jobs = all.filter((p) => API_MODE[p.header.name]).map((p) => ({
    name: p.header.name, cdef: join(dir, `${p.header.name}.cdef`), include: p.include, dirs: [p.project],
    args: p.args, libraries: API_MODE[p.header.name], records: recordQuery(p),
  }))
  for (const p of all) writeFileSync(join(dir, `${p.header.name}.cdef`), p.outputs.cffi!)
  const out = python(`
import cffi, importlib, json, sys, traceback
sys.path.insert(0, ${JSON.stringify(dir)})
r = {}
for job in json.loads(${JSON.stringify(JSON.stringify(jobs))}):
    try:
        ffi = cffi.FFI()
        ffi.cdef(open(job['cdef']).read())
        module = '_api_' + job['name']
        ffi.set_source(module, '#include "%s"' % job['include'], include_dirs=job['dirs'], libraries=job['libraries'], extra_compile_args=['-w', '-O0'] + job['args'])
        ffi.compile(tmpdir=${JSON.stringify(dir)}, verbose=False)
        lib = importlib.import_module(module)
        layout = {}
        for cname, kind, tag, is_typedef, fields, bitfields in job['records']:
            layout[cname] = {'size': lib.ffi.sizeof(cname), 'fields': {f: lib.ffi.offsetof(cname, f) for f in fields}}
        r[job['name']] = {'outcome': {'ok': True}, 'layout': layout}
    except Exception:
        r[job['name']] = {'outcome': {'ok': False, 'error': traceback.format_exc()[-1500:]}}
print(json.dumps(r))
`)
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, ConsumerReport>
}
