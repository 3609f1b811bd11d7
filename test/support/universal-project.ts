/**
 * A small project (fixtures/universal: uni.h, whose ABI differs between x86_64 and
 * aarch64, and its C source) with its store filled for several targets, as `cache
 * populate`'s sysroot engine fills it: each target parsed on this host with that
 * target's Debian cross sysroot, and stored under the key a native build on the target
 * computes (the sysroot is not an argument of the request).
 */
import {cpSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import assert from 'node:assert/strict'
import {computeIrKey, parsedIrParams} from '../../src/generate/pipeline.js'
import {headerFromJson} from '../../src/ir/json.js'
import type {Header} from '../../src/ir/types.js'
import {irKey} from '../../src/store/keys.js'
import {lookupIr} from '../../src/store/lookup.js'
import {planGeneration} from '../../src/generate/request.js'
import {parseHeader} from '../../src/parse/index.js'
import {crossSysrootArgs} from '../../src/parse/sysroot.js'
import {openStore} from '../../src/store/layout.js'
import {writeIr} from '../../src/store/write.js'
import {makeTempDir} from './tmp.js'

export const UNIVERSAL_FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'universal')
export const X86_64 = 'x86_64-pc-linux-gnu'
export const AARCH64 = 'aarch64-unknown-linux-gnu'

/** Copies the fixture into a temp dir (a git root of its own). */
export function universalProjectDir(prefix = 'hk-universal-'): string {
  const dir = makeTempDir(prefix)
  cpSync(UNIVERSAL_FIXTURE, dir, {recursive: true})
  mkdirSync(join(dir, '.git'))
  return dir
}

/** Parses the project's header for `target` and stores its IR (what populate does for that platform). */
export async function fillTarget(dir: string, target: string): Promise<void> {
  const plan = await planGeneration({cwd: dir, target, writers: ['json'], env: {}})
  const store = openStore(plan.storeDir)
  for (const job of plan.jobs) {
    const keys = await computeIrKey(job, dir)
    const parsed = await parseHeader({header: keys.headerAbs, projectRoot: dir, target, args: [...keys.clangArgs, ...crossSysrootArgs(target)]})
    await writeIr(store, await parsedIrParams(keys, parsed, dir, {engine: 'sysroot', platform: target}))
  }
}

export async function universalProject(targets: string[], prefix?: string): Promise<string> {
  const dir = universalProjectDir(prefix)
  for (const target of targets) await fillTarget(dir, target)
  return dir
}

/** The IR the store holds for the project's header on `target` (under the key a build there computes), and its entry. */
export async function storedIr(dir: string, target: string): Promise<{ir: Header; entry: string}> {
  const plan = await planGeneration({cwd: dir, writers: ['json'], env: {}})
  const keys = await computeIrKey(plan.jobs[0]!, dir)
  const found = await lookupIr(openStore(plan.storeDir), await irKey({...keys.irInputs, target}))
  assert.ok(found.hit, `no IR of ${plan.jobs[0]!.header} for ${target} in the store`)
  return {ir: headerFromJson(found.payload), entry: found.path}
}
