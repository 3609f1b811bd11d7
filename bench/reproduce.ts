/**
 * Proving a store by making it again, against making it, through the shipped CLI
 * (bin/run.js on the bundle), on a generated project of N headers (default 400; each with
 * <stdint.h>, a shared project header, macros, an enum, a struct with an array and a
 * nested struct, a callback typedef and four functions; writers ctypes and cffi). Rounds
 * interleave every case, so each ratio compares figures of the same moments:
 *
 *  - `cache verify --reproduce=outputs` on the host store (N IR + 2N outputs) against a
 *    warm generation of the same headers (every output served from the store). Target <= 3x.
 *  - `cache verify --reproduce` (outputs, and every IR entry parsed again here: all of
 *    them are the host's) against a cold generation into an empty store. Target <= 1.2x.
 *  - `cache populate --check` for linux/amd64 and linux/arm64 against a cold populate of
 *    the same plan into an empty store, both through the sysroot engine with the
 *    platforms' headers cached (seeded from the host's /usr/include and Debian's
 *    /usr/aarch64-linux-gnu, the image pinned by digest: no Docker). Target <= 1.2x.
 *
 * Rerun: `npm run build && node --import tsx bench/reproduce.ts [HEADERS=400] [ROUNDS=3]`.
 * Needs libclang and libc6-dev-arm64-cross (Debian's aarch64 sysroot).
 */
import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {MARKER, sysrootDir} from '../src/populate/engines/sysroot/index.js'
import {median} from './median.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin/run.js')
const [headers = 400, rounds = 3] = process.argv.slice(2).map(Number)
const DIGEST = `sha256:${'7'.repeat(64)}`
const IMAGE = `bench.invalid/manylinux@${DIGEST}`
const AARCH64_SYSROOT = '/usr/aarch64-linux-gnu'

if (!existsSync(join(BIN, '../../dist/bundle/cli.cjs'))) throw new Error('run `npm run build` first: the benchmark runs the shipped bundle')
if (!existsSync(join(AARCH64_SYSROOT, 'include/stdint.h'))) throw new Error(`no aarch64 sysroot in ${AARCH64_SYSROOT}: install libc6-dev-arm64-cross`)

function headerText(i: number): string {
  return `#ifndef H${i}_H
#define H${i}_H
#include <stdint.h>
#include <stddef.h>
#include "common.h"
#define H${i}_MAX ${i}
#define H${i}_NAME "h${i}"
#define H${i}_SCALE (H${i}_MAX * 2 + 1)
typedef enum h${i}_mode { H${i}_OFF = 0, H${i}_ON = 1, H${i}_AUTO = ${i + 2} } h${i}_mode;
struct h${i}_rec {
  uint32_t id;
  int64_t stamp;
  char tag[8];
  struct common_pair pair;
  double weight;
  h${i}_mode mode;
  unsigned flags : 3;
};
typedef struct h${i}_rec h${i}_rec_t;
typedef int (*h${i}_cb)(const struct h${i}_rec *rec, void *user);
int h${i}_open(const char *path, h${i}_rec_t *out);
void h${i}_close(h${i}_rec_t *rec);
uint64_t h${i}_sum(const uint32_t *values, size_t count);
int h${i}_each(h${i}_cb cb, void *user);
#endif
`
}

function makeProject(dir: string): void {
  mkdirSync(join(dir, '.git'), {recursive: true})
  mkdirSync(join(dir, 'include'))
  writeFileSync(join(dir, 'include/common.h'), '#ifndef COMMON_H\n#define COMMON_H\nstruct common_pair { int32_t a; int32_t b; };\n#endif\n')
  for (let i = 0; i < headers; i++) writeFileSync(join(dir, `include/h${i}.h`), headerText(i))
  writeFileSync(join(dir, 'pyproject.toml'), `[project]\nname = "bench"\n\n[tool.headerkit]\nwriters = ["ctypes", "cffi"]\ninclude_dirs = ["include"]\n\n[[tool.headerkit.headers]]\npattern = "include/h*.h"\n\n[tool.headerkit.output]\nctypes = "bindings/{stem}.py"\ncffi = "bindings/{stem}.cdef.txt"\n`)
}

/** The per-user cache holding the "extracted" headers of IMAGE for both platforms. */
function seedSysroots(cache: string): void {
  const seed = (platform: string, include: string): void => {
    const dir = sysrootDir(cache, DIGEST, platform, undefined)
    mkdirSync(join(dir, 'usr'), {recursive: true})
    cpSync(include, join(dir, 'usr/include'), {recursive: true, dereference: true})
    writeFileSync(join(dir, MARKER), `${JSON.stringify({format: 1, image: IMAGE, platform, seeded: 'bench'})}\n`)
  }
  seed('linux/amd64', '/usr/include')
  seed('linux/arm64', join(AARCH64_SYSROOT, 'include'))
}

const env: NodeJS.ProcessEnv = {...process.env, CI: '1'}
delete env.NODE_EXTRA_CA_CERTS

function run(args: string[], cwd: string, expectExit = 0): number {
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [BIN, ...args], {cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== expectExit) throw new Error(`headerkit ${args.join(' ')} exited ${r.status} in ${cwd}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`)
  return ms
}

const work = mkdtempSync(join(tmpdir(), 'headerkit-bench-reproduce-'))
try {
  const project = join(work, 'project')
  const cache = join(work, 'cache')
  makeProject(project)
  seedSysroots(cache)
  env.HEADERKIT_CACHE_DIR = cache
  const platforms = ['--platform', 'linux/amd64', '--platform', 'linux/arm64', '--engine', 'sysroot', '--docker-image', IMAGE]

  // The stores every round proves: the host's, and the two platforms' populated one.
  run([], project)
  run(['cache', 'populate', ...platforms, '--store-dir', 'populated'], project)

  const samples: Record<string, number[]> = {warm: [], outputs: [], cold: [], full: [], populate: [], check: []}
  for (let round = 0; round < rounds; round++) {
    samples.warm!.push(run([], project))
    samples.outputs!.push(run(['cache', 'verify', '--reproduce=outputs'], project))
    rmSync(join(project, 'cold'), {recursive: true, force: true})
    samples.cold!.push(run(['--store-dir', 'cold'], project))
    samples.full!.push(run(['cache', 'verify', '--reproduce'], project))
    rmSync(join(project, 'fresh'), {recursive: true, force: true})
    samples.populate!.push(run(['cache', 'populate', ...platforms, '--store-dir', 'fresh'], project))
    samples.check!.push(run(['cache', 'populate', ...platforms, '--store-dir', 'populated', '--check'], project))
    process.stderr.write(`round ${round + 1}/${rounds}: ${Object.entries(samples).map(([k, v]) => `${k} ${Math.round(v.at(-1)!)} ms`).join(', ')}\n`)
  }

  const m = (name: string): number => median(samples[name]!)
  const row = (name: string, value: number, base: number, baseName: string, target: number): string => {
    const ratio = value / base
    return `| ${name} | ${Math.round(value).toLocaleString('en')} ms | ${ratio.toFixed(2)}x ${baseName} (${Math.round(base).toLocaleString('en')} ms) | ${target}x: ${ratio <= target ? 'met' : '**not met**'} |`
  }
  console.log(`\n${headers} headers, writers ctypes and cffi, ${rounds} rounds, medians (Node ${process.version})\n`)
  console.log('| case | median | ratio | target |')
  console.log('|---|---|---|---|')
  console.log(row('verify --reproduce=outputs', m('outputs'), m('warm'), 'warm generation', 3))
  console.log(row('verify --reproduce (host IR re-parsed)', m('full'), m('cold'), 'cold generation', 1.2))
  console.log(row('populate --check, 2 platforms (sysroot)', m('check'), m('populate'), 'cold populate', 1.2))
} finally {
  rmSync(work, {recursive: true, force: true})
}
