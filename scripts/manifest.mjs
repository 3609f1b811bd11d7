// Writes oclif.manifest.json (replaces the heavy `oclif` dev CLI). Only for packing and
// benchmarks: a manifest in the work tree makes bin/dev.js run dist/ instead of src/.
import {Plugin} from '@oclif/core'
import {writeFileSync} from 'node:fs'
process.env.NODE_ENV = 'production'
const plugin = new Plugin({root: process.cwd(), type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true, isRoot: true})
await plugin.load()
writeFileSync('oclif.manifest.json', JSON.stringify(plugin.manifest, null, 2))
