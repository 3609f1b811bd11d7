/**
 * The image a tag named the last time it was asked, per Docker endpoint and platform, in
 * the per-user cache. It is a guess, never an answer: a tag can move, so the engine still
 * asks Docker every run. What the guess buys is time: the parses start against the
 * guessed image's cached headers while Docker is asked (loading dockerode alone is
 * ~100 ms), and their results are used only when Docker names that same image.
 */
import {createHash, randomBytes} from 'node:crypto'
import {promises as fs, readFileSync} from 'node:fs'
import {join} from 'node:path'

export interface TagRef {
  endpoint: string
  reference: string
  platform: string
}

const IMAGE_ID = /^sha256:[0-9a-f]{64}$/

function recordPath(cacheDir: string, tag: TagRef): string {
  const hash = createHash('sha256').update(`${tag.endpoint}\0${tag.reference}\0${tag.platform}`).digest('hex').slice(0, 24)
  return join(cacheDir, 'sysroot-tags', `${hash}.json`)
}

/** The image ID recorded for the tag, or undefined (none yet, unreadable, or not for this tag). */
export function lastImage(cacheDir: string, tag: TagRef): string | undefined {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(recordPath(cacheDir, tag), 'utf8'))
  } catch {
    return undefined
  }
  const r = data as Partial<TagRef> & {image?: unknown}
  const same = r.endpoint === tag.endpoint && r.reference === tag.reference && r.platform === tag.platform
  return same && typeof r.image === 'string' && IMAGE_ID.test(r.image) ? r.image : undefined
}

/** Records the image the tag names now. Best effort: a cache that cannot be written only costs the guess. */
export async function recordImage(cacheDir: string, tag: TagRef, image: string): Promise<void> {
  const path = recordPath(cacheDir, tag)
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await fs.mkdir(join(path, '..'), {recursive: true})
    await fs.writeFile(temp, `${JSON.stringify({...tag, image})}\n`)
    await fs.rename(temp, path)
  } catch {
    await fs.rm(temp, {force: true}).catch(() => undefined)
  }
}
