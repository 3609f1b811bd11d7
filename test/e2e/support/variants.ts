/**
 * Images made from a stand-in to produce faults for real: a base whose apt sources point
 * nowhere (the worker recipe fails), and one whose `node` misbehaves (the worker prints
 * garbage, or too much). Built once, tagged by a hash of their recipe.
 */
import Docker from 'dockerode'
import {createHash} from 'node:crypto'
import type {Readable} from 'node:stream'
import {pack} from 'tar-stream'

export async function variantImage(base: string, name: string, platform: string, files: Record<string, {text: string; mode?: number}>, dockerfile: string[]): Promise<string> {
  const recipe = [`FROM ${base}`, ...dockerfile].join('\n')
  const hash = createHash('sha256').update(recipe).update(JSON.stringify(files)).digest('hex').slice(0, 12)
  const tag = `headerkit-standin/${name}:${hash}`
  const docker = new Docker()
  try {
    await docker.getImage(tag).inspect()
    return tag
  } catch {
    // not built yet
  }
  const context = pack()
  context.entry({name: 'Dockerfile'}, recipe)
  for (const [file, {text, mode}] of Object.entries(files)) context.entry({name: file, mode: mode ?? 0o644}, text)
  context.finalize()
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {t: tag, platform, rm: true, forcerm: true}) as unknown as Readable
  const output = await new Promise<unknown[]>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, res: unknown[]) => (err ? reject(err) : resolve(res))))
  const failed = output.find((m) => typeof (m as {error?: unknown}).error === 'string') as {error: string} | undefined
  if (failed) throw new Error(`building ${tag}: ${failed.error}`)
  return tag
}

/** A base whose apt sources point at a closed port: the debian worker recipe cannot install anything. */
export function brokenAptImage(base: string): Promise<string> {
  return variantImage(base, 'broken-apt', 'linux/amd64', {}, ['RUN printf "deb http://127.0.0.1:9/debian bookworm main\\n" > /etc/apt/sources.list'])
}

/**
 * A base whose `node` (first on PATH) floods stdout when the job names flood.h and
 * prints something that is not JSON otherwise.
 */
export function misbehavingNodeImage(base: string): Promise<string> {
  const script = [
    '#!/bin/sh',
    'case "$*" in *--version*) echo v0.0.0-standin; exit 0;; esac',
    'if grep -q flood /tmp/headerkit/job.json 2>/dev/null; then head -c 200000000 /dev/zero | tr "\\\\000" x; exit 0; fi',
    'echo "Segmentation fault (core dumped)"',
    'exit 0',
  ].join('\n')
  return variantImage(base, 'bad-node', 'linux/amd64', {node: {text: `${script}\n`, mode: 0o755}}, ['COPY node /usr/local/bin/node'])
}
