/**
 * cibuildwheel's pattern matching (selector.py `selector_matches`): patterns split on
 * whitespace, each brace-expanded (bracex there, `braces` here), then matched with
 * Python's `fnmatch` on POSIX (case-sensitive, `*` crosses every character).
 *
 * One deliberate difference: bracex leaves unbalanced braces as literal text, so a typo
 * like `cp3{11,12-*` silently matches nothing; here it is an error naming the pattern.
 */
import braces from 'braces'
import {UsageError} from '../errors.js'

/** Python's fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`; everything else literal; whole string. */
export function fnmatchToRegExp(pattern: string): RegExp {
  let out = ''
  let i = 0
  const n = pattern.length
  while (i < n) {
    const c = pattern[i]!
    i++
    if (c === '*') {
      // Consecutive stars are one star, as in Python.
      while (pattern[i] === '*') i++
      out += '[\\s\\S]*'
    } else if (c === '?') {
      out += '[\\s\\S]'
    } else if (c === '[') {
      let j = i
      if (pattern[j] === '!') j++
      if (pattern[j] === ']') j++
      while (j < n && pattern[j] !== ']') j++
      if (j >= n) {
        out += '\\['
        continue
      }
      let body = pattern.slice(i, j)
      i = j + 1
      let negate = false
      if (body.startsWith('!')) {
        negate = true
        body = body.slice(1)
      }
      if (body === '') {
        // `[]` never matches; `[!]` matches any one character (Python's behaviour).
        out += negate ? '[\\s\\S]' : '(?!)'
        continue
      }
      // Escape what is special inside a JS class but literal in fnmatch; keep `-` ranges.
      const escaped = body.replace(/[\\\]^[]/g, (m) => `\\${m}`)
      out += negate ? `[^${escaped}]` : `[${escaped}]`
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    }
  }
  try {
    return new RegExp(`^${out}$`, 'u')
  } catch {
    throw new UsageError(`malformed pattern '${pattern}': bad character range`, 'write ranges low to high, e.g. "cp3[0-9]*"')
  }
}

export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchToRegExp(pattern).test(name)
}

/** Throws when braces do not balance, naming the pattern and where it came from. */
function checkBraces(pattern: string, source: string): void {
  let depth = 0
  for (const c of pattern) {
    if (c === '{') depth++
    else if (c === '}') {
      depth--
      if (depth < 0) break
    }
  }
  if (depth !== 0) {
    throw new UsageError(`malformed selector '${pattern}' in ${source}: unbalanced braces`, 'close every { with a }, e.g. "cp3{11,12}-*"')
  }
}

/** Splits a selector string on whitespace and brace-expands each pattern. */
export function expandSelector(patterns: string, source = 'selector'): string[] {
  const out: string[] = []
  for (const pattern of patterns.split(/\s+/).filter((p) => p !== '')) {
    checkBraces(pattern, source)
    out.push(...(pattern.includes('{') ? braces.expand(pattern) : [pattern]))
  }
  return out
}

/** A compiled selector: true when any expanded pattern matches the identifier. */
export function compileSelector(patterns: string, source = 'selector'): (identifier: string) => boolean {
  const regexps = expandSelector(patterns, source).map(fnmatchToRegExp)
  return (identifier) => regexps.some((re) => re.test(identifier))
}

export function selectorMatches(patterns: string, identifier: string, source = 'selector'): boolean {
  return compileSelector(patterns, source)(identifier)
}
