/**
 * Populate's progress on stderr: on a TTY (and not under CI) one live line per platform
 * with its phase and elapsed time, redrawn in place; otherwise one plain line per phase
 * change, which reads well in CI logs.
 */
import type {PopulateEvent} from '../populate/report.js'

interface Row {
  label: string
  phase: string
  detail: string
  since: number
  done: boolean
}

export interface ProgressRenderer {
  onEvent(event: PopulateEvent): void
  stop(): void
}

const REDRAW_MS = 150

function elapsed(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}

export function progressRenderer(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ProgressRenderer {
  const live = stream.isTTY === true && !env.CI && env.TERM !== 'dumb'
  const rows = new Map<string, Row>()
  const started = new Map<string, number>()
  let drawn = 0
  let timer: NodeJS.Timeout | undefined

  const draw = (): void => {
    const now = performance.now()
    const lines = [...rows.values()].map((r) => {
      const t = elapsed(now - (started.get(r.label) ?? now))
      return r.done ? `  ${r.label.padEnd(18)} ${r.phase}${r.detail ? ` ${r.detail}` : ''}` : `  ${r.label.padEnd(18)} ${r.phase.padEnd(13)} ${t.padStart(7)}${r.detail ? `  ${r.detail}` : ''}`
    })
    const width = stream.columns ?? 120
    let out = drawn > 0 ? `\u001B[${drawn}F` : ''
    for (const line of lines) out += `\u001B[2K${line.length > width - 1 ? line.slice(0, width - 1) : line}\n`
    stream.write(out)
    drawn = lines.length
  }

  const say = (line: string): void => {
    if (!live) {
      stream.write(`${line}\n`)
      return
    }
    // A warning above the live block: clear the block, print, redraw.
    let out = drawn > 0 ? `\u001B[${drawn}F` : ''
    for (let i = 0; i < drawn; i++) out += '\u001B[2K\n'
    out += drawn > 0 ? `\u001B[${drawn}F` : ''
    stream.write(`${out}${line}\n`)
    drawn = 0
    draw()
  }

  return {
    onEvent(event) {
      if (event.type === 'warning') return say(`Warning: ${event.message}`)
      if (event.type === 'merge') return say(`merging the entries of ${event.sources} platform${event.sources === 1 ? '' : 's'} into the project store`)
      const now = performance.now()
      if (!started.has(event.job)) started.set(event.job, now)
      if (event.type === 'job-phase') {
        rows.set(event.job, {label: event.job, phase: event.phase, detail: event.detail ?? '', since: now, done: false})
        if (!live) stream.write(`${event.job}: ${event.phase}${event.detail ? ` ${event.detail}` : ''}\n`)
      } else if (event.type === 'job-checked') {
        const summary = event.status === 'differs' ? `differs (${event.differences} entr${event.differences === 1 ? 'y' : 'ies'})` : event.status
        rows.set(event.job, {label: event.job, phase: summary, detail: `in ${elapsed(event.durationMs)}`, since: now, done: true})
        if (!live) stream.write(`${event.job}: ${summary} in ${elapsed(event.durationMs)}\n`)
      } else {
        const r = event.report
        const summary = r.status === 'failed' ? `failed (${r.error?.code ?? 'error'})` : `${r.status}: ${r.entries.new} new, ${r.entries.present} present`
        rows.set(event.job, {label: event.job, phase: summary, detail: `in ${elapsed(r.durationMs)}`, since: now, done: true})
        if (!live) stream.write(`${event.job}: ${summary} in ${elapsed(r.durationMs)}\n`)
      }
      if (live) {
        timer ??= setInterval(draw, REDRAW_MS)
        timer.unref()
        draw()
      }
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      if (live && rows.size > 0) draw()
    },
  }
}
