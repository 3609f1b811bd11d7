// Bundles the CLI into one CommonJS file, dist/cli.cjs, which bin/run.js loads with
// v8-compile-cache: on Node 20 this is the fastest start (node-toolchain-notes §2).
// Native and optional modules stay external and load only on the path that needs them.
import {build} from 'esbuild'

await build({
  entryPoints: ['src/cli/bundle-entry.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: 'dist/cli.cjs',
  external: ['typescript', 'ts-node', 'tsx', 'koffi', 'dockerode', 'ssh2', 'cpu-features', '@napi-rs/*', 'hash-wasm', 'v8-compile-cache'],
  define: {'import.meta.url': '__importMetaUrl', 'import.meta.dirname': '__dirname'},
  banner: {js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;"},
  logLevel: 'warning',
})
