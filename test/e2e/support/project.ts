/**
 * A project for the populate e2e tests: the bundled example (its demo.h has an
 * `__aarch64__` branch and a plain char member) plus a second, standalone header, with
 * populate pointed at the stand-in images for linux/amd64 and linux/arm64.
 */
import Docker from 'dockerode'
import {appendFileSync, cpSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {PopulateReport} from '../../../src/populate/report.js'
import {type CliResult, REPO_ROOT} from '../../support/cli.js'
import {makeTempDir} from '../../support/tmp.js'
import type {StandinImages} from './images.js'

export const SOLO_HEADER = 'include/solo.h'

export function populateConfig(images: StandinImages, extra = ''): string {
  return `
[tool.headerkit.cache.populate]
platforms = ["linux/amd64", "linux/arm64"]
${extra}
[tool.headerkit.cache.populate.images]
"linux/amd64" = "${images.amd64}"
"linux/arm64" = "${images.arm64}"
`
}

/** A fresh copy of the example with two headers and populate configured; returns its root. */
export function e2eProject(images: StandinImages, options: {extraPopulate?: string; prefix?: string} = {}): string {
  const dir = join(makeTempDir(options.prefix ?? 'headerkit-e2e-'), 'demo')
  cpSync(join(REPO_ROOT, 'examples/demo'), dir, {recursive: true})
  writeFileSync(join(dir, SOLO_HEADER), '#ifndef SOLO_H\n#define SOLO_H\n/* A header on its own: editing it must not re-parse demo.h. */\nlong solo_value(long x);\n#endif\n')
  const pyproject = join(dir, 'pyproject.toml')
  const text = readFileSync(pyproject, 'utf8').replace('[[tool.headerkit.headers]]\npattern = "include/demo.h"', `[[tool.headerkit.headers]]\npattern = "include/demo.h"\n\n[[tool.headerkit.headers]]\npattern = "${SOLO_HEADER}"`)
  if (!text.includes(SOLO_HEADER)) throw new Error('e2e: the example pyproject.toml no longer has the headers entry this test extends')
  writeFileSync(pyproject, text)
  appendFileSync(pyproject, populateConfig(images, options.extraPopulate))
  return dir
}

/** IDs of containers headerkit labelled that still exist on the engine (should be none). */
export async function leftoverContainers(docker = new Docker()): Promise<string[]> {
  const list = await docker.listContainers({all: true, filters: {label: ['org.headerkit.tool']}})
  return list.map((c) => c.Id)
}

export {treeHashes} from '../../support/tree.js'

/** The env for CLI runs: the real daemon, and a per-user cache shared by the e2e runs. */
export function e2eEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {DOCKER_HOST: undefined, CI: '1', ...extra}
}

/** The report `cache populate --json` printed (on success and on failure alike). */
export function reportOf(r: CliResult): PopulateReport {
  try {
    return JSON.parse(r.stdout) as PopulateReport
  } catch {
    throw new Error(`expected the populate report as JSON, got:\n${r.stdout}\nstderr:\n${r.stderr}`)
  }
}
