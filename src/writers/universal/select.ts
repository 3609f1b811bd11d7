/**
 * What a universal module runs first: it finds the running platform (machine, libc, pointer
 * size) among the targets it covers and sets `TARGET`, or refuses to import in one line
 * naming the running platform, the covered ones and how to add a platform.
 */
import {linuxPlatformOf} from '../../target/triple.js'
import {WriterOptionError, type UniversalMember} from '../types.js'

export type {UniversalMember}

/** How a target is recognised at import: `platform.machine()` (normalised), libc, pointer bits. */
export function platformOf(target: string): {arch: string; libc: string; bits: number} {
  const found = linuxPlatformOf(target)
  if (!found) {
    throw new WriterOptionError(`a universal module covers the Linux targets of cibuildwheel only, and ${target} is not one of them`, 'leave it out with --target (repeated) naming the targets to cover')
  }
  return {arch: found.platform.arch, libc: found.libc, bits: found.platform.bits}
}

/** Members sorted by target, so the module's bytes do not depend on the order the store gave them in. */
export function sortedMembers(members: UniversalMember[]): UniversalMember[] {
  return [...members].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0))
}

/** Comment lines naming every covered target and the IR entry its variant came from. */
export function coverageComment(members: UniversalMember[]): string[] {
  return [
    '# One module for every target below: declarations equal on all of them are written once, the',
    '# others per target (the `if TARGET ...` branches), chosen at import by machine, libc and pointer size.',
    '# Covered targets, and the IR entry each variant came from:',
    ...members.map((m) => `#   ${m.target}: ${m.entry}`),
  ]
}

/** Python: `_COVERED` and the selection, which sets TARGET or raises one ImportError. */
export function selectionLines(members: UniversalMember[], generator: string): string[] {
  const rows = members.map((m) => {
    const p = platformOf(m.target)
    return `    ('${m.target}', '${p.arch}', '${p.libc}', ${p.bits}),`
  })
  return [
    '_COVERED = (',
    ...rows,
    ')',
    '',
    '',
    'def _running_platform():',
    '    bits = ctypes.sizeof(ctypes.c_void_p) * 8',
    '    machine = platform.machine().lower()',
    "    arch = {'amd64': 'x86_64', 'x64': 'x86_64', 'arm64': 'aarch64', 'armv8l': 'armv7l', 'armv7': 'armv7l', 'i386': 'i686',",
    "            'i486': 'i686', 'i586': 'i686', 'x86': 'i686', 'ppc64el': 'ppc64le'}.get(machine, machine)",
    '    # A 32-bit Python on a 64-bit kernel runs the 32-bit platform.',
    "    if bits == 32:",
    "        arch = {'x86_64': 'i686', 'aarch64': 'armv7l'}.get(arch, arch)",
    "    if not sys.platform.startswith('linux'):",
    '        libc = sys.platform',
    "    elif platform.libc_ver()[0] == 'glibc':",
    "        libc = 'gnu'",
    '    else:',
    "        libc = 'musl'",
    '    return arch, libc, bits',
    '',
    '',
    'def _select():',
    '    running = _running_platform()',
    '    for triple, arch, libc, bits in _COVERED:',
    '        if (arch, libc, bits) == running:',
    '            return triple, None',
    "    return None, ('%s: no bindings for this platform (%s, %s libc, %d-bit); the module covers %s; add the platform to the store '",
    `                  'with \`headerkit cache populate\` (or \`headerkit HEADER --target TRIPLE\`) and write the module again with \`${generator} --universal\`'`,
    "                  % (__name__, running[0], running[1], running[2], ', '.join(t[0] for t in _COVERED)))",
    '',
    '',
    'TARGET, _problem = _select()',
    'if _problem is not None:',
    '    raise ImportError(_problem)',
    '',
  ]
}
