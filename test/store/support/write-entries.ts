/**
 * Child process for the concurrency and crash tests: writes `count` IR + output entries
 * named `<prefix>-<n>` into a store, printing "wrote N" after each, then "done". Usage:
 *   node --import tsx write-entries.ts STORE PREFIX COUNT [IR_BYTES]
 */
import {openStore, writeIr, writeOutput} from '../../../src/store/index.js'
import {irParams, outputParams} from './entries.js'

const [storeDir, prefix, count, size] = process.argv.slice(2)
const store = openStore(storeDir!, {lockStaleMs: 2000})
for (let n = 0; n < Number(count); n++) {
  const name = `${prefix}-${n}`
  await writeIr(store, irParams(name, {}, Number(size ?? 2000)))
  await writeOutput(store, await outputParams(name))
  process.stdout.write(`wrote ${n + 1}\n`)
}
process.stdout.write('done\n')
