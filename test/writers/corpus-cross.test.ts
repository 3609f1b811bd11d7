/**
 * The writers' corpus of real headers parsed for every cross target cibuildwheel builds,
 * each record's layout in the IR (what every writer reproduces) equal to GCC's for that
 * target: Debian's cross compiler with its libc (libc6-dev-<arch>-cross), given the
 * `-march` a populate passes, compiles a probe whose sizeof/_Alignof/offsetof values are
 * read out of the object (test/support/cross-gcc.ts). The library headers come from the
 * host's /usr/include, after the target's own (-idirafter), for clang and GCC alike.
 * Headers whose host copy is x86_64-only (libffi's ffitarget.h, GMP's limb size) are
 * left out; the x86_64 corpus test covers them.
 */
import assert from 'node:assert/strict'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {marchArgs} from '../../src/populate/engines/sysroot/index.js'
import {LINUX_PLATFORMS, type LinuxArch} from '../../src/target/platforms.js'
import {crossLibcRoot, gccLayouts, gccMarch, hasCrossGcc, irLayouts} from '../support/cross-gcc.js'
import {makeTempDir} from '../support/tmp.js'
import {CORPUS, prepareCorpus, projectRecords} from './corpus.js'

/** x86_64 copies in /usr/include: another target's parse of them is not that target's library. */
const HOST_ONLY = new Set(['ffi', 'gmp', 'curl'])
const CROSS: LinuxArch[] = ['i686', 'aarch64', 'ppc64le', 's390x', 'armv7l', 'riscv64']

describe('writers corpus: every record laid out as the cross target\'s GCC lays it out', function () {
  this.timeout(600_000)
  const dir = makeTempDir('headerkit-corpus-cross-')

  for (const arch of CROSS) {
    const platform = LINUX_PLATFORMS.find((p) => p.arch === arch)!
    it(`${arch}: sizeof, alignof and offsetof of every project record equal GCC's`, async function () {
      const root = crossLibcRoot(arch)
      if (!root || !hasCrossGcc(arch)) this.skip()
      const march = marchArgs({arch, libc: 'gnu', image: {reference: `quay.io/pypa/manylinux_2_28_${arch}`, shortname: 'manylinux_2_28'}})
      const out = join(dir, arch)
      mkdirSync(out)
      const all = await prepareCorpus(out, CORPUS.filter((h) => !HOST_ONLY.has(h.name)), {target: platform.triple.gnu, args: [`--sysroot=${root}`, '-idirafter', '/usr/include', ...march]})
      let records = 0
      for (const p of all) {
        const own = projectRecords(p.ir)
        records += own.length
        const gcc = gccLayouts(arch, out, `${p.header.name}-layout`, p.include, own, [`-I${p.project}`, ...p.args, '-idirafter', '/usr/include', ...gccMarch(march)])
        assert.deepEqual(irLayouts(own), gcc, `${arch}: ${p.header.name}`)
      }
      assert.ok(records > 100, `only ${records} records checked`)
    })
  }
})
