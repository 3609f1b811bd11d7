/**
 * Which Linux builds cibuildwheel would make for a project, and in which image:
 * the pipeline of cibuildwheel's `get_python_configurations` + `BuildSelector` +
 * `container_image_for_python_configuration`, run on vendored data (data.ts).
 *
 * Order, as cibuildwheel applies it: archs filter, then requires-python, then the
 * enable groups, then build/skip; then, per identifier, the image option with its
 * overrides and variables. Non-Linux requests are reported, never silently dropped.
 */
import {ConfigError, UsageError} from '../errors.js'
import type {Libc, LinuxArch} from '../target/platforms.js'
import {parseArchs, type ArchHost} from './archs.js'
import {
  ALL_IDENTIFIERS,
  CIBUILDWHEEL_RELEASE,
  CIBW_DEFAULTS,
  DEFAULT_IMAGE_OPTIONS,
  DEPRECATED_SHORTNAMES,
  ENABLE_GROUPS,
  LINUX_IDENTIFIERS,
  NON_LINUX_PLATFORMS,
  PINNED_IMAGES,
  REMOVED_ENABLE_GROUPS,
  WARN_ENABLE_GROUPS,
} from './data.js'
import {compileSelector, expandSelector, fnmatch} from './fnmatch.js'
import {CibwOptionReader, type OptionSourceKind, type OptionValue} from './options.js'
import {parseSpecifierSet, specifierSetContains} from './specifier.js'

export interface CibuildwheelInput {
  /** The parsed pyproject.toml (whole document), if the project has one. */
  pyproject?: Record<string, unknown>
  /** Its path, for messages. */
  pyprojectFile?: string
  env: Record<string, string | undefined>
  host: ArchHost
}

export interface ResolvedImage {
  /** What to pull: `quay.io/pypa/manylinux_2_28_x86_64[@sha256:...]` or the literal reference. */
  reference: string
  /** The shortname it came from (`manylinux_2_28`), when it was one. */
  shortname: string | undefined
  /** True when the reference names a digest (immutable). */
  pinned: boolean
  /** The option that chose it (`manylinux-x86_64-image`) and where its value was set. */
  option: string
  source: OptionSourceKind
  label: string
}

export interface SelectedBuild {
  identifier: string
  /** `cp312`, `cp314t`, `pp311`, `gp312_250` */
  pythonTag: string
  /** `3.12` */
  version: string
  /** `manylinux_x86_64` */
  platformTag: string
  arch: LinuxArch
  libc: Libc
  image: ResolvedImage
  /** cibuildwheel's `before-all` for this build (a list is joined with ` && `), or null. */
  beforeAll: {command: string; label: string} | null
}

export interface NotPopulatable {
  /** `macOS`, `Windows`, ... */
  platform: string
  /** What asked for it: `CIBW_PLATFORM=macos`, `build selector "cp312-macosx_arm64"`. */
  requestedBy: string
  advice: string
}

export interface CibuildwheelSelection {
  release: string
  /** The platform cibuildwheel would build for (`linux` unless CIBW_PLATFORM says otherwise). */
  platform: string
  archs: LinuxArch[]
  build: string
  skip: string
  enable: string[]
  requiresPython: string | undefined
  builds: SelectedBuild[]
  notPopulatable: NotPopulatable[]
  warnings: string[]
}

const CIBW_PLATFORMS = new Set(['auto', 'linux', 'macos', 'windows', 'ios', 'android', 'pyodide'])

function adviceFor(name: string): string {
  return `run \`headerkit cache populate\` natively on ${name} (for example in that CI job) and merge the stores with \`headerkit store merge\``
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Splits `cp312-manylinux_x86_64` into its parts (Linux identifiers only). */
export function parseLinuxIdentifier(identifier: string): {pythonTag: string; platformTag: string; family: 'manylinux' | 'musllinux'; arch: LinuxArch} {
  const dash = identifier.indexOf('-')
  const pythonTag = identifier.slice(0, dash)
  const platformTag = identifier.slice(dash + 1)
  const underscore = platformTag.indexOf('_')
  const family = platformTag.slice(0, underscore) as 'manylinux' | 'musllinux'
  const arch = platformTag.slice(underscore + 1) as LinuxArch
  return {pythonTag, platformTag, family, arch}
}

/** The `X.Y.99` cibuildwheel tests requires-python with (selector.py). */
export function identifierTestVersion(identifier: string): string {
  const tag = identifier.split('-')[0]!.split('_')[0]!.replace(/t$/, '')
  return `${tag[2]}.${tag.slice(3)}.99`
}

/**
 * Resolves an image option value for an arch and libc: a shortname becomes the pinned
 * image of the release, a deprecated shortname is an error, anything else is a literal
 * image reference. `fail` builds the error, naming where the value was set.
 */
export function resolveImageValue(
  value: string,
  arch: LinuxArch,
  libc: Libc,
  fail: (message: string, hint?: string) => Error,
  pinSection: string = arch,
): {reference: string; shortname: string | undefined; pinned: boolean} {
  const trimmed = value.trim()
  const deprecated = DEPRECATED_SHORTNAMES[trimmed]
  if (deprecated) {
    throw fail(`image shortname '${trimmed}' is deprecated: ${deprecated} in cibuildwheel ${CIBUILDWHEEL_RELEASE}`, `use a current shortname (${Object.keys(PINNED_IMAGES[pinSection] ?? {}).join(', ')}) or a full image reference such as quay.io/pypa/${trimmed}_${arch}`)
  }
  const pinned = PINNED_IMAGES[pinSection]?.[trimmed]
  if (pinned) {
    if (pinned.libc !== libc) {
      throw fail(`image shortname '${trimmed}' is a ${pinned.libc === 'musl' ? 'musl' : 'glibc'} image, but ${arch} ${libc === 'musl' ? 'musllinux' : 'manylinux'} builds need a ${libc === 'musl' ? 'musllinux' : 'manylinux'} image`, 'use a manylinux shortname for manylinux builds and a musllinux one for musllinux builds')
    }
    return {reference: `${pinned.repository}@${pinned.digest}`, shortname: trimmed, pinned: true}
  }
  if (/^(many|musl)linux[\w]*$/.test(trimmed)) {
    const known = Object.keys(PINNED_IMAGES[pinSection] ?? {})
    throw fail(`image shortname '${trimmed}' does not exist for ${arch} in cibuildwheel ${CIBUILDWHEEL_RELEASE}`, `use one of ${known.join(', ')} or a full image reference`)
  }
  if (trimmed === '' || /\s/.test(trimmed)) throw fail(`'${value}' is not an image reference`, 'give a shortname such as manylinux_2_28 or a reference such as quay.io/pypa/manylinux_2_28_x86_64')
  return {reference: trimmed, shortname: undefined, pinned: /@sha256:[0-9a-f]{64}$/.test(trimmed)}
}

function resolveEnableGroups(raw: string[], reader: CibwOptionReader, warnings: string[]): Set<string> {
  const groups = new Set<string>()
  for (const group of raw) {
    if (group === 'all') {
      for (const g of Object.keys(ENABLE_GROUPS)) groups.add(g)
      continue
    }
    if (ENABLE_GROUPS[group]) groups.add(group)
    else if (WARN_ENABLE_GROUPS[group]) warnings.push(WARN_ENABLE_GROUPS[group])
    else {
      const hint = REMOVED_ENABLE_GROUPS[group] ?? `known groups: ${[...Object.keys(ENABLE_GROUPS), 'all'].join(', ')}`
      throw reader.error({value: group, source: 'pyproject', label: '[tool.cibuildwheel] enable or CIBW_ENABLE'}, `unknown enable group '${group}'`, hint)
    }
  }
  return groups
}

function gatedOut(identifier: string, enabled: Set<string>): boolean {
  for (const [group, {gates, exclude}] of Object.entries(ENABLE_GROUPS)) {
    if (enabled.has(group)) continue
    if (gates.some((p) => fnmatch(identifier, p)) && !(exclude ?? []).some((p) => fnmatch(identifier, p))) return true
  }
  return false
}

/** Build patterns that name a non-Linux platform: reported, since Linux containers cannot serve them. */
function nonLinuxInSelector(build: string, source: string): NotPopulatable[] {
  const out: NotPopulatable[] = []
  for (const pattern of expandSelector(build, source)) {
    const tag = pattern.includes('-') ? pattern.slice(pattern.indexOf('-') + 1) : pattern
    for (const {name, tagPattern} of Object.values(NON_LINUX_PLATFORMS)) {
      if (tagPattern.test(tag)) out.push({platform: name, requestedBy: `build selector "${pattern}"`, advice: adviceFor(name)})
    }
  }
  return out
}

/** Runs cibuildwheel's Linux selection for a project. */
export function selectCibuildwheelBuilds(input: CibuildwheelInput): CibuildwheelSelection {
  const file = input.pyprojectFile ?? 'pyproject.toml'
  const tool = isTable(input.pyproject?.tool) ? input.pyproject.tool.cibuildwheel : undefined
  const reader = new CibwOptionReader(tool, file, input.env)
  const warnings = reader.warnings
  const notPopulatable: NotPopulatable[] = []

  const requestedPlatform = (input.env.CIBW_PLATFORM ?? '').trim().toLowerCase() || 'auto'
  if (!CIBW_PLATFORMS.has(requestedPlatform)) {
    throw new UsageError(`unsupported CIBW_PLATFORM '${input.env.CIBW_PLATFORM}'`, `use one of ${[...CIBW_PLATFORMS].join(', ')}`)
  }
  const platform = requestedPlatform === 'auto' ? 'linux' : requestedPlatform

  const archsValue = reader.get('archs', {ignoreEmpty: true, sep: ','}) ?? {value: CIBW_DEFAULTS.archs.join(','), source: 'default', label: 'the default archs'}
  const build = reader.get('build', {envPlat: false}) ?? {value: CIBW_DEFAULTS.build, source: 'default', label: 'the default build'}
  const skip = reader.get('skip', {envPlat: false}) ?? {value: CIBW_DEFAULTS.skip, source: 'default', label: 'the default skip'}
  for (const ignored of ['CIBW_BUILD_LINUX', 'CIBW_SKIP_LINUX', 'CIBW_ENABLE_LINUX']) {
    if (input.env[ignored] !== undefined) warnings.push(`${ignored} is ignored: cibuildwheel reads ${ignored.replace(/_LINUX$/, '')} only, without a platform suffix`)
  }
  const enableRaw = reader.getEnable()
  const enabled = resolveEnableGroups(enableRaw.groups, reader, warnings)

  const requiresPythonValue = readRequiresPython(input, file)
  let requiresPython
  try {
    requiresPython = requiresPythonValue === undefined ? undefined : parseSpecifierSet(requiresPythonValue.value, requiresPythonValue.label)
  } catch (error) {
    if (error instanceof UsageError && requiresPythonValue?.file) throw new ConfigError(requiresPythonValue.file, error.message.replace(/^invalid project.requires-python /, 'invalid value '), {key: 'project.requires-python', hint: error.hint})
    throw error
  }

  const archs = wrap(reader, archsValue, () => parseArchs(archsValue.value, input.host, archsValue.label))
  const buildMatches = wrap(reader, build, () => compileSelector(build.value, build.label))
  const skipMatches = wrap(reader, skip, () => compileSelector(skip.value, skip.label))
  checkSelectors('build', build, enabled, reader, warnings)
  checkSelectors('skip', skip, enabled, reader, warnings)
  if (build.source !== 'default') notPopulatable.push(...nonLinuxInSelector(build.value, build.label))

  const selection: CibuildwheelSelection = {
    release: CIBUILDWHEEL_RELEASE,
    platform,
    archs,
    build: build.value,
    skip: skip.value,
    enable: [...enabled].sort(),
    requiresPython: requiresPythonValue?.value,
    builds: [],
    notPopulatable,
    warnings,
  }
  if (platform !== 'linux') {
    const name = NON_LINUX_PLATFORMS[platform]!.name
    notPopulatable.unshift({platform: name, requestedBy: `CIBW_PLATFORM=${requestedPlatform}`, advice: `${adviceFor(name)}, or unset CIBW_PLATFORM to plan the Linux builds`})
    return selection
  }

  for (const {identifier, version} of LINUX_IDENTIFIERS) {
    const parts = parseLinuxIdentifier(identifier)
    if (!archs.includes(parts.arch)) continue
    if (requiresPython && !specifierSetContains(requiresPython, identifierTestVersion(identifier))) continue
    if (gatedOut(identifier, enabled)) continue
    if (!buildMatches(identifier) || skipMatches(identifier)) continue
    const libc: Libc = parts.family === 'musllinux' ? 'musl' : 'gnu'
    selection.builds.push({identifier, pythonTag: parts.pythonTag, version, platformTag: parts.platformTag, arch: parts.arch, libc, image: imageFor(reader, identifier, parts.family, parts.arch, libc), beforeAll: beforeAllFor(reader, identifier)})
  }
  return selection
}

/**
 * cibuildwheel's `check_for_invalid_selectors` (`__main__.py`), which runs before any
 * build: each pattern of build or skip must match an enabled identifier of some
 * platform. One that matches none is an error for build (before any container starts)
 * and a warning for skip, in cibuildwheel's words, which name the release series that
 * still builds a dropped Python.
 */
function checkSelectors(name: 'build' | 'skip', value: OptionValue, enabled: Set<string>, reader: CibwOptionReader, warnings: string[]): void {
  const enabledIds = ALL_IDENTIFIERS.filter((id) => !gatedOut(id, enabled))
  for (const selector of value.value.split(/\s+/).filter((p) => p !== '')) {
    const matches = compileSelector(selector, value.label)
    if (enabledIds.some(matches)) continue
    let msg = `Invalid ${name} selector: ${pyRepr(selector)}. `
    if (ALL_IDENTIFIERS.some(matches)) msg += 'This selector matches a group that wasn\'t enabled. Enable it using the `enable` option or remove this selector. '
    const dropped = (series: number): string => `cibuildwheel 4.x no longer supports Python < 3.9. Please use the ${series}.x series or update \`${name}\`. `
    if (selector.includes('p2') || selector.includes('p35')) msg += dropped(1)
    if (selector.includes('p36') || selector.includes('p37')) msg += dropped(2)
    if (selector.includes('p38')) msg += dropped(3)
    if (selector.includes('cp313t')) msg += `cibuildwheel 4.x no longer supports Python 3.13 free-threading. Please use the 3.x series or update \`${name}\`. `
    if (name === 'build') throw reader.error(value, msg.trimEnd(), `cibuildwheel ${CIBUILDWHEEL_RELEASE} refuses it too, before any container starts`)
    warnings.push(`${msg}This selector will have no effect. (from ${value.label})`)
  }
}

/** Python's repr() of a string, as cibuildwheel's messages quote selectors. */
function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  return `${quote}${text.replace(/\\/g, '\\\\').replaceAll(quote, `\\${quote}`)}${quote}`
}

/** Runs `fn`, turning a UsageError into the reader's error for the option's source. */
function wrap<T>(reader: CibwOptionReader, value: OptionValue, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof UsageError && value.source !== 'default') throw reader.error(value, error.message, error.hint)
    throw error
  }
}

function readRequiresPython(input: CibuildwheelInput, file: string): {value: string; label: string; file?: string} | undefined {
  const env = input.env.CIBW_PROJECT_REQUIRES_PYTHON
  if (env !== undefined && env.trim() !== '') return {value: env, label: 'CIBW_PROJECT_REQUIRES_PYTHON'}
  const project = input.pyproject?.project
  if (!isTable(project) || project['requires-python'] === undefined) return undefined
  const value = project['requires-python']
  if (typeof value !== 'string') throw new ConfigError(file, 'must be a string such as ">=3.10"', {key: 'project.requires-python'})
  return {value, label: 'project.requires-python', file}
}

function beforeAllFor(reader: CibwOptionReader, identifier: string): {command: string; label: string} | null {
  const value = reader.get('before-all', {identifier, sep: ' && ', ignoreEmpty: true})
  return value ? {command: value.value, label: value.label} : null
}

/** linux.py: the image comes from the arch suffix of the identifier (never the pypy_* options). */
function imageFor(reader: CibwOptionReader, identifier: string, family: 'manylinux' | 'musllinux', arch: LinuxArch, libc: Libc): ResolvedImage {
  const option = `${family}-${arch}-image`
  const value = reader.get(option, {identifier, ignoreEmpty: true}) ?? {value: DEFAULT_IMAGE_OPTIONS[option]!, source: 'default' as const, label: `the default ${option}`}
  const resolved = resolveImageValue(value.value, arch, libc, (message, hint) => reader.error(value, `${option}: ${message}`, hint))
  return {...resolved, option, source: value.source, label: value.label}
}
