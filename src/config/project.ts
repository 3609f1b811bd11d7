/**
 * Where a project's configuration lives and where its root is.
 *
 * Discovery is the original's (reference 2.1): from the cwd upwards, in each directory
 * `.headerkit.toml` first, then `pyproject.toml` only if it has `[tool.headerkit]`;
 * stop after a directory that contains `.git`, the filesystem root or the home
 * directory. The project root is the directory of the config file found, else the
 * nearest ancestor with `.git`, else the cwd, so a project without `.git` (an unpacked
 * sdist) still has a root and a store (fixes B-PORT-2).
 */
import {existsSync, statSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {readRegularFile} from '../util/fs-nodes.js'
import {witness} from '../util/witness.js'
import {parseTomlText} from './toml.js'

export type ConfigKind = 'headerkit.toml' | 'pyproject'

export interface FoundConfig {
  /** Absolute path of the file. */
  file: string
  kind: ConfigKind
  /** Set when a sibling file was passed over, e.g. a pyproject.toml with [tool.headerkit] next to .headerkit.toml. */
  shadowed?: string
}

export interface WalkOptions {
  /** The directory where the walk stops (after checking it); defaults to the user's home. */
  home?: string
}

function isFile(path: string): boolean {
  witness(path)
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** True when `dir/.git` exists, as a directory (a checkout) or a file (a worktree or submodule). */
export function hasGitEntry(dir: string): boolean {
  // Only whether it is there: .git itself changes with every git command.
  witness(join(dir, '.git'), 'exists')
  return existsSync(join(dir, '.git'))
}

/** The directories the walk visits, from `start` up to the first stop (included). */
function* walkUp(start: string, home: string): Generator<string> {
  let dir = resolve(start)
  for (;;) {
    yield dir
    const parent = dirname(dir)
    if (hasGitEntry(dir) || parent === dir || dir === home) return
    dir = parent
  }
}

// Any mention of the section, even in a header line that lost its `]` or in an
// array-of-tables header such as [[tool.headerkit.headers]].
const HEADERKIT_SECTION = /\btool\s*\.\s*headerkit\b/

/**
 * Whether a pyproject.toml configures headerkit. An unparsable pyproject is passed
 * over like the original does, unless its text visibly has a [tool.headerkit]
 * section: then the syntax error is the user's problem to see, and it is thrown.
 */
async function pyprojectHasHeaderkit(file: string): Promise<boolean> {
  let text: string
  try {
    text = (await readRegularFile(file)).toString('utf8')
  } catch {
    return false
  }
  try {
    const doc = parseTomlText(text, file)
    const tool = doc.tool
    return typeof tool === 'object' && tool !== null && !Array.isArray(tool) && 'headerkit' in tool
  } catch (error) {
    if (HEADERKIT_SECTION.test(text)) throw error
    return false
  }
}

/** Finds the config file for a run started in `cwd`, or undefined when there is none. */
export async function findConfigFile(cwd: string, options: WalkOptions = {}): Promise<FoundConfig | undefined> {
  const home = resolve(options.home ?? homedir())
  for (const dir of walkUp(cwd, home)) {
    const headerkitToml = join(dir, '.headerkit.toml')
    const pyproject = join(dir, 'pyproject.toml')
    if (isFile(headerkitToml)) {
      const found: FoundConfig = {file: headerkitToml, kind: 'headerkit.toml'}
      if (isFile(pyproject) && (await pyprojectHasHeaderkit(pyproject).catch(() => false))) found.shadowed = pyproject
      return found
    }
    if (isFile(pyproject) && (await pyprojectHasHeaderkit(pyproject))) return {file: pyproject, kind: 'pyproject'}
  }
  return undefined
}

/** The nearest directory at or above `start` that contains `.git` (same stops as discovery). */
export function findGitRoot(start: string, options: WalkOptions = {}): string | undefined {
  const home = resolve(options.home ?? homedir())
  for (const dir of walkUp(start, home)) if (hasGitEntry(dir)) return dir
  return undefined
}

/** The project root: the config file's directory, else the git root, else the cwd. */
export function findProjectRoot(cwd: string, configFile: string | undefined, options: WalkOptions = {}): string {
  if (configFile !== undefined) return dirname(resolve(configFile))
  return findGitRoot(cwd, options) ?? resolve(cwd)
}

/** The kind of a config file given by path (`--config`): pyproject.toml is read for [tool.headerkit]. */
export function configKindOf(file: string): ConfigKind {
  return /(^|[\\/])pyproject\.toml$/.test(file) ? 'pyproject' : 'headerkit.toml'
}
