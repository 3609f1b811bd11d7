/** Temporary directories for tests, removed after the run unless KEEP_TMP is set. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const made: string[] = []

export function makeTempDir(prefix = 'headerkit-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

export function removeTempDirs(): void {
  if (process.env.KEEP_TMP) return
  for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
}

// Under mocha the directories go after the run; a benchmark importing this calls removeTempDirs itself.
if (typeof after === 'function') after(removeTempDirs)
