/**
 * The part of PEP 440 that `requires-python` needs: a comma-joined specifier set of
 * `>=, <=, >, <, ==, !=, ~=, ===` over release versions (`3`, `3.10`, `3.10.2`), with
 * `.*` on `==` and `!=`. cibuildwheel tests each identifier as `X.Y.99` (selector.py),
 * so pre-, post- and dev-release rules never come into play for the versions tested;
 * a specifier that uses them is rejected rather than half understood.
 */
import {UsageError} from '../errors.js'

type Op = '>=' | '<=' | '>' | '<' | '==' | '!=' | '~=' | '==='

export interface Specifier {
  op: Op
  /** Release segments; empty for `===`. */
  release: number[]
  wildcard: boolean
  /** The text as written, for `===` and messages. */
  text: string
}

export type SpecifierSet = Specifier[]

const SPEC_RE = /^(~=|===|==|!=|<=|>=|<|>)\s*(\S+)$/

function parseRelease(text: string): number[] | undefined {
  const v = text.replace(/^v/i, '')
  if (!/^\d+(\.\d+)*$/.test(v)) return undefined
  return v.split('.').map((s) => Number.parseInt(s, 10))
}

/** Parses `>=3.9, <3.14`; throws a UsageError naming `source` on anything else. */
export function parseSpecifierSet(input: string, source = 'requires-python'): SpecifierSet {
  const bad = (why: string): never => {
    throw new UsageError(`invalid ${source} '${input}': ${why}`, 'use a PEP 440 specifier set such as ">=3.9" or ">=3.10,<3.14"')
  }
  const parts = input.split(',').map((p) => p.trim())
  if (input.trim() === '') return []
  const out: SpecifierSet = []
  for (const part of parts) {
    if (part === '') bad('empty specifier between commas')
    const m = SPEC_RE.exec(part)
    if (!m) bad(`'${part}' does not start with one of >=, <=, >, <, ==, !=, ~=`)
    const op = m![1] as Op
    let version = m![2]!
    if (op === '===') {
      out.push({op, release: [], wildcard: false, text: version})
      continue
    }
    let wildcard = false
    if (version.endsWith('.*')) {
      if (op !== '==' && op !== '!=') bad(`'${part}': a .* wildcard is only allowed with == and !=`)
      wildcard = true
      version = version.slice(0, -2)
    }
    const release = parseRelease(version)
    if (!release) bad(`'${part}': only release versions like 3.10 or 3.10.2 are supported`)
    if (op === '~=' && release!.length < 2) bad(`'${part}': ~= needs at least two version parts, e.g. ~=3.10`)
    out.push({op, release: release!, wildcard, text: version})
  }
  return out
}

function compare(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

function prefixEquals(version: number[], prefix: number[]): boolean {
  return prefix.every((p, i) => (version[i] ?? 0) === p)
}

function contains(spec: Specifier, version: number[], versionText: string): boolean {
  const c = compare(version, spec.release)
  switch (spec.op) {
    case '>=': return c >= 0
    case '<=': return c <= 0
    case '>': return c > 0
    case '<': return c < 0
    case '==': return spec.wildcard ? prefixEquals(version, spec.release) : c === 0
    case '!=': return spec.wildcard ? !prefixEquals(version, spec.release) : c !== 0
    case '~=': return c >= 0 && prefixEquals(version, spec.release.slice(0, -1))
    case '===': return versionText === spec.text
  }
}

/** True when `version` (`3.12.99`) satisfies every specifier of the set. */
export function specifierSetContains(set: SpecifierSet, version: string): boolean {
  const release = parseRelease(version)
  if (!release) throw new Error(`not a release version: ${version}`)
  return set.every((spec) => contains(spec, release, version))
}
