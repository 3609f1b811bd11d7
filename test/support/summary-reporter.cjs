'use strict'
// CI reads the closing line `N passed, N failed`; mocha's own "N passing" is not recognised.
const Mocha = require('mocha')
const {EVENT_RUN_END} = Mocha.Runner.constants
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options)
    runner.once(EVENT_RUN_END, () => {
      const s = this.stats
      process.stdout.write(`${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}\n`)
    })
  }
}
module.exports = SummaryReporter
