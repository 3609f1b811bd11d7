import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {parseFlags, projectFlags, writerFlag} from '../../cli/flags.js'
import type {PopulatePlan} from '../../populate/plan.js'
import type {PopulateReport} from '../../populate/report.js'
import type {CheckReport} from '../../populate/check.js'

export default class CachePopulate extends BaseCommand {
  static override summary = 'Fill the store for Linux platforms by parsing inside manylinux/musllinux containers'
  static override description = [
    'Plans one job per (platform, image): the IR does not depend on the Python version, so each job serves every cibuildwheel identifier on its platform.',
    'Platforms come from --platform, else [tool.headerkit.cache.populate] platforms, else (with --cibuildwheel) [tool.cibuildwheel] read with cibuildwheel\'s own rules.',
    'A platform is a Docker platform (linux/arm64), an arch (aarch64) or a tag (musllinux_aarch64); add :musl for musllinux (linux/arm64:musl).',
    'Entries already in the store are not made again: a job whose entries are all present needs no Docker at all. The rest are parsed in a container of the platform (QEMU for foreign ones) or, with the sysroot engine, on the host against the image\'s headers; the host writes the entries and merges them into the project store (a failed platform leaves the others merged).',
    'Headers, writers and options default to the project\'s [tool.headerkit] config. --dry-run prints the plan; with --json, as JSON (see docs/populate.md).',
  ].join('\n')
  static override examples = [
    '<%= config.bin %> cache populate --cibuildwheel',
    '<%= config.bin %> cache populate --cibuildwheel --dry-run',
    '<%= config.bin %> cache populate include/mylib.h -w cffi --platform linux/arm64 --platform linux/amd64:musl',
    '<%= config.bin %> cache populate --platform linux/arm64 --keep-staging artifacts/ --json',
    '<%= config.bin %> cache populate --cibuildwheel --check        # CI: prove every platform\'s entries are what its image gives',
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
    engine: Flags.string({summary: 'Where the parser runs: docker (in the platform\'s container), sysroot (on the host, against the image\'s headers), auto (docker where it can run, default).', options: ['auto', 'docker', 'sysroot'], helpValue: 'ENGINE'}),
    timeout: Flags.string({summary: 'Seconds per job\'s parse container before it is killed (default 300).', helpValue: 'SECONDS'}),
    concurrency: Flags.string({summary: 'Jobs run at once (default: jobs, at most the CPUs).', helpValue: 'N'}),
    backend: Flags.string({summary: 'Parser backend (default libclang).', helpValue: 'NAME'}),
    'before-all': Flags.boolean({summary: 'Run cibuildwheel\'s before-all for each platform first (default); --no-before-all skips it.', allowNo: true}),
    'keep-staging': Flags.string({summary: 'Keep each platform\'s staging store in DIR/<platform> (for CI artifacts and store merge).', helpValue: 'DIR'}),
    'dry-run': Flags.boolean({summary: 'Print the plan and exit without running anything.'}),
    check: Flags.boolean({summary: 'Parse every header of every job again (present or not) through its engine, make every output again, and compare with the store; write nothing. Exits 1 on any difference or missing entry.', exclusive: ['dry-run', 'keep-staging']}),
  }

  async run(): Promise<PopulatePlan | PopulateReport | CheckReport | undefined> {
    const {argv, flags} = await this.parse(CachePopulate)
    const {executePopulate} = await import('../../cli/populate-run.js')
    const {value, exitCode} = await executePopulate(argv as string[], flags, this.jsonEnabled())
    if (exitCode === 0) return value
    if (this.jsonEnabled() && value !== undefined) this.logJson(value)
    return this.exit(exitCode)
  }
}
