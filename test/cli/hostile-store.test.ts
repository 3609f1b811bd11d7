/**
 * A damaged or hostile store through the shipped CLI: nothing hangs, nothing already
 * stored is lost, and what the CLI says about the store is true.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {buildBundle, demoProject, errorLine, runBuilt, spawnBuilt} from '../support/built-cli.js'
import {makeTempDir} from '../support/tmp.js'
import {treeHashes} from '../support/tree.js'

describe('a hostile store, through the shipped CLI', function () {
  this.timeout(120_000)
  let filled: string

  before(async () => {
    await buildBundle()
    filled = demoProject()
    const first = await runBuilt([], {cwd: filled})
    assert.equal(first.exitCode, 0, first.stderr)
  })

  /** A fresh copy of the project whose store holds the demo's entries. */
  function project(): {dir: string; store: string} {
    const dir = join(makeTempDir('hk-hostile-'), 'demo')
    cpSync(filled, dir, {recursive: true})
    return {dir, store: join(dir, '.headerkit')}
  }

  describe('a FIFO where index.json belongs', () => {
    function fifoIndex(): {dir: string; store: string} {
      const p = project()
      rmSync(join(p.store, 'ir/index.json'))
      execFileSync('mkfifo', [join(p.store, 'ir/index.json')])
      return p
    }

    it('generation and cache status end at once and say what it is', async () => {
      const status = await runBuilt(['cache', 'status'], {cwd: fifoIndex().dir, timeoutMs: 15_000})
      assert.equal(status.timedOut, false, 'cache status hung on the FIFO')
      assert.equal(status.exitCode, 0, status.stderr)
      assert.match(status.stderr, /a fifo, not a regular file/)
      const {dir} = fifoIndex()
      const gen = await runBuilt(['--no-output-cache'], {cwd: dir, timeoutMs: 15_000})
      assert.equal(gen.timedOut, false, 'generation hung on the FIFO')
      assert.equal(gen.exitCode, 0, gen.stderr)
      assert.match(gen.stderr, /ir\/index\.json is unreadable \(a fifo, not a regular file\)/)
    })

    it('a FIFO named like the lock is not a lock: writes and clear go on', async () => {
      const {dir, store} = project()
      execFileSync('mkfifo', [join(store, 'ir/index.json.lock')])
      writeFileSync(join(dir, 'include/demo.h'), `${readFileSync(join(dir, 'include/demo.h'), 'utf8')}\n/* changed */\n`)
      const gen = await runBuilt([], {cwd: dir, timeoutMs: 15_000})
      assert.equal(gen.exitCode, 0, gen.stderr)
      assert.doesNotMatch(gen.stderr, /could not store/)
      execFileSync('mkfifo', [join(store, 'ir/index.json.lock')])
      const clear = await runBuilt(['cache', 'clear'], {cwd: dir, timeoutMs: 15_000})
      assert.equal(clear.exitCode, 0, clear.stderr)
    })

    it('SIGTERM ends a generation at once', async () => {
      const {dir} = fifoIndex()
      writeFileSync(join(dir, 'include/demo.h'), `${readFileSync(join(dir, 'include/demo.h'), 'utf8')}\n/* changed */\n`)
      const child = spawnBuilt(['--no-output-cache'], {cwd: dir, timeoutMs: 15_000})
      await new Promise((resolve) => setTimeout(resolve, 300))
      const started = Date.now()
      child.kill('SIGTERM')
      const r = await child
      assert.equal(r.timedOut, false, 'generation ignored SIGTERM')
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms to end after SIGTERM`)
    })
  })

  it('an unreadable index is really rebuilt when generation says so', async () => {
    const {dir, store} = project()
    const index = join(store, 'ir/index.json')
    writeFileSync(index, readFileSync(index, 'utf8').slice(0, 40))
    const r = await runBuilt(['--no-output-cache'], {cwd: dir})
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stderr, /rebuilt it from the 1 entry on disk/)
    assert.doesNotThrow(() => JSON.parse(readFileSync(index, 'utf8')), 'the index must be valid JSON after the repair')
    const again = await runBuilt(['--no-output-cache', '--json'], {cwd: dir})
    assert.equal(again.exitCode, 0, again.stderr)
    assert.doesNotMatch(again.stderr, /unreadable/)
    assert.deepEqual((JSON.parse(again.stdout) as {results: {source: string}[]}).results.map((x) => x.source), ['ir-cache', 'ir-cache'])
  })

  it('git conflict markers in an index point at store merge and rebuild-index', async () => {
    const {dir, store} = project()
    writeFileSync(join(store, 'ir/index.json'), '<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n')
    const r = await runBuilt(['cache', 'status'], {cwd: dir})
    assert.match(r.stderr, /git conflict markers.*headerkit store merge.*headerkit cache rebuild-index/)
  })

  describe('outputs never land in the store or in .git', () => {
    for (const template of ['.headerkit/ir/index.json', '.headerkit/output/x.txt', '.git/foo', 'include']) {
      it(`-o cffi:${template} is refused before anything is written`, async () => {
        const {dir, store} = project()
        const before = treeHashes(dir)
        const r = await runBuilt(['include/demo.h', '-w', 'cffi', '-o', `cffi:${template}`], {cwd: dir})
        assert.equal(r.exitCode, 1, r.stderr)
        assert.match(errorLine(r), /inside the store|inside a \.git directory|which is a directory/)
        assert.deepEqual(treeHashes(dir), before)
        assert.ok(existsSync(join(store, 'ir/index.json')))
      })
    }

    it('nor through a symlink into the store', async () => {
      const {dir} = project()
      symlinkSync('.headerkit', join(dir, 'bindings-link'))
      const before = treeHashes(dir)
      const r = await runBuilt(['include/demo.h', '-w', 'cffi', '-o', 'cffi:bindings-link/ir/index.json'], {cwd: dir})
      assert.equal(r.exitCode, 1, r.stderr)
      assert.match(errorLine(r), /inside the store/)
      assert.deepEqual(treeHashes(dir), before)
    })
  })

  describe('store merge into its own source', () => {
    for (const sub of ['ir', 'output', 'sub']) {
      it(`store merge A B -o A/${sub} is refused and A is unchanged`, async () => {
        const a = project().store
        const b = project().store
        const before = treeHashes(a)
        const r = await runBuilt(['store', 'merge', a, b, '-o', join(a, sub)], {cwd: makeTempDir()})
        assert.equal(r.exitCode, 1, r.stderr)
        assert.match(errorLine(r), /inside the source store/)
        assert.deepEqual(treeHashes(a), before)
      })
    }

    it('a source inside the target is refused too; the same store on both sides is a no-op', async () => {
      const {dir, store} = project()
      const before = treeHashes(dir)
      const inside = await runBuilt(['store', 'merge', store, '-o', dir], {cwd: dir})
      assert.equal(inside.exitCode, 1, inside.stderr)
      assert.match(errorLine(inside), /inside the merge target/)
      const same = await runBuilt(['store', 'merge', store, '-o', store], {cwd: dir})
      assert.equal(same.exitCode, 0, same.stderr)
      assert.deepEqual(treeHashes(dir), before)
    })

    it('an empty directory is not a store to merge', async () => {
      const empty = makeTempDir()
      const target = join(makeTempDir(), 'out')
      const r = await runBuilt(['store', 'merge', empty, '-o', target], {cwd: empty})
      assert.equal(r.exitCode, 1, r.stderr)
      assert.match(errorLine(r), /not a headerkit store/)
      assert.equal(existsSync(target), false)
    })
  })

  describe('--store-dir naming something that is not a directory', () => {
    for (const [how, value] of [['--store-dir', 'file'], ['HEADERKIT_STORE_DIR', 'file'], ['--store-dir', '/dev/null']] as const) {
      it(`${how}=${value}: generation stops with the line cache status gives`, async () => {
        const {dir} = project()
        writeFileSync(join(dir, 'file'), 'not a store')
        const flag = how === '--store-dir' ? ['--store-dir', value] : []
        const env = how === 'HEADERKIT_STORE_DIR' ? {HEADERKIT_STORE_DIR: value} : {}
        const gen = await runBuilt([...flag], {cwd: dir, env})
        const status = await runBuilt(['cache', 'status', ...flag], {cwd: dir, env})
        assert.equal(gen.exitCode, 1, gen.stderr)
        assert.equal(errorLine(gen), errorLine(status))
        assert.doesNotMatch(gen.stderr, /Warning/)
        assert.match(errorLine(gen), /store directory is not a directory/)
      })
    }
  })

  it('cache clear removes symlinked entries without following them; rebuild-index names what it skipped', async () => {
    const {dir, store} = project()
    const victim = makeTempDir('hk-victim-')
    writeFileSync(join(victim, 'keep.txt'), 'keep')
    symlinkSync(victim, join(store, 'ir/libclang.evil.x86_64-linux-gnu'))
    const rebuilt = await runBuilt(['cache', 'rebuild-index'], {cwd: dir})
    assert.equal(rebuilt.exitCode, 0, rebuilt.stderr)
    assert.match(rebuilt.stderr, /ir\/libclang\.evil\.x86_64-linux-gnu not indexed: a symlink/)
    const cleared = await runBuilt(['cache', 'clear'], {cwd: dir})
    assert.equal(cleared.exitCode, 0, cleared.stderr)
    const verify = await runBuilt(['cache', 'verify'], {cwd: dir})
    assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr)
    assert.equal(readFileSync(join(victim, 'keep.txt'), 'utf8'), 'keep')
  })

  it('a layer linked outside the store is never read, and clear removes the link, not its target', async () => {
    const {dir, store} = project()
    const outside = makeTempDir('hk-outside-')
    for (const layer of ['ir', 'output']) {
      cpSync(join(store, layer), join(outside, layer), {recursive: true})
      rmSync(join(store, layer), {recursive: true})
      symlinkSync(join(outside, layer), join(store, layer))
    }
    const target = treeHashes(outside)
    const gen = await runBuilt(['--json'], {cwd: dir})
    assert.equal(gen.exitCode, 0, gen.stderr)
    assert.deepEqual((JSON.parse(gen.stdout) as {results: {source: string}[]}).results.map((r) => r.source), ['parsed', 'parsed'])
    assert.match(gen.stderr, /output is a symlink, not a directory.*never read through a link/)
    const status = await runBuilt(['cache', 'status'], {cwd: dir})
    assert.match(status.stderr, /ir is a symlink, not a directory/)
    assert.match(status.stderr, /output is a symlink, not a directory/)
    const clear = await runBuilt(['cache', 'clear'], {cwd: dir})
    assert.equal(clear.exitCode, 0, clear.stderr)
    assert.deepEqual(treeHashes(outside), target, 'the links\' targets are untouched')
    assert.equal(existsSync(join(store, 'ir')) || existsSync(join(store, 'output')), false)
  })

  describe('file-system faults are one line naming the path, exit 1', () => {
    const asRoot = process.getuid?.() === 0

    it('a directory where index.json belongs does not stop cache clear', async () => {
      const {dir, store} = project()
      rmSync(join(store, 'ir/index.json'))
      mkdirSync(join(store, 'ir/index.json'))
      const r = await runBuilt(['cache', 'clear'], {cwd: dir})
      assert.equal(r.exitCode, 0, r.stderr)
      assert.equal(existsSync(join(store, 'ir/index.json')), false)
    })

    it('a file where the ir layer belongs: rebuild-index says so, generation goes on, clear removes it', async () => {
      const {dir, store} = project()
      rmSync(join(store, 'ir'), {recursive: true})
      writeFileSync(join(store, 'ir'), 'x')
      const rebuild = await runBuilt(['cache', 'rebuild-index'], {cwd: dir})
      assert.equal(rebuild.exitCode, 1, rebuild.stderr)
      assert.match(errorLine(rebuild), /ir in .* is a file, not a directory; 2 other layers were rebuilt/)
      const generate = await runBuilt(['--no-output-cache'], {cwd: dir})
      assert.equal(generate.exitCode, 0, generate.stderr)
      assert.match(generate.stderr, /is a file, not a directory/)
      assert.doesNotMatch(generate.stderr, /EEXIST/)
      const clear = await runBuilt(['cache', 'clear'], {cwd: dir})
      assert.equal(clear.exitCode, 0, clear.stderr)
      assert.equal(existsSync(join(store, 'ir')), false)
    })

    it('an immutable index.json on cache clear', async function () {
      if (!asRoot) this.skip()
      const {dir, store} = project()
      const index = join(store, 'ir/index.json')
      try {
        execFileSync('chattr', ['+i', index], {stdio: 'ignore'})
      } catch {
        this.skip() // a file system without the immutable flag
      }
      try {
        const r = await runBuilt(['cache', 'clear'], {cwd: dir})
        assert.equal(r.exitCode, 1, r.stderr)
        assert.match(errorLine(r), new RegExp(`cannot unlink ${index}: EPERM .*chattr -i`))
      } finally {
        execFileSync('chattr', ['-i', index])
      }
    })

    describe('with mounts (root only)', () => {
      const mounts: string[] = []
      after(() => {
        for (const m of mounts.reverse()) {
          try {
            execFileSync('umount', [m])
          } catch {
            // already gone
          }
        }
      })

      it('a read-only store: merge target, cache clear and rebuild-index name it', async function () {
        if (!asRoot) this.skip()
        const {dir, store} = project()
        try {
          execFileSync('mount', ['--bind', store, store], {stdio: 'ignore'})
        } catch {
          this.skip() // no mount privilege here (an unprivileged container)
        }
        mounts.push(store)
        execFileSync('mount', ['-o', 'remount,bind,ro', store])
        const before = treeHashes(store)
        const other = project().store
        for (const args of [['store', 'merge', other, '-o', store], ['cache', 'clear'], ['cache', 'rebuild-index']]) {
          const r = await runBuilt(args, {cwd: dir})
          assert.equal(r.exitCode, 1, `${args.join(' ')}: ${r.stderr}`)
          assert.match(errorLine(r), /read-only file system/, args.join(' '))
          assert.doesNotMatch(r.stderr, /another headerkit process|internal error/)
        }
        assert.deepEqual(treeHashes(store), before)
      })

      it('a full disk during rebuild-index', async function () {
        if (!asRoot) this.skip()
        const {dir, store} = project()
        const small = join(makeTempDir('hk-full-'), 'store')
        mkdirSync(small)
        try {
          execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small], {stdio: 'ignore'})
        } catch {
          this.skip() // no mount privilege here (an unprivileged container)
        }
        mounts.push(small)
        cpSync(store, small, {recursive: true})
        rmSync(join(small, 'ir/index.json'))
        const fill = join(small, 'filler')
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${fill}`, 'bs=4k'], {stdio: 'ignore'})
        } catch {
          // dd stops when the disk is full: that is the point
        }
        const r = await runBuilt(['cache', 'rebuild-index', '--store-dir', small], {cwd: dir})
        assert.equal(r.exitCode, 1, r.stderr)
        assert.match(errorLine(r), new RegExp(`cannot write ${small}/ir/[^ ]+: ENOSPC [(]the disk is full`))
        assert.doesNotMatch(r.stderr, /internal error/)
      })
    })
  })
})
