#!/usr/bin/env bash
# The test command from the README. Sets up what the tests need, then runs mocha.
# As root on Debian it installs the system packages itself; otherwise it says what to install.
# The e2e tests (test/e2e) also need Docker with QEMU: that is set up only when they are
# among the tests to run (`npm test -- test/store` needs no Docker), and a dockerd the setup
# started is stopped again when the run ends.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests

specs=("$@")
((${#specs[@]})) || specs=("test/**/*.test.ts")

# Whether mocha's arguments reach test/e2e: a path at, in or above it, or a glob matching
# something there, expanded the way mocha expands it (** crosses directories, * does not).
# Options and their values name no existing path, so they select nothing.
selects_e2e() {
  local e2e arg path real
  e2e=$(realpath test/e2e)
  shopt -s globstar nullglob
  for arg in "${specs[@]}"; do
    [[ $arg == -* ]] && continue
    for path in $arg; do
      real=$(realpath -m "$path")
      [[ $real == "$e2e" || $real == "$e2e"/* || $e2e == "$real"/* ]] && return 0
    done
  done
  return 1
}

if [ -d test/e2e ] && selects_e2e; then
  # --hold: a concurrent run sharing the daemon keeps it up until the last one ends.
  bash scripts/docker-setup.sh --hold $$
  if [ -f /run/headerkit-test/dockerd.pid ]; then
    trap 'bash scripts/docker-down.sh --release $$' EXIT
    # Interrupted runs exit through the EXIT trap too.
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
fi
node node_modules/mocha/bin/mocha.js "${specs[@]}"
