/**
 * Loading libclang maps far more of its code than a parse runs. On Linux, loading
 * libclang 19 and creating its index (LLVM initialises every target then) left 42 MiB of
 * libLLVM's and 5 MiB of libclang's code resident (static constructors spread over the
 * whole text, and each fault maps the 64 KiB around it), of which a parse then runs
 * about 3 and 13 MiB (bench/README.md, Memory). After the load, the code mappings it
 * added are handed back to the kernel (madvise MADV_DONTNEED): the pages stay in the
 * page cache, shared and clean, and the ones a parse needs fault back in, cheaply.
 *
 * Only executable, file-backed mappings with no private page written (no text
 * relocation) are released: dropping a written private page would lose the write.
 * Anything unexpected (no /proc, a libc without madvise, a kernel that refuses) leaves
 * the mappings as they are: this saves memory, it never changes what a parse does.
 */
import {readFileSync} from 'node:fs'

const MADV_DONTNEED = 4

interface CodeMapping {
  start: bigint
  end: bigint
  path: string
}

/** Executable file mappings of this process that hold no written private page. */
function cleanCodeMappings(): CodeMapping[] | undefined {
  let text: string
  try {
    text = readFileSync('/proc/self/smaps', 'latin1')
  } catch {
    return undefined
  }
  const out: CodeMapping[] = []
  let current: (CodeMapping & {clean: boolean}) | undefined
  const close = (): void => {
    if (current?.clean) out.push(current)
    current = undefined
  }
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (header) {
      close()
      const [, start, end, perms, path] = header
      if (perms === 'r-xp' && path!.startsWith('/')) current = {start: BigInt(`0x${start}`), end: BigInt(`0x${end}`), path: path!, clean: true}
      continue
    }
    const field = /^(Private_Dirty|Anonymous):\s+(\d+)/.exec(line)
    if (current && field && field[2] !== '0') current.clean = false
  }
  close()
  return out
}

/** Code mappings present now, as `start-path` keys: what a later load did not add. */
export function codeMappingsBefore(): Set<string> | undefined {
  if (process.platform !== 'linux') return undefined
  const now = cleanCodeMappings()
  return now && new Set(now.map((m) => `${m.start}-${m.path}`))
}

/**
 * Releases the resident pages of the code mappings added since `before`
 * (codeMappingsBefore()). `koffi` is the loaded koffi module (madvise comes from libc
 * through it). Returns the bytes advised, 0 when nothing was done.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- koffi is untyped
export function releaseLoadedCode(koffi: any, before: Set<string> | undefined): number {
  if (!before) return 0
  const added = (cleanCodeMappings() ?? []).filter((m) => !before.has(`${m.start}-${m.path}`))
  if (added.length === 0) return 0
  let madvise: (addr: bigint, length: bigint, advice: number) => number
  try {
    madvise = koffi.load('libc.so.6').func('int madvise(uint64_t addr, uint64_t length, int advice)')
  } catch {
    return 0
  }
  let released = 0
  for (const m of added) if (madvise(m.start, m.end - m.start, MADV_DONTNEED) === 0) released += Number(m.end - m.start)
  return released
}
