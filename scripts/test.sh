#!/usr/bin/env bash
# The test command from the README. Sets up what the tests need, then runs mocha.
# As root on Debian it installs the system packages itself; otherwise it says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if (($#)); then exec node node_modules/mocha/bin/mocha.js "$@"; fi
exec node node_modules/mocha/bin/mocha.js "test/**/*.test.ts"
