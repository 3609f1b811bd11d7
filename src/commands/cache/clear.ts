import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {projectFlags} from '../../cli/flags.js'
import type {ClearResult} from '../../store/index.js'

export default class CacheClear extends BaseCommand {
  static override summary = 'Delete cached entries (both layers unless --ir or --output)'
  static override description = 'No flag, or both flags, clears both layers. Each layer is emptied under its lock, so a concurrent headerkit run never sees a half-cleared index.'
  static override examples = ['<%= config.bin %> cache clear', '<%= config.bin %> cache clear --output', '<%= config.bin %> cache clear --ir --store-dir build/.headerkit']
  static override flags = {
    ...projectFlags,
    ir: Flags.boolean({summary: 'Clear the IR layer (ir/).'}),
    output: Flags.boolean({summary: 'Clear the output layer (output/<writer>/).'}),
  }

  async run(): Promise<ClearResult & {layers: string}> {
    const {formatConfigWarning, loadProjectContext, resolveStoreDir} = await import('../../config/index.js')
    const {clearStore, openStore} = await import('../../store/index.js')
    const {flags} = await this.parse(CacheClear)
    const ctx = await loadProjectContext({configPath: flags.config, noConfig: flags['no-config']})
    for (const w of ctx.warnings) this.warnLine(formatConfigWarning(w))
    const both = flags.ir === flags.output
    const result = await clearStore(openStore(resolveStoreDir(ctx, flags['store-dir'])), {ir: both || flags.ir, output: both || flags.output})
    const total = result.cleared.reduce((n, c) => n + c.entries, 0)
    const what = both ? 'all cache entries' : flags.ir ? 'IR cache entries' : 'output cache entries'
    this.say(`Cleared ${what} (${total} entr${total === 1 ? 'y' : 'ies'}) in ${result.storeDir}.`)
    return {...result, layers: both ? 'all' : flags.ir ? 'ir' : 'output'}
  }
}
