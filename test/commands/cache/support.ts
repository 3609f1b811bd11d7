/** A private copy of the fixture store for a CLI test, inside a fresh project directory. */
import {cpSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {REPO_ROOT} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'

export function projectWithStore(storeName = '.headerkit'): {project: string; store: string} {
  const project = makeTempDir('hk-cli-')
  mkdirSync(join(project, '.git'))
  const store = join(project, storeName)
  cpSync(join(REPO_ROOT, 'fixtures/stores/good'), store, {recursive: true})
  return {project, store}
}
