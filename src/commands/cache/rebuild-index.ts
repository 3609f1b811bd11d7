import {BaseCommand} from '../../cli/base.js'
import {projectFlags} from '../../cli/flags.js'
import type {RebuildLayerResult} from '../../store/index.js'

export default class CacheRebuildIndex extends BaseCommand {
  static override summary = 'Rebuild every index from the entries on disk'
  static override description = 'Indexes only complete, consistent entries (metadata parses, its inputs give its key, payload size and hash match). Recovers entries a killed writer left unindexed and repairs a corrupt index.json; directories it cannot index are listed as warnings. Old temporary leftovers are removed.'
  static override examples = ['<%= config.bin %> cache rebuild-index', '<%= config.bin %> cache rebuild-index --store-dir build/.headerkit --json']
  static override flags = {...projectFlags}

  async run(): Promise<{storeDir: string; layers: RebuildLayerResult[]}> {
    const {formatConfigWarning, loadProjectContext, resolveStoreDir} = await import('../../config/index.js')
    const {openStore, rebuildIndex} = await import('../../store/index.js')
    const {flags} = await this.parse(CacheRebuildIndex)
    const ctx = await loadProjectContext({configPath: flags.config, noConfig: flags['no-config']})
    for (const w of ctx.warnings) this.warnLine(formatConfigWarning(w))
    const result = await rebuildIndex(openStore(resolveStoreDir(ctx, flags['store-dir'])))
    if (result.layers.length === 0) this.say(`Nothing to rebuild: no ir/ or output/ layers in ${result.storeDir}`)
    for (const layer of result.layers) {
      this.say(`Rebuilt index: ${layer.layer}/index.json (${layer.entries} entr${layer.entries === 1 ? 'y' : 'ies'})`)
      for (const s of layer.skipped) this.warnLine(`${layer.layer}/${s.slug} not indexed: ${s.reason}`)
    }
    return result
  }
}
