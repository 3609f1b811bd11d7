/**
 * Output path templates: `{stem}`, `{name}` and `{dir}` of the header, `{{`/`}}` for
 * literal braces (reference 2.8). Anything else in braces is an error naming the
 * template, instead of the original's Python str.format (attribute access, format
 * specs, positional fields that crashed). A result outside the project root is
 * refused unless the caller allows it explicitly.
 */
import {posix} from 'node:path'
import {InputError, UsageError} from '../errors.js'

export const TEMPLATE_FIELDS = ['stem', 'name', 'dir'] as const

/** Checks a template's syntax up front, before any work is done. */
export function checkTemplate(template: string, source: string): void {
  expand(template, {stem: 'x', name: 'x.h', dir: '.'}, source)
}

function expand(template: string, values: Record<(typeof TEMPLATE_FIELDS)[number], string>, source: string): string {
  let out = ''
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!
    if (c === '{' && template[i + 1] === '{') {
      out += '{'
      i++
    } else if (c === '}' && template[i + 1] === '}') {
      out += '}'
      i++
    } else if (c === '{') {
      const end = template.indexOf('}', i)
      if (end === -1) throw new UsageError(`unclosed '{' in output template '${template}' (from ${source})`, `use {stem}, {name} or {dir}; write {{ for a literal brace`)
      const field = template.slice(i + 1, end)
      if (!(TEMPLATE_FIELDS as readonly string[]).includes(field)) {
        throw new UsageError(`unknown template variable '{${field}}' in output template '${template}' (from ${source})`, 'the variables are {stem}, {name} and {dir}')
      }
      out += values[field as (typeof TEMPLATE_FIELDS)[number]]
      i = end
    } else if (c === '}') {
      throw new UsageError(`unmatched '}' in output template '${template}' (from ${source})`, 'write }} for a literal brace')
    } else {
      out += c
    }
  }
  return out
}

/**
 * The project-relative POSIX output path for `header` (project-relative POSIX).
 * Returns the normalised path; `..` escaping the root, or an absolute result, is an
 * InputError unless `allowOutside`, in which case the absolute path is returned as is.
 */
export function renderTemplate(template: string, header: string, source: string, allowOutside = false): {path: string; outside: boolean} {
  const name = posix.basename(header)
  const dot = name.lastIndexOf('.')
  const stem = dot > 0 ? name.slice(0, dot) : name
  const dir = posix.dirname(header)
  const expanded = expand(template, {stem, name, dir}, source)
  if (expanded === '') throw new UsageError(`output template '${template}' (from ${source}) gives an empty path`)
  const normalised = posix.normalize(expanded)
  const outside = posix.isAbsolute(normalised) || normalised === '..' || normalised.startsWith('../')
  if (outside && !allowOutside) {
    throw new InputError(`output template '${template}' (from ${source}) writes ${expanded}, outside the project`, 'pass --allow-outside-project to allow writing outside the project root', 'E_OUTSIDE_PROJECT')
  }
  return {path: normalised, outside}
}
