import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {parseFlags, projectFlags, writerFlag} from '../../cli/flags.js'
import {HeaderkitError} from '../../errors.js'
import type {PopulatePlan} from '../../populate/plan.js'
import {LINUX_PLATFORMS, type LinuxArch} from '../../target/platforms.js'

/** The machine whose Docker engine runs the jobs, for cibuildwheel's auto/native archs. */
function hostArch(): LinuxArch {
  return LINUX_PLATFORMS.find((p) => p.nodeArch === process.arch)?.arch ?? 'x86_64'
}

export default class CachePopulate extends BaseCommand {
  static override summary = 'Fill the store for Linux platforms by parsing inside manylinux/musllinux containers'
  static override description = [
    'Plans one job per (platform, image): the IR does not depend on the Python version, so each job serves every cibuildwheel identifier on its platform.',
    'Platforms come from --platform, else [tool.headerkit.cache.populate] platforms, else (with --cibuildwheel) [tool.cibuildwheel] read with cibuildwheel\'s own rules.',
    'A platform is a Docker platform (linux/arm64), an arch (aarch64) or a tag (musllinux_aarch64); add :musl for musllinux (linux/arm64:musl).',
    'Headers, writers and options default to the project\'s [tool.headerkit] config. --dry-run prints the plan; with --json, as JSON (see docs/populate.md).',
  ].join('\n')
  static override examples = [
    '<%= config.bin %> cache populate --cibuildwheel --dry-run',
    '<%= config.bin %> cache populate include/mylib.h -w cffi --platform linux/arm64 --platform linux/amd64:musl --dry-run',
    '<%= config.bin %> cache populate --cibuildwheel --python 3.12 --dry-run --json',
  ]
  static override strict = false
  static override args = {headers: Args.string({description: 'header files or globs (default: headers in the config)', required: false})}
  static override flags = {
    ...projectFlags,
    writer: writerFlag,
    ...parseFlags,
    platform: Flags.string({multiple: true, multipleNonGreedy: true, summary: 'Platform to populate (repeatable): linux/arm64, aarch64, musllinux_x86_64, linux/amd64:musl.', helpValue: 'PLATFORM'}),
    python: Flags.string({multiple: true, multipleNonGreedy: true, summary: 'Only serve these Python versions (repeatable), e.g. 3.12 or 3.14t.', helpValue: 'X.Y'}),
    cibuildwheel: Flags.boolean({summary: 'Derive platforms and images from [tool.cibuildwheel] with cibuildwheel\'s rules.'}),
    'docker-image': Flags.string({summary: 'Image for every job: a shortname (manylinux_2_34) or a reference.', helpValue: 'IMAGE'}),
    timeout: Flags.integer({summary: 'Seconds per job before its container is stopped (default 300).', helpValue: 'SECONDS'}),
    concurrency: Flags.integer({summary: 'Jobs run at once (default 2).', helpValue: 'N'}),
    backend: Flags.string({summary: 'Parser backend (default libclang).', helpValue: 'NAME'}),
    'dry-run': Flags.boolean({summary: 'Print the plan and exit without running anything.'}),
  }

  async run(): Promise<PopulatePlan> {
    const {formatConfigWarning, loadProjectContext, readTomlFile, resolveStoreDir} = await import('../../config/index.js')
    const {resolveHeaders} = await import('../../generate/inputs.js')
    const {renderPlan} = await import('../../populate/plan-render.js')
    const {planPopulate} = await import('../../populate/plan.js')
    const {listWriters} = await import('../../writers/registry.js')
    const {argv, flags} = await this.parse(CachePopulate)
    const ctx = await loadProjectContext({configPath: flags.config, noConfig: flags['no-config']})
    for (const w of ctx.warnings) this.warnLine(formatConfigWarning(w))
    const config = ctx.loaded?.config
    const resolved = resolveHeaders({patterns: argv as string[], exclude: config?.exclude, projectRoot: ctx.projectRoot, cwd: ctx.cwd, fromConfig: config?.headers})
    const pyprojectFile = join(ctx.projectRoot, 'pyproject.toml')
    const pyproject = existsSync(pyprojectFile) ? await readTomlFile(pyprojectFile) : undefined

    const plan = planPopulate({
      flags: {
        writers: flags.writer,
        platforms: flags.platform,
        pythonVersions: flags.python,
        cibuildwheel: flags.cibuildwheel,
        dockerImage: flags['docker-image'],
        timeout: flags.timeout,
        concurrency: flags.concurrency,
        includeDirs: flags['include-dir'],
        defines: flags.define,
        backendArgs: flags['backend-arg'],
        writerOptions: flags['writer-opt'],
        backend: flags.backend,
      },
      config,
      configFile: ctx.loaded?.file,
      pyproject,
      pyprojectFile,
      env: process.env,
      host: {native: hostArch()},
      projectRoot: ctx.projectRoot,
      cwd: ctx.cwd,
      headers: resolved.headers,
      storeDir: resolveStoreDir(ctx, flags['store-dir']),
      knownWriters: listWriters().map((w) => w.name),
    })

    for (const w of plan.warnings) this.warnLine(w)
    if (!flags['dry-run']) {
      throw new HeaderkitError('E_NOT_YET', 'running a populate plan is not available in this version of headerkit yet', {hint: 'use --dry-run to see the plan'})
    }
    for (const line of renderPlan(plan)) this.say(line)
    return plan
  }
}
