/**
 * python/headerkit_store/spec.json: what the Python reader must know of this tool to
 * compute the same keys (versions that enter them, each built-in writer's cache version,
 * extension, default output pattern and option schema with defaults) and to detect the
 * same target (the Linux platform table). spec.test.ts fails when the committed file and
 * this tool disagree; regenerate it with
 *   node --import tsx test/python/support/spec.ts python/headerkit_store/spec.json
 */
import {writeFileSync} from 'node:fs'
import {IR_SCHEMA_VERSION} from '../../../src/ir/types.js'
import {EXTRACTOR_VERSION} from '../../../src/parse/registry.js'
import {INDEX_VERSION, METADATA_VERSION} from '../../../src/store/layout.js'
import {LINUX_PLATFORMS} from '../../../src/target/platforms.js'
import {canonicalJsonFile} from '../../../src/util/canonical-json.js'
import {DEFAULT_WRITER, listWriters, WRITER_IMPL_VERSION} from '../../../src/writers/registry.js'

export function pythonSpec(): unknown {
  const writers: Record<string, unknown> = {}
  for (const w of listWriters()) {
    const options: Record<string, unknown> = {}
    for (const [key, spec] of Object.entries(w.options)) {
      options[key] = {
        type: spec.type,
        ...(spec.default !== undefined ? {default: spec.default} : {}),
        ...(spec.values !== undefined ? {values: [...spec.values]} : {}),
        ...(spec.min !== undefined ? {min: spec.min} : {}),
        ...(spec.max !== undefined ? {max: spec.max} : {}),
      }
    }
    writers[w.name] = {cache_output: w.cacheOutput, cache_version: w.cacheVersion, extension: w.extension, default_output_pattern: w.defaultOutputPattern, options}
  }
  return {
    backend: 'libclang',
    default_writer: DEFAULT_WRITER,
    extractor_version: EXTRACTOR_VERSION,
    index_version: INDEX_VERSION,
    ir_schema_version: IR_SCHEMA_VERSION,
    linux_platforms: LINUX_PLATFORMS.map((p) => ({arch: p.arch, bits: p.bits, triple: {gnu: p.triple.gnu, musl: p.triple.musl}})),
    metadata_version: METADATA_VERSION,
    writer_impl_version: WRITER_IMPL_VERSION,
    writers,
  }
}

export function pythonSpecText(): string {
  return canonicalJsonFile(pythonSpec())
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/test\//, '/test/'))) writeFileSync(process.argv[2]!, pythonSpecText())
