/**
 * From what a user asks (flags, or the API's options) to a populate plan plus the
 * generation request whose keys each job's entries must have. The command and the API
 * both come through here, so they plan alike.
 */
import {existsSync} from 'node:fs'
import {witness} from '../util/witness.js'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'
import {formatConfigWarning, loadProjectContext, readTomlFile, resolveStoreDir} from '../config/index.js'
import {resolveHeaders} from '../generate/inputs.js'
import type {GenerateRequest} from '../generate/request.js'
import {LINUX_PLATFORMS, type LinuxArch} from '../target/platforms.js'
import {listWriters} from '../writers/registry.js'
import {planPopulate, type PopulateFlags, type PopulatePlan} from './plan.js'

export interface PopulateRequest extends PopulateFlags {
  /** Header paths or globs; empty: the config's headers. */
  headers?: string[]
  storeDir?: string
  configPath?: string
  noConfig?: boolean
  cwd?: string
  env?: NodeJS.ProcessEnv
}

export interface PreparedPopulate {
  plan: PopulatePlan
  /** What generation would be asked for the same headers; each job adds its triple as target. */
  generate: GenerateRequest
  /** Config warnings, then the plan's. */
  warnings: string[]
}

/** The machine whose Docker engine runs the jobs, for cibuildwheel's auto/native archs. */
function hostArch(): LinuxArch {
  return LINUX_PLATFORMS.find((p) => p.nodeArch === process.arch)?.arch ?? 'x86_64'
}

export async function preparePopulate(request: PopulateRequest): Promise<PreparedPopulate> {
  const env = request.env ?? process.env
  const ctx = await loadProjectContext({cwd: request.cwd, configPath: request.configPath, noConfig: request.noConfig, env})
  const config = ctx.loaded?.config
  const resolved = resolveHeaders({patterns: request.headers ?? [], exclude: config?.exclude, projectRoot: ctx.projectRoot, cwd: ctx.cwd, fromConfig: config?.headers})
  const pyprojectFile = join(ctx.projectRoot, 'pyproject.toml')
  witness(pyprojectFile)
  const pyproject = existsSync(pyprojectFile) ? await readTomlFile(pyprojectFile) : undefined
  const storeDir = resolveStoreDir(ctx, request.storeDir, env)
  const plan = planPopulate({
    flags: request,
    config,
    configFile: ctx.loaded?.file,
    pyproject,
    pyprojectFile,
    env,
    host: {native: hostArch()},
    projectRoot: ctx.projectRoot,
    cwd: ctx.cwd,
    headers: resolved.headers,
    storeDir,
    knownWriters: listWriters().map((w) => w.name),
    cpus: availableParallelism(),
  })
  const generate: GenerateRequest = {
    headers: request.headers,
    writers: plan.writers,
    includeDirs: request.includeDirs,
    defines: request.defines,
    backendArgs: request.backendArgs,
    writerOptFlags: request.writerOptions,
    storeDir,
    configPath: request.configPath,
    noConfig: request.noConfig,
    cwd: request.cwd,
    env,
    // Output templates do not matter here: populate writes only into stores.
    allowOutsideProject: true,
  }
  return {plan, generate, warnings: [...ctx.warnings.map(formatConfigWarning), ...plan.warnings]}
}
