/**
 * dockerode, without paying at start-up for two parts headerkit does not use on the way
 * there: dockerode's BuildKit session (lib/session.js: gRPC and protobufjs, ~60 ms to
 * load, used only by `buildImage` with `version: '2'`, which headerkit never asks for) and
 * docker-modem's SSH transport (lib/ssh.js: ssh2, ~40 ms, used only for ssh:// endpoints).
 * Both modules are required at the top of their parents and export one function, so
 * each is put in the module cache as a function that loads the real module on its first
 * call and hands it the call. An ssh:// endpoint then loads ssh2 on its first request;
 * nothing else changes. Loading dockerode was most of the sysroot engine's Docker cost
 * when the headers are cached (an unpinned tag still needs one inspect).
 */
import type Docker from 'dockerode'
import {createRequire} from 'node:module'

type Fn = (...args: unknown[]) => unknown

/** Puts `file` in the module cache as a function that loads the real module when first called. */
function deferModule(require: NodeJS.Require, file: string): void {
  if (require.cache[file]) return
  let real: Fn | undefined
  const stand = function (this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete require.cache[file]
      const loaded: unknown = require(file)
      if (typeof loaded !== 'function') throw new TypeError(`${file} no longer exports a function; headerkit's deferred load of it needs updating`)
      real = loaded as Fn
    }
    return real.apply(this, args)
  }
  require.cache[file] = {id: file, filename: file, loaded: true, exports: stand, children: [], paths: []} as unknown as NodeJS.Module
}

/** The dockerode module, its BuildKit and SSH parts loaded on first use. */
export function loadDockerode(): typeof Docker {
  const require = createRequire(import.meta.url)
  const main = require.resolve('dockerode')
  const fromDockerode = createRequire(main)
  // A dockerode or docker-modem that moved these files loads whole, slower but working.
  const resolved = (find: () => string): string | undefined => {
    try {
      return find()
    } catch {
      return undefined
    }
  }
  for (const file of [resolved(() => fromDockerode.resolve('./session.js')), resolved(() => createRequire(fromDockerode.resolve('docker-modem')).resolve('./ssh.js'))]) {
    if (file) deferModule(require, file)
  }
  return require(main) as typeof Docker
}
