import {dirname, resolve} from 'node:path'
import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import type {MergeResult} from '../../store/index.js'

export default class StoreMerge extends BaseCommand {
  static override summary = 'Merge stores (CI matrix jobs, platforms) into one, by cache key'
  static override description = `Entries are matched by cache key, not by slug. The same key with the same bytes is skipped; with different bytes it is a conflict (reported, the target's entry kept, exit 1), unless the two record different files read by the parser (an #include MACRO that changed): the one matching the target project's files is kept. A new key whose slug is taken gets a fresh slug (renamed), unless the taken slug holds the same logical entry made by an older headerkit, which it replaces. Source entries are checked (plain files only, no symlinks, hashes) before anything is copied; damaged ones are errors and are not copied.`
  static override examples = ['<%= config.bin %> store merge artifacts/linux-x86_64/.headerkit artifacts/linux-aarch64/.headerkit -o .headerkit', '<%= config.bin %> store merge a/ b/ -o merged/ --json']
  static override strict = false
  static override args = {sources: Args.string({description: 'source store directories', required: true})}
  static override flags = {
    output: Flags.string({char: 'o', summary: 'Target store directory (created when missing).', required: true, helpValue: 'DIR'}),
  }

  async run(): Promise<MergeResult> {
    const {storeMerge} = await import('../../store/index.js')
    const {argv, flags} = await this.parse(StoreMerge)
    // The target's project (its config's, or git root's, directory): where the files an
    // entry records its parser reading are looked up when two entries disagree on them.
    const {findConfigFile, findProjectRoot} = await import('../../config/index.js')
    const {readsCurrentIn} = await import('../../generate/pipeline.js')
    const near = dirname(resolve(flags.output))
    const projectRoot = findProjectRoot(near, (await findConfigFile(near).catch(() => undefined))?.file)
    const result = await storeMerge(argv as string[], flags.output, {readsCurrent: readsCurrentIn(projectRoot)})
    this.say(`Merged into ${flags.output}:`)
    this.say(`  New entries: ${result.new}`)
    this.say(`  Skipped (already present): ${result.skipped}`)
    this.say(`  Renamed (slug taken by another key): ${result.renamed.length}`)
    this.say(`  Replaced (same entry, newer version): ${result.replaced.length}`)
    this.say(`  Conflicts (same key, different bytes): ${result.conflicts.length}`)
    if (result.errors.length > 0) this.say(`  Errors: ${result.errors.length}`)
    for (const r of result.renamed) this.say(`    renamed ${r.layer}/${r.from} -> ${r.layer}/${r.to}`)
    for (const r of result.replaced) this.say(`    replaced ${r.layer}/${r.slug} (${r.reason})`)
    for (const w of result.warnings) this.warnLine(`${w.path}: ${w.message}`)
    for (const c of result.conflicts) process.stderr.write(`    conflict: ${c.layer}/${c.slug}: ${c.source} has different bytes for key ${c.key.slice(0, 16)}... (kept the target's entry)\n`)
    for (const e of result.errors) process.stderr.write(`    error: ${e.path}: ${e.message}\n`)
    if (!result.ok) {
      if (this.jsonEnabled()) this.logJson(result)
      this.exit(1)
    }
    return result
  }
}
