/**
 * prompt: a compact description of the API for language models (reference 9.6), at
 * three verbosity levels: `compact` (one line per declaration), `standard` (YAML-like
 * sections), `verbose` (the JSON IR with `used_in` cross-references). The issue
 * marks it `cacheOutput: false`: it is cheap to render and its format is expected to
 * be tuned often, so stored renderings would mostly be stale.
 */
import {declarationToJson} from '../ir/json.js'
import {typeToC} from '../ir/text.js'
import type {Declaration, Field, Header, Struct, TypeExpr} from '../ir/types.js'
import {projectDeclarations, referencedTypes} from '../ir/walk.js'
import {C_BUILTIN_TYPES, canonicalBuiltin} from './known.js'
import type {ResolvedOptions, Writer} from './types.js'

/** `const char *` -> `const char*`, the original's compact spelling. */
function ty(t: TypeExpr): string {
  return typeToC(t).replace(/ \*(?=[*)\],]|$)/g, '*')
}

function fieldsText(s: Struct): string {
  return s.fields.map((f: Field) => {
    if (f.anonymous_struct) return `${f.name ?? '(anon)'}:${f.anonymous_struct.kind} {${fieldsText(f.anonymous_struct)}}`
    return `${f.name ?? '(anon)'}:${ty(f.type)}${f.bit_width === undefined ? '' : `:${f.bit_width}b`}`
  }).join(', ')
}

function params(ps: {name?: string | null; type: TypeExpr}[], variadic: boolean, withNames: boolean): string {
  const list = ps.map((p) => (withNames && p.name ? `${p.name}:${ty(p.type)}` : ty(p.type)))
  if (variadic) list.push('...')
  return list.join(', ')
}

function callbackOf(t: TypeExpr): Extract<TypeExpr, {kind: 'function_pointer'}> | undefined {
  return t.kind === 'pointer' && t.pointee.kind === 'function_pointer' ? t.pointee : undefined
}

function constantValue(v: number | string | null | undefined): string {
  return v === undefined || v === null ? '?' : String(v)
}

function compact(h: Header): string {
  const lines = [`// ${h.path} (headerkit compact)`]
  for (const d of h.declarations) {
    switch (d.kind) {
      case 'constant':
        lines.push(`CONST ${d.name}=${constantValue(d.value)}`)
        break
      case 'enum':
        lines.push(`ENUM ${d.name ?? '(anon)'}: ${d.values.map((v) => `${v.name}=${constantValue(v.value)}`).join(', ')}`)
        break
      case 'struct':
      case 'union': {
        const head = `${d.kind.toUpperCase()} ${d.is_packed ? '__packed ' : ''}${d.name ?? '(anon)'}`
        lines.push(d.is_opaque || d.fields.length === 0 ? `${head} (opaque)` : `${head} {${fieldsText(d)}}`)
        break
      }
      case 'function':
        lines.push(`FUNC ${d.name}(${params(d.parameters, d.is_variadic, true)}) -> ${ty(d.return_type)}`)
        break
      case 'typedef': {
        const cb = callbackOf(d.underlying_type)
        lines.push(cb ? `CALLBACK ${d.name}(${params(cb.parameters, cb.is_variadic, false)}) -> ${ty(cb.return_type)}` : `TYPEDEF ${d.name} = ${ty(d.underlying_type)}`)
        break
      }
      case 'variable':
        lines.push(`VAR ${d.name}:${ty(d.type)}`)
    }
  }
  return `${lines.join('\n')}\n`
}

function standard(h: Header): string {
  const sections = new Map<string, string[]>([['constants', []], ['enums', []], ['structs', []], ['callbacks', []], ['functions', []], ['typedefs', []], ['variables', []]])
  const add = (s: string, ...lines: string[]): void => void sections.get(s)!.push(...lines)
  for (const d of h.declarations) {
    switch (d.kind) {
      case 'constant':
        add('constants', `  ${d.name}: ${constantValue(d.value)}`)
        break
      case 'enum':
        add('enums', `  ${d.name ?? '(anon)'}:`, ...d.values.map((v) => `    ${v.name}: ${constantValue(v.value)}`))
        break
      case 'struct':
      case 'union': {
        add('structs', `  ${d.name ?? '(anon)'}:`)
        if (d.kind === 'union') add('structs', '    union: true')
        if (d.is_packed) add('structs', '    packed: true')
        if (d.is_opaque || d.fields.length === 0) add('structs', '    opaque: true')
        else add('structs', '    fields:', ...d.fields.map((f) => `      ${f.name ?? '(anon)'}: ${f.anonymous_struct ? `${f.anonymous_struct.kind} {${fieldsText(f.anonymous_struct)}}` : ty(f.type)}${f.bit_width === undefined ? '' : ` (${f.bit_width} bits)`}`))
        break
      }
      case 'function':
        add('functions', `  ${d.name}(${params(d.parameters, d.is_variadic, true)}) -> ${ty(d.return_type)}`)
        break
      case 'typedef': {
        const cb = callbackOf(d.underlying_type)
        if (cb) add('callbacks', `  ${d.name}(${params(cb.parameters, cb.is_variadic, true)}) -> ${ty(cb.return_type)}`)
        else add('typedefs', `  ${d.name}: ${ty(d.underlying_type)}`)
        break
      }
      case 'variable':
        add('variables', `  ${d.name}: ${ty(d.type)}`)
    }
  }
  const out = [`# ${h.path} (headerkit standard)`]
  for (const [name, lines] of sections) if (lines.length > 0) out.push('', `${name}:`, ...lines)
  return `${out.join('\n')}\n`
}

/** Names a declaration refers to, `struct `/`union `/`enum ` stripped, builtins left out. */
function uses(d: Declaration): string[] {
  return referencedTypes(d).map((r) => canonicalBuiltin(r.name).replace(/^(struct|union|enum) /, '')).filter((n) => !C_BUILTIN_TYPES.has(n))
}

function verbose(h: Header): string {
  const usedIn = new Map<string, Set<string>>()
  for (const d of h.declarations) {
    if (!d.name) continue
    for (const n of uses(d)) if (n !== d.name) usedIn.set(n, (usedIn.get(n) ?? new Set()).add(d.name))
  }
  const declarations = h.declarations.map((d) => {
    const json = declarationToJson(d)
    const users = d.name ? usedIn.get(d.name) : undefined
    if (users && users.size > 0) json.used_in = [...users].sort()
    return json
  })
  return `${JSON.stringify({path: h.path, declarations}, null, 2)}\n`
}

export function headerToPrompt(ir: Header, options: ResolvedOptions): string {
  const level = options.verbosity as string
  // The API is the project's: declarations from system and library headers it uses are not part of it.
  ir = {...ir, declarations: projectDeclarations(ir)}
  return level === 'verbose' ? verbose(ir) : level === 'standard' ? standard(ir) : compact(ir)
}

export const promptWriter: Writer = {
  name: 'prompt',
  description: 'a compact text description of the API for language models',
  cacheOutput: false,
  cacheVersion: '1',
  extension: '.txt',
  defaultOutputPattern: '{dir}/{stem}_prompt.txt',
  options: {
    verbosity: {type: 'enum', values: ['compact', 'standard', 'verbose'], default: 'compact', description: 'compact: one line per declaration; standard: YAML-like sections; verbose: JSON IR with used_in references'},
  },
  write: (ir, options) => headerToPrompt(ir, options),
}
