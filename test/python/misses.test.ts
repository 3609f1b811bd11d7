/**
 * The reader never serves stale or damaged entries: an edited header, an edited included
 * header, a file the parser read through a macro include, a target the store lacks, and
 * corrupt or hostile stores (symlinked entries, `../` slugs, truncated files) each give
 * exactly one `Error:` line, a non-zero exit and no output, never a traceback. Where the
 * Node tool decides too (edits, targets), it agrees: it would not serve from the store.
 */
import assert from 'node:assert/strict'
import {appendFileSync, cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {copyExample, lines, makeProject, runNode, runReader} from './support/python.js'

const HEADER = 'include/point.h'
const ENTRY = 'libclang.point.x86_64-linux-gnu.i.include'
const NO_LIBCLANG = {HEADERKIT_LIBCLANG: '/nonexistent/libclang.so.1'}

async function assertMiss(dir: string, pattern: RegExp, args: string[] = [HEADER, '-w', 'cffi']): Promise<string> {
  const r = await runReader(args, {cwd: dir})
  assert.equal(r.exitCode, 1, `expected a miss, got exit ${r.exitCode}: ${r.stderr}`)
  assert.equal(r.stdout.length, 0, 'a miss printed output')
  assert.doesNotMatch(r.stderr, /Traceback/)
  assert.equal(lines(r.stderr).length, 1, r.stderr)
  assert.match(r.stderr, /^Error: /)
  assert.match(r.stderr, pattern)
  return r.stderr
}

/** The Node tool, without libclang, cannot answer from the store either (it would have to parse). */
async function assertNodeNeedsParse(dir: string, args: string[] = [HEADER, '-w', 'cffi', '-o', 'cffi:out.txt']): Promise<void> {
  const r = await runNode(args, {cwd: dir, env: NO_LIBCLANG})
  assert.equal(r.exitCode, 1, r.stderr)
  assert.match(r.stderr, /is not in the IR cache and needs a parse/)
}

async function assertHit(dir: string): Promise<void> {
  const r = await runReader([HEADER, '-w', 'cffi'], {cwd: dir})
  assert.equal(r.exitCode, 0, r.stderr)
  assert.match(r.stdout.toString(), /struct point \{/)
}

describe('python reader: misses and damaged stores', function () {
  this.timeout(300_000)

  it('an edited included header is a miss naming it, the header, writer and target, and what to run; restoring it is a hit again', async () => {
    const dir = copyExample()
    await assertHit(dir)
    const types = join(dir, 'include/point/types.h')
    const original = readFileSync(types)
    appendFileSync(types, 'typedef long point_extra;\n')
    const line = await assertMiss(dir, /include\/point\/types\.h \(included by include\/point\.h\) has changed since the store was filled/)
    assert.match(line, /no fresh cffi output for include\/point\.h \(x86_64-pc-linux-gnu\)/)
    assert.match(line, /run `headerkit include\/point\.h -w cffi`/)
    await assertNodeNeedsParse(dir)
    writeFileSync(types, original)
    await assertHit(dir)
  })

  it('an edited header is a miss; CRLF line endings are not an edit', async () => {
    const dir = copyExample()
    const header = join(dir, HEADER)
    const original = readFileSync(header, 'utf8')
    writeFileSync(header, original.replaceAll('\n', '\r\n'))
    await assertHit(dir)
    writeFileSync(header, original.replace('unsigned char flags;', 'unsigned short flags;'))
    await assertMiss(dir, /include\/point\.h has changed since the store was filled/)
    await assertNodeNeedsParse(dir)
  })

  it('a new project file that an include now resolves to is a miss (the closure changed, no recorded file did)', async () => {
    const dir = makeProject([])
    mkdirSync(join(dir, 'include'))
    writeFileSync(join(dir, 'include/main.h'), '#include <stddef.h>\nsize_t main_len(const char *s);\n')
    const args = ['include/main.h', '-w', 'json', '-I', 'include']
    assert.equal((await runNode(args, {cwd: dir})).exitCode, 0)
    assert.equal((await runReader(args, {cwd: dir})).exitCode, 0)
    // <stddef.h> now finds a project header first (-I include comes before the system dirs).
    writeFileSync(join(dir, 'include/stddef.h'), '#include_next <stddef.h>\n')
    await assertMiss(dir, /the headers include\/main\.h includes have changed \(now includes include\/stddef\.h\)/, args)
    await assertNodeNeedsParse(dir, [...args, '-o', 'json:out.json'])
  })

  it('a target the store has no entry for is a miss that says so and suggests populate', async () => {
    const dir = copyExample()
    const line = await assertMiss(dir, /no entry for target aarch64-unknown-linux-gnu \(the store has include\/point\.h for x86_64-pc-linux-gnu\)/, [HEADER, '-w', 'cffi', '--target', 'aarch64-linux-gnu'])
    assert.match(line, /headerkit cache populate/)
    await assertNodeNeedsParse(dir, [HEADER, '-w', 'cffi', '-o', 'cffi:out.txt', '--target', 'aarch64-linux-gnu'])
    await assertMiss(dir, /no entry for these arguments/, [HEADER, '-w', 'cffi', '-D', 'NEW_DEFINE'])
  })

  it('a writer whose output the store never holds, an unknown writer, a bad option, a bad triple: one line each', async () => {
    const dir = copyExample()
    await assertMiss(dir, /the diff writer's output is never stored/, [HEADER, '-w', 'diff'])
    await assertMiss(dir, /no ctypes output stored for these writer options/, [HEADER, '-w', 'ctypes', '--writer-opt', 'ctypes:library=point'])
    await assertMiss(dir, /Unknown writer: 'nope'/, [HEADER, '-w', 'nope'])
    await assertMiss(dir, /unknown option 'nope' for the cffi writer \(from --writer-opt\)/, [HEADER, '-w', 'cffi', '--writer-opt', 'cffi:nope=1'])
    const bad = await runReader([HEADER, '-w', 'cffi', '--target', 'not a triple'], {cwd: dir})
    assert.equal(bad.exitCode, 2)
    assert.match(bad.stderr, /^Error: invalid target triple 'not a triple' \(from --target\)/)
    await assertMiss(dir, /header not found: include\/missing\.h/, ['include/missing.h', '-w', 'cffi'])
    const noWriter = await runReader([HEADER], {cwd: dir})
    assert.equal(noWriter.exitCode, 0, noWriter.stderr)
    assert.match(noWriter.stdout.toString(), /struct point \{/)
    const pyproject = readFileSync(join(dir, 'pyproject.toml'), 'utf8')
    writeFileSync(join(dir, 'pyproject.toml'), pyproject.replace('writers = ["cffi"]', 'writers = ["cffi", "json"]\nexclude = ["include/point.h"]'))
    const two = await runReader([HEADER], {cwd: dir})
    assert.equal(two.exitCode, 2)
    assert.match(two.stderr, /^Error: the config names 2 writers \(cffi, json\) \(choose one with -w WRITER\)\n$/)
    const excluded = await runReader([HEADER, '-w', 'cffi'], {cwd: dir})
    assert.equal(excluded.exitCode, 2)
    assert.match(excluded.stderr, /^Error: every header given \(1\) was excluded by exclude in .*pyproject\.toml \(loosen the exclude globs/)
    const node = await runNode([HEADER, '-w', 'cffi'], {cwd: dir})
    assert.equal(node.exitCode, 2)
    assert.equal(node.stderr, excluded.stderr, 'the Python reader says what the Node tool says')
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.headerkit]\nwriters = [1,\n')
    await assertMiss(dir, /^Error: config error in .*pyproject\.toml: TOML syntax error/)
  })

  it('a symlinked entry directory, a symlinked payload, a ../ slug in the index: misses, nothing read outside the store', async () => {
    const dir = copyExample()
    const layer = join(dir, '.headerkit/output/cffi')
    const outside = join(dir, '..', 'outside-entry')
    renameSync(join(layer, ENTRY), outside)
    symlinkSync(outside, join(layer, ENTRY))
    await assertMiss(dir, /corrupt cache entry output\/cffi\/libclang\.point\.x86_64-linux-gnu\.i\.include: entry is a symlink or a file/)

    rmSync(join(layer, ENTRY))
    mkdirSync(join(layer, ENTRY))
    cpSync(join(outside, 'metadata.json'), join(layer, ENTRY, 'metadata.json'))
    symlinkSync(join(outside, 'output.cdef.txt'), join(layer, ENTRY, 'output.cdef.txt'))
    await assertMiss(dir, /output\.cdef\.txt is not a plain file/)

    // A layer directory that is a link out of the store is not followed either.
    const outsideLayer = join(dir, '..', 'outside-layer')
    renameSync(join(dir, '.headerkit/output'), outsideLayer)
    symlinkSync(outsideLayer, join(dir, '.headerkit/output'))
    await assertMiss(dir, /output\/cffi\/index\.json is unreadable \(output is not a plain directory\)/)
    rmSync(join(dir, '.headerkit/output'))
    renameSync(outsideLayer, join(dir, '.headerkit/output'))

    rmSync(join(layer, ENTRY), {recursive: true})
    cpSync(outside, join(dir, '.headerkit', 'escaped'), {recursive: true})
    const index = JSON.parse(readFileSync(join(layer, 'index.json'), 'utf8')) as {entries: Record<string, {cache_key: string}>}
    const key = Object.values(index.entries)[0]!.cache_key
    writeFileSync(join(layer, 'index.json'), JSON.stringify({version: 2, entries: {'../../escaped': {cache_key: key}}}))
    await assertMiss(dir, /no cffi output stored for these writer options/)
  })

  it('truncated payload, truncated or edited metadata, an unreadable index, an old store version: misses', async () => {
    const fresh = (): string => copyExample()
    let dir = fresh()
    truncateSync(join(dir, '.headerkit/output/cffi', ENTRY, 'output.cdef.txt'), 10)
    await assertMiss(dir, /output\.cdef\.txt has 10 bytes, metadata says \d+/)

    dir = fresh()
    const meta = join(dir, '.headerkit/output/cffi', ENTRY, 'metadata.json')
    truncateSync(meta, 40)
    await assertMiss(dir, /metadata\.json is unreadable/)

    dir = fresh()
    const m = JSON.parse(readFileSync(join(dir, '.headerkit/output/cffi', ENTRY, 'metadata.json'), 'utf8')) as Record<string, unknown>
    m.writer_cache_version = '0'
    writeFileSync(join(dir, '.headerkit/output/cffi', ENTRY, 'metadata.json'), JSON.stringify(m))
    await assertMiss(dir, /the inputs recorded in metadata\.json do not give its cache_key/)

    dir = fresh()
    writeFileSync(join(dir, '.headerkit/ir/index.json'), '{"version": 2, "entr')
    await assertMiss(dir, /ir\/index\.json is unreadable \(not valid JSON/)

    dir = fresh()
    const irMeta = join(dir, '.headerkit/ir', ENTRY, 'metadata.json')
    writeFileSync(irMeta, readFileSync(irMeta, 'utf8').replace('"version": 3', '"version": 2'))
    // The IR entry's metadata records the sources' hashes the reader matches on, so a
    // damaged one is a miss here even though the output entry is intact (the Node tool,
    // which hashes the sources itself, still serves that output).
    await assertMiss(dir, /no entry for target x86_64-pc-linux-gnu .*1 IR entry is unusable \(ir\/libclang\.point\.x86_64-linux-gnu\.i\.include: unsupported metadata version 2; see `headerkit cache verify`\)/)

    dir = fresh()
    rmSync(join(dir, '.headerkit'), {recursive: true})
    await assertMiss(dir, /no fresh cffi output for include\/point\.h \(x86_64-pc-linux-gnu\) in the store: the store directory .*\.headerkit does not exist/)

    // JSON nested deeper than Python's recursion limit: a miss, not a RecursionError traceback.
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`
    dir = fresh()
    writeFileSync(join(dir, '.headerkit/output/cffi', ENTRY, 'metadata.json'), deep)
    await assertMiss(dir, /metadata\.json is unreadable/)
    dir = fresh()
    writeFileSync(join(dir, '.headerkit/output/cffi/index.json'), deep)
    await assertMiss(dir, /output\/cffi\/index\.json is unreadable \(not valid JSON/)
  })

  it('a file the parser read through a macro include (no scan sees it) is re-checked: editing it is a miss', async () => {
    const dir = makeProject([])
    mkdirSync(join(dir, 'include'))
    writeFileSync(join(dir, 'include/main.h'), '#define PIECE "piece.h"\n#include PIECE\nint main_fn(piece_t p);\n')
    writeFileSync(join(dir, 'include/piece.h'), 'typedef int piece_t;\n')
    const node = await runNode(['include/main.h', '-w', 'json'], {cwd: dir})
    assert.equal(node.exitCode, 0, node.stderr)
    const hit = await runReader(['include/main.h', '-w', 'json'], {cwd: dir})
    assert.equal(hit.exitCode, 0, hit.stderr)
    assert.ok(hit.stdout.equals(node.stdout))
    writeFileSync(join(dir, 'include/piece.h'), 'typedef long piece_t;\n')
    await assertMiss(dir, /include\/piece\.h \(read by the parser\) has changed since the store was filled/, ['include/main.h', '-w', 'json'])
  })
})
