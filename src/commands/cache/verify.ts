import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {projectFlags} from '../../cli/flags.js'
import type {VerifyProblem, VerifyResult} from '../../store/index.js'

export default class CacheVerify extends BaseCommand {
  static override summary = 'Check the store: indexes, entries, keys, payload hashes'
  static override description = 'Read-only, needs neither libclang nor Docker. Errors: unreadable index, unsafe names, entries that are incomplete, damaged or disagree with their key, symlinks and special files. Warnings: leftovers of interrupted writes and complete entries not yet indexed (fix with `cache rebuild-index`). Exits 1 when there are errors.'
  static override examples = [
    '<%= config.bin %> cache verify',
    '<%= config.bin %> cache verify --store-dir .headerkit --json',
    '<%= config.bin %> cache verify --sources                     # CI: fail on a store that is stale for the current sources',
    '<%= config.bin %> cache verify --sources --target x86_64-linux-gnu --target aarch64-linux-gnu --target x86_64-linux-musl',
  ]

  static override flags = {
    ...projectFlags,
    sources: Flags.boolean({summary: 'Also check that the store holds fresh entries for every configured header and writer (no libclang needed).'}),
    target: Flags.string({summary: 'With --sources: a target to check (repeatable; default: the one generation would use here).', multiple: true, multipleNonGreedy: true, helpValue: 'TRIPLE', dependsOn: ['sources']}),
  }

  async run(): Promise<VerifyResult> {
    const {formatConfigWarning, loadProjectContext, resolveStoreDir} = await import('../../config/index.js')
    const {openStore, verifyStore} = await import('../../store/index.js')
    const {flags} = await this.parse(CacheVerify)
    const ctx = await loadProjectContext({configPath: flags.config, noConfig: flags['no-config']})
    for (const w of ctx.warnings) this.warnLine(formatConfigWarning(w))
    const extraChecks = flags.sources ? [async (): Promise<VerifyProblem[]> => {
      const {checkSourcesFresh} = await import('../../generate/freshness.js')
      const report = await checkSourcesFresh({configPath: flags.config, noConfig: flags['no-config'], storeDir: flags['store-dir']}, flags.target ?? [])
      for (const w of report.warnings) this.warnLine(w)
      return report.problems.map((p) => ({severity: 'error' as const, path: p.header, code: `source-${p.problem}`, message: `no fresh ${p.layer === 'ir' ? 'IR' : `${p.layer} output`} entry for ${p.target}: ${p.detail}`}))
    }] : []
    const result = await verifyStore(openStore(resolveStoreDir(ctx, flags['store-dir'])), {extraChecks})
    for (const p of result.problems) this.say(`${p.severity === 'error' ? 'error  ' : 'warning'} ${p.path}: ${p.code}: ${p.message}`)
    const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
    this.say(`${result.ok ? 'OK' : 'FAILED'}: ${result.storeDir}: ${plural(result.layers, 'layer')}, ${plural(result.entries, 'indexed entry').replace('entrys', 'entries')}, ${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')}`)
    if (!result.ok) {
      if (this.jsonEnabled()) this.logJson(result)
      this.exit(1)
    }
    return result
  }
}
