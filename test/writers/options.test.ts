import assert from 'node:assert/strict'
import {parse as parseToml} from 'smol-toml'
import {
  canonicalWriterOptions, getWriter, listWriters, parseWriterOptFlag, registerWriter, resolveWriterOptions,
  WriterOptionError, WriterRegistryError, WRITER_IMPL_VERSION, type Writer,
} from '../../src/writers/index.js'
import {trickyIr} from './helpers.js'

describe('writer registry', () => {
  it('lists the seven built-in writers with their cache attributes', () => {
    const names = listWriters().map((w) => w.name)
    for (const n of ['cffi', 'ctypes', 'cython', 'diff', 'json', 'lua', 'prompt']) assert.ok(names.includes(n), n)
    assert.equal(getWriter('diff').cacheOutput, false)
    assert.equal(getWriter('prompt').cacheOutput, false)
    assert.equal(getWriter('cffi').cacheOutput, true)
    assert.equal(typeof WRITER_IMPL_VERSION, 'string')
    // cffi and ctypes used to collide on `<stem>.py` (B-OPT-3).
    const patterns = listWriters().map((w) => w.defaultOutputPattern)
    assert.equal(new Set(patterns).size, patterns.length)
  })

  it('names the available writers when one is unknown', () => {
    assert.throws(() => getWriter('rust'), (e: unknown) => e instanceof WriterRegistryError && /Unknown writer: 'rust'\. Available: .*cffi.*ctypes/.test(e.message))
  })

  it('registers a plugin writer and refuses bad names and duplicates', () => {
    const upper: Writer = {
      name: 'upper-names', description: 'function names, upper-cased', cacheOutput: true, cacheVersion: '1', extension: '.txt',
      defaultOutputPattern: '{dir}/{stem}_upper.txt', options: {suffix: {type: 'string', default: '', description: 'appended'}},
      write: (ir, options) => ir.declarations.filter((d) => d.kind === 'function').map((d) => `${d.name.toUpperCase()}${options.suffix as string}\n`).join(''),
    }
    registerWriter('upper-names', upper)
    const w = getWriter('upper-names')
    assert.match(w.write(trickyIr(), resolveWriterOptions(w, {flags: ['upper-names:suffix=!']}), {}), /^TRICKY_APPLY!$/m)
    assert.throws(() => registerWriter('upper-names', upper), /already registered/)
    assert.throws(() => registerWriter('Bad Name', {...upper, name: 'Bad Name'}), /invalid writer name/)
  })
})

describe('writer options', () => {
  it('parses --writer-opt with the original messages for malformed items', () => {
    assert.deepEqual(parseWriterOptFlag('cffi:exclude_patterns=^_'), {writer: 'cffi', key: 'exclude_patterns', value: '^_'})
    assert.deepEqual(parseWriterOptFlag('cffi:extra_cdef=int x = 1;'), {writer: 'cffi', key: 'extra_cdef', value: 'int x = 1;'})
    assert.throws(() => parseWriterOptFlag('exclude_patterns=^_'), (e: unknown) => e instanceof WriterOptionError && e.message === "unscoped --writer-opt: 'exclude_patterns=^_'; use WRITER:KEY=VALUE format")
    assert.throws(() => parseWriterOptFlag('cffi:exclude_patterns'), (e: unknown) => e instanceof WriterOptionError && e.message === "malformed --writer-opt: 'cffi:exclude_patterns'; expected WRITER:KEY=VALUE")
  })

  it('keeps a one-element list a list from every source (B-OPT-1)', () => {
    const config = parseToml('[writer.cffi]\nexclude_patterns = ["^_"]\n') as {writer: {cffi: Record<string, unknown>}}
    const fromFlag = resolveWriterOptions('cffi', {flags: ['cffi:exclude_patterns=^_']})
    const fromConfig = resolveWriterOptions('cffi', {config: config.writer.cffi})
    const fromApi = resolveWriterOptions('cffi', {api: {exclude_patterns: ['^_']}})
    for (const o of [fromFlag, fromConfig, fromApi]) assert.deepEqual(o.exclude_patterns, ['^_'])
    // The same logical options give the same cache-key text from every source (B-KEY-7).
    assert.equal(canonicalWriterOptions(fromFlag), canonicalWriterOptions(fromConfig))
    assert.equal(canonicalWriterOptions(fromFlag), canonicalWriterOptions(fromApi))
    assert.equal(canonicalWriterOptions(fromApi), '{"define_patterns":[],"exclude_patterns":["^_"],"extra_cdef":[]}')
    // Repeated flags accumulate.
    assert.deepEqual(resolveWriterOptions('cffi', {flags: ['cffi:exclude_patterns=^_', 'cffi:exclude_patterns=^Z']}).exclude_patterns, ['^_', '^Z'])
  })

  it('keeps config values typed (B-OPT-2) and applies defaults, so {} and the default are one key', () => {
    const config = parseToml('[writer.json]\nindent = 0\n') as {writer: {json: Record<string, unknown>}}
    assert.equal(resolveWriterOptions('json', {config: config.writer.json}).indent, 0)
    assert.equal(resolveWriterOptions('json', {flags: ['json:indent=4']}).indent, 4)
    assert.equal(canonicalWriterOptions(resolveWriterOptions('json')), canonicalWriterOptions(resolveWriterOptions('json', {api: {indent: 2}})))
    assert.equal(canonicalWriterOptions(resolveWriterOptions('json', {flags: ['json:indent=2']})), canonicalWriterOptions(resolveWriterOptions('json', {config: {indent: 2}})))
  })

  it('merges API/flag over per-header override over config, per key', () => {
    const o = resolveWriterOptions('ctypes', {config: {library: 'z', lib_name: 'cfg'}, override: {lib_name: 'hdr'}})
    assert.deepEqual([o.library, o.lib_name], ['z', 'hdr'])
    assert.equal(resolveWriterOptions('ctypes', {config: {library: 'z'}, override: {library: 'y'}, flags: ['ctypes:library=x']}).library, 'x')
    assert.equal(resolveWriterOptions('ctypes', {flags: ['ctypes:library=x'], api: {library: 'w'}}).library, 'w')
    // Options for other writers are not this writer's business.
    assert.equal(resolveWriterOptions('ctypes', {flags: ['cffi:exclude_patterns=^_']}).library, '')
  })

  it('rejects unknown options and wrong types with the writer, option and expected type', () => {
    assert.throws(() => resolveWriterOptions('cffi', {flags: ['cffi:exclude=^_']}),
      (e: unknown) => e instanceof WriterOptionError && /unknown option 'exclude' for the cffi writer/.test(e.message) && /exclude_patterns/.test(e.oneLine()))
    assert.throws(() => resolveWriterOptions('json', {flags: ['json:indent=wide']}), /json writer option 'indent' \(from --writer-opt\) must be an integer, got "wide"/)
    assert.throws(() => resolveWriterOptions('json', {config: {indent: '4'}}), /must be an integer, got "4"/)
    assert.throws(() => resolveWriterOptions('json', {api: {indent: -1}}), /must be an integer 0\.\.16/)
    assert.throws(() => resolveWriterOptions('prompt', {api: {verbosity: 'loud'}}), /must be one of "compact", "standard", "verbose", got "loud"/)
    assert.throws(() => resolveWriterOptions('cffi', {config: {exclude_patterns: [1]}}), /must be a list of strings, got \[1\]/)
    assert.throws(() => resolveWriterOptions('ctypes', {flags: ['ctypes:library=a', 'ctypes:library=b']}), /given 2 times but takes one value/)
    assert.throws(() => resolveWriterOptions('diff', {api: {baseline: {path: 'a.h'}}}), /not a valid IR/)
  })

  it('accepts a baseline Header from the API and gives it a canonical key (B-KEY-6)', () => {
    const o = resolveWriterOptions('diff', {api: {baseline: trickyIr()}})
    assert.match(canonicalWriterOptions(o), /"baseline":\{"declarations":/)
  })
})
