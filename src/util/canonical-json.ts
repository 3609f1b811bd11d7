/**
 * Canonical JSON: object keys sorted by code point at every depth, so the same value
 * always gives the same bytes (store files, cache keys, writer options). `indent`
 * 0 gives the compact form used inside keys; files use 2 and end with a newline.
 * Values JSON cannot represent faithfully (undefined, functions, non-finite numbers,
 * bigint) are rejected rather than silently changed.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | {[key: string]: JsonValue}

export function sortKeysDeep(value: unknown, path = '$'): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: non-finite number at ${path}`)
    return value
  }
  if (Array.isArray(value)) return value.map((item, i) => sortKeysDeep(item, `${path}[${i}]`))
  if (typeof value === 'object') {
    const out: {[key: string]: JsonValue} = {}
    for (const key of Object.keys(value).sort(compareCodePoints)) {
      const item = (value as Record<string, unknown>)[key]
      if (item === undefined) continue
      out[key] = sortKeysDeep(item, `${path}.${key}`)
    }
    return out
  }
  throw new TypeError(`canonical JSON: cannot encode ${typeof value} at ${path}`)
}

/** Code-point order, as Python's sort_keys and the original's files use. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0
  const ia = a[Symbol.iterator]()
  const ib = b[Symbol.iterator]()
  for (;;) {
    const ca = ia.next()
    const cb = ib.next()
    if (ca.done) return cb.done ? 0 : -1
    if (cb.done) return 1
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!
    if (d !== 0) return d
  }
}

/** Compact canonical JSON, for hashing. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value))
}

/** Canonical JSON as a file: 2-space indent, trailing newline. */
export function canonicalJsonFile(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`
}
