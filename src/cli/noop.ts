/**
 * bin/run.js's first stop (bundled alone as noop.cjs, a few KB): a command whose last run
 * changed nothing and whose inputs are all as they were is answered from its journal
 * (src/journal/journal.ts) before the CLI is even loaded.
 */
import {replayJournal} from '../journal/journal.js'
import {tolerateClosedOutput} from './render.js'

/** Prints what the journalled run printed and returns true; false when the command must run. */
export function replayNoop(argv: string[]): boolean {
  let replay
  try {
    replay = replayJournal(argv, process.cwd(), process.env)
  } catch {
    // No working directory, no usable cache directory: the command runs and says so itself.
    return false
  }
  if (replay === undefined) return false
  tolerateClosedOutput()
  for (const [fd, text] of replay) (fd === 1 ? process.stdout : process.stderr).write(text)
  return true
}
