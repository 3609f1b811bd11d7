/**
 * The writer registry. Built-in writers are registered when this module loads;
 * plugins call `registerWriter` before generating. Names are what users type after
 * `-w` and in `[writer.NAME]`, so they are validated here, once.
 */
import {cffiWriter} from './cffi.js'
import {ctypesWriter} from './ctypes.js'
import {cythonWriter} from './cython.js'
import {diffWriter} from './diff.js'
import {jsonWriter} from './json.js'
import {luaWriter} from './lua.js'
import {promptWriter} from './prompt.js'
import {WriterRegistryError, type Writer} from './types.js'

/**
 * Version of headerkit's writer implementations as a whole; part of every output
 * cache key next to the writer's own `cacheVersion`, so a fix shared by all writers
 * (the C declarator printer, the option canonicalisation) invalidates old renderings.
 */
export const WRITER_IMPL_VERSION = '1'

/** The writer used when none is named (the original's default). */
export const DEFAULT_WRITER = 'cffi'

const NAME = /^[a-z][a-z0-9_-]*$/
const writers = new Map<string, Writer>()

function checkWriter(name: string, writer: Writer): void {
  if (!NAME.test(name)) throw new WriterRegistryError(`invalid writer name '${name}'`, 'use lower-case letters, digits, "_" and "-", starting with a letter')
  if (writer.name !== name) throw new WriterRegistryError(`writer registered as '${name}' calls itself '${writer.name}'`)
  if (typeof writer.write !== 'function') throw new WriterRegistryError(`writer '${name}' has no write() function`)
  if (!writer.extension.startsWith('.')) throw new WriterRegistryError(`writer '${name}' extension must start with ".", got '${writer.extension}'`)
  if (typeof writer.cacheVersion !== 'string' || writer.cacheVersion === '') throw new WriterRegistryError(`writer '${name}' needs a non-empty cacheVersion string`)
  for (const [key, spec] of Object.entries(writer.options)) {
    if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new WriterRegistryError(`writer '${name}' option '${key}': names are snake_case`)
    if (spec.type === 'enum' && (!spec.values || spec.values.length === 0)) throw new WriterRegistryError(`writer '${name}' option '${key}': an enum needs values`)
  }
}

/** Adds a writer. A name already taken is an error (plugins cannot silently replace built-ins). */
export function registerWriter(name: string, writer: Writer): void {
  checkWriter(name, writer)
  if (writers.has(name)) throw new WriterRegistryError(`Writer already registered: '${name}'`)
  writers.set(name, writer)
}

export function getWriter(name: string): Writer {
  const writer = writers.get(name)
  if (!writer) throw new WriterRegistryError(`Unknown writer: '${name}'. Available: ${listWriters().map((w) => w.name).join(', ')}`)
  return writer
}

/** Registered writers, sorted by name. */
export function listWriters(): Writer[] {
  return [...writers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

for (const w of [cffiWriter, ctypesWriter, cythonWriter, diffWriter, jsonWriter, luaWriter, promptWriter]) registerWriter(w.name, w)
