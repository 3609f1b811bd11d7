/**
 * json: the IR in the original's JSON shape and key order (reference 7.2, 9.4).
 * `indent` 0 gives one line with the original's `, ` / `: ` separators; non-ASCII
 * is escaped as `\uXXXX` like Python's json. `headerFromJson` reads it back.
 */
import {headerToJson} from '../ir/json.js'
import type {Header} from '../ir/types.js'
import type {Writer} from './types.js'

/** Python's `ensure_ascii`: every non-ASCII UTF-16 unit as `\uXXXX` (surrogate pairs stay pairs). */
function asciiOnly(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** One-line JSON with `, ` and `: ` separators (Python's `indent=None`). */
function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')}}`
  }
  return JSON.stringify(value)
}

export function headerToJsonText(ir: Header, indent: number): string {
  const value = headerToJson(ir)
  return asciiOnly(indent > 0 ? JSON.stringify(value, null, indent) : oneLine(value))
}

export const jsonWriter: Writer = {
  name: 'json',
  description: 'the IR as JSON (the original ir.json shape)',
  cacheOutput: true,
  cacheVersion: '1',
  extension: '.json',
  defaultOutputPattern: '{dir}/{stem}.json',
  options: {
    indent: {type: 'integer', default: 2, min: 0, max: 16, description: 'spaces per indentation level; 0 puts the whole document on one line'},
  },
  write: (ir, options) => headerToJsonText(ir, options.indent as number),
}
