/** A fingerprint of a directory tree, to assert that a command left it untouched. */
import {createHash} from 'node:crypto'
import {lstatSync, readdirSync, readFileSync, readlinkSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'

/** Relative path -> sha256 of a file, `dir` of a directory (an empty one left behind counts), `link:<target>` of a symlink, or the kind of anything else. Never follows links. */
export function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const st = lstatSync(p)
      if (st.isDirectory()) {
        out[relative(dir, p)] = 'dir'
        walk(p)
      }
      else if (st.isSymbolicLink()) out[relative(dir, p)] = `link:${readlinkSync(p)}`
      else if (st.isFile()) out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex')
      else out[relative(dir, p)] = 'special'
    }
  }
  try {
    walk(dir)
  } catch {
    // no tree at all: empty
  }
  return out
}

/** Every file of a directory tree, as relative path -> bytes (base64), for byte-for-byte comparisons of two trees. */
export function treeBytes(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(relative(dir, p), readFileSync(p).toString('base64'))
    }
  }
  walk(dir)
  return out
}
