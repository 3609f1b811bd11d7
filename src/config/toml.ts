/**
 * Reading TOML files. Every failure becomes a ConfigError that names the file and,
 * for syntax errors, the line and column smol-toml reports, so a user can go there.
 */
import {parse, TomlError} from 'smol-toml'
import {ConfigError} from '../errors.js'
import {readRegularFile} from '../util/fs-nodes.js'

/** Reads a file's text; a missing or unreadable file is a ConfigError naming it. */
export async function readConfigText(path: string): Promise<string> {
  try {
    return (await readRegularFile(path)).toString('utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ConfigError(path, 'file not found', {hint: 'check the path, or run without --config to use discovery'})
    if (code === 'EISDIR') throw new ConfigError(path, 'is a directory, not a TOML file', {hint: 'pass the path of a .toml file'})
    if (code === 'EFTYPE') throw new ConfigError(path, 'is not a regular file', {hint: 'pass the path of a .toml file'})
    if (code === 'EACCES' || code === 'EPERM') throw new ConfigError(path, 'cannot read the file (permission denied)', {hint: 'make it readable'})
    throw new ConfigError(path, `cannot read the file: ${(error as Error).message}`)
  }
}

/** Parses TOML text read from `path` (used only to name it in errors). */
export function parseTomlText(text: string, path: string): Record<string, unknown> {
  try {
    return parse(text)
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml's message is "Invalid TOML document: <reason>" followed by a code block.
      const reason = (error.message.split('\n')[0] ?? 'invalid TOML').replace(/^Invalid TOML document:\s*/, '')
      throw new ConfigError(path, `TOML syntax error at column ${error.column}: ${reason}`, {
        line: error.line,
        hint: 'fix the TOML at that position',
      })
    }
    throw new ConfigError(path, `cannot parse TOML: ${(error as Error).message}`)
  }
}

/**
 * Reads and parses a TOML file. Tables come back as smol-toml makes them: objects with
 * a null prototype (so a `__proto__` key is data, not a prototype); compare them with
 * JSON or by key, not with a prototype-strict deepEqual.
 */
export async function readTomlFile(path: string): Promise<Record<string, unknown>> {
  return parseTomlText(await readConfigText(path), path)
}
