/**
 * One thread of the parse pool (parse-pool.ts). It loads libclang once, says so with its
 * version, then parses one request at a time, exactly as an in-process parse does
 * (parseHeader): a parse is one long synchronous run of koffi calls, so it is here, off
 * the main thread, that several of them can run at once.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {parseHeader} from './index.js'
import {openLibclang} from './libclang/parse.js'
import {errorToData, type ThreadData, type ThreadMessage, type ToThread} from './parse-messages.js'

const port = parentPort
if (!port) throw new Error('parse-thread runs as a worker thread of the parse pool only')
const {libclang} = workerData as ThreadData
const send = (message: ThreadMessage): void => port.postMessage(message)

let loaded = false
try {
  send({type: 'ready', version: openLibclang(libclang).version})
  loaded = true
} catch (error) {
  send({type: 'load-failed', error: errorToData(error)})
}

if (loaded) {
  port.on('message', (message: ToThread) => {
    // Closing the port lets the thread end by itself once the parse in hand is done.
    if (message.type === 'stop') return port.close()
    parseHeader({...message.request, libclang}).then(
      (result) => send({type: 'done', id: message.id, result}),
      (error: unknown) => send({type: 'failed', id: message.id, error: errorToData(error)}),
    )
  })
}
