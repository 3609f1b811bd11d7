/**
 * The committed fixture store `fixtures/stores/good`: two headers, IR plus cffi and json
 * outputs, written with tool version 0.1.0. Regenerate with
 *   node --import tsx test/store/support/fixture-store.ts fixtures/stores/good
 * (the format test checks the API still writes exactly these bytes).
 */
import {openStore, writeIr, writeOutput} from '../../../src/store/index.js'
import {irParams, outputParams} from './entries.js'

export async function writeFixtureStore(dir: string): Promise<void> {
  const store = openStore(dir, {toolVersion: '0.1.0'})
  for (const name of ['mylib', 'net']) {
    await writeIr(store, irParams(name, {}, 1500))
    await writeOutput(store, await outputParams(name, 'cffi'))
    await writeOutput(store, await outputParams(name, 'json', `{"name": "${name}"}\n`))
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/test\//, '/test/'))) await writeFixtureStore(process.argv[2]!)
