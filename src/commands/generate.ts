import {BaseCommand} from '../cli/base.js'
import {HeaderkitError} from '../errors.js'

export default class Generate extends BaseCommand {
  static override summary = 'Generate bindings from C headers through the cache (the root command)'
  static override description = 'Runs as the root command: `headerkit include/mylib.h -w cffi -o cffi:bindings/mylib.cdef.txt`. Each header is parsed with libclang once; later runs are served from .headerkit/ without loading libclang.'
  static override examples = ['<%= config.bin %> include/mylib.h -w cffi', '<%= config.bin %> "include/**/*.h" -w cffi -w json -o "json:out/{dir}/{stem}.json"']
  static override strict = false

  run(): Promise<void> {
    return Promise.reject(new HeaderkitError('E_NOT_YET', 'generation is not available in this version of headerkit yet', {hint: 'use `headerkit cache ...` and `headerkit store merge` to manage a store; run `headerkit --help` for the commands that exist'}))
  }
}
