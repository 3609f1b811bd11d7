/**
 * The worker kit, for real: the x86_64 kit is copied file by file into a directory
 * outside the repo and parses a header there under plain `node`; the aarch64 native
 * package comes from the real npm registry into a fresh cache and is then served from
 * that cache without npm; a dead registry and hostile tarballs fail in one line and
 * leave nothing behind.
 */
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {fileURLToPath} from 'node:url'
import {createGzip} from 'node:zlib'
import tar from 'tar-fs'
import {headerFromJson} from '../../src/ir/json.js'
import {CacheDirError, userCacheDir} from '../../src/util/user-cache-dir.js'
import {extractPackageTarball, KitError, workerKit, type WorkerKit} from '../../src/populate/kit.js'
import {makeTempDir} from '../support/tmp.js'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const TRICKY = `${REPO}fixtures/headers/tricky`
const KOFFI_VERSION = (JSON.parse(readFileSync(`${REPO}node_modules/koffi/package.json`, 'utf8')) as {version: string}).version
const ARM64 = '@koromix/koffi-linux-arm64'

/** Every file under dir, as POSIX paths relative to it; fails on anything but files and directories. */
function walk(dir: string, prefix = ''): string[] {
  const out: string[] = []
  for (const e of readdirSync(join(dir, prefix), {withFileTypes: true})) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`
    if (e.isDirectory()) out.push(...walk(dir, rel))
    else if (e.isFile()) out.push(rel)
    else assert.fail(`${rel} is neither a file nor a directory`)
  }
  return out.sort()
}

/** What the docker engine does with putArchive, on the local disk: copy each listed file. */
function copyKit(kit: WorkerKit, dest: string): void {
  for (const f of kit.files) {
    mkdirSync(dirname(join(dest, f.name)), {recursive: true})
    copyFileSync(f.path, join(dest, f.name))
    chmodSync(join(dest, f.name), f.mode)
  }
}

function elfMachine(file: string): number {
  const head = readFileSync(file).subarray(0, 20)
  assert.equal(head.readUInt32BE(0), 0x7f454c46, `${file} is not ELF`)
  return head.readUInt16LE(18)
}

/** Runs workerKit for aarch64 in a child process (a second process racing for the cache). */
function kitInChild(cacheDir: string, env: NodeJS.ProcessEnv): Promise<{code: number | null; stdout: string; stderr: string}> {
  const code = `import {workerKit} from ${JSON.stringify(`${REPO}src/populate/kit.ts`)}
const kit = await workerKit({arch: 'aarch64', libc: 'gnu'}, {cacheDir: ${JSON.stringify(cacheDir)}})
console.log(JSON.stringify(kit))`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (c) => resolve({code: c, stdout, stderr}))
  })
}

describe('populate: per-user cache directory', function () {
  it('is HEADERKIT_CACHE_DIR, else $XDG_CACHE_HOME/headerkit, else ~/.cache/headerkit', function () {
    assert.equal(userCacheDir({HEADERKIT_CACHE_DIR: '/c/hk/', XDG_CACHE_HOME: '/x', HOME: '/h'}), '/c/hk')
    assert.equal(userCacheDir({XDG_CACHE_HOME: '/x/cache', HOME: '/h'}), '/x/cache/headerkit')
    assert.equal(userCacheDir({HOME: '/home/u'}), '/home/u/.cache/headerkit')
    assert.equal(userCacheDir({HEADERKIT_CACHE_DIR: '', XDG_CACHE_HOME: '', HOME: '/home/u'}), '/home/u/.cache/headerkit')
  })

  it('ignores a relative XDG_CACHE_HOME (XDG spec) and rejects a relative HEADERKIT_CACHE_DIR', function () {
    assert.equal(userCacheDir({XDG_CACHE_HOME: 'rel/cache', HOME: '/home/u'}), '/home/u/.cache/headerkit')
    assert.throws(() => userCacheDir({HEADERKIT_CACHE_DIR: '.cache', HOME: '/home/u'}), (e: unknown) => e instanceof CacheDirError && e.code === 'E_CACHE_DIR' && /absolute/.test(e.message))
  })
})

describe('populate: worker kit', function () {
  this.timeout(180_000)

  it('x86_64/gnu: only its listed files, copied outside the repo, parse a header under plain node', async function () {
    const cacheDir = makeTempDir('headerkit-kit-cache-')
    const progress: string[] = []
    const kit = await workerKit({arch: 'x86_64', libc: 'gnu'}, {cacheDir, onProgress: (m) => progress.push(m)})
    assert.equal(kit.entry, 'worker.mjs')
    assert.equal(kit.koffiVersion, KOFFI_VERSION)
    assert.equal(kit.koffiPackage, '@koromix/koffi-linux-x64')
    assert.match(kit.id, /^[0-9a-f]{12}$/)
    assert.deepEqual(kit.files.map((f) => f.name), [
      'node_modules/@koromix/koffi-linux-x64/index.js',
      'node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node',
      'node_modules/@koromix/koffi-linux-x64/package.json',
      'node_modules/koffi/index.cjs',
      'node_modules/koffi/package.json',
      'node_modules/koffi/src/koffi/index.cjs',
      'node_modules/koffi/src/koffi/src/static.cjs',
      'worker.mjs',
    ])
    for (const f of kit.files) {
      assert.ok(statSync(f.path).isFile(), f.path)
      assert.equal(f.mode, f.name.endsWith('.node') ? 0o755 : 0o644, f.name)
    }
    // The installed native package has koffi's version, so it is used in place, not fetched.
    assert.ok(kit.files.find((f) => f.name.endsWith('koffi.node'))!.path.startsWith(`${REPO}node_modules/`))
    assert.ok(!progress.some((m) => m.includes('fetching')), progress.join('; '))

    const again = await workerKit({arch: 'x86_64', libc: 'gnu'}, {cacheDir, onProgress: (m) => progress.push(m)})
    assert.deepEqual(again, kit)
    assert.equal(progress.filter((m) => m.includes('bundling')).length, 1, 'the on-demand bundle is made once per process')

    const dir = makeTempDir('headerkit-kit-run-')
    assert.ok(!existsSync(join(dirname(dir), 'node_modules')) && !existsSync('/node_modules'), 'nothing above the kit dir can supply koffi')
    copyKit(kit, dir)
    const copied = walk(dir)
    assert.deepEqual(copied, kit.files.map((f) => f.name))
    for (const name of copied) assert.ok(lstatSync(join(dir, name)).isFile(), `${name} is a copy, not a link`)

    const job = {header: `${TRICKY}/tricky.h`, projectRoot: TRICKY, target: 'x86_64-pc-linux-gnu', args: []}
    const r = spawnSync(process.execPath, [join(dir, kit.entry)], {input: JSON.stringify(job), encoding: 'utf8', cwd: dir, env: {PATH: process.env.PATH}})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.ok, true)
    assert.deepEqual(out.results[0].included, ['sub/other.h'])
    const ir = headerFromJson(out.results[0].ir)
    assert.ok(ir.declarations.some((d) => d.kind === 'function' && d.name === 'plain_fn'))
  })

  it('x86_64/musl holds the musl binary instead, and has another id', async function () {
    const cacheDir = makeTempDir('headerkit-kit-cache-')
    const gnu = await workerKit({arch: 'x86_64', libc: 'gnu'}, {cacheDir})
    const musl = await workerKit({arch: 'x86_64', libc: 'musl'}, {cacheDir})
    const natives = musl.files.filter((f) => f.name.endsWith('.node')).map((f) => f.name)
    assert.deepEqual(natives, ['node_modules/@koromix/koffi-linux-x64/musl_x64/koffi.node'])
    assert.equal(elfMachine(musl.files.find((f) => f.name.endsWith('.node'))!.path), 62)
    assert.notEqual(musl.id, gnu.id)
  })

  it('aarch64: filled from the npm registry into a fresh cache, then served from it without npm', async function () {
    const cacheDir = makeTempDir('headerkit-kit-cache-')
    // A fresh npm cache too, so the tarball really comes from the registry.
    const env = {...process.env, npm_config_cache: makeTempDir('headerkit-npm-cache-')}
    const progress: string[] = []
    const kit = await workerKit({arch: 'aarch64', libc: 'gnu'}, {cacheDir, env, onProgress: (m) => progress.push(m)})
    assert.equal(progress.filter((m) => m.includes(`fetching ${ARM64}@${KOFFI_VERSION}`)).length, 1, progress.join('; '))
    assert.equal(kit.koffiPackage, ARM64)
    const pkgDir = join(cacheDir, 'koffi', KOFFI_VERSION, '@koromix', 'koffi-linux-arm64')
    const native = kit.files.filter((f) => f.name.startsWith(`node_modules/${ARM64}/`))
    assert.deepEqual(native.map((f) => f.name), [`node_modules/${ARM64}/index.js`, `node_modules/${ARM64}/linux_arm64/koffi.node`, `node_modules/${ARM64}/package.json`])
    for (const f of native) assert.ok(f.path.startsWith(`${pkgDir}/`), f.path)
    assert.equal(elfMachine(join(pkgDir, 'linux_arm64', 'koffi.node')), 183)
    assert.deepEqual(readdirSync(join(cacheDir, 'koffi')), [KOFFI_VERSION], 'no temp dirs left over')

    // No npm on PATH: any attempt to run it would fail the call.
    const offline = {...env, PATH: '/nonexistent', npm_config_registry: 'http://127.0.0.1:9/'}
    const served: string[] = []
    const cached = await workerKit({arch: 'aarch64', libc: 'gnu'}, {cacheDir, env: offline, onProgress: (m) => served.push(m)})
    assert.deepEqual(cached, kit)
    const musl = await workerKit({arch: 'aarch64', libc: 'musl'}, {cacheDir, env: offline, onProgress: (m) => served.push(m)})
    assert.deepEqual(served, [])
    const muslNative = musl.files.find((f) => f.name.endsWith('.node'))!
    assert.equal(muslNative.name, `node_modules/${ARM64}/musl_arm64/koffi.node`)
    assert.equal(elfMachine(muslNative.path), 183)
  })

  it('aarch64: two processes filling one fresh cache at once both get a complete package', async function () {
    const cacheDir = makeTempDir('headerkit-kit-cache-')
    const env = {...process.env, npm_config_cache: makeTempDir('headerkit-npm-cache-')}
    const results = await Promise.all([kitInChild(cacheDir, env), kitInChild(cacheDir, env)])
    const kits = results.map((r) => {
      assert.equal(r.code, 0, r.stderr)
      return JSON.parse(r.stdout) as WorkerKit
    })
    assert.deepEqual(kits[0], kits[1])
    assert.deepEqual(readdirSync(join(cacheDir, 'koffi')), [KOFFI_VERSION])
    assert.deepEqual(walk(join(cacheDir, 'koffi')), ['.headerkit-complete', 'README.md', 'index.js', 'linux_arm64/koffi.node', 'musl_arm64/koffi.node', 'package.json'].map((f) => `${KOFFI_VERSION}/@koromix/koffi-linux-arm64/${f}`))
    assert.deepEqual(readdirSync(join(cacheDir, 'worker')).filter((n) => n.startsWith('.tmp-')), [])
  })

  it('a registry that cannot be reached: one-line KitError naming the package, nothing left in the cache', async function () {
    const cacheDir = makeTempDir('headerkit-kit-cache-')
    // No retries: npm would otherwise back off for about a minute before giving up.
    const env = {...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_cache: makeTempDir('headerkit-npm-cache-')}
    await assert.rejects(workerKit({arch: 'aarch64', libc: 'musl'}, {cacheDir, env}), (e: unknown) => {
      assert.ok(e instanceof KitError, String(e))
      assert.equal(e.code, 'E_KIT')
      assert.ok(!e.oneLine().includes('\n'), e.oneLine())
      assert.ok(e.message.includes(`${ARM64}@${KOFFI_VERSION}`), e.message)
      assert.match(e.message, /ECONNREFUSED/)
      assert.match(e.hint ?? '', /network access to the npm registry/)
      assert.ok(e.hint?.includes(`npm i --no-save --force ${ARM64}@${KOFFI_VERSION}`), e.hint)
      return true
    })
    assert.deepEqual(readdirSync(join(cacheDir, 'koffi')), [], 'no partial or temp directory')
  })

  it('an architecture koffi has no loadable prebuilt for: KitError pointing to --engine sysroot', async function () {
    for (const arch of ['ppc64le', 's390x', 'i686', 'armv7l', 'riscv64'] as const) {
      await assert.rejects(workerKit({arch, libc: 'gnu'}, {cacheDir: makeTempDir()}), (e: unknown) => {
        assert.ok(e instanceof KitError)
        assert.equal(e.code, 'E_KIT')
        assert.match(e.message, new RegExp(`in-container worker cannot run on ${arch}`))
        assert.match(e.oneLine(), /--engine sysroot/)
        return true
      })
    }
  })
})

describe('populate: npm tarball extraction', function () {
  /** A .tgz of dir's contents, each name put under top/ and then passed through rename. */
  async function makeTgz(dir: string, rename: (name: string) => string = (n) => n): Promise<string> {
    const out = `${dir}.tgz`
    const pack = tar.pack(dir, {map: (h) => ({...h, name: rename(`package/${h.name}`)})})
    await pipeline(pack, createGzip(), createWriteStream(out))
    return out
  }

  it('unpacks a package without its top directory', async function () {
    const src = join(makeTempDir(), 'src')
    mkdirSync(join(src, 'linux_x64'), {recursive: true})
    writeFileSync(join(src, 'package.json'), '{}')
    writeFileSync(join(src, 'linux_x64', 'koffi.node'), 'bin')
    const dest = makeTempDir()
    await extractPackageTarball(await makeTgz(src), dest)
    assert.deepEqual(walk(dest), ['linux_x64/koffi.node', 'package.json'])
  })

  it('rejects symlinks and names that climb out, writing nothing outside', async function () {
    const base = makeTempDir()
    const link = join(base, 'link')
    mkdirSync(link)
    writeFileSync(join(link, 'package.json'), '{}')
    symlinkSync('/etc/passwd', join(link, 'passwd'))
    await assert.rejects(extractPackageTarball(await makeTgz(link), join(base, 'out1')), (e: unknown) => e instanceof KitError && /symlink, not a regular file/.test(e.message))

    const climb = join(base, 'climb')
    mkdirSync(climb)
    writeFileSync(join(climb, 'evil'), 'x')
    const outside = join(base, 'out2')
    mkdirSync(outside)
    await assert.rejects(extractPackageTarball(await makeTgz(climb, (n) => n.replace('package/evil', 'package/../../evil')), outside), (e: unknown) => e instanceof KitError && /outside the package/.test(e.message))
    assert.ok(!existsSync(join(base, 'evil')) && !existsSync(join(outside, 'evil')))

    const two = join(base, 'two')
    mkdirSync(two)
    writeFileSync(join(two, 'a'), 'x')
    await assert.rejects(extractPackageTarball(await makeTgz(two, (n) => n.replace('package/a', 'other/a')), join(base, 'out3')), (e: unknown) => e instanceof KitError && /top directory/.test(e.message))
  })
})
