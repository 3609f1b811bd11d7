/**
 * Where a key is in a TOML file. smol-toml gives no positions for values, so this is
 * a light scan of the text: table headers (`[a.b]`, `[[a]]`) and `key = ` lines,
 * dotted and quoted keys included, arrays of tables counted so `headers[1]` finds the
 * second `[[headers]]`. It answers only when it found the key or an enclosing key
 * below `floor` (e.g. the line of `include_dirs = [...]` for `include_dirs[0]`);
 * otherwise undefined, because no line is better than a wrong one.
 */
import type {KeyPath} from './expand.js'

/** Splits `a."b.c".'d' e` style dotted keys into their parts (whitespace around dots allowed). */
export function splitDottedKey(text: string): string[] | undefined {
  const parts: string[] = []
  let i = 0
  const s = text.trim()
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === '\t') i++
    const c = s[i]
    if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1)
      if (end < 0) return undefined
      const raw = s.slice(i + 1, end)
      parts.push(c === '"' ? raw.replace(/\\(.)/g, '$1') : raw)
      i = end + 1
    } else {
      const match = /^[A-Za-z0-9_-]+/.exec(s.slice(i))
      if (!match) return undefined
      parts.push(match[0])
      i += match[0].length
    }
    while (s[i] === ' ' || s[i] === '\t') i++
    if (i < s.length) {
      if (s[i] !== '.') return undefined
      i++
    }
  }
  return parts.length > 0 ? parts : undefined
}

const KEY_CHARS = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`
const KEY_LINE = new RegExp(String.raw`^\s*(${KEY_CHARS}(?:\s*\.\s*${KEY_CHARS})*)\s*=`)
const ARRAY_HEADER = new RegExp(String.raw`^\s*\[\[\s*(${KEY_CHARS}(?:\s*\.\s*${KEY_CHARS})*)\s*\]\]`)
const TABLE_HEADER = new RegExp(String.raw`^\s*\[\s*(${KEY_CHARS}(?:\s*\.\s*${KEY_CHARS})*)\s*\]`)

/** Opening minus closing brackets and braces outside strings and comments. */
function bracketBalance(text: string): number {
  let balance = 0
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === '#') break
    else if (c === '[' || c === '{') balance++
    else if (c === ']' || c === '}') balance--
  }
  return balance
}

/** Maps each key path found in the text (formatted with indexes) to its 1-based line. */
export function indexKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>()
  const arrayCount = new Map<string, number>()
  let current: KeyPath = []
  let inMultiline: string | undefined
  // Open brackets/braces of a value that continues on later lines (a multi-line array):
  // its lines are values, and `["x"],` there must not be read as a table header.
  let depth = 0

  // A table header path with the current index of every array of tables it passes through.
  const withIndexes = (parts: string[]): KeyPath => {
    const out: KeyPath = []
    const names: string[] = []
    for (const part of parts) {
      names.push(part)
      out.push(part)
      const count = arrayCount.get(names.join('\u0000'))
      if (count !== undefined) out.push(count - 1)
    }
    return out
  }
  const record = (path: KeyPath, line: number) => {
    const key = JSON.stringify(path)
    if (!lines.has(key)) lines.set(key, line)
  }

  const textLines = text.split(/\r?\n/)
  for (const [index, line] of textLines.entries()) {
    const lineNo = index + 1
    if (inMultiline !== undefined) {
      if (line.split(inMultiline).length % 2 === 0) inMultiline = undefined
      continue
    }
    if (depth > 0) {
      depth = Math.max(0, depth + bracketBalance(line))
      continue
    }
    let match = ARRAY_HEADER.exec(line)
    if (match) {
      const parts = splitDottedKey(match[1]!)
      if (parts) {
        const name = parts.join('\u0000')
        arrayCount.set(name, (arrayCount.get(name) ?? 0) + 1)
        current = withIndexes(parts)
        record(current, lineNo)
        record(current.slice(0, -1), lineNo)
      }
      continue
    }
    match = TABLE_HEADER.exec(line)
    if (match) {
      const parts = splitDottedKey(match[1]!)
      if (parts) {
        current = withIndexes(parts)
        record(current, lineNo)
      }
      continue
    }
    match = KEY_LINE.exec(line)
    if (match) {
      const parts = splitDottedKey(match[1]!)
      if (parts) {
        for (let n = 1; n <= parts.length; n++) record([...current, ...parts.slice(0, n)], lineNo)
      }
      const rest = line.slice(match[0].length)
      for (const quote of ['"""', "'''"]) {
        if (rest.split(quote).length % 2 === 0) inMultiline = quote
      }
      if (inMultiline === undefined) depth = Math.max(0, bracketBalance(rest))
    }
  }
  return lines
}

/** A line finder for one file: the key itself, else the nearest enclosing key longer than `floor`. */
export function lineFinder(text: string, floor: number): (path: KeyPath) => number | undefined {
  const lines = indexKeyLines(text)
  return (path) => {
    const exact = lines.get(JSON.stringify(path))
    if (exact !== undefined) return exact
    for (let n = path.length - 1; n > floor; n--) {
      const line = lines.get(JSON.stringify(path.slice(0, n)))
      if (line !== undefined) return line
    }
    return undefined
  }
}
