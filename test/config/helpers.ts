/** Builds small project trees in real temp dirs for the config tests. */
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {makeTempDir} from '../support/tmp.js'

/** Creates `files` (path -> content; a path ending in `/` is a directory) under a new temp dir. */
export function makeTree(files: Record<string, string>): string {
  const root = makeTempDir('headerkit-config-')
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path)
    if (path.endsWith('/')) {
      mkdirSync(full, {recursive: true})
    } else {
      mkdirSync(dirname(full), {recursive: true})
      writeFileSync(full, content)
    }
  }
  return root
}

/** Runs `fn`, expecting it to throw; returns the error for assertions on its message. */
export async function rejection(fn: () => unknown): Promise<Error & {code?: string; exitCode?: number; line?: number}> {
  try {
    await fn()
  } catch (error) {
    return error as Error & {code?: string; exitCode?: number; line?: number}
  }
  throw new Error('expected an error, but the call succeeded')
}
