#!/usr/bin/env bash
# The main job on the bundled example (examples/demo, a small cibuildwheel project):
# `headerkit cache populate --cibuildwheel` for its six Linux platforms, in a copy of the
# project in a temporary directory (nothing in this checkout is modified).
#
#   1. the plan (--dry-run);
#   2. the run, with live progress: manylinux x86_64 and aarch64 through the docker engine
#      (aarch64 under QEMU), the rest through the sysroot engine; then the report;
#   3. a second run: every entry already there, no Docker needed;
#   4. `cache status`, then `cache verify --sources` for every populated triple;
#   5. the aarch64 bindings served by the Python reader (no Node, no libclang), beside the
#      x86_64 ones: the lines the `#ifdef __aarch64__` branch changes;
#   6. where the project and its store are.
#
# Images: cibuildwheel's own (quay.io/pypa/...) when they are here or can be pulled; else
# local Debian stand-ins, built by the e2e tests' scripts (test/e2e/support: worker-standins.sh
# for linux/amd64 and linux/arm64, Debian roots that already hold Node and libclang, unpacked
# on the host; header-standins.sh for the platforms the matrix needs; musl-standins.sh) once and
# reused by tag, named in the copy's [tool.headerkit.cache.populate.images]. Without a
# usable Docker (not root, no docker), only steps 1 and 4 run, after one line saying what
# to install.
#
# Time: every run after the first takes seconds. The first one on a fresh machine is
# mostly the manylinux stand-ins (downloading and unpacking about 130 packages each), then
# the worker image populate builds on the arm64 one (apt-get update under QEMU); everything
# else runs beside that (examples/demo/README.md).
#
# Options (for tests, and for looking around afterwards):
#   --dir DIR     put the project in DIR/demo (DIR is created; DIR/demo must not exist)
#   --stand-ins   use the stand-ins without asking the registry
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

dir=""
force_standins=0
while (($#)); do
  case "$1" in
    --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
    --stand-ins) force_standins=1; shift ;;
    *) echo "example: unknown argument $1 (usage: scripts/example.sh [--dir DIR] [--stand-ins])" >&2; exit 2 ;;
  esac
done

t_start=$EPOCHREALTIME
t_step=$t_start
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f s", b - a}'; }
step() {
  echo
  echo "== $*"
  t_step=$EPOCHREALTIME
}
done_step() { echo "   ($(elapsed "$t_step"))"; }

# --- Set-up: Docker with QEMU, npm and Debian packages, the build, the images ------------
# On a fresh machine the stand-ins are most of the first run, and the manylinux ones are the
# longest, then populate builds its worker image on the arm64 one (apt under QEMU). So they
# start as soon as Docker is ready, when they will be needed, and the packages, npm and the
# build happen beside them. Each part's time is printed.
step "0. set-up"
work=$(mktemp -d "${TMPDIR:-/tmp}/headerkit-example-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
t_part=$EPOCHREALTIME
part_done() { echo "   $1: $(elapsed "$t_part")"; t_part=$EPOCHREALTIME; }

docker_was_up=0
timeout 10 docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1 && docker_was_up=1
docker_ok=1
docker_why=""
if ! docker_why=$(bash scripts/docker-setup.sh 2>&1); then
  docker_ok=0
fi
docker_started=0
if ((docker_ok && !docker_was_up)) && [ -f /run/headerkit-test/dockerd.pid ]; then docker_started=1; fi
part_done "Docker with QEMU (scripts/docker-setup.sh)"

# The stand-in scripts (test/e2e/support), each in the background: it prints "<platform
# key> <tag>" lines (into $work/<name>.tags), and on stderr a line per image it builds
# (shown) between debootstrap's output (kept in $work/<name>.log).
SUPPORT=$REPO/test/e2e/support
standin_pids=() standin_started=()
t_standins=""
start_standins() {
  local name=$1
  shift
  t_standins=${t_standins:-$EPOCHREALTIME}
  # stderr first: the progress lines go to this script's stdout, not into the tags file.
  "$@" 2> >(tee "$work/$name.log" | grep -E --line-buffered '^[a-z]+-(images|standins): ' | sed -u 's/^/   /') >"$work/$name.tags" &
  standin_pids+=($!)
  standin_started+=("$name")
}
# The manylinux stand-ins: Debian roots that already hold the worker recipe's packages
# (worker-standins.sh: unpacked on the host, so nothing runs under QEMU to build them, and
# the recipe's apt under QEMU has nothing to install).
manylinux_standins() {
  bash "$SUPPORT/worker-standins.sh" amd64 arm64
}
# Whether cibuildwheel's registry answers, before the plan says which images: when it does
# not and none of its images is here, the manylinux stand-ins (amd64, arm64) will be needed.
if ((docker_ok)) && { ((force_standins)) || { [ -z "$(docker image ls -q 'quay.io/pypa/*' 2>/dev/null)" ] &&
  ! timeout 30 docker manifest inspect quay.io/pypa/manylinux_2_28_x86_64 >/dev/null 2>&1; }; }; then
  start_standins manylinux manylinux_standins
fi

bash scripts/setup.sh
part_done "Debian and npm packages (scripts/setup.sh)"
# The build only when dist/ is missing or older than what it is built from.
if [ ! -f dist/commands.js ] || [ ! -f dist/worker/worker.mjs ] ||
  [ -n "$(find src scripts/bundle.mjs scripts/bundle-worker.mjs package.json tsconfig.json -newer dist/commands.js -print -quit)" ]; then
  npm run --silent build >/dev/null
  part_done "dist/ (npm run build)"
fi

if [ -z "$dir" ]; then dir=$(mktemp -d "${TMPDIR:-/tmp}/headerkit-example.XXXXXX"); fi
mkdir -p "$dir"
project=$(cd "$dir" && pwd)/demo
if [ -e "$project" ]; then echo "example: $project already exists; give --dir a directory without demo/ in it" >&2; exit 2; fi
cp -r examples/demo "$project"
cd "$project"
headerkit() { node "$REPO/bin/run.js" "$@"; }

# The jobs, as "<platform key> <image> <triple>" lines (platform key: linux/arm64, linux/arm64:musl).
headerkit cache populate --cibuildwheel --dry-run --json >"$work/plan.json"
jobs_of() {
  node -e 'const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
    for (const j of p.jobs) console.log(`${j.dockerPlatform}${j.libc === "musl" ? ":musl" : ""} ${j.image.reference} ${j.triple}`)' "$1"
}
jobs_of "$work/plan.json" >"$work/jobs"
mapfile -t triples < <(awk '{print $3}' "$work/jobs")

# Images: the configured ones when they are here or the registry answers; else stand-ins.
use_standins=0
if ((docker_ok)); then
  missing=""
  while read -r key image triple; do
    docker image inspect "$image" >/dev/null 2>&1 || { missing=$image; break; }
  done <"$work/jobs"
  if ((force_standins)) || { [ -n "$missing" ] && ! timeout 30 docker manifest inspect "$missing" >/dev/null 2>&1; }; then
    use_standins=1
    why="$missing cannot be pulled here"
    ((force_standins)) && why="--stand-ins"
    echo "images: $why; using local Debian stand-ins (built once, reused by tag) in this copy's [tool.headerkit.cache.populate.images]"
    # Only the header-only stand-ins this matrix needs (platforms other than linux/amd64 and
    # linux/arm64 without musl: those are standin-images.sh's).
    mapfile -t header_platforms < <(awk '$1 !~ /:musl$/ && $1 != "linux/amd64" && $1 != "linux/arm64" {print $1}' "$work/jobs" | sort -u)
    [[ " ${standin_started[*]} " == *" manylinux "* ]] || start_standins manylinux manylinux_standins
    ((${#header_platforms[@]} == 0)) || start_standins headers bash "$SUPPORT/header-standins.sh" "${header_platforms[@]}"
    if grep -q ':musl ' "$work/jobs"; then start_standins musl bash "$SUPPORT/musl-standins.sh"; fi
  fi
fi
# Stand-ins started early and not needed after all (the images are here): they are reused
# by tag later (and by the e2e tests), so they finish rather than being cut off.
failed=""
for i in "${!standin_pids[@]}"; do
  wait "${standin_pids[$i]}" || failed+=" ${standin_started[$i]}"
done
if ((use_standins)); then
  if [ -n "$failed" ]; then
    docker_ok=0
    docker_why=$(cat "$work"/*.log | grep -v '^ *$' | tail -n 1)
  else
    echo "   stand-in images (test/e2e/support/*.sh): $(elapsed "$t_standins") from their start, $(elapsed "$t_part") of it after the rest of the set-up"
    {
      echo
      echo "# Local stand-ins for cibuildwheel's images, which cannot be pulled here (scripts/example.sh)."
      echo "[tool.headerkit.cache.populate.images]"
      while read -r key image triple; do
        tag=$(awk -v k="$key" '$1 == k {tag = $2} END {print tag}' "$work"/*.tags)
        [ -n "$tag" ] || { echo "example: no stand-in image for $key" >&2; exit 1; }
        echo "\"$key\" = \"$tag\""
      done <"$work/jobs"
    } >>pyproject.toml
  fi
fi
if ((!docker_ok)); then
  echo "example: steps 2, 3 and 5 (they need Docker with QEMU) cannot run here: ${docker_why:-no Docker Engine answers}"
fi
done_step

# --- 1. The plan -------------------------------------------------------------------------
# Every job at once: the sysroot jobs take seconds, and the emulated one should not wait for them.
concurrency=(--concurrency "$(wc -l <"$work/jobs")")
step "1. the plan: headerkit cache populate --cibuildwheel ${concurrency[*]} --dry-run"
headerkit cache populate --cibuildwheel "${concurrency[@]}" --dry-run
done_step

if ((docker_ok)); then
  # --- 2. The run --------------------------------------------------------------------------
  step "2. the run: headerkit cache populate --cibuildwheel ${concurrency[*]}"
  headerkit cache populate --cibuildwheel "${concurrency[@]}"
  done_step

  # --- 3. Again: nothing to do -------------------------------------------------------------
  step "3. a second run: every entry is there, so no container (DOCKER_HOST points nowhere)"
  DOCKER_HOST=unix:///nonexistent/docker.sock headerkit cache populate --cibuildwheel
  done_step
fi

# --- 4. The store --------------------------------------------------------------------------
step "4. the store: headerkit cache status, then cache verify --sources"
target_args=()
if ((docker_ok)); then
  for t in "${triples[@]}"; do target_args+=(--target "$t"); done
else
  echo "nothing was populated; \`headerkit\` makes this machine's own entries (libclang on the host):"
  headerkit
fi
echo "\$ headerkit cache status"
headerkit cache status
echo "\$ headerkit cache verify --sources ${target_args[*]}"
headerkit cache verify --sources "${target_args[@]}"
done_step

if ((docker_ok)); then
  # --- 5. Served by Python -----------------------------------------------------------------
  aarch64="" native=""
  for t in "${triples[@]}"; do
    case "$t" in aarch64-*-gnu) aarch64=${aarch64:-$t} ;; x86_64-*-gnu) native=${native:-$t} ;; esac
  done
  step "5. served without libclang and without Node: python3 -m headerkit_store include/demo.h -w cffi --target $aarch64"
  # A PATH holding python3 and nothing else: no node, no clang within reach.
  mkdir -p "$work/bin"
  ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$work/bin/python3"
  py() { env -i PATH="$work/bin" PYTHONPATH="$REPO/python" python3 -m headerkit_store include/demo.h -w cffi "$@"; }
  py --target "$aarch64" >"$work/aarch64.cdef.txt"
  py --target "$native" >"$work/native.cdef.txt"
  echo "$(wc -l <"$work/aarch64.cdef.txt") lines of cffi cdef for $aarch64; the lines that differ from $native:"
  # Each file headed by its triple, so the heading lines up with the columns.
  diff --side-by-side --suppress-common-lines --expand-tabs --width 100 \
    <(echo "$native"; cat "$work/native.cdef.txt") <(echo "$aarch64"; cat "$work/aarch64.cdef.txt") | sed 's/^/   /' || true
  done_step
fi

# --- 6. Where things are -------------------------------------------------------------------
step "6. where to look"
echo "project:  $project"
echo "store:    $project/.headerkit (headerkit cache status, ls .headerkit/ir)"
echo "config:   $project/pyproject.toml ([tool.cibuildwheel], [tool.headerkit])"
if ((docker_started)); then echo "docker:   the dockerd this example started is still running; stop it with: bash $REPO/scripts/docker-down.sh"; fi
echo "total:    $(elapsed "$t_start")"
