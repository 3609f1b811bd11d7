/** What the parser tests share: the two targets and a declaration lookup that fails with the name. */
import assert from 'node:assert/strict'
import type {Declaration} from '../../src/ir/types.js'
import type {ParseResult} from '../../src/parse/index.js'

export const X86 = 'x86_64-pc-linux-gnu'
export const ARM = 'aarch64-unknown-linux-gnu'

export function find<T extends Declaration>(r: ParseResult, kind: T['kind'], name: string): T {
  const d = r.ir.declarations.find((x) => x.kind === kind && x.name === name)
  assert.ok(d, `${kind} ${name} missing`)
  return d as T
}
