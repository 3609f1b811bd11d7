/**
 * What a generation run will do, decided before anything is read or written: which
 * headers, with which compiler arguments and target, through which writers with which
 * options, into which files. Every input error (unknown writer, bad option, bad
 * template, two outputs on one path, missing header) surfaces here, so a bad request
 * never leaves half its outputs written.
 *
 * Precedence, per setting: flag > environment > per-header override > config >
 * default. Lists from the config and the command line are concatenated (config
 * first); a per-header override replaces the config's list for that header.
 */
import {resolve} from 'node:path'
import {loadProjectContext, resolveCacheSwitches, resolveStoreDir, resolveTarget, type CacheSwitches, type ProjectContext} from '../config/settings.js'
import {formatConfigWarning} from '../config/validate.js'
import type {HeaderkitConfig, HeaderOverrides} from '../config/types.js'
import {UsageError} from '../errors.js'
import {checkBackend} from '../parse/registry.js'
import {normalizeTriple} from '../target/triple.js'
import {DEFAULT_WRITER, getWriter, listWriters} from '../writers/registry.js'
import {resolveWriterOptions} from '../writers/options.js'
import type {ResolvedOptions, Writer} from '../writers/types.js'
import {headerArgs} from './args.js'
import {mergeOverrides, resolveHeaders} from './inputs.js'
import {checkTemplate, renderTemplate} from './templates.js'
import {checkOutputPath} from './output-paths.js'
import {nearestName} from '../util/nearest.js'

export interface GenerateRequest {
  /** Header paths or globs. Literal paths are relative to `cwd`, globs to the project root. Empty: the config's `headers`. */
  headers?: string[]
  /** Writer names; empty: the config's `writers`, else cffi. */
  writers?: string[]
  /** writer -> output template (`-o WRITER:TEMPLATE`). */
  outputs?: Record<string, string>
  includeDirs?: string[]
  defines?: string[]
  backendArgs?: string[]
  /** Raw `--writer-opt WRITER:KEY=VALUE` strings. */
  writerOptFlags?: string[]
  /** writer -> typed options (library callers). */
  writerOptions?: Record<string, Record<string, unknown>>
  exclude?: string[]
  target?: string
  storeDir?: string
  noCache?: boolean
  noIrCache?: boolean
  noOutputCache?: boolean
  configPath?: string
  noConfig?: boolean
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Explicit libclang shared library (`--libclang`). */
  libclang?: string
  /** Allow templates that write outside the project root. */
  allowOutsideProject?: boolean
  /** Fail on a declaration a writer's consumer cannot express, instead of leaving it out with a warning. */
  strict?: boolean
  /**
   * One output per writer covering every target the store holds the header's IR for
   * (`--universal`; sets each writer's `universal` option). `universalTargets` narrows the
   * set (`--target`, repeated, with `--universal`).
   */
  universal?: boolean
  universalTargets?: string[]
}

export interface WriterJob {
  writer: Writer
  options: ResolvedOptions
  /** Where the text goes: a file (project-relative, or absolute when allowed outside), or nowhere (stdout / returned). */
  output: {path: string; absolute: string} | undefined
}

export interface HeaderJob {
  /** Project-relative POSIX path. */
  header: string
  backend: string
  target: string
  /** Absolute `-D`/`-I`/extra arguments in order, as clang gets them. */
  defines: string[]
  includeDirs: string[]
  extraArgs: string[]
  writers: WriterJob[]
}

export interface GenerationPlan {
  context: ProjectContext
  storeDir: string
  switches: CacheSwitches
  /** See GenerationRequest.strict. */
  strict: boolean
  libclang: string | undefined
  /** Where `libclang` came from (`--libclang` or `HEADERKIT_LIBCLANG`), for errors. */
  libclangFrom: string
  jobs: HeaderJob[]
  /** One header, one writer, no template: the text goes to stdout (CLI) or is only returned (API). */
  singleOutput: boolean
  warnings: string[]
}

function uniqueWriters(names: string[]): Writer[] {
  const seen = new Set<string>()
  const writers: Writer[] = []
  for (const name of names) {
    if (seen.has(name)) continue
    seen.add(name)
    writers.push(getWriter(name))
  }
  return writers
}

/** [output] and [writer.*] keys naming no writer: a typo there silently does nothing. */
function unknownWriterKeys(config: HeaderkitConfig, file: string | undefined): string[] {
  const known = listWriters().map((w) => w.name)
  const out: string[] = []
  for (const [section, table] of [['output', config.output], ['writer', config.writer]] as const) {
    for (const name of Object.keys(table ?? {})) {
      if (known.includes(name)) continue
      const guess = nearestName(name, known, 2)
      const hint = guess !== undefined ? `did you mean ${section}.${guess}?` : `known writers: ${known.join(', ')}`
      out.push(`${section}.${name} in ${file} names no writer, so it has no effect (${hint})`)
    }
  }
  return out
}

/** What --universal and its --target list set in a writer's options. */
function universalOptions(writer: Writer, request: GenerateRequest): Record<string, unknown> {
  if (!request.universal) {
    if (request.universalTargets?.length) throw new UsageError('several --target values are only taken with --universal', 'add --universal for one module covering those targets, or give one --target')
    return {}
  }
  if (!writer.universal) throw new UsageError(`--universal: the ${writer.name} writer cannot make a universal output`, `writers that can: ${listWriters().filter((w) => w.universal).map((w) => w.name).join(', ')}`)
  return {universal: true, ...(request.universalTargets?.length ? {universal_targets: request.universalTargets} : {})}
}

export async function planGeneration(request: GenerateRequest): Promise<GenerationPlan> {
  const env = request.env ?? process.env
  const context = await loadProjectContext({cwd: request.cwd, configPath: request.configPath, noConfig: request.noConfig, env})
  const {projectRoot, cwd} = context
  const config = context.loaded?.config ?? {}
  const warnings = context.warnings.map(formatConfigWarning)

  if (config.backend !== undefined) checkBackend(config.backend, `backend in ${context.loaded?.file}`)
  const writerNames = request.writers && request.writers.length > 0 ? request.writers : config.writers && config.writers.length > 0 ? config.writers : [DEFAULT_WRITER]
  const writers = uniqueWriters(writerNames)
  for (const name of Object.keys(request.outputs ?? {})) {
    if (!writers.some((w) => w.name === name)) throw new UsageError(`-o ${name}:... names a writer that is not selected`, `add -w ${name}, or drop the -o`)
  }
  for (const [name, template] of Object.entries(request.outputs ?? {})) checkTemplate(template, `-o ${name}:${template}`)
  for (const [name, template] of Object.entries(config.output ?? {})) checkTemplate(template, `output.${name} in ${context.loaded?.file}`)
  warnings.push(...unknownWriterKeys(config, context.loaded?.file))

  const resolved = resolveHeaders({
    patterns: request.headers ?? [],
    exclude: [...(config.exclude ?? []), ...(request.exclude ?? [])],
    excludeSources: [...(request.exclude?.length ? ['--exclude'] : []), ...(config.exclude?.length ? [`exclude in ${context.loaded?.file}`] : [])],
    projectRoot,
    cwd,
    fromConfig: config.headers,
  })

  const switches = resolveCacheSwitches(context, {noCache: request.noCache, noIrCache: request.noIrCache, noOutputCache: request.noOutputCache}, env)
  const storeDir = resolveStoreDir(context, request.storeDir, env)
  const flagTarget = request.target ?? (env.HEADERKIT_TARGET ? env.HEADERKIT_TARGET : undefined)

  const hasTemplate = (override: HeaderOverrides, writer: string): boolean =>
    request.outputs?.[writer] !== undefined || override.output?.[writer] !== undefined || config.output?.[writer] !== undefined
  const firstOverride = resolved.headers.length === 1 ? mergeOverrides(resolved.headers[0]!.entries) : {}
  const singleOutput = resolved.headers.length === 1 && writers.length === 1 && !hasTemplate(firstOverride, writers[0]!.name)

  const jobs: HeaderJob[] = []
  let defaultTarget: string | undefined // flag > env > config > host, resolved once
  const claimed = new Map<string, string>() // absolute output path -> "header (writer)"
  for (const {path: header, entries} of resolved.headers) {
    const override = mergeOverrides(entries)
    const target = flagTarget === undefined && override.target !== undefined
      ? normalizeTriple(override.target, `target of the headers entry for ${header} in ${context.loaded?.file}`)
      : (defaultTarget ??= resolveTarget(context, request.target, env).triple)
    if (override.backend !== undefined) checkBackend(override.backend, `the headers entry for ${header} in ${context.loaded?.file}`)
    const {defines, includeDirs, extraArgs} = headerArgs({config, override, flags: request, projectRoot, cwd})

    const writerJobs: WriterJob[] = writers.map((writer) => {
      const options = resolveWriterOptions(writer, {
        config: config.writer?.[writer.name],
        override: override.writerOptions?.[writer.name],
        flags: request.writerOptFlags,
        api: {...request.writerOptions?.[writer.name], ...universalOptions(writer, request)},
      })
      if (Array.isArray(options.universal_targets)) options.universal_targets = [...new Set(options.universal_targets.map((t) => normalizeTriple(t, `universal_targets of the ${writer.name} writer`)))].sort()
      if (singleOutput) return {writer, options, output: undefined}
      const template = request.outputs?.[writer.name] ?? override.output?.[writer.name] ?? config.output?.[writer.name] ?? writer.defaultOutputPattern
      const source = request.outputs?.[writer.name] !== undefined ? `-o ${writer.name}:${template}`
        : override.output?.[writer.name] !== undefined ? `output.${writer.name} of the headers entry for ${header}`
          : config.output?.[writer.name] !== undefined ? `output.${writer.name} in ${context.loaded?.file}` : `the ${writer.name} writer's default output pattern`
      const rendered = renderTemplate(template, header, source, request.allowOutsideProject)
      const absolute = resolve(projectRoot, rendered.path)
      checkOutputPath(absolute, storeDir, `output template '${template}' (from ${source})`)
      const owner = `${header} (${writer.name})`
      const previous = claimed.get(absolute)
      if (previous) throw new UsageError(`two outputs resolve to ${rendered.path}: ${previous} and ${owner}`, 'give the writers different -o templates, for example with {stem} or {dir}')
      claimed.set(absolute, owner)
      return {writer, options, output: {path: rendered.path, absolute}}
    })

    jobs.push({
      header,
      backend: 'libclang',
      target,
      defines,
      includeDirs,
      extraArgs,
      writers: writerJobs,
    })
  }
  return {context, storeDir, switches, strict: request.strict ?? false, libclang: request.libclang ?? env.HEADERKIT_LIBCLANG ?? undefined, libclangFrom: request.libclang !== undefined ? '--libclang' : 'HEADERKIT_LIBCLANG', jobs, singleOutput, warnings}
}
