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
 * Digests: cibuildwheel 4.x pins every shortname to `repo@sha256:...`; the digests below
 * are those of the v4.2.0 tag (pins `2026.08.04-1`, shared/reference/cibuildwheel/
 * pinned_docker_images.v4.2.0.cfg), so a shortname resolves to a pinned image.
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

/**
 * The identifiers of cibuildwheel's other platforms (build-platforms.toml `[macos]`,
 * `[windows]`, `[pyodide]`, `[android]`, `[ios]`), per platform tag. Only the selector
 * check reads them: cibuildwheel accepts a build or skip pattern that matches an enabled
 * identifier of any platform (`__main__.py` `check_for_invalid_selectors`).
 */
const OTHER_PLATFORM_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['macosx_x86_64', 'cp39 cp310 cp311 cp312 cp313 cp314 cp314t cp315 cp315t pp39 pp310 pp311 gp312_250'],
  ['macosx_arm64', 'cp39 cp310 cp311 cp312 cp313 cp314 cp314t cp315 cp315t pp39 pp310 pp311 gp312_250'],
  ['macosx_universal2', 'cp39 cp310 cp311 cp312 cp313 cp314 cp314t cp315 cp315t'],
  ['win32', 'cp39 cp310 cp311 cp312 cp313 cp314 cp314t cp315 cp315t'],
  ['win_amd64', 'cp39 cp310 cp311 cp312 cp313 cp314 cp314t cp315 cp315t pp39 pp310 pp311 gp312_250'],
  ['win_arm64', 'cp39 cp310 cp311 cp312 cp313 cp314 cp314t cp315 cp315t'],
  ['pyodide_wasm32', 'cp312 cp313 cp314 cp315'],
  ['android_arm64_v8a', 'cp313 cp314 cp315'],
  ['android_x86_64', 'cp313 cp314 cp315'],
  ['ios_arm64_iphoneos', 'cp313 cp314 cp315'],
  ['ios_x86_64_iphonesimulator', 'cp313 cp314 cp315'],
  ['ios_arm64_iphonesimulator', 'cp313 cp314 cp315'],
]

/** Every identifier cibuildwheel knows, all platforms (build-platforms.toml). */
export const ALL_IDENTIFIERS: readonly string[] = [
  ...LINUX_IDENTIFIERS.map((i) => i.identifier),
  ...OTHER_PLATFORM_ROWS.flatMap(([platformTag, tags]) => tags.split(' ').map((tag) => `${tag}-${platformTag}`)),
]

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
  /** `sha256:...` */
  digest: string
  libc: Libc
}

function pin(repository: string, digest: string): PinnedImage {
  return {repository, digest, libc: repository.includes('/musllinux_') ? 'musl' : 'gnu'}
}

/** pinned_docker_images.cfg of cibuildwheel 4.2.0 (pins 2026.08.04-1): section (arch, or `pypy_<arch>`) -> shortname -> image. */
export const PINNED_IMAGES: Readonly<Record<string, Readonly<Record<string, PinnedImage>>>> = {
  x86_64: {
    manylinux2014: pin('quay.io/pypa/manylinux2014_x86_64', 'sha256:c163a278006f45883c117b4166b93cdc7b574b62e58292ed9e52879579841d77'),
    manylinux_2_28: pin('quay.io/pypa/manylinux_2_28_x86_64', 'sha256:012f4a50472412f18bb2b450c1cce7158434cfae4ae878591c2748a13a30c2be'),
    manylinux_2_34: pin('quay.io/pypa/manylinux_2_34_x86_64', 'sha256:db817cd4c670f1191d74db6a94a0b115954af78861db7da660de4e93ebf2984c'),
    musllinux_1_2: pin('quay.io/pypa/musllinux_1_2_x86_64', 'sha256:f130bd3e3aebb39abcdec28a89f987f0d31b52d74bac5852318303698e9a5033'),
  },
  i686: {
    manylinux2014: pin('quay.io/pypa/manylinux2014_i686', 'sha256:abfc526a4f9d9692ed6d53b60ffd6be764aa7a4dc1d61522a1ce5ea64138aa53'),
    manylinux_2_28: pin('quay.io/pypa/manylinux_2_28_i686', 'sha256:605a71b7fa720562ad76147860e33d97b2a884ca9d5a454b2f7f353caec40ded'),
    manylinux_2_34: pin('quay.io/pypa/manylinux_2_34_i686', 'sha256:82e74fcb11aa1d425260804292b8a25533f37eda280570b2441a465dc159351a'),
    musllinux_1_2: pin('quay.io/pypa/musllinux_1_2_i686', 'sha256:2ccf31ab3685cf8952f2d9251f79a29c7ffcb663bbc58c10b2317a15a86ac96d'),
  },
  aarch64: {
    manylinux2014: pin('quay.io/pypa/manylinux2014_aarch64', 'sha256:5d366450eeff9abe09cc93db50fd2c9832bafaf473daa7a911d8b184424bbefd'),
    manylinux_2_28: pin('quay.io/pypa/manylinux_2_28_aarch64', 'sha256:52e4da6e9348db7cd0b529a827623b62b7c1fe867ba515ae752fa13d41f7f46e'),
    manylinux_2_34: pin('quay.io/pypa/manylinux_2_34_aarch64', 'sha256:86585a1adfa6cdb4e3aea2f5bf11d6fffa37acf17aa902605d7237c55d3c88ce'),
    musllinux_1_2: pin('quay.io/pypa/musllinux_1_2_aarch64', 'sha256:1fa8dcacab5e13769abb36028f98bd2c0a1af4dbde492505f774d7f0ce01e87f'),
  },
  ppc64le: {
    manylinux2014: pin('quay.io/pypa/manylinux2014_ppc64le', 'sha256:405ac40dffd7a76b4864a185d0440c6449c855eaffd1a20b56af9e4cc15318a6'),
    manylinux_2_28: pin('quay.io/pypa/manylinux_2_28_ppc64le', 'sha256:ad99a0b35b8820b0ccd1d117e23097da224df11c98f19e2783735d5b7e717526'),
    manylinux_2_34: pin('quay.io/pypa/manylinux_2_34_ppc64le', 'sha256:bc61f200bea02d2a507bb292d6210297bd12abc71fa1e8e1f05b1755495b8518'),
    musllinux_1_2: pin('quay.io/pypa/musllinux_1_2_ppc64le', 'sha256:0acbe90fc63807d3ce52249d1d21e5625fe105aee7f3de60583b8485d82401c8'),
  },
  s390x: {
    manylinux2014: pin('quay.io/pypa/manylinux2014_s390x', 'sha256:3797dba7137e416c67ca1f45222dd382a2bfdaee8c751e95a79503adf38071e7'),
    manylinux_2_28: pin('quay.io/pypa/manylinux_2_28_s390x', 'sha256:43b1c58ab1a37f3bf45d65026c968be18f2a4dddd4f923291d1122b3e42380da'),
    manylinux_2_34: pin('quay.io/pypa/manylinux_2_34_s390x', 'sha256:b9bba263ab1309ddd2b41560f8ea15138fdb31fa31daf5858878d00b19d57d77'),
    musllinux_1_2: pin('quay.io/pypa/musllinux_1_2_s390x', 'sha256:aec126e37ce315e724217342bb62533cbfeae88b4ed5aa2a8bfd5ee4a4a1ca77'),
  },
  pypy_x86_64: {
    manylinux2014: pin('quay.io/pypa/manylinux2014_x86_64', 'sha256:c163a278006f45883c117b4166b93cdc7b574b62e58292ed9e52879579841d77'),
    manylinux_2_28: pin('quay.io/pypa/manylinux_2_28_x86_64', 'sha256:012f4a50472412f18bb2b450c1cce7158434cfae4ae878591c2748a13a30c2be'),
    manylinux_2_34: pin('quay.io/pypa/manylinux_2_34_x86_64', 'sha256:db817cd4c670f1191d74db6a94a0b115954af78861db7da660de4e93ebf2984c'),
  },
  pypy_i686: {
    manylinux2014: pin('quay.io/pypa/manylinux2014_i686', 'sha256:abfc526a4f9d9692ed6d53b60ffd6be764aa7a4dc1d61522a1ce5ea64138aa53'),
    manylinux_2_28: pin('quay.io/pypa/manylinux_2_28_i686', 'sha256:605a71b7fa720562ad76147860e33d97b2a884ca9d5a454b2f7f353caec40ded'),
    manylinux_2_34: pin('quay.io/pypa/manylinux_2_34_i686', 'sha256:82e74fcb11aa1d425260804292b8a25533f37eda280570b2441a465dc159351a'),
  },
  pypy_aarch64: {
    manylinux2014: pin('quay.io/pypa/manylinux2014_aarch64', 'sha256:5d366450eeff9abe09cc93db50fd2c9832bafaf473daa7a911d8b184424bbefd'),
    manylinux_2_28: pin('quay.io/pypa/manylinux_2_28_aarch64', 'sha256:52e4da6e9348db7cd0b529a827623b62b7c1fe867ba515ae752fa13d41f7f46e'),
    manylinux_2_34: pin('quay.io/pypa/manylinux_2_34_aarch64', 'sha256:86585a1adfa6cdb4e3aea2f5bf11d6fffa37acf17aa902605d7237c55d3c88ce'),
  },
  armv7l: {
    manylinux_2_31: pin('quay.io/pypa/manylinux_2_31_armv7l', 'sha256:bbd7f67c0fc2a9541ed462a41bd9abbfa696801483533ba44ec5fe3120e8cda6'),
    manylinux_2_35: pin('quay.io/pypa/manylinux_2_35_armv7l', 'sha256:1335af18598960ecc4b57ccf239cacbca847af9f197e65e495ba376d0178385a'),
    musllinux_1_2: pin('quay.io/pypa/musllinux_1_2_armv7l', 'sha256:fd4998e62ec4476d76d7b180b523e21ac7557d7f41f1b1e7d02ced21a3eee8b5'),
  },
  riscv64: {
    manylinux_2_39: pin('quay.io/pypa/manylinux_2_39_riscv64', 'sha256:41197d59628c256b0fde14a5dd5bb306e17665c515a8385e43cc72c1da1d7866'),
    musllinux_1_2: pin('quay.io/pypa/musllinux_1_2_riscv64', 'sha256:aaf12357d794dc375e797dce7fd71e92013bc46f269bc4cffe4da1f188080afb'),
  },
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
