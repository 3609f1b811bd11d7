/**
 * `cache verify --reproduce`: prove a committed store is what the sources produce, by
 * making its entries again and comparing them byte for byte (nix-build --check, bindgen's
 * "regenerate and assert no diff"). Outputs are always made again from their IR entry
 * (no libclang); IR entries are parsed again where this machine can repeat their parse
 * (ir.ts). Writes nothing: not to the store, not to the project.
 */
import {assertStoreExists, type Store} from '../store/layout.js'
import type {VerifyProblem} from '../store/verify.js'
import {reproduceOutputs} from './outputs.js'
import {differenceLine, type ReproduceMode, type ReproduceReport} from './report.js'

export {REPRODUCE_MODES, summaryOf, differenceLine, type ReproduceMode, type ReproduceReport, type ReproduceDifference, type NotReparsed} from './report.js'

export interface ReproduceRequest {
  store: Store
  /** The project the store belongs to: IR is parsed again from its sources. */
  projectRoot: string
  mode: ReproduceMode
  env?: NodeJS.ProcessEnv
}

export async function reproduceStore(request: ReproduceRequest): Promise<ReproduceReport> {
  await assertStoreExists(request.store)
  const outputs = await reproduceOutputs(request.store, request.projectRoot)
  const report: ReproduceReport = {
    mode: request.mode,
    outputs: {total: outputs.total, reproduced: outputs.reproduced, failed: outputs.differences.length},
    ir: {total: 0, identical: 0, failed: 0, notReparsed: 0},
    differences: outputs.differences,
    notReparsed: [],
  }
  if (request.mode === 'all') {
    const {reproduceIr} = await import('./ir.js')
    const ir = await reproduceIr(request.store, request.projectRoot, request.env ?? process.env)
    report.ir = {total: ir.total, identical: ir.identical, failed: ir.differences.length, notReparsed: ir.notReparsed.length}
    report.differences = [...ir.differences, ...report.differences]
    report.notReparsed = ir.notReparsed
  }
  return report
}

/** The report as verify's problems: a difference is an error, an IR entry not parsed again a warning. */
export function reproduceProblems(report: ReproduceReport): VerifyProblem[] {
  return [
    ...report.differences.map((d): VerifyProblem => ({severity: 'error', path: `${d.layer}/${d.slug}`, code: d.code, message: differenceLine(d).slice(d.layer.length + d.slug.length + 3)})),
    ...report.notReparsed.map((n): VerifyProblem => ({severity: 'warning', path: `ir/${n.slug}`, code: 'ir-not-reparsed', message: `IR of ${n.header} (${n.target}) not re-parsed here: ${n.reason}`})),
  ]
}
