import assert from 'node:assert/strict'
import {detectHostTriple, LINUX_PLATFORMS, linuxPlatformOf, normalizeTriple, platformByDocker, shortTarget} from '../../src/target/index.js'
import {UsageError} from '../../src/errors.js'

describe('target triples', () => {
  it('normalises spellings of one Linux platform to the triple a native run computes', () => {
    assert.equal(normalizeTriple('X86_64-Linux-GNU'), 'x86_64-pc-linux-gnu')
    assert.equal(normalizeTriple('x86_64-unknown-linux-gnu'), 'x86_64-pc-linux-gnu')
    assert.equal(normalizeTriple('amd64-pc-linux-gnu'), 'x86_64-pc-linux-gnu')
    assert.equal(normalizeTriple('arm64-linux-gnu'), 'aarch64-unknown-linux-gnu')
    assert.equal(normalizeTriple('aarch64-linux-musl'), 'aarch64-unknown-linux-musl')
    assert.equal(normalizeTriple('armv7-unknown-linux-gnueabihf'), 'armv7l-unknown-linux-gnueabihf')
    assert.equal(normalizeTriple('i386-linux-gnu'), 'i686-pc-linux-gnu')
  })

  it('keeps other systems as written, with a vendor inserted when missing', () => {
    assert.equal(normalizeTriple('aarch64-apple-darwin'), 'aarch64-apple-darwin')
    assert.equal(normalizeTriple('x86_64-w64-mingw32'), 'x86_64-w64-mingw32')
    assert.equal(normalizeTriple('wasm32-wasi-preview1'), 'wasm32-unknown-wasi-preview1')
  })

  it('rejects malformed triples with the source named', () => {
    assert.throws(() => normalizeTriple('x86_64', 'HEADERKIT_TARGET'), (e: unknown) => e instanceof UsageError && /HEADERKIT_TARGET/.test(e.message))
    assert.throws(() => normalizeTriple('x86 64-linux-gnu'), UsageError)
    assert.throws(() => normalizeTriple('../../etc-linux-gnu'), UsageError)
  })

  it('has a short form for slugs that keeps gnu and musl apart', () => {
    assert.equal(shortTarget('x86_64-pc-linux-gnu'), 'x86_64-linux-gnu')
    assert.equal(shortTarget('x86_64-pc-linux-musl'), 'x86_64-linux-musl')
    assert.equal(shortTarget('aarch64-apple-darwin23.4.0'), 'aarch64-darwin')
    const shorts = LINUX_PLATFORMS.flatMap((p) => [shortTarget(p.triple.gnu), shortTarget(p.triple.musl)])
    assert.equal(new Set(shorts).size, 14)
  })

  it('maps every Docker platform cibuildwheel knows to a triple and back', () => {
    assert.equal(LINUX_PLATFORMS.length, 7)
    for (const p of LINUX_PLATFORMS) {
      assert.equal(platformByDocker(p.dockerPlatform), p)
      assert.equal(linuxPlatformOf(p.triple.gnu)?.libc, 'gnu')
      assert.equal(linuxPlatformOf(p.triple.musl)?.libc, 'musl')
      assert.equal(normalizeTriple(p.triple.gnu), p.triple.gnu, 'canonical triples are fixed points')
      assert.equal(normalizeTriple(p.triple.musl), p.triple.musl)
    }
    assert.equal(platformByDocker('linux/arm64/v8')?.arch, 'aarch64')
  })

  it('detects this host as a glibc x86_64 Linux', () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') return
    assert.equal(detectHostTriple(), 'x86_64-pc-linux-gnu')
  })
})
