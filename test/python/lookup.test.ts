/**
 * How the Python reader finds an entry (DESIGN 11): through the index, reading only the
 * metadata of entries whose slug names the header, never every entry of the store; an
 * entry under a slug of another form is still found (the slug is a hint, the metadata
 * decides); one process serving many requests reads each index and metadata file once.
 */
import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {generateBatch} from '../../src/generate/index.js'
import {irSlug} from '../../src/store/slug.js'
import {makeProject, runPython} from './support/python.js'

const HEADERS = ['a', 'b', 'c', 'd', 'e'].map((n) => `include/${n}.h`)

function project(): string {
  const dir = makeProject([])
  writeFileSync(join(dir, '.headerkit.toml'), '[[headers]]\npattern = "include/*.h"\n')
  return dir
}

async function filled(): Promise<string> {
  const dir = project()
  mkdirSync(join(dir, 'include'))
  writeFileSync(join(dir, 'include/common.h'), 'typedef int common_t;\n')
  for (const h of HEADERS) writeFileSync(join(dir, h), `#include "common.h"\ncommon_t ${h.slice(8, 9)}_fn(int x);\n`)
  await generateBatch({cwd: dir, headers: HEADERS, writers: ['cffi', 'json'], env: {}})
  return dir
}

/** Runs `script` after wrapping store.read_metadata (IR layer) and store.read_index to count their reads. */
async function counted(cwd: string, script: string): Promise<{metadata: string[]; indexes: number; out: string}> {
  const r = await runPython(['-c', `import json, headerkit_store
from headerkit_store import store, reader
reads, indexes = [], []
real_meta, real_index = store.read_metadata, store._read_index
def read_metadata(layer, slug):
    if layer.name == "ir": reads.append(slug)
    return real_meta(layer, slug)
def _read_index(layer, problem):
    indexes.append(layer.name)
    return real_index(layer, problem)
store.read_metadata = reader.read_metadata = read_metadata
store._read_index = _read_index
out = ${script}
print(json.dumps({"metadata": reads, "indexes": len(indexes), "out": out}))`], {cwd})
  assert.equal(r.exitCode, 0, r.stderr)
  return JSON.parse(r.stdout.toString()) as {metadata: string[]; indexes: number; out: string}
}

describe('python reader: finding an entry without scanning the store', function () {
  this.timeout(120_000)

  it("reads only the metadata of the requested header's IR entry, and serves the Node tool's bytes", async () => {
    const dir = await filled()
    const got = await counted(dir, 'headerkit_store.load("include/c.h", "cffi")')
    // Once to find it, once more as the entry is checked before serving: no other entry's.
    const slug = irSlug({backend: 'libclang', headerPath: 'include/c.h', target: slugTarget(dir), defines: [], includeDirs: [], args: []})
    assert.deepEqual(got.metadata, [slug, slug])
    const node = await generateBatch({cwd: dir, headers: ['include/c.h'], writers: ['cffi'], env: {}})
    assert.equal(got.out, node.results[0]!.text)
  })

  it('serves 5 headers x 2 writers in one process reading each index once and each IR metadata once', async () => {
    const dir = await filled()
    const got = await counted(dir, `[headerkit_store.load(h, w) for h in ${JSON.stringify(HEADERS)} for w in ("cffi", "json")] and "ok"`)
    assert.equal(got.out, 'ok')
    // Each header's IR metadata read once to find it, then once per request as it is checked.
    assert.equal(new Set(got.metadata).size, HEADERS.length)
    assert.equal(got.metadata.length, HEADERS.length + HEADERS.length * 2)
    assert.equal(got.indexes, 3) // ir, output/cffi, output/json
  })

  it('finds an entry whose slug is not the one the Node tool would give (the slug is only a hint)', async () => {
    const dir = await filled()
    const ir = join(dir, '.headerkit/ir')
    const index = JSON.parse(readFileSync(join(ir, 'index.json'), 'utf8')) as {version: number; entries: Record<string, {cache_key: string}>}
    const old = Object.keys(index.entries).find((s) => s.includes('.c.'))!
    renameSync(join(ir, old), join(ir, 'renamed-entry'))
    index.entries['renamed-entry'] = index.entries[old]!
    delete index.entries[old]
    writeFileSync(join(ir, 'index.json'), JSON.stringify(index))
    const got = await counted(dir, 'headerkit_store.load("include/c.h", "cffi")')
    assert.ok(got.metadata.includes('renamed-entry'), got.metadata.join(' '))
    const node = await generateBatch({cwd: dir, headers: ['include/c.h'], writers: ['cffi'], env: {}})
    assert.equal(got.out, node.results[0]!.text)
  })

  it("a miss still names what the store holds for the header (another target's entry under the hinted slug)", async () => {
    const dir = await filled()
    const r = await runPython(['-c', 'import headerkit_store; headerkit_store.load("include/c.h", "cffi", target="aarch64-unknown-linux-gnu")'], {cwd: dir})
    assert.notEqual(r.exitCode, 0)
    assert.match(r.stderr, /no entry for target aarch64-unknown-linux-gnu \(the store has include\/c\.h for x86_64-/)
  })

  it("the reader's slug head is the Node tool's slug start for odd header names", async () => {
    const paths = ['include/c.h', 'a/B.H', 'noext', 'dir/.hidden.h', 'x/ü-name.h', 'x/a..b.h', `x/${'long_'.repeat(20)}.h`, 'x/--.h', 'x/v1.2.3.h']
    const r = await runPython(['-c', `import json; from headerkit_store.store import slug_head; print(json.dumps([slug_head("libclang", p) for p in ${JSON.stringify(paths)}]))`], {cwd: project()})
    assert.equal(r.exitCode, 0, r.stderr)
    const heads = JSON.parse(r.stdout.toString()) as string[]
    paths.forEach((p, i) => {
      const slug = irSlug({backend: 'libclang', headerPath: p, target: 'x86_64-unknown-linux-gnu', defines: ['X=1'], includeDirs: [], args: []})
      assert.ok(slug.startsWith(heads[i]!), `${p}: ${slug} does not start with ${heads[i]}`)
      assert.equal(heads[i]!.split('.').length, 3, heads[i])
    })
  })
})

/** The host target as generation records it in the store. */
function slugTarget(dir: string): string {
  const index = JSON.parse(readFileSync(join(dir, '.headerkit/ir/index.json'), 'utf8')) as {entries: Record<string, unknown>}
  const slug = Object.keys(index.entries)[0]!
  const meta = JSON.parse(readFileSync(join(dir, '.headerkit/ir', slug, 'metadata.json'), 'utf8')) as {target: string}
  return meta.target
}
