/**
 * What the ctypes layout self-check costs at import, on sqlite3.h's module (the system
 * libsqlite3 by path): the import with the check (`layout_check` on, the default) against the
 * import without it, measured in the same run, each in a fresh python3 process that times
 * only the `import` (interpreter start-up left out). Also the universal module covering
 * x86_64 and aarch64 (aarch64 parsed with Debian's cross sysroot), which adds the platform
 * selection. Medians over interleaved rounds. Debian's /usr/bin/python3 unless PYTHON is set.
 *
 * Rerun: `node --import tsx bench/ctypes-import.ts [rounds]` (default 31).
 * Target: the import with the check within 2x of the import without it.
 */
import {spawnSync} from 'node:child_process'
import {copyFileSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {generateBatch} from '../src/generate/index.js'
import {fillTarget} from '../test/support/universal-project.js'
import {makeTempDir, removeTempDirs} from '../test/support/tmp.js'
import {median} from './median.js'

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3'
const rounds = Number(process.argv[2] ?? 31)
// A path, not a name: ctypes.util.find_library runs ldconfig, whose cost would hide the check's.
const LIBRARY = '/usr/lib/x86_64-linux-gnu/libsqlite3.so.0'

try {
  const project = makeTempDir('headerkit-ctypes-bench-')
  mkdirSync(join(project, '.git'))
  mkdirSync(join(project, 'include'))
  copyFileSync('/usr/include/sqlite3.h', join(project, 'include/sqlite3.h'))
  writeFileSync(join(project, 'pyproject.toml'), '[[tool.headerkit.headers]]\npattern = "include/sqlite3.h"\n')
  for (const target of ['x86_64-pc-linux-gnu', 'aarch64-unknown-linux-gnu']) await fillTarget(project, target)
  const write = async (name: string, flags: string[], universal = false): Promise<void> => {
    await generateBatch({cwd: project, writers: ['ctypes'], outputs: {ctypes: `${name}.py`}, writerOptFlags: [`ctypes:library=${LIBRARY}`, ...flags], universal, env: {}})
  }
  await write('checked', [])
  await write('unchecked', ['ctypes:layout_check=false'])
  await write('universal', [], true)

  const cases = [
    {name: 'import without the check (layout_check=false)', module: 'unchecked'},
    {name: 'import with the check (default)', module: 'checked'},
    {name: 'universal module (x86_64 + aarch64), with the check', module: 'universal'},
  ]
  const time = (module: string): number => {
    const script = `import time; t = time.perf_counter(); import ${module}; print(time.perf_counter() - t)`
    const r = spawnSync(PYTHON, ['-c', script], {cwd: project, env: {PATH: '/usr/bin:/bin', LANG: 'C.UTF-8'}})
    if (r.status !== 0) throw new Error(`importing ${module} failed: ${r.stderr.toString()}`)
    return Number(r.stdout.toString()) * 1000
  }
  for (const c of cases) for (let i = 0; i < 3; i++) time(c.module)
  const samples = cases.map(() => [] as number[])
  for (let r = 0; r < rounds; r++) cases.forEach((c, i) => samples[i]!.push(time(c.module)))
  const base = median(samples[0]!)
  console.log(`${PYTHON} (${spawnSync(PYTHON, ['--version']).stdout.toString().trim()}), sqlite3.h's ctypes module, ${rounds} rounds, import time only (.pyc written by the warm-up rounds, as for an installed wheel)`)
  console.log('| case | median | ratio to the import without the check |')
  console.log('|---|---|---|')
  cases.forEach((c, i) => console.log(`| ${c.name} | ${median(samples[i]!).toFixed(2)} ms | ${(median(samples[i]!) / base).toFixed(2)}x |`))
  // The check alone, run again in the imported module: steadier than a difference of two noisy imports.
  const again = spawnSync(PYTHON, ['-c', 'import time, checked as m\nt = time.perf_counter()\nfor _ in range(100): assert m._layout_problem(m._LAYOUT, m.TARGET) is None\nprint((time.perf_counter() - t) * 10, len(m._LAYOUT))'], {cwd: project})
  const [ms, records] = again.stdout.toString().trim().split(' ')
  console.log(`\nThe check alone (${records} records, run 100 times after the import): ${Number(ms).toFixed(3)} ms per import.`)
} finally {
  removeTempDirs()
}
