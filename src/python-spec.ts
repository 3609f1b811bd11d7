/**
 * python/headerkit_store/spec.json: what the Python reader must know of this tool to
 * compute the same keys (versions that enter them, each built-in writer's cache version,
 * extension, default output pattern and option schema with defaults) and to detect the
 * same target (the Linux platform table). A test fails when the committed file and this
 * tool disagree; regenerate it with `npm run python-spec` (scripts/python-spec.ts).
 */
import {IR_SCHEMA_VERSION} from './ir/types.js'
import {EXTRACTOR_VERSION} from './parse/registry.js'
import {INDEX_VERSION, METADATA_VERSION} from './store/layout.js'
import {LINUX_PLATFORMS} from './target/platforms.js'
import {canonicalJsonFile} from './util/canonical-json.js'
import {DEFAULT_WRITER, listWriters, WRITER_IMPL_VERSION} from './writers/registry.js'

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
