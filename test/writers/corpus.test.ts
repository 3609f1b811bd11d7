/**
 * Real library headers, each copied alone into a project (its siblings are then
 * system headers), through the cffi, lua, ctypes and cython writers and their real
 * consumers; record layouts and bitfield values in ctypes and LuaJIT equal gcc's.
 * The corpus and the batched consumer runs are in corpus.ts.
 */
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {isExternal} from '../../src/ir/walk.js'
import {makeTempDir} from '../support/tmp.js'
import {
  API_MODE, cffiApiLayouts, checkCffi, checkCtypes, checkCython, checkLua, CORPUS, ctypesBitfields, expectedBitfields, gccLayout, prepareCorpus,
  projectRecords, WRITERS, type ConsumerReport, type CorpusHeader, type CorpusWriter, type CRecordLayout, type Prepared,
} from './corpus.js'
import {ROOT} from './helpers.js'

describe('writers on a corpus of real headers, each alone in its project', function () {
  this.timeout(600_000)
  let all: Prepared[]
  let c: Record<string, Record<string, CRecordLayout>>
  let reports: Record<CorpusWriter, Record<string, ConsumerReport>>
  let ctypesBits: Record<string, Record<string, Record<string, string>>>
  let api: Record<string, ConsumerReport>

  before(async () => {
    const dir = makeTempDir()
    all = await prepareCorpus(dir)
    c = Object.fromEntries(all.map((p) => [p.header.name, gccLayout(p, dir)]))
    reports = {cffi: checkCffi(all, dir), lua: checkLua(all, dir, c), ctypes: checkCtypes(all, dir), cython: checkCython(all, dir)}
    ctypesBits = ctypesBitfields(all, dir, c)
    api = cffiApiLayouts(all, dir)
  })

  it('cffi in API mode, linked against the library: ffi.sizeof and ffi.offsetof equal gcc\'s (bitfields, packed, anonymous unions)', () => {
    assert.deepEqual(Object.keys(api).sort(), CORPUS.map((h) => h.name).filter((n) => API_MODE[n]).sort())
    for (const [name, report] of Object.entries(api)) {
      assert.ok(report.outcome.ok, `${name}: ${report.outcome.error}`)
      assert.ok(Object.keys(c[name]!).length > 0, name)
      assert.deepEqual(report.layout, Object.fromEntries(Object.entries(c[name]!).map(([k, l]) => [k, {size: l.size, fields: l.fields}])), name)
    }
  })

  it('has at least 20 headers whose types from outside the project are external declarations', () => {
    assert.ok(all.length >= 20, `${all.length} headers`)
    const without = all.filter((p) => !p.ir.declarations.some(isExternal)).map((p) => p.header.name)
    assert.deepEqual(without, [], 'every header uses something from a system or sibling header')
    assert.ok(all.reduce((n, p) => n + projectRecords(p.ir).length, 0) >= 150, "records to lay out")
  })

  for (const writer of WRITERS) {
    it(`${writer}: every header is written whole and its consumer accepts it`, () => {
      const refused = all.filter((p) => (p.warnings[writer] ?? []).length > 0).map((p) => [p.header.name, p.warnings[writer]!.slice(0, 3)])
      const rejected = all.filter((p) => !reports[writer][p.header.name]?.outcome.ok).map((p) => [p.header.name, reports[writer][p.header.name]?.outcome.error ?? 'no report'])
      assert.deepEqual({refused, rejected}, {refused: [], rejected: []})
    })
  }

  for (const writer of ['ctypes', 'lua'] as const) {
    it(`${writer}: sizeof and offsetof of every project record equal gcc's`, () => {
      const differing: string[] = []
      let compared = 0
      for (const p of all) {
        const got = reports[writer][p.header.name]?.layout ?? {}
        for (const [record, layout] of Object.entries(c[p.header.name]!)) {
          compared++
          const mine = got[record]
          if (!mine || mine.size !== layout.size || JSON.stringify(mine.fields) !== JSON.stringify(layout.fields)) {
            differing.push(`${p.header.name} ${record}: gcc ${JSON.stringify({size: layout.size, fields: layout.fields})}, ${writer} ${JSON.stringify(mine && {size: mine.size, fields: mine.fields})}`)
          }
        }
      }
      assert.ok(compared >= 150, `${compared} records compared`)
      assert.deepEqual(differing, [])
    })

    it(`${writer}: every bitfield reads back the value gcc stored`, () => {
      let checked = 0
      for (const p of all) {
        const expected = expectedBitfields(p)
        checked += Object.values(expected).reduce((n, r) => n + Object.keys(r).length, 0)
        const got = writer === 'ctypes' ? ctypesBits[p.header.name] ?? {} : Object.fromEntries(Object.entries(reports.lua[p.header.name]?.layout ?? {}).filter(([, l]) => l.bitfields).map(([k, l]) => [k, l.bitfields!]))
        assert.deepEqual(got, expected, p.header.name)
      }
      assert.ok(checked > 50, `${checked} bitfields checked`)
    })
  }

  it('covers the header shapes of the issue', () => {
    const shapes = CORPUS.flatMap((h) => h.shapes).join('\n')
    for (const shape of ['sibling config header', 'timeval', 'sockaddr', 'pthread', 'va_list', 'bitfields', 'packed', 'aligned', 'anonymous union', 'arrays of anonymous structs', 'function pointers returning function pointers', 'huge macro-built enums', 'token-pasted names', 'jmp_buf', 'off_t', 'time_t']) {
      assert.match(shapes, new RegExp(shape, 'i'), shape)
    }
    const byName = (n: string): Prepared => all.find((p) => p.header.name === n)!
    // The shapes are in the IR, not only in the list above.
    const fieldData = projectRecords(byName('http_parser').ir).find((s) => s.name === 'http_parser_url')!.fields.find((f) => f.name === 'field_data')!
    assert.deepEqual([fieldData.type.kind, fieldData.anonymous_struct?.fields.map((f) => f.name)], ['array', ['off', 'len']])
    assert.ok(byName('perf_event').ir.declarations.some((d) => (d.kind === 'struct' || d.kind === 'union') && d.fields.some((f) => (f.bit_width ?? 0) > 0 && f.type.kind === 'ctype' && f.type.name === '__u64')))
    assert.ok(byName('uv').ir.declarations.some((d) => isExternal(d) && d.name === 'pthread_once_t'))
    assert.ok(byName('bluetooth').ir.declarations.some((d) => (d.kind === 'struct' || d.kind === 'union') && d.is_packed))
    assert.ok(byName('hiredis').ir.declarations.some((d) => isExternal(d) && d.kind === 'struct' && d.name === 'timeval' && d.fields.length === 2))
  })
})

/** Fixture headers with the constructs the corpus has few of, and what each consumer must leave out. */
const FIXTURES: {header: CorpusHeader; what: string; leftOut: Record<CorpusWriter, string[]>}[] = [
  {
    header: {name: 'tricky', source: join(ROOT, 'fixtures/headers/tricky/tricky.h'), umbrellaDir: join(ROOT, 'fixtures/headers/tricky'), shapes: []},
    what: 'zero-width and 40-bit bitfields, attribute-aligned members',
    leftOut: {cffi: ["function 'ld_fn'"], lua: ["function 'ld_fn'"], ctypes: ["function 'ld_fn'"], cython: ["function 'ld_fn'", "function 'knr_fn'"]},
  },
  {
    header: {name: 'bitfields', source: join(ROOT, 'fixtures/headers/bitfields/bitfields.h'), shapes: []},
    what: 'bool, enum and char bitfields, units wider than ctypes may use, packed bitfields',
    leftOut: {cffi: [], lua: [], ctypes: [], cython: []},
  },
]

for (const fixture of FIXTURES) {
  describe(`writers on the parsed ${fixture.header.name} header (${fixture.what})`, function () {
    this.timeout(300_000)
    const name = fixture.header.name
    let p: Prepared
    let c: Record<string, CRecordLayout>
    let reports: Record<CorpusWriter, ConsumerReport>
    let ctypesBits: Record<string, Record<string, string>>

    before(async () => {
      const dir = makeTempDir()
      ;[p] = await prepareCorpus(dir, [fixture.header]) as [Prepared]
      c = gccLayout(p, dir)
      const layouts = {[name]: c}
      reports = {cffi: checkCffi([p], dir)[name]!, lua: checkLua([p], dir, layouts)[name]!, ctypes: checkCtypes([p], dir)[name]!, cython: checkCython([p], dir)[name]!}
      ctypesBits = ctypesBitfields([p], dir, layouts)[name] ?? {}
    })

    it('leaves out only what each consumer cannot express, and every consumer takes the rest', () => {
      const left = (w: CorpusWriter): string[] => (p.warnings[w] ?? []).map((m) => m.replace(/^.*left out /, '').replace(/:.*/, ''))
      assert.deepEqual(Object.fromEntries(WRITERS.map((w) => [w, left(w)])), fixture.leftOut)
      for (const w of WRITERS) assert.ok(reports[w].outcome.ok, `${w}: ${reports[w].outcome.error}`)
      for (const w of WRITERS) if (fixture.leftOut[w].length > 0) assert.match(p.outputs[w]!, /(#|--|\/\/) Left out /, w)
    })

    it('gives ctypes and LuaJIT gcc\'s layout and bitfield values', () => {
      assert.ok(Object.keys(c).length >= 5, `${Object.keys(c).length} records`)
      for (const w of ['ctypes', 'lua'] as const) {
        const got = Object.fromEntries(Object.entries(reports[w].layout ?? {}).map(([k, l]) => [k, {size: l.size, fields: l.fields}]))
        assert.deepEqual(got, Object.fromEntries(Object.entries(c).map(([k, l]) => [k, {size: l.size, fields: l.fields}])), w)
      }
      const expected = expectedBitfields(p)
      assert.ok(Object.values(expected).reduce((n, r) => n + Object.keys(r).length, 0) >= 5, 'bitfields probed')
      assert.deepEqual(ctypesBits, expected)
      assert.deepEqual(Object.fromEntries(Object.entries(reports.lua.layout ?? {}).filter(([, l]) => l.bitfields).map(([k, l]) => [k, l.bitfields!])), expected)
    })

    if (API_MODE[name]) {
      it('cffi in API mode: ffi.sizeof and ffi.offsetof equal gcc\'s', () => {
        const api = cffiApiLayouts([p], dirOf(p))[name]!
        assert.ok(api.outcome.ok, api.outcome.error)
        assert.deepEqual(api.layout, Object.fromEntries(Object.entries(c).map(([k, l]) => [k, {size: l.size, fields: l.fields}])))
      })
    }
  })
}

/** The temporary directory a prepared header's project lives in. */
function dirOf(p: Prepared): string {
  return join(p.project, '..')
}
