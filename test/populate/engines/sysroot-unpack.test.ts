/**
 * Unpacking an image's headers is hostile-input safe: nothing lands outside the sysroot,
 * links are kept inside it, special files are skipped and sizes are capped.
 */
import assert from 'node:assert/strict'
import {existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync} from 'node:fs'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {pack} from 'tar-stream'
import {containedLink, placeEntry, type UnpackReport, unpackInto} from '../../../src/populate/engines/sysroot/unpack.js'
import {makeTempDir} from '../../support/tmp.js'

type Entry = {name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device'; linkname?: string; body?: string; size?: number}

function archive(entries: Entry[]): Readable {
  const p = pack()
  for (const e of entries) {
    if (e.type === undefined || e.type === 'file') p.entry({name: e.name, mode: 0o4755}, e.body ?? '')
    else p.entry({name: e.name, type: e.type, linkname: e.linkname, size: 0})
  }
  p.finalize()
  return p as unknown as Readable
}

const fresh = (): UnpackReport => ({files: 0, bytes: 0, skipped: [], rewritten: 0})

describe('sysroot: unpacking an image\'s headers', () => {
  it('places entries under the directory asked for and refuses names that climb out', () => {
    assert.equal(placeEntry('include/stdio.h', '/usr/include'), 'usr/include/stdio.h')
    assert.equal(placeEntry('include/./sys/types.h', '/usr/include'), 'usr/include/sys/types.h')
    assert.equal(placeEntry('include/../../etc/passwd', '/usr/include'), undefined)
    assert.equal(placeEntry('/etc/passwd', '/usr/include'), undefined)
    assert.equal(placeEntry('lib/x.h', '/usr/include'), undefined, 'another top directory')
  })

  it('keeps links inside the sysroot: absolute ones rewritten, escaping ones refused', () => {
    assert.equal(containedLink('usr/include/evil', '/etc'), '../../etc')
    assert.equal(containedLink('usr/include/asm', 'asm-generic'), 'asm-generic')
    assert.equal(containedLink('usr/include/x86_64-linux-gnu/sys', '../sys'), '../sys')
    assert.equal(containedLink('usr/include/up', '../../../etc'), undefined)
    assert.equal(containedLink('usr/include/root', '/'), '../..')
  })

  it('unpacks a hostile archive without touching anything outside, and says what it skipped', async () => {
    const root = join(makeTempDir('headerkit-unpack-'), 'sysroot')
    mkdirSync(root)
    const report = fresh()
    await unpackInto(archive([
      {name: 'include/', type: 'directory'},
      {name: 'include/stdio.h', body: 'int printf(const char *, ...);\n'},
      {name: 'include/evil', type: 'symlink', linkname: '/etc'},
      {name: 'include/up', type: 'symlink', linkname: '../../../../etc'},
      {name: 'include/evil/passwd', body: 'written through a link'},
      {name: 'include/../../escape.h', body: 'outside'},
      {name: 'include/pipe', type: 'fifo'},
      {name: 'include/tty', type: 'character-device'},
      {name: 'include/huge.h', body: 'x'.repeat(2048)},
      {name: 'include/copy.h', type: 'link', linkname: 'include/stdio.h'},
    ]), root, '/usr/include', report, {maxFileBytes: 1024, maxTotalBytes: 1 << 20, maxEntries: 100})
    assert.equal(readFileSync(join(root, 'usr/include/stdio.h'), 'utf8'), 'int printf(const char *, ...);\n')
    assert.equal(lstatSync(join(root, 'usr/include/stdio.h')).mode & 0o7777, 0o644, 'no setuid or exec bits')
    assert.equal(readlinkSync(join(root, 'usr/include/evil')), '../../etc')
    assert.equal(report.rewritten, 1)
    assert.ok(!existsSync(join(root, 'usr/include/up')), 'a link out of the sysroot is dropped')
    assert.ok(!existsSync(join(root, 'etc/passwd')) && !existsSync(join(root, '..', 'escape.h')), 'nothing written through a link or outside')
    assert.ok(!existsSync(join(root, 'usr/include/pipe')) && !existsSync(join(root, 'usr/include/tty')) && !existsSync(join(root, 'usr/include/huge.h')))
    assert.equal(readFileSync(join(root, 'usr/include/copy.h'), 'utf8'), 'int printf(const char *, ...);\n')
    assert.ok(realpathSync(join(root, 'usr/include/copy.h')).startsWith(realpathSync(root)))
    const why = Object.fromEntries(report.skipped.map((s) => [s.name, s.why]))
    assert.match(why['usr/include/up'] ?? '', /leaves the sysroot/)
    assert.match(why['usr/include/pipe'] ?? '', /fifo/)
    assert.match(why['usr/include/tty'] ?? '', /character-device/)
    assert.match(why['usr/include/huge.h'] ?? '', /larger than 1024 bytes/)
    assert.match(why['include/../../escape.h'] ?? '', /unsafe name/)
  })

  it('stops at the total size and entry caps with one clear error', async () => {
    const root = join(makeTempDir('headerkit-unpack-'), 'sysroot')
    mkdirSync(root)
    await assert.rejects(unpackInto(archive([{name: 'include/a.h', body: 'x'.repeat(600)}, {name: 'include/b.h', body: 'x'.repeat(600)}]), root, '/usr/include', fresh(), {maxFileBytes: 1024, maxTotalBytes: 1000, maxEntries: 100}),
      /holds more than 1000 bytes/)
    await assert.rejects(unpackInto(archive([{name: 'include/a.h'}, {name: 'include/b.h'}, {name: 'include/c.h'}]), join(makeTempDir(), ''), '/usr/include', fresh(), {maxFileBytes: 1024, maxTotalBytes: 1 << 20, maxEntries: 2}),
      /more than 2 entries/)
  })
})
