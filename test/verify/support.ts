/**
 * Stores to prove, and the ways an attacker doctors them: a payload changed and its
 * metadata rewritten to agree (size, sha256, blake3), so that every integrity check passes.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {generateBatch} from '../../src/generate/index.js'
import {blake3Hex} from '../../src/hash/blake3.js'
import {headerFromJson} from '../../src/ir/json.js'
import {openStore} from '../../src/store/layout.js'
import type {IrMetadata, OutputMetadata} from '../../src/store/metadata.js'
import {canonicalJsonFile, type JsonValue} from '../../src/util/canonical-json.js'
import {irSlugsByKey, remakeOutput} from '../../src/verify/outputs.js'
import {makeTempDir} from '../support/tmp.js'

export const AARCH64_SYSROOT = '/usr/aarch64-linux-gnu'

export const SHAPES_H = `#include <stddef.h>
struct point { char tag; long x; int y; };
typedef struct point point_t;
long area(const struct point *p, size_t n);
#define SHAPES_MAX 16
`

/** A project with one header and the ctypes and cffi writers configured. */
export function shapesProject(): string {
  const root = makeTempDir('headerkit-reproduce-')
  mkdirSync(join(root, '.git'))
  mkdirSync(join(root, 'include'))
  writeFileSync(join(root, 'include/shapes.h'), SHAPES_H)
  writeFileSync(join(root, 'pyproject.toml'), '[project]\nname = "shapes"\n\n[tool.headerkit]\nwriters = ["ctypes", "cffi"]\n\n[[tool.headerkit.headers]]\npattern = "include/shapes.h"\n')
  return root
}

/** Generates the project's headers into its store, for the host or a given target and args. */
export async function generateInto(root: string, options: {target?: string; backendArgs?: string[]} = {}): Promise<void> {
  await generateBatch({cwd: root, ...options})
}

/** Entry directories of a layer (`ir`, `output/ctypes`) with their metadata. */
export function entriesOf<M = IrMetadata | OutputMetadata>(store: string, layer: string): {slug: string; dir: string; metadata: M}[] {
  const base = join(store, layer)
  return readdirSync(base, {withFileTypes: true})
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => ({slug: e.name, dir: join(base, e.name), metadata: JSON.parse(readFileSync(join(base, e.name, 'metadata.json'), 'utf8')) as M}))
}

/** Replaces an entry's payload and rewrites its metadata's file record to match, as an attacker would. */
export async function rewritePayload(entryDir: string, payload: string | Buffer, editMetadata?: (m: Record<string, JsonValue>) => void): Promise<void> {
  const metadataPath = join(entryDir, 'metadata.json')
  const metadata = JSON.parse(readFileSync(metadataPath, 'utf8')) as Record<string, JsonValue> & {files: Record<string, JsonValue>}
  const name = Object.keys(metadata.files)[0]!
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8')
  writeFileSync(join(entryDir, name), bytes)
  metadata.files[name] = {size: bytes.length, blake3: await blake3Hex(bytes), sha256: createHash('sha256').update(bytes).digest('hex')}
  editMetadata?.(metadata)
  writeFileSync(metadataPath, canonicalJsonFile(metadata))
}

/** Makes every output of an IR entry again from the IR now in the store and rewrites it: the doctored IR then agrees with its outputs. */
export async function remakeOutputsOf(store: string, projectRoot: string, irKey: string): Promise<number> {
  const slugs = await irSlugsByKey(openStore(store))
  const ir = headerFromJson(JSON.parse(readFileSync(join(store, 'ir', slugs.get(irKey)!, 'ir.json'), 'utf8')))
  let count = 0
  for (const writer of readdirSync(join(store, 'output'))) {
    for (const e of entriesOf<OutputMetadata>(store, `output/${writer}`)) {
      if (e.metadata.ir_cache_key !== irKey) continue
      await rewritePayload(e.dir, remakeOutput(e.metadata, ir, projectRoot))
      count++
    }
  }
  return count
}
