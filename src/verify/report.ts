/**
 * What `cache verify --reproduce` found: entries made again and compared with the store,
 * byte for byte. A difference is an error naming the layer, the slug, the writer and the
 * first differing line (or JSON path); an IR entry this machine cannot parse again is
 * listed with the reason and never counts as passed.
 */
import type {EntryDifference} from '../populate/check.js'

export type ReproduceMode = 'all' | 'outputs'

export const REPRODUCE_MODES: readonly ReproduceMode[] = ['all', 'outputs']

export type DifferenceCode =
  /** The writer made other bytes from the stored IR. */
  | 'output-differs'
  /** The output cannot be made again here (its IR entry is missing or damaged, its writer or options are unknown). */
  | 'output-not-remade'
  /** A parse here gave other IR bytes. */
  | 'ir-differs'
  /** The parse here failed, although the entry's sources and platform headers are here. */
  | 'ir-parse-failed'

export type ReproduceDifference = EntryDifference<DifferenceCode>

export interface NotReparsed {
  slug: string
  header: string
  target: string
  reason: string
}

export interface ReproduceReport {
  mode: ReproduceMode
  outputs: {
    /** Output entries in the store (valid ones; damaged ones are verify's errors). */
    total: number
    /** Made again, byte-identical. */
    reproduced: number
    /** Made again and different, or impossible to make again. */
    failed: number
  }
  ir: {
    total: number
    /** Parsed again here, byte-identical. */
    identical: number
    /** Parsed again here and different, or the parse failed. */
    failed: number
    /** Not parsed again here (see notReparsed); never counted as passed. */
    notReparsed: number
  }
  differences: ReproduceDifference[]
  notReparsed: NotReparsed[]
}

/** The summary line: what was proved and what was not. */
export function summaryOf(r: ReproduceReport): string {
  const outputs = `${r.outputs.reproduced}/${r.outputs.total} outputs reproduced`
  if (r.mode === 'outputs') return `${outputs} (IR not re-parsed: --reproduce=outputs)`
  return `${outputs}, ${r.ir.identical}/${r.ir.total} IR entries re-parsed identical, ${r.ir.notReparsed} IR ${r.ir.notReparsed === 1 ? 'entry' : 'entries'} not re-parsed here`
}

/** One line per difference, as verify prints its errors: `layer/slug: writer: message`. */
export function differenceLine(d: ReproduceDifference): string {
  return `${d.layer}/${d.slug}: ${d.writer ? `${d.writer} output of ` : 'IR of '}${d.header} (${d.target}): ${d.message}`
}
