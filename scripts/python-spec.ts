// Writes python/headerkit_store/spec.json from this tool's versions, writers and platform
// table (src/python-spec.ts). Run after changing any of them: `npm run python-spec`.
import {writeFileSync} from 'node:fs'
import {pythonSpecText} from '../src/python-spec.js'

writeFileSync(new URL('../python/headerkit_store/spec.json', import.meta.url), pythonSpecText())
