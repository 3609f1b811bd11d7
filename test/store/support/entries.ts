/** Entry inputs for store tests: deterministic, distinct per (name, variant). */
import type {IrKeyInputs, SlugInputs, WriteIrParams, WriteOutputParams} from '../../../src/store/index.js'
import {irKey} from '../../../src/store/index.js'

export function irInputs(name: string, over: Partial<IrKeyInputs> = {}): IrKeyInputs {
  return {
    schemaVersion: 1,
    extractorVersion: '1.0.0',
    backend: 'libclang',
    target: 'x86_64-pc-linux-gnu',
    header: {path: `include/${name}.h`, hash: 'a'.repeat(64), sha256: 'c'.repeat(64)},
    defines: ['DEBUG'],
    includeDirs: ['include'],
    args: ['-std=c11'],
    deps: [],
    ...over,
  }
}

export function sourceOf(i: IrKeyInputs): SlugInputs {
  return {backend: i.backend, headerPath: i.header.path, target: i.target, defines: i.defines, includeDirs: i.includeDirs, args: i.args}
}

/** A realistic-looking IR value of roughly `size` bytes. */
export function fakeIr(name: string, size = 2000): WriteIrParams['ir'] {
  const decls = []
  for (let n = 0; JSON.stringify(decls).length < size; n++) {
    decls.push({kind: 'function', name: `${name}_fn${n}`, return_type: {kind: 'ctype', name: 'int'}, parameters: [{name: 'x', type: {kind: 'pointer', pointee: {kind: 'ctype', name: 'char'}}}]})
  }
  return {kind: 'header', path: `include/${name}.h`, declarations: decls}
}

export function irParams(name: string, over: Partial<IrKeyInputs> = {}, size = 2000): WriteIrParams {
  return {inputs: irInputs(name, over), ir: fakeIr(name, size), provenance: {libclang: '14.0.6'}}
}

export async function outputParams(name: string, writer = 'cffi', text?: string, over: Partial<IrKeyInputs> = {}): Promise<WriteOutputParams> {
  const inputs = irInputs(name, over)
  return {
    inputs: {irKey: await irKey(inputs), writer, options: {exclude_patterns: ['^_']}, writerCacheVersion: '1', writerImplVersion: '0.1.0'},
    source: sourceOf(inputs),
    extension: writer === 'cffi' ? 'py' : 'txt',
    text: text ?? `// ${name}\nint ${name}_fn(char *x);\n`,
  }
}
