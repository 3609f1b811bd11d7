import {BaseCommand} from '../../cli/base.js'
import {projectFlags} from '../../cli/flags.js'
import type {LayerStatus, StoreStatus} from '../../store/index.js'

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

export default class CacheStatus extends BaseCommand {
  static override summary = 'Show entries and bytes per layer and per writer'
  static override description = 'Reads the store without changing it. Entries are what the indexes list; bytes are everything under each layer. Unindexed entries, leftovers of interrupted writes and unreadable indexes are reported as warnings.'
  static override examples = ['<%= config.bin %> cache status', '<%= config.bin %> cache status --store-dir build/.headerkit --json']
  static override flags = {...projectFlags}

  async run(): Promise<StoreStatus> {
    const {formatConfigWarning, loadProjectContext, resolveStoreDir} = await import('../../config/index.js')
    const {openStore, storeStatus} = await import('../../store/index.js')
    const {flags} = await this.parse(CacheStatus)
    const ctx = await loadProjectContext({configPath: flags.config, noConfig: flags['no-config']})
    for (const w of ctx.warnings) this.warnLine(formatConfigWarning(w))
    const status = await storeStatus(openStore(resolveStoreDir(ctx, flags['store-dir'])))
    this.say(`Store: ${status.storeDir}`)
    this.say(`IR entries: ${status.ir.entries} (${formatBytes(status.ir.bytes)})`)
    this.say(`Output entries: ${status.output.entries} (${formatBytes(status.output.bytes)})`)
    for (const w of status.output.writers) this.say(`  ${w.layer.slice('output/'.length)}: ${w.entries} (${formatBytes(w.bytes)})`)
    for (const layer of [status.ir, ...status.output.writers]) this.layerWarnings(layer)
    return status
  }

  private layerWarnings(layer: LayerStatus): void {
    if (layer.index === 'unreadable') this.warnLine(`${layer.layer}/index.json is unreadable (${layer.indexProblem}); lookups treat ${layer.layer} as empty; ${layer.indexAdvice}`)
    if (layer.unindexed > 0) this.warnLine(`${layer.layer}: ${layer.unindexed} entr${layer.unindexed === 1 ? 'y is' : 'ies are'} not in the index; run \`headerkit cache rebuild-index\``)
    if (layer.leftovers > 0) this.warnLine(`${layer.layer}: ${layer.leftovers} temporary leftover${layer.leftovers === 1 ? '' : 's'} of interrupted writes (rebuild-index removes old ones)`)
  }
}
