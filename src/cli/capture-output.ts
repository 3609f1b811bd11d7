/**
 * What a command printed, for the no-op journal: `cache populate` prints as its jobs go
 * (progress on stderr, the table on stdout), so its fast path keeps a copy of the writes.
 */
import type {Printed} from '../journal/journal.js'

/**
 * Keeps a copy of what this process writes to stdout and stderr from now on, for a command
 * that prints as it goes (populate's progress): stop() restores the streams and returns it.
 */
export function captureOutput(): {stop(): Printed} {
  const kept: Printed = []
  const restores = (['stdout', 'stderr'] as const).map((name) => {
    const stream = process[name]
    const own = Object.getOwnPropertyDescriptor(stream, 'write')
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      kept.push([name === 'stdout' ? 1 : 2, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')])
      return write(chunk, ...rest)
    })
    return () => {
      if (own) Object.defineProperty(stream, 'write', own)
      else delete (stream as {write?: unknown}).write
    }
  })
  return {
    stop() {
      for (const restore of restores) restore()
      return kept
    },
  }
}
