/**
 * cibuildwheel's Linux data, vendored so selection runs without Python or PyPI.
 *
 * Release: cibuildwheel 4.2.0, from
 *   - cibuildwheel/resources/build-platforms.toml  `[linux] python_configurations`
 *   - cibuildwheel/resources/defaults.toml          `[tool.cibuildwheel]` (archs, build,
 *     skip, enable and the manylinux/musllinux image options)
 *   - cibuildwheel/resources/pinned_docker_images.cfg  (shortnames per arch)
 *   - cibuildwheel/selector.py `EnableGroup` (the groups and their filters)
 *   - cibuildwheel/options.py `_check_pinned_image` (deprecated shortnames)
 * as recorded in /work/shared/reference/cibuildwheel-docker-notes.md section 1.
 *
 * Digests: cibuildwheel 4.x pins every shortname to `repo@sha256:...`. The stored copies
 * of pinned_docker_images.cfg reachable while this was written were all older (tag pins);
 * the 4.2.0 digests were not available, so `PINNED_IMAGES` holds the repository of each
 * shortname with `digest: undefined`. Planning marks such images as unpinned; filling
 * in a digest here is the one edit needed to pin them.
 *
 * When updating to a newer release, re-derive every table from those files; nothing
 * below is computed from anything else.
 */
import type {Libc, LinuxArch} from '../target/platforms.js'

export const CIBUILDWHEEL_RELEASE = '4.2.0'

/** The Linux architectures, in the order cibuildwheel's `all_archs` lists them. */
export const CIBW_LINUX_ARCHS: readonly LinuxArch[] = ['x86_64', 'i686', 'aarch64', 'ppc64le', 's390x', 'armv7l', 'riscv64']

export interface LinuxIdentifier {
  /** `cp312-manylinux_x86_64` */
  identifier: string
  /** `3.12` */
  version: string
  /** Interpreter directory inside the image. */
  path: string
}

const ALL_LINUX_PLATFORM_TAGS = [
  ...CIBW_LINUX_ARCHS.map((arch) => `manylinux_${arch}`),
  ...CIBW_LINUX_ARCHS.map((arch) => `musllinux_${arch}`),
]

/** One python tag and the platform tags it is built for (build-platforms.toml, grouped). */
interface TagRow {
  tag: string
  version: string
  path: string
  platforms: readonly string[]
}

const PYPY_PLATFORMS = ['manylinux_x86_64', 'manylinux_i686', 'manylinux_aarch64']
const GRAALPY_PLATFORMS = ['manylinux_x86_64', 'manylinux_aarch64']

const TAG_ROWS: readonly TagRow[] = [
  {tag: 'cp39', version: '3.9', path: '/opt/python/cp39-cp39', platforms: ALL_LINUX_PLATFORM_TAGS},
  {tag: 'cp310', version: '3.10', path: '/opt/python/cp310-cp310', platforms: ALL_LINUX_PLATFORM_TAGS},
  {tag: 'cp311', version: '3.11', path: '/opt/python/cp311-cp311', platforms: ALL_LINUX_PLATFORM_TAGS},
  {tag: 'cp312', version: '3.12', path: '/opt/python/cp312-cp312', platforms: ALL_LINUX_PLATFORM_TAGS},
  {tag: 'cp313', version: '3.13', path: '/opt/python/cp313-cp313', platforms: ALL_LINUX_PLATFORM_TAGS},
  {tag: 'cp314', version: '3.14', path: '/opt/python/cp314-cp314', platforms: ALL_LINUX_PLATFORM_TAGS},
  {tag: 'cp314t', version: '3.14', path: '/opt/python/cp314-cp314t', platforms: ALL_LINUX_PLATFORM_TAGS},
  {tag: 'cp315', version: '3.15', path: '/opt/python/cp315-cp315', platforms: ALL_LINUX_PLATFORM_TAGS},
  {tag: 'cp315t', version: '3.15', path: '/opt/python/cp315-cp315t', platforms: ALL_LINUX_PLATFORM_TAGS},
  {tag: 'pp39', version: '3.9', path: '/opt/python/pp39-pypy39_pp73', platforms: PYPY_PLATFORMS},
  {tag: 'pp310', version: '3.10', path: '/opt/python/pp310-pypy310_pp73', platforms: PYPY_PLATFORMS},
  {tag: 'pp311', version: '3.11', path: '/opt/python/pp311-pypy311_pp73', platforms: PYPY_PLATFORMS},
  {tag: 'gp312_250', version: '3.12', path: '/opt/python/graalpy312-graalpy250_312_native', platforms: GRAALPY_PLATFORMS},
]

/** Every Linux identifier of the release (137), ordered by platform tag, then python tag. */
export const LINUX_IDENTIFIERS: readonly LinuxIdentifier[] = ALL_LINUX_PLATFORM_TAGS.flatMap((platformTag) =>
  TAG_ROWS.filter((row) => row.platforms.includes(platformTag)).map((row) => ({
    identifier: `${row.tag}-${platformTag}`,
    version: row.version,
    path: row.path,
  })),
)

/** defaults.toml: the options selection reads. */
export const CIBW_DEFAULTS = {
  build: '*',
  skip: '',
  enable: [] as string[],
  archs: ['auto'],
} as const

/** defaults.toml image options (`manylinux-<arch>-image`, `musllinux-<arch>-image`). */
export const DEFAULT_IMAGE_OPTIONS: Readonly<Record<string, string>> = {
  'manylinux-x86_64-image': 'manylinux_2_28',
  'manylinux-i686-image': 'manylinux_2_28',
  'manylinux-aarch64-image': 'manylinux_2_28',
  'manylinux-ppc64le-image': 'manylinux_2_28',
  'manylinux-s390x-image': 'manylinux_2_28',
  'manylinux-armv7l-image': 'manylinux_2_31',
  'manylinux-riscv64-image': 'manylinux_2_39',
  'manylinux-pypy_x86_64-image': 'manylinux_2_28',
  'manylinux-pypy_i686-image': 'manylinux_2_28',
  'manylinux-pypy_aarch64-image': 'manylinux_2_28',
  'musllinux-x86_64-image': 'musllinux_1_2',
  'musllinux-i686-image': 'musllinux_1_2',
  'musllinux-aarch64-image': 'musllinux_1_2',
  'musllinux-ppc64le-image': 'musllinux_1_2',
  'musllinux-s390x-image': 'musllinux_1_2',
  'musllinux-armv7l-image': 'musllinux_1_2',
  'musllinux-riscv64-image': 'musllinux_1_2',
}

export interface PinnedImage {
  /** `quay.io/pypa/manylinux_2_28_x86_64` */
  repository: string
  /** `sha256:...` when vendored; see the header comment. */
  digest: string | undefined
  libc: Libc
}

function pin(shortname: string, arch: string): PinnedImage {
  return {repository: `quay.io/pypa/${shortname}_${arch}`, digest: undefined, libc: shortname.startsWith('musllinux') ? 'musl' : 'gnu'}
}

function shortnames(arch: string, names: string[]): Record<string, PinnedImage> {
  return Object.fromEntries(names.map((name) => [name, pin(name, arch)]))
}

const GLIBC_MAIN = ['manylinux2014', 'manylinux_2_28', 'manylinux_2_34', 'musllinux_1_2']

/** pinned_docker_images.cfg: section (arch, or `pypy_<arch>`) -> shortname -> image. */
export const PINNED_IMAGES: Readonly<Record<string, Readonly<Record<string, PinnedImage>>>> = {
  x86_64: shortnames('x86_64', GLIBC_MAIN),
  i686: shortnames('i686', GLIBC_MAIN),
  aarch64: shortnames('aarch64', GLIBC_MAIN),
  ppc64le: shortnames('ppc64le', GLIBC_MAIN),
  s390x: shortnames('s390x', GLIBC_MAIN),
  armv7l: shortnames('armv7l', ['manylinux_2_31', 'manylinux_2_35', 'musllinux_1_2']),
  riscv64: shortnames('riscv64', ['manylinux_2_39', 'musllinux_1_2']),
  pypy_x86_64: shortnames('x86_64', ['manylinux2014', 'manylinux_2_28', 'manylinux_2_34']),
  pypy_i686: shortnames('i686', ['manylinux2014', 'manylinux_2_28', 'manylinux_2_34']),
  pypy_aarch64: shortnames('aarch64', ['manylinux2014', 'manylinux_2_28', 'manylinux_2_34']),
}

/** Shortnames cibuildwheel 4.x rejects with a DeprecationError (the full OCI name still works). */
export const DEPRECATED_SHORTNAMES: Readonly<Record<string, string>> = {
  manylinux1: 'manylinux1 is no longer supported',
  manylinux2010: 'manylinux2010 is no longer supported',
  manylinux_2_24: 'manylinux_2_24 is no longer supported',
  musllinux_1_1: 'musllinux_1_1 is no longer supported',
}

/**
 * selector.py EnableGroup. Each group lists the fnmatch patterns of the identifiers it
 * gates; an identifier matching a group's pattern is dropped unless the group is enabled.
 */
export const ENABLE_GROUPS: Readonly<Record<string, {gates: readonly string[]; exclude?: readonly string[]}>> = {
  'cpython-prerelease': {gates: ['cp316*']},
  'pypy': {gates: ['pp*'], exclude: ['pp3?-*', 'pp310-*']},
  'pypy-eol': {gates: ['pp3?-*', 'pp310-*']},
  'graalpy': {gates: ['gp*']},
  'pyodide-eol': {gates: ['cp312-pyodide_*']},
  'pyodide-prerelease': {gates: []},
}

/** Groups that existed in earlier releases: naming one is an error that says what happened. */
export const REMOVED_ENABLE_GROUPS: Readonly<Record<string, string>> = {
  'cpython-freethreading': 'cibuildwheel 4.0 removed the cpython-freethreading group: free-threaded CPython (cp314t, cp315t) builds by default; skip it with "cp31?t-*"',
}

/** Groups still accepted that only warn. */
export const WARN_ENABLE_GROUPS: Readonly<Record<string, string>> = {
  'cpython-experimental-riscv64': 'riscv64 builds need no enable group since cibuildwheel 3.1.2; "cpython-experimental-riscv64" has no effect',
}

/** Platforms cibuildwheel builds that are not Linux: they cannot be populated in Linux containers. */
export const NON_LINUX_PLATFORMS: Readonly<Record<string, {name: string; tagPattern: RegExp}>> = {
  macos: {name: 'macOS', tagPattern: /macosx/i},
  windows: {name: 'Windows', tagPattern: /win(32|_amd64|_arm64)|\bwin/i},
  ios: {name: 'iOS', tagPattern: /ios/i},
  android: {name: 'Android', tagPattern: /android/i},
  pyodide: {name: 'Pyodide', tagPattern: /pyodide/i},
}
