/** The populate plan as lines for a human (`headerkit cache populate --dry-run`). */
import type {PopulatePlan} from './plan.js'

const MAX_IDENTIFIERS_SHOWN = 12

function list(values: string[], max = Number.POSITIVE_INFINITY): string {
  if (values.length === 0) return '(none)'
  if (values.length <= max) return values.join(', ')
  return `${values.slice(0, max).join(', ')}, ... (${values.length} in all)`
}

export function renderPlan(plan: PopulatePlan): string[] {
  const lines: string[] = []
  const from = plan.platformSource === 'flag' ? '--platform' : plan.platformSource === 'config' ? '[tool.headerkit.cache.populate] platforms' : `[tool.cibuildwheel] (cibuildwheel ${plan.cibuildwheel?.release ?? ''} rules)`
  lines.push(`Populate plan (dry run): ${plan.totals.jobs} job${plan.totals.jobs === 1 ? '' : 's'}, platforms from ${from}`)
  lines.push(`  store: ${plan.storeDir}`)
  if (plan.cibuildwheel) {
    const c = plan.cibuildwheel
    lines.push(`  cibuildwheel: archs ${c.archs.join(', ')}; build "${c.build}"; skip "${c.skip}"; enable [${c.enable.join(', ')}]${c.requiresPython ? `; requires-python "${c.requiresPython}"` : ''}; ${c.identifiers} identifiers`)
  }
  if (plan.pythonVersions.length > 0) lines.push(`  python versions: ${plan.pythonVersions.join(', ')}`)
  plan.jobs.forEach((job, i) => {
    lines.push('')
    lines.push(`  Job ${i + 1}: ${job.dockerPlatform} (${job.libc === 'musl' ? 'musllinux' : 'manylinux'}, ${job.libc})`)
    lines.push(`    triple:      ${job.triple}`)
    lines.push(`    image:       ${job.image.reference}${job.image.pinned ? '' : ' (not pinned)'}  [${job.image.setBy}]`)
    lines.push(`    engine:      ${job.engine} (${job.engineReason})`)
    if (job.beforeAll) lines.push(`    before-all:  ${job.beforeAll.command}  [${job.beforeAll.setBy}] (run in a started container of the platform, with network: under QEMU where the platform is foreign to its engine)`)
    lines.push(`    endpoint:    ${job.endpoint.host}${job.endpoint.source === 'default' ? '' : ` (${job.endpoint.source === 'env' ? 'DOCKER_HOST' : 'config hosts'})`}`)
    lines.push(`    serves:      ${list(job.identifiers, MAX_IDENTIFIERS_SHOWN)}`)
    lines.push(`    writers:     ${job.writers.join(', ')}`)
    for (const entry of job.entries) lines.push(`    ${entry.header} -> ${entry.slug}`)
  })
  lines.push('')
  lines.push(`Total: ${plan.totals.jobs} job${plan.totals.jobs === 1 ? '' : 's'}, ${plan.totals.irEntries} IR entries, ${plan.totals.outputs} outputs, ${plan.totals.identifiers} cibuildwheel identifiers served; timeout ${plan.timeout}s per job, ${plan.concurrency} at a time`)
  for (const n of plan.notPopulatable) lines.push(`Not populatable in containers: ${n.platform} (requested by ${n.requestedBy}); ${n.advice}`)
  return lines
}
