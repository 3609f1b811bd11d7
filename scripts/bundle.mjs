// Builds the shipped CLI into dist/bundle/, its own oclif root:
//  - cli.cjs: the whole CLI in one CommonJS file, loaded by bin/run.js under
//    v8-compile-cache (the fastest start on Node 20: node-toolchain-notes §2);
//  - fast.cjs, fast-populate.cjs: generation and `cache populate` without oclif (its
//    start-up costs more than a warm cache hit);
//  - noop.cjs: the no-op journal's replay, tried before anything else loads;
//  - parse-thread.cjs: a thread of the parse pool (libclang parses off the main thread);
//  - package.json: headerkit's, with the command map pointing at cli.cjs;
//    No plugins: bin/run.js turns `help X` into `X --help` itself, because the help
//    plugin's dynamic import() cannot run under v8-compile-cache.
//  - oclif.manifest.json: flags and help of every command, so oclif does not rebuild
//    them at each start. It lives here, not in the repo root, because a manifest in
//    the root would make bin/dev.js serve stale commands.
// Native and optional modules stay external and load only on the path that needs them.
import {build} from 'esbuild'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'

const OUT = 'dist/bundle'
mkdirSync(OUT, {recursive: true})
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['typescript', 'ts-node', 'tsx', 'koffi', 'dockerode', 'ssh2', 'cpu-features', '@napi-rs/*', 'hash-wasm', 'v8-compile-cache'],
  define: {'import.meta.url': '__importMetaUrl', 'import.meta.dirname': '__dirname'},
  banner: {js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;"},
  logLevel: 'warning',
}
await build({...common, entryPoints: ['src/cli/bundle-entry.ts'], outfile: `${OUT}/cli.cjs`})
// The parse pool's thread entry (src/parse/parse-pool.ts looks for it beside cli.cjs).
await build({...common, entryPoints: ['src/parse/parse-thread.ts'], outfile: `${OUT}/parse-thread.cjs`})
// Commands without oclif (src/cli/fast.ts), one file each so that a warm generation does
// not load populate's code: must not contain @oclif/core.
for (const [entry, file] of [['src/cli/fast-generate.ts', 'fast.cjs'], ['src/cli/fast-populate.ts', 'fast-populate.cjs']]) {
  const fast = await build({...common, entryPoints: [entry], outfile: `${OUT}/${file}`, metafile: true})
  const leaked = Object.keys(fast.metafile.inputs).filter((p) => p.includes('@oclif/'))
  if (leaked.length > 0) throw new Error(`${file} must not bundle oclif, but it has: ${leaked.join(', ')}`)
}

// The no-op journal's replay (src/cli/noop.ts), loaded before anything else at every
// start: only the journal check and Node's own modules.
const noop = await build({...common, entryPoints: ['src/cli/noop.ts'], outfile: `${OUT}/noop.cjs`, metafile: true})
const heavy = Object.keys(noop.metafile.inputs).filter((p) => p.includes('node_modules'))
if (heavy.length > 0) throw new Error(`noop.cjs must load no package, but it has: ${heavy.join(', ')}`)

const pjson = JSON.parse(readFileSync('package.json', 'utf8'))
const bundled = {
  name: pjson.name,
  version: pjson.version,
  description: pjson.description,
  type: 'commonjs',
  private: true,
  oclif: {...pjson.oclif, plugins: [], commands: {strategy: 'explicit', target: './cli.cjs', identifier: 'COMMANDS'}},
}
writeFileSync(`${OUT}/package.json`, `${JSON.stringify(bundled, null, 2)}\n`)

const {Plugin} = await import('@oclif/core')
process.env.NODE_ENV = 'production'
const plugin = new Plugin({root: `${process.cwd()}/${OUT}`, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true, isRoot: true})
await plugin.load()
writeFileSync(`${OUT}/oclif.manifest.json`, JSON.stringify(plugin.manifest))
