/**
 * Where two texts or two JSON values first differ, said in one short phrase for a report:
 * `line 12: stored "import os", made "class S(ctypes.Structure):"` or
 * `$.declarations[3].fields[1].offset: stored 8, made 4`. Used wherever stored bytes are
 * compared with bytes made again (cache verify --reproduce, cache populate --check).
 */

const MAX_SHOWN = 80

function shown(text: string | undefined): string {
  if (text === undefined) return 'nothing (the text ends before)'
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text)
}

/** The first line where `stored` and `made` differ, 1-based; undefined when they are equal. */
export function firstLineDifference(stored: string, made: string): string | undefined {
  if (stored === made) return undefined
  const a = stored.split('\n')
  const b = made.split('\n')
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: stored ${shown(a[i])}, made ${shown(b[i])}`
  }
  // Only possible with equal lines and different texts, which split cannot give; say so plainly.
  return 'the texts differ'
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value)
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The JSON path of the first difference (depth first, keys in code-point order); undefined when equal. */
export function firstJsonDifference(stored: unknown, made: unknown, path = '$'): string | undefined {
  if (Array.isArray(stored) && Array.isArray(made)) {
    for (let i = 0; i < Math.max(stored.length, made.length); i++) {
      const d = firstJsonDifference(stored[i], made[i], `${path}[${i}]`)
      if (d !== undefined) return d
    }
    return undefined
  }
  if (isObject(stored) && isObject(made)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(made)])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
    for (const key of keys) {
      const d = firstJsonDifference(stored[key], made[key], /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`)
      if (d !== undefined) return d
    }
    return undefined
  }
  if (stored === made) return undefined
  return `${path}: stored ${describe(stored)}, made ${describe(made)}`
}

/**
 * The first difference of two JSON documents given as text: by JSON path when both parse
 * and differ in value, else by line (same values written differently, or unreadable JSON).
 */
export function firstJsonTextDifference(stored: string, made: string): string | undefined {
  if (stored === made) return undefined
  try {
    const d = firstJsonDifference(JSON.parse(stored), JSON.parse(made))
    if (d !== undefined) return d
  } catch {
    // not JSON on one side: compare the lines
  }
  return firstLineDifference(stored, made)
}
