/**
 * What `npm pack` ships: the license the manifest names, the worker-image recipes
 * populate builds from, and docs for every command the help lists.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {REPO_ROOT} from '../support/cli.js'
import {BUILT_BIN, buildBundle} from '../support/built-cli.js'

describe('the npm package', function () {
  this.timeout(120_000)

  it('ships LICENSE (MIT, as package.json says), the image recipes and the README', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {license: string}
    assert.equal(pkg.license, 'MIT')
    assert.match(readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8'), /^MIT License\n/)
    const pack = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: REPO_ROOT})
    const files = (JSON.parse(pack.stdout) as {files: {path: string}[]}[])[0]!.files.map((f) => f.path)
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/run.js', 'images/debian/Dockerfile', 'images/manylinux/Dockerfile', 'images/musllinux/Dockerfile']) {
      assert.ok(files.includes(f), `${f} is not in the package`)
    }
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('src/')), 'tests and sources stay out of the package')
  })

  it('docs/cli.md names every command and topic the top-level help lists', async () => {
    await buildBundle()
    const help = await execa(process.execPath, [BUILT_BIN, '--help'])
    const docs = readFileSync(join(REPO_ROOT, 'docs/cli.md'), 'utf8')
    const listed = [...help.stdout.matchAll(/^ {2}([a-z][\w-]*) {2,}/gm)].map((m) => m[1]!)
    assert.ok(listed.includes('generate') && listed.includes('cache'), help.stdout)
    for (const name of listed) assert.match(docs, new RegExp(`headerkit ${name}\\b`), `docs/cli.md never mentions headerkit ${name}`)
  })
})
