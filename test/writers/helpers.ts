/**
 * Shared by the writer tests: the IRs every writer runs on (the hand-built tricky
 * fixture, and zlib.h / sqlite3.h parsed for x86_64 by the real parser), the real
 * consumers (Debian's /usr/bin/python3 with cffi and Cython, luajit, gcc), and a C
 * program that prints the compiler's sizeof/offsetof for the records of an IR.
 */
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {headerFromJson} from '../../src/ir/json.js'
import type {Header, Struct} from '../../src/ir/types.js'
import {parseHeader} from '../../src/parse/index.js'

export const ROOT = join(import.meta.dirname, '..', '..')
export const TRICKY_DIR = join(ROOT, 'fixtures', 'ir')
/** Debian's Python: the one that has cffi and Cython (the first python3 on PATH may not). */
export const PYTHON = '/usr/bin/python3'
const X86 = 'x86_64-unknown-linux-gnu'

export function trickyIr(): Header {
  return headerFromJson(readFileSync(join(TRICKY_DIR, 'tricky.json'), 'utf8'))
}

const parsed = new Map<string, Promise<Header>>()
/** zlib.h or sqlite3.h from /usr/include, parsed once per test process. */
export function systemIr(name: 'zlib' | 'sqlite3'): Promise<Header> {
  let p = parsed.get(name)
  if (!p) {
    p = parseHeader({header: `/usr/include/${name}.h`, projectRoot: '/usr/include', target: X86, args: []}).then((r) => r.ir)
    parsed.set(name, p)
  }
  return p
}

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

export function run(cmd: string, args: string[], options: {cwd?: string; input?: string} = {}): Run {
  const r = spawnSync(cmd, args, {cwd: options.cwd, input: options.input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  if (r.error) throw r.error
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

/** Runs and fails with the consumer's own message when it exits non-zero. */
export function mustRun(cmd: string, args: string[], options: {cwd?: string; input?: string} = {}): string {
  const r = run(cmd, args, options)
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 2).join(' ')} exited ${r.status}:\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`)
  return r.stdout
}

export function python(script: string, cwd?: string): string {
  return mustRun(PYTHON, ['-W', 'ignore', '-c', script], {cwd})
}

/** How C names a record of the IR: `struct X`, or the typedef name for typedef'd records. */
export function recordCName(s: Struct): string {
  return s.is_typedef ? s.name! : `${s.kind} ${s.name}`
}

/** Named, complete records of an IR. */
export function completeRecords(h: Header): Struct[] {
  return h.declarations.filter((d): d is Struct => (d.kind === 'struct' || d.kind === 'union') && !!d.name && !d.is_opaque && d.fields.length > 0)
}

/**
 * The C compiler's layout for the records of `h`: `{"struct X": {size, fields: {f: offset}}}`,
 * from a program compiled with gcc against `include`.
 */
export function cLayout(h: Header, include: string, dir: string, includeDirs: string[] = []): Record<string, {size: number; fields: Record<string, number>}> {
  const lines = [`#include <stdio.h>`, `#include <stddef.h>`, `#include "${include}"`, 'int main(void) {']
  for (const s of completeRecords(h)) {
    const c = recordCName(s)
    lines.push(`  printf("%s\\t%zu\\n", "${c}", sizeof(${c}));`)
    for (const f of s.fields) if (f.name && f.bit_width === undefined) lines.push(`  printf("%s.%s\\t%zu\\n", "${c}", "${f.name}", offsetof(${c}, ${f.name}));`)
  }
  lines.push('  return 0;', '}')
  const src = join(dir, 'layout.c')
  writeFileSync(src, lines.join('\n'))
  mustRun('gcc', ['-o', join(dir, 'layout'), src, ...includeDirs.map((d) => `-I${d}`)])
  const out: Record<string, {size: number; fields: Record<string, number>}> = {}
  for (const line of mustRun(join(dir, 'layout'), []).trim().split('\n')) {
    const [key, value] = line.split('\t') as [string, string]
    const dot = key.lastIndexOf('.')
    if (dot > 0 && key.slice(dot + 1) !== '' && !key.slice(dot).includes(' ') && out[key.slice(0, dot)]) out[key.slice(0, dot)]!.fields[key.slice(dot + 1)] = Number(value)
    else out[key] = {size: Number(value), fields: {}}
  }
  return out
}
