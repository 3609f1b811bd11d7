/**
 * The universal cffi module: a Python module whose `CDEF` is, on every covered platform,
 * exactly the cdef the cffi writer gives for that platform's target (items equal on every
 * target written once, the rest per target under `if TARGET ...`). Where cffi is
 * importable it also builds `ffi` (ABI mode: `ffi.dlopen(...)` is the caller's) and checks
 * `ffi.sizeof`, `ffi.alignof` and member offsets of every record cffi lays out itself
 * against the IR, refusing to import on a difference; without cffi, `ffi` is None.
 */
import {cffiModuleParts, type CffiParts} from '../cffi.js'
import type {ResolvedOptions, WriterContext} from '../types.js'
import {mergeGroup, partLines, type Item} from './merge.js'
import {coverageComment, selectionLines, sortedMembers, type UniversalMember} from './select.js'

const LAYOUT_CHECK = `def _layout_problem(ffi, checks, target):
    for record, size, align, members in checks:
        problem = None
        if ffi.sizeof(record) != size:
            problem = 'its size is %d bytes in cffi, %d in the IR' % (ffi.sizeof(record), size)
        elif align is not None and ffi.alignof(record) != align:
            problem = 'its alignment is %d in cffi, %d in the IR' % (ffi.alignof(record), align)
        else:
            for name, offset in members:
                if ffi.offsetof(record, name) != offset:
                    problem = 'member %r is at byte %d in cffi, byte %d in the IR' % (name, ffi.offsetof(record, name), offset)
                    break
        if problem:
            return ('%s: the layout of %s disagrees with the IR for %s: %s; these declarations were made for another platform '
                    'or from a damaged IR: regenerate them for this platform (or turn the check off with the layout_check option)'
                    % (__name__, record, target, problem))
    return None
`

/** Python lines for one item: a call appending its cdef text. */
function cdefItem(item: Item): Item {
  return {key: item.key, lines: [`_cdef(${JSON.stringify(item.lines.join('\n'))})`]}
}

export function universalCffi(members: UniversalMember[], options: ResolvedOptions, context: WriterContext = {}): string {
  const sorted = sortedMembers(members)
  const parts = new Map<string, CffiParts>(sorted.map((m) => [m.target, cffiModuleParts(m.ir, options, {...context, target: m.target})]))
  const merged = (pick: (p: CffiParts) => Item[]): string[] => partLines(mergeGroup(new Map(sorted.map((m) => [m.target, pick(parts.get(m.target)!)]))))
  const check = options.layout_check !== false
  const lines = [
    `"""cffi ABI-mode declarations generated from ${parts.get(sorted[0]!.target)!.source}, one module for every covered platform.`,
    '',
    'CDEF is the cdef for the running platform; ffi (None without cffi) has it declared:',
    'lib = ffi.dlopen(...)."""',
    ...coverageComment(sorted),
    '',
    'import ctypes',
    'import platform',
    'import sys',
    '',
    ...selectionLines(sorted, `headerkit ${parts.get(sorted[0]!.target)!.source} -w cffi`),
    '_CDEF = []',
    '_cdef = _CDEF.append',
    ...merged((p) => p.items.map(cdefItem)),
    "CDEF = '\\n'.join(_CDEF) + '\\n'",
    '',
  ]
  if (check) lines.push('_LAYOUT = []', '_check = _LAYOUT.append', ...merged((p) => p.checks), '', '', LAYOUT_CHECK, '')
  lines.push(
    'try:',
    '    import cffi',
    'except ImportError:',
    '    ffi = None',
    'else:',
    '    ffi = cffi.FFI()',
    '    ffi.cdef(CDEF)',
    ...(check ? ['    _problem = _layout_problem(ffi, _LAYOUT, TARGET)', '    if _problem is not None:', '        raise ImportError(_problem)'] : []),
  )
  return `${lines.join('\n').replace(/\n+$/, '')}\n`
}
