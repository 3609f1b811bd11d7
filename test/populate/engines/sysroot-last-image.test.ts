/** The sysroot engine's record of the image a tag named last: a guess that must never mislead. */
import assert from 'node:assert/strict'
import {readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {lastImage, recordImage} from '../../../src/populate/engines/sysroot/last-image.js'
import {makeTempDir} from '../../support/tmp.js'

const tag = {endpoint: 'unix:///var/run/docker.sock', reference: 'quay.io/pypa/manylinux_2_28_s390x:latest', platform: 'linux/s390x'}
const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`

describe('sysroot engine: the last image of a tag', () => {
  it('returns what was recorded for exactly that endpoint, reference and platform', async () => {
    const cache = makeTempDir()
    assert.equal(lastImage(cache, tag), undefined)
    await recordImage(cache, tag, A)
    assert.equal(lastImage(cache, tag), A)
    await recordImage(cache, tag, B)
    assert.equal(lastImage(cache, tag), B, 'a moved tag is recorded again')
    assert.equal(lastImage(cache, {...tag, platform: 'linux/ppc64le'}), undefined)
    assert.equal(lastImage(cache, {...tag, endpoint: 'ssh://builder'}), undefined)
    assert.equal(lastImage(cache, {...tag, reference: 'quay.io/pypa/manylinux2014_s390x:latest'}), undefined)
  })

  it('reads a damaged or foreign record as no guess at all', async () => {
    const cache = makeTempDir()
    await recordImage(cache, tag, A)
    const dir = join(cache, 'sysroot-tags')
    const [file] = readdirSync(dir)
    for (const text of ['not json', '{}', JSON.stringify({...tag, image: 'sha256:short'}), JSON.stringify({...tag, reference: 'other', image: A})]) {
      writeFileSync(join(dir, file!), text)
      assert.equal(lastImage(cache, tag), undefined, text)
    }
  })

  it('a cache that cannot be written costs the guess, not the run', async () => {
    const cache = makeTempDir()
    writeFileSync(join(cache, 'sysroot-tags'), 'a file where the directory goes')
    await recordImage(cache, tag, A)
    assert.equal(lastImage(cache, tag), undefined)
  })
})
