/**
 * The body of the root command, free of oclif so the fast path (fast.ts) runs
 * exactly the same code: flags in, the report out (JSON value for --json, or human
 * lines on stderr and the single output on stdout).
 */
import {UsageError} from '../errors.js'
import {generateBatch} from '../generate/index.js'

export interface GenerateFlags {
  writer?: string[]
  output?: string[]
  'include-dir'?: string[]
  define?: string[]
  'backend-arg'?: string[]
  'writer-opt'?: string[]
  exclude?: string[]
  /** Several only with --universal. */
  target?: string | string[]
  universal?: boolean
  config?: string
  'no-config'?: boolean
  'store-dir'?: string
  'no-cache'?: boolean
  'no-ir-cache'?: boolean
  'no-output-cache'?: boolean
  libclang?: string
  'allow-outside-project'?: boolean
  strict?: boolean
}

const SOURCE_LABEL = {'output-cache': 'output cache', 'ir-cache': 'cached IR', parsed: 'parsed'} as const

/** What a generation printed, and whether it changed anything. */
export interface GenerateOutcome {
  /** The --json value (json mode only). */
  value?: unknown
  /** The single output's text (human mode, one header and one writer without a template). */
  stdout: string
  stderr: string
  /** Every output came from the output cache and its file already held it: nothing parsed, stored or written. */
  changedNothing: boolean
}

/** Runs generation and prints its human report (or, with `json`, its warnings): the outcome, whose value is what --json prints. */
export async function executeGenerate(headers: string[], flags: GenerateFlags, json: boolean, env?: NodeJS.ProcessEnv): Promise<GenerateOutcome> {
  const outcome = await runGenerate(headers, flags, json, {env})
  if (outcome.stdout) process.stdout.write(outcome.stdout)
  if (outcome.stderr) process.stderr.write(outcome.stderr)
  return outcome
}

/** Runs generation and renders its report, printing nothing. `at` defaults to process.env and process.cwd(). */
export async function runGenerate(headers: string[], flags: GenerateFlags, json: boolean, at: {env?: NodeJS.ProcessEnv; cwd?: string} = {}): Promise<GenerateOutcome> {
  const outputs: Record<string, string> = {}
  for (const item of flags.output ?? []) {
    const colon = item.indexOf(':')
    if (colon <= 0 || colon === item.length - 1) throw new UsageError(`malformed --output '${item}'`, 'use WRITER:TEMPLATE, for example cffi:bindings/{stem}.cdef.txt')
    outputs[item.slice(0, colon)] = item.slice(colon + 1)
  }
  const targets = flags.target === undefined ? [] : [flags.target].flat()
  if (targets.length > 1 && !flags.universal) throw new UsageError(`--target was given ${targets.length} times, but generation without --universal takes one target`, 'give one --target, or add --universal for one module covering them all')
  const report = await generateBatch({
    headers,
    writers: flags.writer,
    outputs,
    includeDirs: flags['include-dir'],
    defines: flags.define,
    backendArgs: flags['backend-arg'],
    writerOptFlags: flags['writer-opt'],
    exclude: flags.exclude,
    target: flags.universal ? undefined : targets[0],
    universal: flags.universal,
    universalTargets: flags.universal ? targets : undefined,
    storeDir: flags['store-dir'],
    noCache: flags['no-cache'],
    noIrCache: flags['no-ir-cache'],
    noOutputCache: flags['no-output-cache'],
    configPath: flags.config,
    noConfig: flags['no-config'],
    libclang: flags.libclang,
    allowOutsideProject: flags['allow-outside-project'],
    strict: flags.strict,
    ...(at.env ? {env: at.env} : {}),
    ...(at.cwd ? {cwd: at.cwd} : {}),
  })
  const warnings = report.warnings.map((warning) => `Warning: ${warning}\n`).join('')
  const changedNothing = report.parsed === 0 && report.results.length > 0 && report.results.every((r) => r.source === 'output-cache' && r.fileChanged !== true)
  if (json) {
    const value = {
      status: 'ok',
      projectRoot: report.projectRoot,
      storeDir: report.storeDir,
      parsed: report.parsed,
      results: report.results.map((r) => ({header: r.header, writer: r.writer, source: r.source, target: r.target, outputPath: r.outputPath ?? null, fileChanged: r.fileChanged ?? null, irKey: r.irKey, outputKey: r.outputKey ?? null, ...(r.outputPath ? {} : {text: r.text})})),
      warnings: report.warnings,
    }
    return {value, stdout: '', stderr: warnings, changedNothing}
  }
  const counts = {'output-cache': 0, 'ir-cache': 0, parsed: 0}
  const lines: string[] = []
  for (const r of report.results) {
    counts[r.source]++
    const where = r.outputPath ? `${r.outputPath}${r.fileChanged === false ? ' (unchanged)' : ''}` : 'stdout'
    lines.push(`  ${r.writer}: ${r.header} -> ${where} [${SOURCE_LABEL[r.source]}]\n`)
  }
  const headerCount = new Set(report.results.map((r) => r.header)).size
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  lines.push(`headerkit: ${plural(headerCount, 'header')}, ${plural(report.results.length, 'output')}: ${counts['output-cache']} from the output cache, ${counts['ir-cache']} from cached IR, ${counts.parsed} parsed\n`)
  return {stdout: report.singleOutput ? report.results[0]!.text : '', stderr: warnings + lines.join(''), changedNothing}
}
