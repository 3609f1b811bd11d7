/**
 * A declaration a writer's consumer cannot express: without --strict the rest is
 * written, with a comment naming what was left out and a warning that is repeated when
 * the output is served from the cache; with --strict it is an error naming the
 * declaration and the exclude_patterns option.
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {generateBatch, type GenerateRequest} from '../../src/generate/index.js'
import {makeTempDir} from '../support/tmp.js'

const HEADER = `
typedef struct { __int128 wide; } wide_t;
int keep_me(int x);
wide_t take_wide(wide_t w);
int after(void);
`

function project(): string {
  const dir = makeTempDir('headerkit-refusals-')
  writeFileSync(join(dir, 'api.h'), HEADER)
  return dir
}

const run = (cwd: string, request: GenerateRequest = {}) => generateBatch({cwd, env: {}, headers: ['api.h'], writers: ['cffi'], ...request})

describe('generation: declarations a writer cannot express', function () {
  this.timeout(120_000)

  it('leaves them out (and what depends on them) with a comment and a warning, repeated from the cache', async () => {
    const dir = project()
    const first = await run(dir)
    const text = first.results[0]!.text
    assert.match(text, /^int keep_me\(int x\);$/m)
    assert.match(text, /^int after\(void\);$/m)
    const code = text.split('\n').filter((l) => !l.startsWith('//')).join('\n')
    assert.doesNotMatch(code, /take_wide|wide_t|__int128/)
    assert.match(text, /^\/\/ Left out .*\n\/\/ {3}struct 'wide_t': type '__int128' has no equivalent in the cffi consumer\n\/\/ {3}function 'take_wide': type 'wide_t' is declared neither/m)
    const expected = ["cffi output of api.h: left out struct 'wide_t': type '__int128' has no equivalent in the cffi consumer"]
    assert.deepEqual(first.warnings.filter((w) => w.includes('left out')).slice(0, 1), expected)
    assert.equal(first.warnings.filter((w) => w.includes('left out')).length, 2)
    const second = await run(dir)
    assert.equal(second.results[0]!.source, 'output-cache')
    assert.equal(second.results[0]!.text, text)
    assert.deepEqual(second.warnings.filter((w) => w.includes('left out')), first.warnings.filter((w) => w.includes('left out')))
  })

  it('fails with --strict, naming the declaration, the reason and exclude_patterns, also when the output is cached', async () => {
    const dir = project()
    await assert.rejects(run(dir, {strict: true, noCache: true}), (e: Error & {hint?: string}) =>
      /cffi writer cannot express struct 'wide_t': type '__int128'/.test(e.message) && /exclude_patterns='\^wide_t\$'/.test(e.hint ?? ''))
    await run(dir)
    await assert.rejects(run(dir, {strict: true}), /leaves declarations out, which --strict refuses:\n {2}cffi output of api.h: left out struct 'wide_t'/)
    const excluded = await run(dir, {strict: true, writerOptFlags: ['cffi:exclude_patterns=^wide_t$', 'cffi:exclude_patterns=^take_wide$']})
    assert.match(excluded.results[0]!.text, /keep_me/)
  })
})
