/**
 * The layout self-check of ctypes modules (DESIGN 12). At import the module compares
 * what ctypes laid out on the running platform with the layout the IR records for its
 * target: `ctypes.sizeof` and `ctypes.alignment` of every record, each named member's
 * offset, and a bitfield's bit position and width where ctypes can tell (little-endian
 * machines; ctypes numbers bits the other way on big-endian ones). A difference is one
 * ImportError naming the record, the member and both values, so bindings made for
 * another platform, or from a wrong IR, never run.
 *
 * The alignment of a class the writer packs itself (`_pack_ = 1`, to put bitfields where
 * GCC does) is 1 by construction; it is not compared, nor is that of a record whose
 * alignment an attribute raised (checkedAlign).
 */
import type {Struct} from '../ir/types.js'
import {pyString} from './ctypes-records.js'

/** Python: the functions the check runs (placed in the module once, before the checks). */
export const LAYOUT_CHECK_FUNCTIONS = `def _member_bits(cls, name):
    member = getattr(cls, name, None)
    if isinstance(member, property):
        # A bitfield ctypes holds in two parts: its low part starts where the whole does.
        return _member_bits(cls, name + '_lo')[0], None
    if member is None or not hasattr(member, 'offset'):
        return None, None
    if hasattr(member, 'bit_offset'):
        return member.byte_offset * 8 + member.bit_offset, (member.bit_size if member.is_bitfield else None)
    if member.size >> 16:
        return member.offset * 8 + (member.size & 0xffff), member.size >> 16
    return member.offset * 8, None


def _at(bits):
    return 'byte %d' % (bits // 8) if bits % 8 == 0 else 'bit %d' % bits


def _layout_problem(checks, target):
    little = sys.byteorder == 'little'
    for cls, record, size, align, members in checks:
        problem = None
        for name, bits, width in members:
            at, got_width = _member_bits(cls, name)
            if at is None:
                problem = 'member %r is missing from the ctypes class' % name
            elif width is not None and not little:
                continue
            elif at != bits:
                problem = 'member %r is at %s in ctypes, %s in the IR' % (name, _at(at), _at(bits))
            elif width is not None and got_width is not None and got_width != width:
                problem = 'bitfield %r is %d bits wide in ctypes, %d in the IR' % (name, got_width, width)
            if problem:
                break
        if problem is None and ctypes.sizeof(cls) != size:
            problem = 'its size is %d bytes in ctypes, %d in the IR' % (ctypes.sizeof(cls), size)
        if problem is None and align is not None and not getattr(cls, '_pack_', 0) and ctypes.alignment(cls) != align:
            problem = 'its alignment is %d in ctypes, %d in the IR' % (ctypes.alignment(cls), align)
        if problem:
            return ('%s: the layout of %s disagrees with the IR for %s: %s; these bindings were made for another platform '
                    'or from a damaged IR: regenerate them for this platform (or turn the check off with the layout_check option)'
                    % (__name__, record, target or 'its target', problem))
    return None
`

/** Python statements that open the check list, and that run it (raising one ImportError). */
export const LAYOUT_CHECK_OPEN = ['_LAYOUT = []', '_check = _LAYOUT.append']
export const LAYOUT_CHECK_RUN = ['_problem = _layout_problem(_LAYOUT, TARGET)', 'if _problem is not None:', '    raise ImportError(_problem)']

/** How the check names a record: `struct X`, or the typedef name of a typedef'd record. */
export function recordCName(s: Struct): string {
  return s.is_typedef && s.name ? s.name : `${s.kind} ${s.name ?? '(anonymous)'}`
}

/**
 * The alignment the check expects of a record's class: the IR's, except for a record whose
 * alignment an attribute raised (`typedef struct {...} T __attribute__((aligned(16)))`,
 * `_Alignas`): ctypes before Python 3.13 has no way to raise a class's alignment (no
 * `_align_`), so the class keeps its members' alignment. Its size and member offsets are
 * still checked, and so are those of every record that embeds it, which carry the
 * attribute's effect. Undefined: not compared.
 */
function checkedAlign(s: Struct): number | undefined {
  return s.aligned === undefined ? s.align : undefined
}

/**
 * `_check(...)` statements for a record written as class `pyName` by recordDefinition,
 * and for the helper classes of its anonymous members (same names as it gives them).
 * Records whose size the IR does not give are not checked.
 */
export function layoutChecks(s: Struct, pyName: string, cName = recordCName(s)): string[] {
  if (s.size === undefined) return []
  const out: string[] = []
  const members: string[] = []
  s.fields.forEach((f, i) => {
    if (f.anonymous_struct) out.push(...layoutChecks(f.anonymous_struct, `_${pyName}_anon${i}`, `${cName} (anonymous member ${i})`))
    if (f.bit_width === 0 || f.offset_bits === undefined) return
    const name = f.name ?? (f.anonymous_struct ? `_anon${i}` : undefined)
    if (name === undefined) return
    members.push(`(${pyString(name)}, ${f.offset_bits}, ${f.bit_width ?? 'None'})`)
  })
  const tuple = members.length === 0 ? '()' : `(${members.join(', ')}${members.length === 1 ? ',' : ''})`
  return [`_check((${pyName}, ${pyString(cName)}, ${s.size}, ${checkedAlign(s) ?? 'None'}, ${tuple}))`, ...out]
}
