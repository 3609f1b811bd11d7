/**
 * Parses on worker threads. A libclang parse is one long synchronous run of koffi calls:
 * on the main thread, parses run one after another and block everything else (Docker
 * calls, writes) while they run. The pool keeps up to `size` threads, each loading
 * libclang once for its life, started on demand (never more than there are parses waiting)
 * and handed one parse at a time, in the order asked.
 *
 * A parse that fails rejects its own promise only. A thread that dies (an uncaught error,
 * an exit) fails the parse it held and is replaced for the next. An abort rejects its
 * parse at once, waiting or running; a running one finishes in its thread, unseen.
 *
 * Threads are never terminated (Worker.terminate): a termination that lands while koffi
 * loads its addon aborts the process (napi_throw), and one that lands during a parse can
 * crash it (a segfault, measured: a parse aborted at varying delays). close() asks every
 * thread to stop and waits for them: each ends after its current parse, or after loading.
 */
import {extname} from 'node:path'
import {createRequire} from 'node:module'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {setFlagsFromString} from 'node:v8'
import {Worker} from 'node:worker_threads'
import {HeaderkitError} from '../errors.js'
import type {ParseRequest, ParseResult} from './types.js'
import {errorFromData, type ThreadData, type ThreadMessage, type ToThread} from './parse-messages.js'

export interface ParsePoolOptions {
  /** Absolute path of the libclang every thread loads (locateLibclang's answer). */
  libclang: string
  /** Threads at most (at least 1). */
  size: number
}

export interface ParsePool {
  /** Starts threads ahead of the parses (libclang loads meanwhile): up to `count`, within the size. */
  warm(count: number): void
  /** clang_getClangVersion() of the pool's libclang, from the first thread that loaded it. */
  version(): Promise<string>
  parse(request: ParseRequest, signal?: AbortSignal): Promise<ParseResult>
  /** Threads started so far, ended ones included. */
  readonly started: number
  close(): Promise<void>
}

/** A thread that ended while it held a parse. */
export class ParseThreadError extends HeaderkitError {
  constructor(header: string, why: string) {
    super('E_PARSE_THREAD', `the parse thread of ${header} ended before answering: ${why}`, {hint: 'run again; if it repeats, run with DEBUG=headerkit and report it'})
  }
}

export class ParsePoolClosedError extends HeaderkitError {
  constructor() {
    super('E_PARSE_POOL_CLOSED', 'the parse pool was closed before this parse ran')
  }
}

interface Task {
  id: number
  request: ParseRequest
  resolve(result: ParseResult): void
  reject(error: Error): void
  /** Removes the abort listener. */
  done(): void
  /** Settled already (aborted, closed): the thread's answer is dropped. */
  settled: boolean
}

interface Slot {
  worker: Worker
  ready: boolean
  task: Task | undefined
  /** Resolves when the thread has ended. */
  exited: Promise<void>
  /** Asked to stop: kept referenced until it has ended, whatever it still answers. */
  stopping: boolean
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted')
}

/**
 * The thread entry next to this module, with this module's own extension: `.js` under
 * dist/, `.cjs` in the CLI bundle (scripts/bundle.mjs builds parse-thread.cjs beside
 * cli.cjs), `.ts` when run from the sources with tsx.
 */
function threadEntry(): URL {
  return new URL(`./parse-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
}

/**
 * The V8 flags the process entry set (bin/run.js: a young generation that does not grow,
 * no TurboFan), applied again once a thread's isolate exists: V8 resets the young
 * generation's growth factor whenever it configures an isolate's heap, for the whole
 * process, so without this the first thread started undoes the main thread's setting.
 */
function keepProcessV8Flags(worker: Worker): void {
  const flags = (globalThis as Record<symbol, unknown>)[Symbol.for('headerkit.v8Flags')]
  if (typeof flags === 'string') worker.once('online', () => setFlagsFromString(flags))
}

function spawn(data: ThreadData): Worker {
  const worker = newWorker(data)
  keepProcessV8Flags(worker)
  return worker
}

function newWorker(data: ThreadData): Worker {
  const entry = threadEntry()
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, {workerData: data})
  // From the sources: tsx registers its loader in the main thread only, so the thread
  // registers it itself before importing its TypeScript entry.
  // (require.resolve: tsx may run this module as CommonJS, where import.meta.resolve is missing.)
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href
  return new Worker(`import(${JSON.stringify(tsx)}).then((api) => { (api.register ?? api.default.register)(); return import(${JSON.stringify(entry.href)}) })`, {eval: true, workerData: data})
}

export function createParsePool(options: ParsePoolOptions): ParsePool {
  const size = Math.max(1, Math.floor(options.size))
  const slots: Slot[] = []
  const queue: Task[] = []
  let started = 0
  let nextId = 0
  let closed = false
  /** No thread could load libclang: every parse fails with this, and no thread is started again. */
  let broken: Error | undefined
  const version = deferred<string>()

  const settle = (task: Task, error: Error): void => {
    if (task.settled) return
    task.settled = true
    task.done()
    task.reject(error)
  }

  /** Ends every thread; waiting and running parses fail with `error`. */
  const stopAll = (error: Error): Promise<void> => {
    for (const task of queue.splice(0)) settle(task, error)
    const all = slots.splice(0)
    for (const slot of all) {
      if (slot.task) settle(slot.task, error)
      slot.stopping = true
      slot.worker.ref()
      slot.worker.postMessage({type: 'stop'} satisfies ToThread)
    }
    version.reject(error)
    return Promise.all(all.map((s) => s.exited)).then(() => undefined)
  }

  const remove = (slot: Slot): void => {
    const i = slots.indexOf(slot)
    if (i >= 0) slots.splice(i, 1)
  }

  const dispatch = (): void => {
    if (closed || broken) return
    for (const slot of slots) {
      if (queue.length === 0) return
      if (!slot.ready || slot.task) continue
      const task = queue.shift()!
      slot.task = task
      slot.worker.ref()
      slot.worker.postMessage({type: 'parse', id: task.id, request: task.request} satisfies ToThread)
    }
    // Parses still waiting with every thread busy or loading: more threads, within the size.
    const loading = slots.filter((s) => !s.ready).length
    for (let n = Math.min(queue.length - loading, size - slots.length); n > 0; n--) start()
  }

  /** An idle thread does not keep the process alive (a caller that never closes still exits); a loading or busy one does. */
  const idle = (slot: Slot): void => {
    // A stopping thread may still answer the parse it had: unreferenced then, the process
    // could end before the thread does, with close() never settling.
    if (!slot.stopping) slot.worker.unref()
  }

  const fail = (error: Error): void => {
    // A thread that cannot start or load libclang says the same for every other one:
    // failing everything beats starting threads over and over.
    broken = error
    void stopAll(error)
  }

  const start = (): void => {
    const worker = spawn({libclang: options.libclang})
    const slot: Slot = {worker, ready: false, task: undefined, stopping: false, exited: new Promise((resolve) => worker.once('exit', () => resolve()))}
    slots.push(slot)
    started++
    const lost = (why: string): void => {
      if (!slots.includes(slot)) return
      remove(slot)
      if (!slot.ready) return fail(new ParseThreadError('libclang (loading)', why))
      const task = slot.task
      slot.task = undefined
      if (task) settle(task, new ParseThreadError(task.request.header, why))
      dispatch()
    }
    worker.on('message', (message: ThreadMessage) => {
      switch (message.type) {
        case 'ready':
          slot.ready = true
          version.resolve(message.version)
          idle(slot)
          dispatch()
          return
        case 'load-failed':
          return fail(errorFromData(message.error))
        case 'done':
        case 'failed': {
          const task = slot.task
          if (!task || task.id !== message.id) return
          slot.task = undefined
          if (!task.settled) {
            task.settled = true
            task.done()
            if (message.type === 'done') task.resolve(message.result)
            else task.reject(errorFromData(message.error))
          }
          idle(slot)
          dispatch()
          return
        }
      }
    })
    worker.on('error', (error) => lost(error.message))
    worker.on('exit', (code) => lost(`it exited with ${code}`))
  }

  return {
    get started() {
      return started
    },
    warm(count) {
      if (closed || broken) return
      for (let n = Math.min(count, size) - slots.length; n > 0; n--) start()
    },
    version() {
      if (!closed && !broken && slots.length === 0 && !version.settled) start()
      return version.promise
    },
    parse(request, signal) {
      if (closed) return Promise.reject(new ParsePoolClosedError())
      if (broken) return Promise.reject(broken)
      if (signal?.aborted) return Promise.reject(abortError(signal))
      return new Promise<ParseResult>((resolve, reject) => {
        const onAbort = (): void => {
          const queued = queue.indexOf(task)
          if (queued >= 0) queue.splice(queued, 1)
          // A running parse cannot be stopped safely: it ends in its thread, its answer dropped.
          settle(task, abortError(signal!))
        }
        const task: Task = {id: nextId++, request, resolve, reject, done: () => signal?.removeEventListener('abort', onAbort), settled: false}
        signal?.addEventListener('abort', onAbort, {once: true})
        queue.push(task)
        dispatch()
      })
    },
    close() {
      closed = true
      return stopAll(new ParsePoolClosedError())
    },
  }
}

interface Deferred<T> {
  promise: Promise<T>
  settled: boolean
  resolve(value: T): void
  reject(error: Error): void
}

/** A promise settled from outside, once; never an unhandled rejection. */
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => undefined)
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve(value) {
      if (d.settled) return
      d.settled = true
      resolve(value)
    },
    reject(error) {
      if (d.settled) return
      d.settled = true
      reject(error)
    },
  }
  return d
}
