import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {parseFlags, projectFlags, targetFlag, writerFlag} from '../cli/flags.js'

export default class Generate extends BaseCommand {
  static override summary = 'Generate bindings from C headers through the cache (the root command)'
  static override description = `Runs as the root command: \`headerkit include/mylib.h -w cffi -o cffi:bindings/mylib.cdef.txt\`.
Each header is parsed with libclang once; later runs are served from the store (.headerkit/) without loading libclang.
With no header, the config's [[tool.headerkit.headers]] are used; with no -w, the config's writers, else cffi.
One header through one writer with no template prints to stdout; otherwise each writer writes to its template
(-o, the header's config override, [output] in the config, or the writer's default pattern). Literal header paths
are relative to the current directory; globs and templates ({stem}, {name}, {dir}) to the project root.
A report of what came from the output cache, the cached IR or a parse goes to stderr (or stdout with --json).`

  static override examples = [
    '<%= config.bin %> include/mylib.h -w cffi',
    '<%= config.bin %> include/mylib.h -w cffi -o cffi:bindings/mylib.cdef.txt',
    '<%= config.bin %> "include/**/*.h" -w cffi -w json -o "json:out/{dir}/{stem}.json" -I include -D API=',
    '<%= config.bin %>                      # everything configured in [tool.headerkit]',
    '<%= config.bin %> include/mylib.h -w ctypes --writer-opt ctypes:library=mylib --target aarch64-linux-gnu --backend-arg=--sysroot=/usr/aarch64-linux-gnu',
    '<%= config.bin %> include/mylib.h -w ctypes --universal -o ctypes:src/pkg/_mylib.py    # one module for every populated platform',
  ]

  static override strict = false
  static override args = {headers: Args.string({description: 'header paths or globs', required: false})}

  static override flags = {
    writer: writerFlag,
    ...parseFlags,
    output: Flags.string({char: 'o', summary: 'Output template for one writer (repeatable), e.g. cffi:bindings/{stem}.cdef.txt.', multiple: true, multipleNonGreedy: true, helpValue: 'WRITER:TEMPLATE'}),
    exclude: Flags.string({summary: 'Glob of headers to leave out (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: 'GLOB'}),
    target: Flags.string({summary: `${targetFlag.summary} With --universal: a target to cover (repeatable; default: every target the store holds).`, helpValue: 'TRIPLE', multiple: true, multipleNonGreedy: true}),
    universal: Flags.boolean({summary: 'One module (ctypes, cffi) covering every target the store holds a fresh IR of the header for; each declaration that differs is chosen at import by the running platform.'}),
    ...projectFlags,
    'no-cache': Flags.boolean({summary: 'Neither read nor write the store.'}),
    'no-ir-cache': Flags.boolean({summary: 'Bypass the IR layer (always parse).'}),
    'no-output-cache': Flags.boolean({summary: 'Bypass the output layer (always run the writer).'}),
    libclang: Flags.string({summary: 'Path of the libclang shared library (default: HEADERKIT_LIBCLANG, LIBCLANG_PATH, then the usual locations).', helpValue: 'PATH'}),
    'allow-outside-project': Flags.boolean({summary: 'Allow output templates that write outside the project root.'}),
    strict: Flags.boolean({summary: 'Fail on a declaration a writer cannot express, instead of leaving it out with a warning.'}),
  }

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(Generate)
    const {executeGenerate} = await import('../cli/generate-run.js')
    return (await executeGenerate(argv as string[], flags, this.jsonEnabled())).value
  }
}
