#!/usr/bin/env node
// Bundles the parse worker (src/parse/worker.ts) into one ESM file, dist/worker/worker.mjs,
// runnable with plain `node`. koffi stays external: its native binary is per
// architecture and is shipped next to the bundle (node_modules/koffi + @koromix/koffi-<os>-<arch>).
import {build} from 'esbuild'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const outfile = process.argv[2] ?? `${root}/dist/worker/worker.mjs`

await build({
  entryPoints: [`${root}/src/parse/worker.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['koffi'],
  legalComments: 'none',
  logLevel: 'warning',
})
console.log(outfile)
