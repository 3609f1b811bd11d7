/**
 * The declarations a writer binds: the project's own, plus the external ones (see
 * `external_header` in src/ir/types.ts) its consumer needs and does not already know.
 * Reachability starts from the project's declarations and stops at names the
 * consumer knows, so `uint32_t` brings nothing for cffi while `uLong` from a sibling
 * `zconf.h` brings its typedef, and `FILE` brings `struct _IO_FILE` only where the
 * consumer has no `FILE`.
 */
import type {Declaration, Header} from '../ir/types.js'
import {isExternal, referencedTypes} from '../ir/walk.js'
import {canonicalBuiltin} from './known.js'

/** The names an external declaration gives: a typedef name, a tag (`struct X`), and the typedef name of a typedef'd record. */
export function declaredNames(d: Declaration): string[] {
  switch (d.kind) {
    case 'typedef':
      return [d.name]
    case 'struct':
    case 'union':
    case 'enum':
      return d.name ? (d.is_typedef ? [`${d.kind} ${d.name}`, d.name] : [`${d.kind} ${d.name}`]) : []
    default:
      return []
  }
}

/**
 * The IR a writer renders: project declarations, and the external declarations they
 * reach through names `knows` says the consumer lacks, all in IR order (externals
 * come first there, dependencies before their users).
 */
export function bindingHeader(h: Header, knows: (name: string) => boolean): Header {
  const external = new Map<string, Declaration>()
  for (const d of h.declarations) if (isExternal(d)) for (const n of declaredNames(d)) if (!external.has(n)) external.set(n, d)
  const needed = new Set<Declaration>()
  const queue: Declaration[] = h.declarations.filter((d) => !isExternal(d))
  while (queue.length > 0) {
    const d = queue.pop()!
    for (const ref of referencedTypes(d)) {
      const name = canonicalBuiltin(ref.name)
      if (knows(name)) continue
      const e = external.get(name)
      if (e && !needed.has(e)) {
        needed.add(e)
        queue.push(e)
      }
    }
  }
  return {...h, declarations: h.declarations.filter((d) => !isExternal(d) || needed.has(d))}
}
