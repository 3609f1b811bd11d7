/**
 * What `headerkit cache populate` will do, decided before anything runs.
 *
 * Platforms come from flags, else `[tool.headerkit.cache.populate] platforms`, else (with
 * --cibuildwheel) cibuildwheel's own selection. The IR does not depend on the Python
 * version, so there is one job per distinct (platform, image), never one per Python
 * version (B-POP-7); each job lists the cibuildwheel identifiers it serves. The triple of
 * a job is the one a native run on that platform computes (target/platforms.ts), so
 * populated entries are hit natively (B-POP-5). Every input error surfaces here, as one
 * clear error, before any container starts.
 */
import {resolve} from 'node:path'
import {ConfigError, UsageError} from '../errors.js'
import {chooseEngine, ENGINE_CHOICES, type EngineChoice, type EngineName} from './engine-choice.js'
import {CIBUILDWHEEL_RELEASE, DEFAULT_IMAGE_OPTIONS, LINUX_IDENTIFIERS} from '../cibuildwheel/data.js'
import type {ArchHost} from '../cibuildwheel/archs.js'
import {parseLinuxIdentifier, resolveImageValue, selectCibuildwheelBuilds, type NotPopulatable, type SelectedBuild} from '../cibuildwheel/select.js'
import type {HeaderkitConfig, WriterOptions} from '../config/types.js'
import {headerArgs, keyFormOf} from '../generate/args.js'
import {mergeOverrides, type ResolvedHeader} from '../generate/inputs.js'
import {irSlug} from '../store/slug.js'
import {checkBackend} from '../parse/registry.js'
import {parseWriterOptFlag, resolveWriterOptions} from '../writers/options.js'
import {LINUX_PLATFORMS, platformByArch, platformByDocker, type Libc, type LinuxArch, type LinuxPlatform} from '../target/platforms.js'

export const PLAN_SCHEMA_VERSION = 1
export const DEFAULT_POPULATE_TIMEOUT = 300
export const DEFAULT_DOCKER_ENDPOINT = 'unix:///var/run/docker.sock'

/** Flags as the command parsed them; everything optional (absent = not given). */
export interface PopulateFlags {
  writers?: string[]
  platforms?: string[]
  pythonVersions?: string[]
  cibuildwheel?: boolean
  dockerImage?: string
  timeout?: number
  concurrency?: number
  includeDirs?: string[]
  defines?: string[]
  backendArgs?: string[]
  /** `WRITER:KEY=VALUE` items */
  writerOptions?: string[]
  backend?: string
  /** `auto` (default), `docker` or `sysroot`. */
  engine?: string
  /** false: do not run cibuildwheel's before-all (`--no-before-all`). */
  beforeAll?: boolean
}

export interface PlanInput {
  flags: PopulateFlags
  /** The loaded headerkit config and its file, when there is one. */
  config?: HeaderkitConfig
  configFile?: string
  /** The project's pyproject.toml, parsed (for [tool.cibuildwheel] and project.requires-python). */
  pyproject?: Record<string, unknown>
  pyprojectFile?: string
  env: Record<string, string | undefined>
  /** The machine the Docker engine runs on, for cibuildwheel's `auto`/`native` archs. */
  host: ArchHost
  projectRoot: string
  cwd: string
  /** Headers resolved by generate/inputs.ts. */
  headers: ResolvedHeader[]
  /** Absolute store directory (config's resolveStoreDir). */
  storeDir: string
  /** Registered writer names, to validate -w against; omitted = only the name syntax is checked. */
  knownWriters?: string[]
  /** CPUs of this machine: the default concurrency is min(jobs, cpus). */
  cpus: number
}

export type ImageSource = 'flag' | 'config' | 'cibuildwheel' | 'default'

export interface PlanImage {
  reference: string
  shortname: string | null
  /** True when the reference names a digest. */
  pinned: boolean
  source: ImageSource
  /** Where exactly it was set (`--docker-image`, `[tool.headerkit.cache.populate.images] "linux/arm64"`, `CIBW_MANYLINUX_AARCH64_IMAGE`, ...). */
  setBy: string
}

export interface PlanEntry {
  header: string
  backend: string
  defines: string[]
  includeDirs: string[]
  args: string[]
  /** The IR slug this entry gets in the store (before any collision suffix). */
  slug: string
}

export interface PopulateJob {
  /** `linux/arm64` */
  dockerPlatform: string
  /** cibuildwheel arch name: `aarch64` */
  arch: LinuxArch
  libc: Libc
  /** The triple a native run on this platform computes: `aarch64-unknown-linux-gnu`. */
  triple: string
  image: PlanImage
  endpoint: {host: string; source: 'config' | 'env' | 'default'}
  /** cibuildwheel identifiers this job serves (empty when none were derived). */
  identifiers: string[]
  entries: PlanEntry[]
  writers: string[]
  /** Where this job's parser runs, and why (`auto: no in-container worker for linux/s390x: ...`). */
  engine: EngineName
  engineReason: string
  /** cibuildwheel's before-all, run in a container of the image before the parse or extraction; null when none (or --no-before-all). */
  beforeAll: null | {command: string; setBy: string}
}

export interface PopulatePlan {
  schemaVersion: number
  projectRoot: string
  storeDir: string
  /** Where the platforms came from. */
  platformSource: 'flag' | 'config' | 'cibuildwheel'
  cibuildwheel: null | {release: string; archs: string[]; build: string; skip: string; enable: string[]; requiresPython: string | null; identifiers: number}
  pythonVersions: string[]
  headers: string[]
  writers: string[]
  writerOptions: Record<string, WriterOptions>
  timeout: number
  concurrency: number
  /** The engine asked for: `auto`, `docker` or `sysroot`; each job says which one it gets. */
  engine: EngineChoice
  jobs: PopulateJob[]
  notPopulatable: NotPopulatable[]
  warnings: string[]
  totals: {jobs: number; identifiers: number; irEntries: number; outputs: number}
}

export interface PlatformSpec {
  platform: LinuxPlatform
  libc: Libc
  /** `linux/arm64` or `linux/arm64:musl`: the key for config images and hosts. */
  key: string
}

const NON_LINUX_PREFIXES: Array<[RegExp, string]> = [
  [/^(macosx|macos|darwin)(?![a-z])/, 'macOS'],
  [/^(windows|win)(?![a-z])/, 'Windows'],
  [/^ios(?![a-z])/, 'iOS'],
  [/^android(?![a-z])/, 'Android'],
  [/^(pyodide|wasm|emscripten)(?![a-z])/, 'Pyodide'],
]

function platformList(): string {
  return LINUX_PLATFORMS.map((p) => p.dockerPlatform).join(', ')
}

/**
 * Parses a platform as users write it: a Docker platform (`linux/arm64`, `arm64`), an
 * arch (`aarch64`), a cibuildwheel platform tag (`musllinux_aarch64`), each optionally
 * with `:musl` or `:gnu`. Returns a non-Linux name for macOS, Windows, ... (reported,
 * not planned); throws a UsageError naming `source` for anything unknown.
 */
export function parsePlatformSpec(input: string, source = '--platform'): PlatformSpec | {nonLinux: string} {
  const raw = input.trim().toLowerCase()
  for (const [re, name] of NON_LINUX_PREFIXES) if (re.test(raw)) return {nonLinux: name}
  let body = raw
  let libc: Libc | undefined
  const colon = raw.lastIndexOf(':')
  if (colon !== -1) {
    const qualifier = raw.slice(colon + 1)
    if (qualifier !== 'gnu' && qualifier !== 'musl') {
      throw new UsageError(`unknown libc '${qualifier}' in platform '${input}' (from ${source})`, 'use :gnu (manylinux, the default) or :musl (musllinux), e.g. linux/arm64:musl')
    }
    libc = qualifier
    body = raw.slice(0, colon)
  }
  const tag = /^(manylinux|musllinux)_(.+)$/.exec(body)
  let platform: LinuxPlatform | undefined
  if (tag) {
    const tagLibc: Libc = tag[1] === 'musllinux' ? 'musl' : 'gnu'
    if (libc !== undefined && libc !== tagLibc) throw new UsageError(`platform '${input}' (from ${source}) names both ${tag[1]} and :${libc}`, 'drop the qualifier; the tag already says which libc')
    libc = tagLibc
    platform = platformByArch(tag[2]!)
  } else {
    platform = platformByDocker(body) ?? platformByArch(body)
  }
  if (!platform) {
    throw new UsageError(`unknown platform '${input}' (from ${source})`, `use a Docker platform (${platformList()}), an arch (x86_64, aarch64, ...) or a tag such as musllinux_aarch64; add :musl for musllinux`)
  }
  const resolvedLibc = libc ?? 'gnu'
  return {platform, libc: resolvedLibc, key: resolvedLibc === 'musl' ? `${platform.dockerPlatform}:musl` : platform.dockerPlatform}
}

function configKey(input: PlanInput, key: string): string {
  return input.configFile?.endsWith('pyproject.toml') ? `tool.headerkit.${key}` : key
}

function configError(input: PlanInput, key: string, message: string, hint?: string): Error {
  return input.configFile ? new ConfigError(input.configFile, message, {key: configKey(input, key), hint}) : new UsageError(`${key}: ${message}`, hint)
}

function positiveInt(value: number | undefined, what: string, fail: (m: string) => Error): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || value < 1) throw fail(`${what} must be a whole number of at least 1, got ${value}`)
  return value
}

const PY_VERSION = /^3\.(\d{1,2})(t?)$/

/** Checks `X.Y` / `X.Yt` against the release's identifiers. */
function checkPythonVersions(versions: string[], source: string): string[] {
  const known = new Set(LINUX_IDENTIFIERS.filter((i) => i.identifier.startsWith('cp')).map((i) => `${i.version}${parseLinuxIdentifier(i.identifier).pythonTag.endsWith('t') ? 't' : ''}`))
  const out: string[] = []
  for (const v of versions) {
    const version = v.trim()
    if (!PY_VERSION.test(version)) throw new UsageError(`invalid Python version '${v}' (from ${source})`, 'use MAJOR.MINOR such as 3.12, or 3.14t for free-threaded CPython')
    if (!known.has(version)) throw new UsageError(`Python ${version} (from ${source}) is not built on Linux by cibuildwheel ${CIBUILDWHEEL_RELEASE}`, `known versions: ${[...known].join(', ')}`)
    if (!out.includes(version)) out.push(version)
  }
  return out
}

function identifierPython(identifier: string): string {
  const {pythonTag} = parseLinuxIdentifier(identifier)
  const version = LINUX_IDENTIFIERS.find((i) => i.identifier === identifier)?.version ?? ''
  return pythonTag.endsWith('t') ? `${version}t` : version
}

const WRITER_NAME = /^[a-z][a-z0-9_-]*$/

function checkEndpoint(input: PlanInput, key: string, host: string): string {
  if (!/^(unix|tcp|ssh|npipe|http|https):\/\/\S+$/.test(host)) {
    throw configError(input, `cache.populate.hosts."${key}"`, `'${host}' is not a Docker endpoint`, 'use unix:///path/docker.sock, tcp://host:2376 or ssh://user@host')
  }
  return host
}

export function planPopulate(input: PlanInput): PopulatePlan {
  const {flags, env} = input
  const populate = input.config?.cache?.populate ?? {}
  const warnings: string[] = []
  const notPopulatable: NotPopulatable[] = []
  const root = resolve(input.projectRoot)

  if (input.headers.length === 0) throw new UsageError('no headers to populate', 'pass header paths or globs, or set headers in [tool.headerkit]')

  // Writers and their options.
  const writers = [...new Set(flags.writers?.length ? flags.writers : input.config?.writers?.length ? input.config.writers : ['cffi'])]
  for (const w of writers) {
    if (!WRITER_NAME.test(w)) throw new UsageError(`invalid writer name '${w}'`, 'writer names are lower-case letters, digits, _ and -')
    if (input.knownWriters && !input.knownWriters.includes(w)) throw new UsageError(`unknown writer '${w}'`, `available writers: ${input.knownWriters.join(', ')}`)
  }
  // Typed and validated exactly as generation does, so the plan's options are the ones
  // the output keys will hash.
  const optFlags = (flags.writerOptions ?? []).map(parseWriterOptFlag)
  const writerOptions: Record<string, WriterOptions> = {}
  for (const w of writers) {
    const resolved = resolveWriterOptions(w, {config: input.config?.writer?.[w], flags: optFlags})
    if (Object.keys(resolved).length > 0) writerOptions[w] = resolved as WriterOptions
  }
  for (const w of new Set(optFlags.map((f) => f.writer))) if (!writers.includes(w)) warnings.push(`--writer-opt for '${w}' is unused: ${w} is not among the writers (${writers.join(', ')})`)

  const timeout = positiveInt(flags.timeout, '--timeout', (m) => new UsageError(m))
    ?? positiveInt(populate.timeout, 'timeout', (m) => configError(input, 'cache.populate.timeout', m)) ?? DEFAULT_POPULATE_TIMEOUT
  const concurrency = positiveInt(flags.concurrency, '--concurrency', (m) => new UsageError(m))
    ?? positiveInt(populate.concurrency, 'concurrency', (m) => configError(input, 'cache.populate.concurrency', m))

  const engineSetBy = flags.engine !== undefined ? '--engine' : populate.engine !== undefined ? configKey(input, 'cache.populate.engine') : 'default'
  const engine = (flags.engine ?? populate.engine ?? 'auto') as EngineChoice
  if (!ENGINE_CHOICES.includes(engine)) throw new UsageError(`unknown engine '${engine}' (from ${engineSetBy})`, `use one of: ${ENGINE_CHOICES.join(', ')}`)

  const pythonVersions = flags.pythonVersions?.length
    ? checkPythonVersions(flags.pythonVersions, '--python')
    : populate.pythonVersions?.length ? checkPythonVersions(populate.pythonVersions, configKey(input, 'cache.populate.python_versions')) : []
  const pythonOk = (identifier: string): boolean => pythonVersions.length === 0 || pythonVersions.includes(identifierPython(identifier))

  // Config images and hosts, keyed by platform.
  const configImages = new Map<string, string>()
  for (const [key, image] of Object.entries(populate.images ?? {})) {
    const spec = parsePlatformSpecOrConfigError(input, key, 'images')
    if ('nonLinux' in spec) throw configError(input, `cache.populate.images."${key}"`, `${spec.nonLinux} cannot be populated in Linux containers`)
    configImages.set(spec.key, image)
  }
  const configHosts = new Map<string, string>()
  for (const [key, host] of Object.entries(populate.hosts ?? {})) {
    const spec = parsePlatformSpecOrConfigError(input, key, 'hosts')
    if ('nonLinux' in spec) throw configError(input, `cache.populate.hosts."${key}"`, `${spec.nonLinux} cannot be populated in Linux containers`)
    configHosts.set(key.includes(':') || spec.libc === 'musl' ? spec.key : spec.platform.dockerPlatform, checkEndpoint(input, key, host))
  }
  // Engines per platform, keyed as hosts are; --engine beats them all.
  const configEngines = new Map<string, {engine: EngineChoice; setBy: string}>()
  for (const [key, value] of Object.entries(populate.engines ?? {})) {
    const spec = parsePlatformSpecOrConfigError(input, key, 'engines')
    const where = `cache.populate.engines."${key}"`
    if ('nonLinux' in spec) throw configError(input, where, `${spec.nonLinux} cannot be populated in Linux containers`)
    if (!ENGINE_CHOICES.includes(value as EngineChoice)) throw configError(input, where, `unknown engine '${value}'`, `use one of: ${ENGINE_CHOICES.join(', ')}`)
    configEngines.set(key.includes(':') || spec.libc === 'musl' ? spec.key : spec.platform.dockerPlatform, {engine: value as EngineChoice, setBy: configKey(input, where)})
  }

  // cibuildwheel's selection, when asked for.
  if (flags.cibuildwheel && !input.pyproject) throw new UsageError('--cibuildwheel needs a pyproject.toml in the project root', `none found in ${root}; add [tool.cibuildwheel] there or use --platform`)
  const selection = flags.cibuildwheel ? selectCibuildwheelBuilds({pyproject: input.pyproject, pyprojectFile: input.pyprojectFile, env, host: input.host}) : undefined
  if (selection) {
    warnings.push(...selection.warnings)
    notPopulatable.push(...selection.notPopulatable)
  }
  const selectedBuilds = (selection?.builds ?? []).filter((b) => pythonOk(b.identifier))

  // Which platforms, and from where.
  let platformSource: PopulatePlan['platformSource']
  const specs: Array<{spec: PlatformSpec; builds: SelectedBuild[]}> = []
  const explicit = flags.platforms?.length ? {list: flags.platforms, source: '--platform', kind: 'flag' as const} : populate.platforms?.length ? {list: populate.platforms, source: configKey(input, 'cache.populate.platforms'), kind: 'config' as const} : undefined
  if (explicit) {
    platformSource = explicit.kind
    for (const item of explicit.list) {
      const spec = explicit.kind === 'config' ? parsePlatformSpecOrConfigError(input, item, 'platforms') : parsePlatformSpec(item, explicit.source)
      if ('nonLinux' in spec) {
        notPopulatable.push({platform: spec.nonLinux, requestedBy: `${explicit.source} ${item}`, advice: `run \`headerkit cache populate\` natively on ${spec.nonLinux} and merge the stores with \`headerkit store merge\``})
        continue
      }
      if (specs.some((s) => s.spec.key === spec.key)) continue
      const builds = selectedBuilds.filter((b) => b.arch === spec.platform.arch && b.libc === spec.libc)
      if (selection && builds.length === 0) warnings.push(`cibuildwheel selects no builds for ${spec.key}; it is populated because ${explicit.source} names it`)
      specs.push({spec, builds})
    }
  } else if (selection) {
    platformSource = 'cibuildwheel'
    if (selection.builds.length > 0 && selectedBuilds.length === 0) {
      throw new UsageError(`no cibuildwheel build matches the Python versions ${pythonVersions.join(', ')}`, `selected identifiers: ${selection.builds.map((b) => b.identifier).slice(0, 6).join(', ')}${selection.builds.length > 6 ? ', ...' : ''}`)
    }
    for (const platform of LINUX_PLATFORMS) {
      for (const libc of ['gnu', 'musl'] as const) {
        const builds = selectedBuilds.filter((b) => b.arch === platform.arch && b.libc === libc)
        if (builds.length > 0) specs.push({spec: {platform, libc, key: libc === 'musl' ? `${platform.dockerPlatform}:musl` : platform.dockerPlatform}, builds})
      }
    }
  } else {
    throw new UsageError('no platforms to populate', 'pass --platform (e.g. --platform linux/arm64), set platforms in [tool.headerkit.cache.populate], or use --cibuildwheel to follow [tool.cibuildwheel]')
  }

  if (specs.length === 0) {
    const first = notPopulatable[0]
    if (first) throw new UsageError(`nothing to populate: ${first.platform} (requested by ${first.requestedBy}) cannot be populated in Linux containers`, first.advice)
    throw new UsageError('nothing to populate: cibuildwheel selects no Linux builds for this project', 'check build, skip, archs and requires-python in [tool.cibuildwheel] (and the CIBW_* variables)')
  }

  // Jobs: one per (platform, image).
  const jobs: PopulateJob[] = []
  for (const {spec, builds} of specs) {
    const {platform, libc, key} = spec
    const fixed = fixedImage(input, spec, configImages)
    type Group = {image: PlanImage; identifiers: string[]; beforeAll: PopulateJob['beforeAll']}
    const groups = new Map<string, Group>()
    const beforeAllOf = (b: SelectedBuild): PopulateJob['beforeAll'] => (flags.beforeAll === false || !b.beforeAll ? null : {command: b.beforeAll.command, setBy: b.beforeAll.label})
    if (builds.length > 0) {
      // One job per (image, before-all): an override may change either for some identifiers.
      for (const b of builds) {
        const image: PlanImage = fixed ?? {reference: b.image.reference, shortname: b.image.shortname ?? null, pinned: b.image.pinned, source: b.image.source === 'default' ? 'default' : 'cibuildwheel', setBy: b.image.label}
        const beforeAll = beforeAllOf(b)
        const groupKey = `${image.reference}\0${beforeAll?.command ?? ''}`
        const group = groups.get(groupKey) ?? {image, identifiers: [], beforeAll}
        group.identifiers.push(b.identifier)
        groups.set(groupKey, group)
      }
    } else if (fixed) {
      groups.set(fixed.reference, {image: fixed, identifiers: [], beforeAll: null})
    } else {
      const option = `${libc === 'musl' ? 'musllinux' : 'manylinux'}-${platform.arch}-image`
      const value = DEFAULT_IMAGE_OPTIONS[option]!
      const resolved = resolveImageValue(value, platform.arch, libc, (m) => new UsageError(`no default image for ${key}: ${m}`))
      const identifiers = pythonVersions.length === 0 ? [] : LINUX_IDENTIFIERS.map((i) => i.identifier).filter((id) => id.startsWith('cp') && id.endsWith(`-${libc === 'musl' ? 'musllinux' : 'manylinux'}_${platform.arch}`) && pythonOk(id))
      groups.set(resolved.reference, {image: {reference: resolved.reference, shortname: resolved.shortname ?? null, pinned: resolved.pinned, source: 'default', setBy: `cibuildwheel ${CIBUILDWHEEL_RELEASE} default ${option} = "${value}"`}, identifiers, beforeAll: null})
    }
    const hostKey = configHosts.has(key) ? key : platform.dockerPlatform
    const configured = configHosts.get(hostKey)
    const endpoint = configured !== undefined
      ? {host: configured, source: 'config' as const}
      : env.DOCKER_HOST ? {host: env.DOCKER_HOST, source: 'env' as const} : {host: DEFAULT_DOCKER_ENDPOINT, source: 'default' as const}
    const triple = platform.triple[libc]
    for (const {image, identifiers, beforeAll} of groups.values()) {
      const perPlatform = flags.engine === undefined ? configEngines.get(key) ?? configEngines.get(platform.dockerPlatform) : undefined
      const chosen = chooseEngine(perPlatform?.engine ?? engine, {arch: platform.arch, dockerPlatform: platform.dockerPlatform, image}, perPlatform?.setBy ?? engineSetBy)
      if (beforeAll && /\{(project|package)\}/.test(beforeAll.command)) warnings.push(`before-all for ${key} names {project} or {package}: headerkit runs it without the project, where those are empty`)
      jobs.push({dockerPlatform: platform.dockerPlatform, arch: platform.arch, libc, triple, image, endpoint, identifiers, entries: entriesFor(input, triple, warnings), writers, engine: chosen.engine, engineReason: chosen.reason, beforeAll: beforeAll ? {command: beforeAll.command.replace(/\{(project|package)\}/g, ''), setBy: beforeAll.setBy} : null})
    }
  }

  for (const job of jobs) {
    const seen = new Map<string, string>()
    for (const entry of job.entries) {
      const other = seen.get(entry.slug)
      if (other) warnings.push(`${entry.header} and ${other} share the slug ${entry.slug} on ${job.dockerPlatform}; the store will give the second a -2 suffix`)
      seen.set(entry.slug, entry.header)
    }
  }

  const unpinned = [...new Set(jobs.filter((j) => !j.image.pinned).map((j) => j.image.reference))]
  if (unpinned.length > 0) warnings.push(`not pinned to a digest: ${unpinned.join(', ')}; the digest actually pulled is recorded with the entries (pin with an image@sha256:... reference for reproducible runs)`)
  const uniqueWarnings = [...new Set(warnings)]
  const irEntries = jobs.reduce((n, j) => n + j.entries.length, 0)
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    projectRoot: root,
    storeDir: input.storeDir,
    platformSource,
    cibuildwheel: selection ? {release: selection.release, archs: selection.archs, build: selection.build, skip: selection.skip, enable: selection.enable, requiresPython: selection.requiresPython ?? null, identifiers: selectedBuilds.length} : null,
    pythonVersions,
    headers: input.headers.map((h) => h.path),
    writers,
    writerOptions,
    timeout,
    concurrency: concurrency ?? Math.max(1, Math.min(jobs.length, input.cpus)),
    engine,
    jobs,
    notPopulatable,
    warnings: uniqueWarnings,
    totals: {jobs: jobs.length, identifiers: jobs.reduce((n, j) => n + j.identifiers.length, 0), irEntries, outputs: irEntries * writers.length},
  }
}

function parsePlatformSpecOrConfigError(input: PlanInput, key: string, table: string): PlatformSpec | {nonLinux: string} {
  try {
    return parsePlatformSpec(key, `${configKey(input, `cache.populate.${table}`)}`)
  } catch (error) {
    if (error instanceof UsageError && input.configFile) throw configError(input, `cache.populate.${table}`, error.message, error.hint)
    throw error
  }
}

/** --docker-image, then the config image for the platform: either replaces cibuildwheel's choice. */
function fixedImage(input: PlanInput, spec: PlatformSpec, configImages: Map<string, string>): PlanImage | undefined {
  const {platform, libc, key} = spec
  const fromFlag = input.flags.dockerImage
  const candidates: Array<[string | undefined, ImageSource, string, (m: string, h?: string) => Error]> = [
    [fromFlag, 'flag', '--docker-image', (m, h) => new UsageError(`--docker-image for ${key}: ${m}`, h)],
    [configImages.get(key), 'config', `${configKey(input, 'cache.populate.images')}."${key}"`, (m, h) => configError(input, `cache.populate.images."${key}"`, m, h)],
  ]
  for (const [value, source, setBy, fail] of candidates) {
    if (value === undefined) continue
    const resolved = resolveImageValue(value, platform.arch, libc, fail)
    return {reference: resolved.reference, shortname: resolved.shortname ?? null, pinned: resolved.pinned, source, setBy}
  }
  return undefined
}

function entriesFor(input: PlanInput, triple: string, warnings: string[]): PlanEntry[] {
  const {flags, config} = input
  const root = resolve(input.projectRoot)
  return input.headers.map((header) => {
    const o = mergeOverrides(header.entries)
    const backend = checkBackend(o.backend ?? flags.backend ?? config?.backend ?? 'libclang', o.backend !== undefined ? `the headers entry for ${header.path}` : flags.backend !== undefined ? '--backend' : 'backend in the config')
    // The arguments, and their key form, exactly as generation computes them, so the
    // slugs and keys of populated entries are the ones a native run looks up.
    const {defines, includeDirs, args} = keyFormOf(headerArgs({config: config ?? {}, override: o, flags, projectRoot: root, cwd: input.cwd}), root)
    for (const dir of includeDirs) {
      if (!dir.startsWith('@/')) warnings.push(`include dir ${dir} is outside the project: it must exist at the same path on every machine that reads these entries`)
    }
    if (o.target !== undefined) warnings.push(`${header.path}: the config target override is not used by populate; each job parses for its platform's triple`)
    for (const d of defines) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*(=.*)?$/s.test(d)) throw new UsageError(`invalid define '${d}'`, 'write NAME or NAME=VALUE, with NAME a C identifier')
    }
    return {header: header.path, backend, defines, includeDirs, args, slug: irSlug({backend, headerPath: header.path, target: triple, defines, includeDirs, args})}
  })
}
