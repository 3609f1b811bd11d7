#!/usr/bin/env bash
# The main job on the bundled example: copies examples/demo to a temporary directory
# (nothing in this checkout is modified), generates its bindings twice (the first run
# parses with libclang, the second is served from .headerkit/), then shows the store.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build >/dev/null
work="$(mktemp -d "${TMPDIR:-/tmp}/headerkit-example.XXXXXX")"
cp -r examples/demo "$work/demo"
cd "$work/demo"
headerkit() { node "$OLDPWD/bin/run.js" "$@"; }
echo "== $work/demo: first run (parses with libclang)"
headerkit
echo "== second run (served from .headerkit/, libclang not loaded)"
headerkit
echo "== bindings/demo.cdef.txt (head)"
head -n 12 bindings/demo.cdef.txt
echo "== headerkit cache status"
headerkit cache status
echo "== headerkit cache verify"
headerkit cache verify
echo "== done: the project and its store are in $work/demo"
