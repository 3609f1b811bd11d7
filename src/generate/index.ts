/**
 * Generation, the job users run every day. Three entry points over one pipeline:
 * `generate` (one header, one writer, returns the text), `generateAll` (one header,
 * several writers) and `generateBatch` (what the CLI runs: headers and writers from
 * arguments and config, outputs written to files).
 */
import {DEFAULT_WRITER} from '../writers/registry.js'
import {runGeneration, type GenerationResult} from './pipeline.js'
import {planGeneration, type GenerateRequest} from './request.js'

export {planGeneration, type GenerateRequest, type GenerationPlan, type HeaderJob, type WriterJob} from './request.js'
export {runGeneration, IrMissWithoutLibclangError, type GenerationResult, type GenerationRun, type ResultSource} from './pipeline.js'

export interface GenerateReport {
  results: GenerationResult[]
  warnings: string[]
  /** Headers that needed a libclang parse. */
  parsed: number
  projectRoot: string
  storeDir: string
  /** One header, one writer, no template: the text was not written to a file. */
  singleOutput: boolean
}

export type GenerateOptions = Omit<GenerateRequest, 'headers' | 'writers' | 'outputs'>

export async function generateBatch(request: GenerateRequest, onResult?: (result: GenerationResult) => void): Promise<GenerateReport> {
  const plan = await planGeneration(request)
  const run = await runGeneration(plan, onResult)
  return {results: run.results, warnings: run.warnings, parsed: run.parsed, projectRoot: plan.context.projectRoot, storeDir: plan.storeDir, singleOutput: plan.singleOutput}
}

/** One header through one writer; returns the text. With `output`, also writes it there (project-relative). */
export async function generate(header: string, writer: string = DEFAULT_WRITER, options: GenerateOptions & {output?: string} = {}): Promise<string> {
  const {output, ...rest} = options
  const report = await generateBatch({...rest, headers: [header], writers: [writer], ...(output ? {outputs: {[writer]: output.replaceAll('{', '{{').replaceAll('}', '}}')}} : {})})
  return report.results[0]!.text
}

/** One header through several writers (default: the config's writers, else cffi), written to their templates or default patterns. */
export async function generateAll(header: string, writers?: string[], options: GenerateOptions & {outputs?: Record<string, string>} = {}): Promise<GenerationResult[]> {
  const report = await generateBatch({...options, headers: [header], ...(writers ? {writers} : {})})
  return report.results
}
