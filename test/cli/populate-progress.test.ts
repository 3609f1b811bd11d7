/** Populate's progress: a live block redrawn in place on a terminal, plain lines elsewhere. */
import assert from 'node:assert/strict'
import {progressRenderer} from '../../src/cli/populate-progress.js'
import type {JobReport} from '../../src/populate/report.js'

function fakeStream(isTTY: boolean): NodeJS.WriteStream & {text: string} {
  const s = {isTTY, columns: 100, text: '', write(chunk: string) {
    s.text += chunk
    return true
  }}
  return s as unknown as NodeJS.WriteStream & {text: string}
}

const done = {label: 'linux/arm64', status: 'populated', entries: {new: 2, present: 0, total: 2}, durationMs: 4200, error: null} as unknown as JobReport

describe('populate progress', () => {
  it('prints one plain line per phase change when stderr is not a terminal', () => {
    const out = fakeStream(false)
    const p = progressRenderer(out, {})
    p.onEvent({type: 'job-phase', job: 'linux/arm64', phase: 'pull', detail: 'quay.io/x'})
    p.onEvent({type: 'job-phase', job: 'linux/arm64', phase: 'parse', detail: '2 headers'})
    p.onEvent({type: 'job-end', job: 'linux/arm64', report: done})
    p.stop()
    assert.equal(out.text, 'linux/arm64: pull quay.io/x\nlinux/arm64: parse 2 headers\nlinux/arm64: populated: 2 new, 0 present in 4.2s\n')
  })

  it('on a terminal keeps one line per platform and redraws them in place', () => {
    const out = fakeStream(true)
    const p = progressRenderer(out, {})
    p.onEvent({type: 'job-phase', job: 'linux/amd64', phase: 'parse'})
    p.onEvent({type: 'job-phase', job: 'linux/arm64', phase: 'probe'})
    p.onEvent({type: 'job-phase', job: 'linux/arm64', phase: 'worker-image'})
    p.stop()
    const frames = out.text.split('\u001B[2F')
    assert.ok(frames.length >= 3, 'the two-line block is redrawn from its top')
    const last = frames.at(-1)!
    assert.match(last, /linux\/amd64\s+parse\s+\d+\.\ds/)
    assert.match(last, /linux\/arm64\s+worker-image\s+\d+\.\ds/)
    assert.doesNotMatch(last, /probe/)
  })

  it('under CI on a terminal, still plain lines', () => {
    const out = fakeStream(true)
    const p = progressRenderer(out, {CI: 'true'})
    p.onEvent({type: 'job-phase', job: 'linux/amd64', phase: 'connect'})
    p.stop()
    assert.equal(out.text, 'linux/amd64: connect\n')
  })
})
