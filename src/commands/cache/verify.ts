import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {projectFlags} from '../../cli/flags.js'
import type {VerifyOptions, VerifyProblem, VerifyResult} from '../../store/index.js'
import type {ReproduceReport} from '../../verify/index.js'

/** `--reproduce` alone means `--reproduce=all`: oclif has no flag with an optional value. */
export function reproduceDefault(argv: string[]): string[] {
  const end = argv.indexOf('--')
  return argv.map((a, i) => (a === '--reproduce' && (end < 0 || i < end) ? '--reproduce=all' : a))
}

export default class CacheVerify extends BaseCommand {
  static override summary = 'Check the store: indexes, entries, keys, payload hashes'
  static override description = 'Read-only, needs neither libclang nor Docker. Errors: unreadable index, unsafe names, entries that are incomplete, damaged or disagree with their key, symlinks and special files. Warnings: leftovers of interrupted writes and complete entries not yet indexed (fix with `cache rebuild-index`). Exits 1 when there are errors.'
  static override examples = [
    '<%= config.bin %> cache verify',
    '<%= config.bin %> cache verify --store-dir .headerkit --json',
    '<%= config.bin %> cache verify --sources                     # CI: fail on a store that is stale for the current sources',
    '<%= config.bin %> cache verify --sources --target x86_64-linux-gnu --target aarch64-linux-gnu --target x86_64-linux-musl',
    '<%= config.bin %> cache verify --sources --reproduce            # CI on a change to .headerkit/: make every entry again and compare',
    '<%= config.bin %> cache verify --reproduce=outputs               # seconds, no libclang: every output made again from its IR',
  ]

  static override flags = {
    ...projectFlags,
    sources: Flags.boolean({summary: 'Also check that the store holds fresh entries for every configured header and writer (no libclang needed).'}),
    target: Flags.string({summary: 'With --sources: a target to check (repeatable; default: the one generation would use here).', multiple: true, multipleNonGreedy: true, helpValue: 'TRIPLE', dependsOn: ['sources']}),
    reproduce: Flags.string({summary: 'Make entries again and compare them byte for byte: all (default: every output from its IR, and every IR entry this machine can parse again) or outputs (no libclang).', options: ['all', 'outputs'], helpValue: 'MODE'}),
  }

  override async init(): Promise<void> {
    this.argv = reproduceDefault(this.argv)
    await super.init()
  }

  async run(): Promise<VerifyResult & {reproduce?: ReproduceReport}> {
    const {formatConfigWarning, loadProjectContext, resolveStoreDir} = await import('../../config/index.js')
    const {openStore, verifyStore} = await import('../../store/index.js')
    const {flags} = await this.parse(CacheVerify)
    const ctx = await loadProjectContext({configPath: flags.config, noConfig: flags['no-config']})
    for (const w of ctx.warnings) this.warnLine(formatConfigWarning(w))
    const extraChecks: NonNullable<VerifyOptions['extraChecks']> = flags.sources ? [async (): Promise<VerifyProblem[]> => {
      const {checkSourcesFresh} = await import('../../generate/freshness.js')
      const report = await checkSourcesFresh({configPath: flags.config, noConfig: flags['no-config'], storeDir: flags['store-dir']}, flags.target ?? [])
      for (const w of report.warnings) this.warnLine(w)
      return report.problems.map((p) => ({severity: 'error' as const, path: p.header, code: `source-${p.problem}`, message: `no fresh ${p.layer === 'ir' ? 'IR' : `${p.layer} output`} entry for ${p.target}: ${p.detail}`}))
    }] : []
    let reproduced: ReproduceReport | undefined
    if (flags.reproduce !== undefined) {
      const mode = flags.reproduce === 'outputs' ? 'outputs' : 'all'
      extraChecks.push(async (store): Promise<VerifyProblem[]> => {
        const {reproduceProblems, reproduceStore} = await import('../../verify/index.js')
        reproduced = await reproduceStore({store, projectRoot: ctx.projectRoot, mode})
        return reproduceProblems(reproduced)
      })
    }
    const verified = await verifyStore(openStore(resolveStoreDir(ctx, flags['store-dir'])), {extraChecks})
    const result = reproduced ? {...verified, reproduce: reproduced} : verified
    for (const p of result.problems) this.say(`${p.severity === 'error' ? 'error  ' : 'warning'} ${p.path}: ${p.code}: ${p.message}`)
    const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
    if (reproduced) {
      const {summaryOf} = await import('../../verify/index.js')
      this.say(`reproduce: ${summaryOf(reproduced)}`)
    }
    this.say(`${result.ok ? 'OK' : 'FAILED'}: ${result.storeDir}: ${plural(result.layers, 'layer')}, ${plural(result.entries, 'indexed entry').replace('entrys', 'entries')}, ${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')}`)
    if (!result.ok) {
      if (this.jsonEnabled()) this.logJson(result)
      this.exit(1)
    }
    return result
  }
}
