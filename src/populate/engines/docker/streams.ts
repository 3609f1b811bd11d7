/**
 * Reading the Engine's streams without the traps of docker-modem's followProgress: a
 * connection that closes before `end` is a failure, not success; an `error` object in the
 * stream is a failure; a line that is not JSON is kept as text instead of throwing
 * inside an event handler.
 */
import type {Readable} from 'node:stream'

export interface JsonLinesResult {
  /** Every decoded object, in order. */
  messages: Record<string, unknown>[]
  /** The first in-stream error (`{error, errorDetail}`), if any. */
  error: string | undefined
}

/** Follows a JSON-lines progress stream (pull, build) to its end. */
export function followJsonLines(stream: Readable, onMessage?: (message: Record<string, unknown>) => void, signal?: AbortSignal): Promise<JsonLinesResult> {
  return new Promise((resolve, reject) => {
    const messages: Record<string, unknown>[] = []
    let error: string | undefined
    let pending = ''
    let ended = false
    const take = (line: string): void => {
      const text = line.trim()
      if (text === '') return
      let message: Record<string, unknown>
      try {
        const parsed = JSON.parse(text) as unknown
        message = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : {stream: text}
      } catch {
        message = {stream: text}
      }
      if (error === undefined && (typeof message.error === 'string' || typeof message.errorDetail === 'object')) {
        const detail = message.errorDetail as {message?: unknown} | undefined
        error = typeof message.error === 'string' ? message.error : typeof detail?.message === 'string' ? detail.message : 'unknown error'
      }
      messages.push(message)
      onMessage?.(message)
    }
    const onAbort = (): void => {
      stream.destroy()
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'))
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, {once: true})
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8')
      let at: number
      while ((at = pending.indexOf('\n')) >= 0) {
        take(pending.slice(0, at))
        pending = pending.slice(at + 1)
      }
    })
    stream.on('end', () => {
      ended = true
      take(pending)
      signal?.removeEventListener('abort', onAbort)
      resolve({messages, error})
    })
    stream.on('error', (e) => {
      signal?.removeEventListener('abort', onAbort)
      reject(e)
    })
    stream.on('close', () => {
      if (ended) return
      signal?.removeEventListener('abort', onAbort)
      reject(new Error('the Docker Engine closed the stream before it ended'))
    })
  })
}

/** Collects a stream into a Buffer, rejecting once it passes `limit` bytes. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`)
  }
}

export function collectCapped(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        stream.destroy()
        reject(new TooLargeError(limit))
        return
      }
      chunks.push(chunk)
    })
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
  })
}
