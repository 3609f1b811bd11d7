/**
 * Slugs: human-readable, store-local names of entries
 * (`libclang.mylib.x86_64-linux-gnu.d.DEBUG`). The key, not the slug, identifies an
 * entry; the slug only has to be readable, safe as a single path segment, and distinct
 * enough that platforms do not pile up under `-2`, `-3` (so the short target keeps the
 * libc apart, unlike the original). Every slug and writer name read from a file or a
 * directory listing goes through isValidSlug / isValidWriterName before it touches a path.
 */
import {createHash} from 'node:crypto'
import {shortTarget} from '../target/index.js'
import {compareCodePoints} from '../util/canonical-json.js'

export interface SlugInputs {
  backend: string
  /** Project-relative POSIX path of the header. */
  headerPath: string
  target: string
  defines: string[]
  includeDirs: string[]
  args: string[]
}

/** The original's limit: 120 minus 4 characters reserved for a collision suffix. */
const SLUG_BUDGET = 116
/** Hard bound on any name we accept (well under the 255-byte file name limit). */
export const MAX_NAME_LENGTH = 200
const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.=-]*$/
const COMPONENT_LIMIT = 48

export function isValidSlug(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(s)
}

export function isValidWriterName(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= 64 && NAME_PATTERN.test(s)
}

/** The original's sanitiser: anything outside [A-Za-z0-9_=-] becomes `-`, runs collapse, ends trimmed. */
export function sanitize(value: string): string {
  return value.replace(/[^A-Za-z0-9_=-]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '')
}

function sha8(values: string[]): string {
  const h = createHash('sha256')
  for (const v of values) h.update(`${v}\0`)
  return h.digest('hex').slice(0, 8)
}

/** A fixed component (backend, stem): never empty, never absurdly long. */
function component(value: string): string {
  const s = sanitize(value) || '_'
  return s.length <= COMPONENT_LIMIT ? s : `${s.slice(0, COMPONENT_LIMIT - 9)}-${sha8([s])}`
}

function basename(p: string): string {
  const trimmed = p.replace(/\/+$/, '')
  return trimmed.slice(trimmed.lastIndexOf('/') + 1)
}

function headerStem(headerPath: string): string {
  const base = basename(headerPath)
  const dot = base.lastIndexOf('.')
  return (dot > 0 ? base.slice(0, dot) : base).toLowerCase()
}

interface Group {
  tag: string
  values: string[]
  hashed: boolean
}

function render(group: Group): string {
  return `${group.tag}.${group.hashed ? sha8(group.values) : group.values.join('_')}`
}

/**
 * `<backend>.<stem>.<shortTarget>[.d.<defines>][.i.<include dir basenames>][.args.<args>]`,
 * with the original's length control: groups that do not fit become 8 hex digits of a
 * hash, the longest first.
 */
export function irSlug(i: SlugInputs): string {
  const head = [component(i.backend.toLowerCase()), component(headerStem(i.headerPath)), component(shortTarget(i.target))].join('.')
  const groupOf = (tag: string, raw: string[]): Group => ({tag, values: raw.map(sanitize).filter((v) => v !== '').sort(compareCodePoints), hashed: false})
  const groups = [groupOf('d', i.defines), groupOf('i', i.includeDirs.map(basename)), groupOf('args', i.args)].filter((g) => g.values.length > 0)
  const build = (): string => [head, ...groups.map(render)].join('.')

  if (build().length <= SLUG_BUDGET) return build()
  // Walk the groups in order: keep each in full while the running slug still fits.
  let running = head
  for (const group of groups) {
    const full = `${running}.${render(group)}`
    if (full.length > SLUG_BUDGET) group.hashed = true
    running = `${running}.${render(group)}`
  }
  while (build().length > SLUG_BUDGET) {
    const open = groups.filter((g) => !g.hashed)
    if (open.length === 0) break
    const longest = open.reduce((a, b) => (b.values.join('_').length > a.values.join('_').length ? b : a))
    longest.hashed = true
  }
  return build()
}

/** `slug`, `slug-2`, `slug-3`, ...: candidates for registering a slug that is taken. */
export function* slugCandidates(slug: string): Generator<string> {
  yield slug
  for (let n = 2; ; n++) {
    const suffix = `-${n}`
    yield `${slug.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`
  }
}
