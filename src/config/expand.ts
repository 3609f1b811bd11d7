/**
 * `${VAR}` expansion in config values (reference 2.4): every string value, in lists
 * and nested tables, table keys untouched. `$VAR` is left alone; there is no escape
 * and no default syntax. An unset variable is an error; an empty one expands to ''
 * and is remembered, so validation can say why a value ended up empty.
 */
import {ConfigError} from '../errors.js'

export type KeyPath = Array<string | number>

/** `tool.headerkit.writers[1]`, `headers."include/a.h".defines`. */
export function formatKeyPath(path: KeyPath): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else {
      const bare = /^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part)
      out += out === '' ? bare : `.${bare}`
    }
  }
  return out
}

export interface ExpandResult {
  value: unknown
  /** formatted key path -> names of variables that were set to the empty string */
  emptyVars: Map<string, string[]>
}

const REFERENCE = /\$\{([^}]*)\}/g

/**
 * Expands references in `value` (the headerkit section). `base` is the key path of
 * the section in its file, used in messages; `lineOf` finds a key's line, if it can.
 */
export function expandVars(
  value: unknown,
  env: NodeJS.ProcessEnv,
  file: string,
  base: KeyPath,
  lineOf: (path: KeyPath) => number | undefined,
): ExpandResult {
  const emptyVars = new Map<string, string[]>()
  const walk = (node: unknown, path: KeyPath): unknown => {
    if (typeof node === 'string') {
      return node.replace(REFERENCE, (_match, name: string) => {
        const set = env[name]
        if (set === undefined) {
          throw new ConfigError(file, `environment variable '${name}' is not set (referenced as \${${name}})`, {
            key: formatKeyPath(path),
            line: lineOf(path),
            hint: `set ${name} in the environment, or change the value`,
          })
        }
        if (set === '') {
          const key = formatKeyPath(path)
          emptyVars.set(key, [...(emptyVars.get(key) ?? []), name])
        }
        return set
      })
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]))
    if (isPlainTable(node)) {
      const out: Record<string, unknown> = {}
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, [...path, key])
      return out
    }
    return node
  }
  return {value: walk(value, base), emptyVars}
}

/** A TOML table as smol-toml returns it (dates are objects too, but not plain ones). */
export function isPlainTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}
