/**
 * Merging per-target renderings into one module (DESIGN 12). Each target's output is a
 * list of items (one declaration's lines, under a key such as `struct X`), in the order
 * that target needs them (a record is complete before it is used by value, a typedef
 * before its users). The merge keeps every target's order: an item equal on every covered
 * target is written once; the others are written per target, in runs of consecutive
 * items, each run an `if/elif` on the running target with one branch per distinct text.
 */

/** One declaration's rendering for one target. */
export interface Item {
  key: string
  lines: string[]
}

/** An item of the merged order: its lines for each target that has it. */
export interface MergedItem {
  key: string
  variants: Map<string, string[]>
}

/** A part of the merged module: lines every target runs, or lines per target. */
export type Part = {shared: string[]} | {perTarget: Map<string, string[]>}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i])
}

/** Keys made unique within one target's list (`X`, `X#2`, ...), so a repeated key cannot confuse the merge. */
function uniqueKeys(items: Item[]): Item[] {
  const seen = new Map<string, number>()
  return items.map((item) => {
    const n = (seen.get(item.key) ?? 0) + 1
    seen.set(item.key, n)
    return n === 1 ? item : {...item, key: `${item.key}#${n}`}
  })
}

/**
 * One order of the items of every target that keeps each target's own order (a merge of
 * the sequences). Undefined when two targets order two items differently: then no single
 * order serves both, and the caller writes the whole group per target.
 */
export function mergeOrder(perTarget: Map<string, Item[]>): MergedItem[] | undefined {
  const lists = [...perTarget].map(([target, items]) => ({target, items: uniqueKeys(items), next: 0}))
  const position = lists.map((l) => new Map(l.items.map((item, i) => [item.key, i])))
  const out: MergedItem[] = []
  for (;;) {
    const heads = lists.filter((l) => l.next < l.items.length)
    if (heads.length === 0) return out
    // A head can go next unless another target still has it further down its list.
    const ready = heads.map((l) => l.items[l.next]!.key).find((key) => lists.every((l, i) => {
      const at = position[i]!.get(key)
      return at === undefined || at === l.next
    }))
    if (ready === undefined) return undefined
    const variants = new Map<string, string[]>()
    for (const l of lists) {
      const item = l.items[l.next]
      if (item?.key === ready) {
        variants.set(l.target, item.lines)
        l.next++
      }
    }
    out.push({key: ready, variants})
  }
}

/**
 * The parts of one group: shared runs and per-target runs, in the merged order, or the
 * whole group per target when the targets' orders cannot be merged.
 */
export function mergeGroup(perTarget: Map<string, Item[]>): Part[] {
  const targets = [...perTarget.keys()]
  const merged = mergeOrder(perTarget)
  if (merged === undefined) return [{perTarget: new Map(targets.map((t) => [t, perTarget.get(t)!.flatMap((i) => i.lines)]))}]
  const parts: Part[] = []
  let run: MergedItem[] = []
  const flush = (): void => {
    if (run.length === 0) return
    parts.push({perTarget: new Map(targets.map((t) => [t, run.flatMap((item) => item.variants.get(t) ?? [])]))})
    run = []
  }
  for (const item of merged) {
    const first = item.variants.get(targets[0]!)
    const shared = first !== undefined && targets.every((t) => {
      const lines = item.variants.get(t)
      return lines !== undefined && sameLines(lines, first)
    })
    if (!shared) {
      run.push(item)
      continue
    }
    flush()
    const last = parts[parts.length - 1]
    if (last && 'shared' in last) last.shared.push(...first)
    else parts.push({shared: [...first]})
  }
  flush()
  return parts
}

/** The Python test for the running target being one of `targets`. */
export function targetTest(targets: string[], variable = 'TARGET'): string {
  const quoted = targets.map((t) => `'${t}'`)
  return quoted.length === 1 ? `${variable} == ${quoted[0]}` : `${variable} in (${quoted.join(', ')})`
}

function indent(lines: string[]): string[] {
  return lines.flatMap((line) => line.split('\n')).map((line) => (line === '' ? '' : `    ${line}`))
}

/** Python lines for merged parts: shared lines as they are, per-target runs as `if/elif` branches (targets with the same text share a branch). */
export function partLines(parts: Part[]): string[] {
  const out: string[] = []
  for (const part of parts) {
    if ('shared' in part) {
      out.push(...part.shared)
      continue
    }
    const branches: {targets: string[]; lines: string[]}[] = []
    for (const [target, lines] of part.perTarget) {
      if (lines.every((l) => l === '')) continue
      const same = branches.find((b) => sameLines(b.lines, lines))
      if (same) same.targets.push(target)
      else branches.push({targets: [target], lines})
    }
    branches.forEach((b, i) => {
      out.push(`${i === 0 ? 'if' : 'elif'} ${targetTest(b.targets)}:`, ...indent(b.lines.filter((l, j, all) => l !== '' || j < all.length - 1)))
    })
    if (branches.length > 0) out.push('')
  }
  return out
}
