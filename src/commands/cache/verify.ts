import {BaseCommand} from '../../cli/base.js'
import {projectFlags} from '../../cli/flags.js'
import {formatConfigWarning, loadProjectContext, resolveStoreDir} from '../../config/index.js'
import {openStore, verifyStore, type VerifyResult} from '../../store/index.js'

export default class CacheVerify extends BaseCommand {
  static override summary = 'Check the store: indexes, entries, keys, payload hashes'
  static override description = 'Read-only, needs neither libclang nor Docker. Errors: unreadable index, unsafe names, entries that are incomplete, damaged or disagree with their key, symlinks and special files. Warnings: leftovers of interrupted writes and complete entries not yet indexed (fix with `cache rebuild-index`). Exits 1 when there are errors.'
  static override examples = ['<%= config.bin %> cache verify', '<%= config.bin %> cache verify --store-dir .headerkit --json']
  static override flags = {...projectFlags}

  async run(): Promise<VerifyResult> {
    const {flags} = await this.parse(CacheVerify)
    const ctx = await loadProjectContext({configPath: flags.config, noConfig: flags['no-config']})
    for (const w of ctx.warnings) this.warnLine(formatConfigWarning(w))
    const result = await verifyStore(openStore(resolveStoreDir(ctx, flags['store-dir'])))
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
