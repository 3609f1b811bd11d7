/**
 * diff: API changes between a baseline IR and the current one (reference 9.7),
 * as JSON or Markdown. The baseline is an option: a `Header` from the API, or a
 * path to a JSON IR file (the json writer's output or a store `ir.json`) from the
 * CLI or config, resolved against the context's cwd. Because it reads that file,
 * the output depends on more than the IR and the options: `cacheOutput` is false.
 */
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'
import {headerFromJson} from '../ir/json.js'
import {declareC, typeToC} from '../ir/text.js'
import type {Declaration, Enum, Field, Function, Header, Struct, TypeExpr} from '../ir/types.js'
import {projectDeclarations} from '../ir/walk.js'
import {WriterOptionError, type ResolvedOptions, type Writer, type WriterContext} from './types.js'

export type Severity = 'breaking' | 'non_breaking'

export interface DiffEntry {
  kind: string
  severity: Severity
  name: string
  detail: string
  baseline?: string
  target?: string
}

export interface ApiDiff {
  schema_version: '1.0'
  baseline: string
  target: string
  summary: {total: number; breaking: number; non_breaking: number}
  entries: DiffEntry[]
}

function fnText(f: Function): string {
  return `${declareC({kind: 'function_pointer', return_type: f.return_type, parameters: f.parameters, is_variadic: f.is_variadic, no_prototype: f.no_prototype}, f.name)};`
}

function fieldText(f: Field): string {
  if (f.anonymous_struct) return `${f.anonymous_struct.kind} {${f.anonymous_struct.fields.map(fieldText).join(' ')}}${f.name ? ` ${f.name}` : ''};`
  return `${declareC(f.type, f.name ?? '')}${f.bit_width === undefined ? '' : ` : ${f.bit_width}`};`
}

/** One-line C-like text of a declaration, for the `baseline`/`target` strings. */
export function declarationText(d: Declaration): string {
  switch (d.kind) {
    case 'struct':
    case 'union':
      return `${d.is_packed ? '__packed ' : ''}${d.kind} ${d.name ?? ''} {${d.fields.map(fieldText).join(' ')}}`.replace(/ {2,}/g, ' ')
    case 'enum':
      return `enum ${d.name ?? ''} {${d.values.map((v) => (v.value === undefined || v.value === null ? v.name : `${v.name} = ${v.value}`)).join(', ')}}`
    case 'function':
      return fnText(d)
    case 'typedef':
      return `typedef ${declareC(d.underlying_type, d.name)};`
    case 'variable':
      return `${declareC(d.type, d.name)};`
    case 'constant':
      return `#define ${d.name} ${d.value ?? ''}`.trimEnd()
  }
}

const t = (x: TypeExpr): string => typeToC(x)

function entry(kind: string, severity: Severity, name: string, detail: string, baseline?: Declaration | string, target?: Declaration | string): DiffEntry {
  const out: DiffEntry = {kind, severity, name, detail}
  if (baseline !== undefined) out.baseline = typeof baseline === 'string' ? baseline : declarationText(baseline)
  if (target !== undefined) out.target = typeof target === 'string' ? target : declarationText(target)
  return out
}

function diffFunction(a: Function, b: Function): DiffEntry[] {
  const changes: string[] = []
  if (t(a.return_type) !== t(b.return_type)) changes.push(`return type ${t(a.return_type)} -> ${t(b.return_type)}`)
  if (a.parameters.length !== b.parameters.length) changes.push(`parameter count ${a.parameters.length} -> ${b.parameters.length}`)
  else a.parameters.forEach((p, i) => {
    const q = b.parameters[i]!
    if (t(p.type) !== t(q.type)) changes.push(`parameter ${i + 1} type ${t(p.type)} -> ${t(q.type)}`)
  })
  if (a.is_variadic !== b.is_variadic) changes.push(b.is_variadic ? 'became variadic' : 'no longer variadic')
  if ((a.calling_convention ?? '') !== (b.calling_convention ?? '')) changes.push(`calling convention ${a.calling_convention ?? 'default'} -> ${b.calling_convention ?? 'default'}`)
  const out: DiffEntry[] = []
  if (changes.length > 0) out.push(entry('function_signature_changed', 'breaking', a.name, `function '${a.name}' signature changed: ${changes.join('; ')}`, a, b))
  else {
    a.parameters.forEach((p, i) => {
      const q = b.parameters[i]!
      if ((p.name ?? '') !== (q.name ?? '')) out.push(entry('function_parameter_renamed', 'non_breaking', a.name, `function '${a.name}' parameter ${i + 1} renamed '${p.name ?? ''}' -> '${q.name ?? ''}'`, a, b))
    })
  }
  return out
}

function diffStruct(a: Struct, b: Struct): DiffEntry[] {
  const name = a.name!
  const out: DiffEntry[] = []
  const what = `${a.kind} '${name}'`
  if (a.kind !== b.kind || !!a.is_packed !== !!b.is_packed) {
    out.push(entry('struct_layout_changed', 'breaking', name, `${what} layout changed (${a.kind}${a.is_packed ? ', packed' : ''} -> ${b.kind}${b.is_packed ? ', packed' : ''})`, a, b))
  }
  const key = (f: Field, i: number): string => f.name ?? `(anonymous #${i})`
  const aFields = new Map(a.fields.map((f, i) => [key(f, i), {f, i}]))
  const bFields = new Map(b.fields.map((f, i) => [key(f, i), {f, i}]))
  for (const [fname, {f}] of aFields) if (!bFields.has(fname)) out.push(entry('struct_field_removed', 'breaking', name, `${what} field '${fname}' removed`, fieldText(f)))
  for (const [fname, {f, i}] of bFields) {
    const old = aFields.get(fname)
    if (!old) {
      const appended = b.fields.slice(i + 1).every((later, j) => !aFields.has(key(later, i + 1 + j)))
      out.push(entry('struct_field_added', appended ? 'non_breaking' : 'breaking', name, `${what} field '${fname}' added${appended ? ' at the end' : ' before existing fields'}`, undefined, fieldText(f)))
    } else if (fieldText(old.f) !== fieldText(f)) {
      out.push(entry('struct_field_type_changed', 'breaking', name, `${what} field '${fname}' changed`, fieldText(old.f), fieldText(f)))
    }
  }
  const common = (fields: Field[], other: Map<string, unknown>): string[] => fields.map(key).filter((k) => other.has(k))
  const aOrder = common(a.fields, bFields)
  const bOrder = common(b.fields, aFields)
  if (aOrder.join('\0') !== bOrder.join('\0')) out.push(entry('struct_field_reordered', 'breaking', name, `${what} fields reordered`, aOrder.join(', '), bOrder.join(', ')))
  return out
}

function diffEnum(a: Enum, b: Enum): DiffEntry[] {
  const name = a.name!
  const out: DiffEntry[] = []
  const av = new Map(a.values.map((v) => [v.name, v.value]))
  const bv = new Map(b.values.map((v) => [v.name, v.value]))
  for (const [v, value] of av) {
    if (!bv.has(v)) out.push(entry('enum_value_removed', 'breaking', name, `enum '${name}' value '${v}' removed`, `${v} = ${value}`))
    else if (String(bv.get(v)) !== String(value)) out.push(entry('enum_value_changed', 'breaking', name, `enum '${name}' value '${v}' changed ${value} -> ${bv.get(v)}`, `${v} = ${value}`, `${v} = ${bv.get(v)}`))
  }
  for (const [v, value] of bv) if (!av.has(v)) out.push(entry('enum_value_added', 'non_breaking', name, `enum '${name}' value '${v}' added`, undefined, `${v} = ${value}`))
  return out
}

function diffSame(a: Declaration, b: Declaration): DiffEntry[] {
  const name = a.name!
  switch (a.kind) {
    case 'function':
      return diffFunction(a, b as Function)
    case 'struct':
    case 'union':
      return diffStruct(a, b as Struct)
    case 'enum':
      return diffEnum(a, b as Enum)
    case 'typedef':
      return declarationText(a) === declarationText(b) ? [] : [entry('typedef_changed', 'breaking', name, `typedef '${name}' changed`, a, b)]
    case 'variable':
      return declarationText(a) === declarationText(b) ? [] : [entry('variable_type_changed', 'breaking', name, `variable '${name}' type changed`, a, b)]
    case 'constant':
      return String(a.value) === String((b as typeof a).value) ? [] : [entry('constant_changed', 'non_breaking', name, `constant '${name}' changed ${a.value} -> ${(b as typeof a).value}`, a, b)]
  }
}

/** Declarations are matched by (kind, name); anonymous ones have no identity and are ignored. */
export function diffHeaders(baseline: Header, current: Header): ApiDiff {
  const index = (h: Header): Map<string, Declaration> => {
    const m = new Map<string, Declaration>()
    // External declarations are the system's, not the project's API.
    for (const d of projectDeclarations(h)) if (d.name && !m.has(`${d.kind}\0${d.name}`)) m.set(`${d.kind}\0${d.name}`, d)
    return m
  }
  const a = index(baseline)
  const b = index(current)
  const entries: DiffEntry[] = []
  for (const [k, d] of a) if (!b.has(k)) entries.push(entry(`${d.kind}_removed`, 'breaking', d.name!, `${d.kind} '${d.name}' removed`, d))
  for (const [k, d] of b) {
    const old = a.get(k)
    if (!old) entries.push(entry(`${d.kind}_added`, 'non_breaking', d.name!, `${d.kind} '${d.name}' added`, undefined, d))
    else entries.push(...diffSame(old, d))
  }
  const breaking = entries.filter((e) => e.severity === 'breaking').length
  return {
    schema_version: '1.0',
    baseline: baseline.path,
    target: current.path,
    summary: {total: entries.length, breaking, non_breaking: entries.length - breaking},
    entries,
  }
}

export function diffToMarkdown(diff: ApiDiff): string {
  const lines = [`# API Diff: ${diff.baseline} -> ${diff.target}`, '']
  if (diff.entries.length === 0) return `${[...lines, 'No changes detected.'].join('\n')}\n`
  lines.push('| | Count |', '|---|---|', `| Total | ${diff.summary.total} |`, `| Breaking | ${diff.summary.breaking} |`, `| Non-breaking | ${diff.summary.non_breaking} |`, '')
  for (const [title, severity] of [['Breaking Changes', 'breaking'], ['Non-Breaking Changes', 'non_breaking']] as const) {
    const group = diff.entries.filter((e) => e.severity === severity)
    if (group.length === 0) continue
    lines.push(`## ${title}`, '')
    const kinds = [...new Set(group.map((e) => e.kind))]
    for (const kind of kinds) {
      lines.push(`### ${kind}`, '')
      for (const e of group.filter((x) => x.kind === kind)) {
        lines.push(`- **${e.name}**: ${e.detail}`)
        if (e.baseline !== undefined) lines.push(`  - Baseline: \`${e.baseline}\``)
        if (e.target !== undefined) lines.push(`  - Target: \`${e.target}\``)
      }
      lines.push('')
    }
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`
}

/** The baseline option as a Header: the value itself, or the JSON IR file it names. */
export function loadBaseline(value: Header | string | undefined, context: WriterContext): Header {
  if (value === undefined) return {path: '(empty)', declarations: []}
  if (typeof value !== 'string') return value
  const file = resolve(context.cwd ?? process.cwd(), value)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new WriterOptionError(`diff writer option 'baseline': cannot read ${value} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'pass the path of a JSON IR file, e.g. the json writer\'s output')
  }
  try {
    return headerFromJson(text)
  } catch (error) {
    throw new WriterOptionError(`diff writer option 'baseline': ${value} is not a JSON IR file (${(error as Error).message})`)
  }
}

export function headerToDiff(ir: Header, options: ResolvedOptions, context: WriterContext = {}): string {
  const diff = diffHeaders(loadBaseline(options.baseline as Header | string | undefined, context), ir)
  return options.format === 'markdown' ? diffToMarkdown(diff) : `${JSON.stringify(diff, null, 2)}\n`
}

export const diffWriter: Writer = {
  name: 'diff',
  description: 'API changes against a baseline IR (JSON or Markdown)',
  cacheOutput: false,
  cacheVersion: '1',
  extension: '.json',
  defaultOutputPattern: '{dir}/{stem}_diff.json',
  options: {
    baseline: {type: 'ir', description: 'the IR to compare against: a Header (API) or the path of a JSON IR file; absent = an empty header'},
    format: {type: 'enum', values: ['json', 'markdown'], default: 'json', description: 'json (machine-readable) or markdown (human-readable)'},
  },
  write: (ir, options, context) => headerToDiff(ir, options, context),
}
