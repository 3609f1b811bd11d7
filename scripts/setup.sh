#!/usr/bin/env bash
# Installs what headerkit needs, and nothing when it is all there.
#  - Debian packages: installed with apt-get when run as root, otherwise one line that
#    says exactly what to install;
#  - npm packages: `npm ci` when node_modules does not hold what package-lock.json names.
#
#   scripts/setup.sh           what headerkit itself and `npm run example` need
#   scripts/setup.sh --tests   that, plus what only the tests and benchmarks need
#                              (scripts/test.sh and .ci/run use this)
#
# The split is for a fresh machine: the tests' packages (six cross GCCs with their C
# libraries, a second libclang, a corpus of library headers, the writers' consumers) are
# about 220 more .deb files and 340 MB, over two minutes of apt on top of the example's 20 s.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=0
while (($#)); do
  case "$1" in
    --tests) tests=1; shift ;;
    *) echo "setup: unknown argument $1 (usage: scripts/setup.sh [--tests])" >&2; exit 2 ;;
  esac
done

# libclang 19 with its resource headers (stddef.h, stdarg.h): the parser, and the sysroot
# engine's libclang on the host (headerkit prefers 19: 14 lays out __int128 wrongly on
# s390x); python3 for the Python store reader (python/headerkit_store) and the e2e
# stand-in scripts.
PRODUCT_PACKAGES=(libclang1-19 libclang-common-19-dev python3)

# Only for the tests and benchmarks: libclang 14, the oldest headerkit supports; real
# headers to parse (zlib, sqlite3, curl) and an aarch64 sysroot; the writers' real
# consumers (cffi, LuaJIT, Cython); clang itself as the benchmark floor; the library
# headers of the writers' corpus (test/writers/corpus.ts); Debian's cross GCCs and C
# libraries, the oracle of the cross targets' layout (test/populate/engines/sysroot-layout.test.ts
# and test/writers/corpus-cross.test.ts compile probes with them and read the numbers out
# of the objects: nothing runs, no qemu); they are also the hostile host that a parse for
# a platform must not see (test/parse/isolation.test.ts).
TEST_PACKAGES=(
  clang-19
  libclang1-14 libclang-common-14-dev clang-14
  gcc-aarch64-linux-gnu gcc-powerpc64le-linux-gnu gcc-arm-linux-gnueabihf gcc-i686-linux-gnu
  gcc-s390x-linux-gnu gcc-riscv64-linux-gnu
  libc6-dev-i386-cross libc6-dev-armhf-cross libc6-dev-ppc64el-cross libc6-dev-s390x-cross libc6-dev-riscv64-cross
  zlib1g-dev libsqlite3-dev libcurl4-openssl-dev libc6-dev-arm64-cross
  python3-cffi python3-dev cython3 luajit
  python3-setuptools python3-wheel python3-pip
  libexpat1-dev libhiredis-dev libyaml-dev libhttp-parser-dev libuv1-dev libpng-dev liblz4-dev libzstd-dev
  libbz2-dev liblzma-dev libffi-dev uuid-dev libarchive-dev libmagic-dev libjansson-dev libbluetooth-dev
  libpcap-dev libevent-dev libgmp-dev linux-libc-dev
)

packages=("${PRODUCT_PACKAGES[@]}")
((tests)) && packages+=("${TEST_PACKAGES[@]}")

# One dpkg-query for the whole list (one per package took seconds on a loaded machine).
declare -A installed=()
while read -r pkg status; do
  [ "$status" = "install ok installed" ] && installed[$pkg]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for pkg in "${packages[@]}"; do
  [ -n "${installed[$pkg]:-}" ] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# node_modules is current when npm's record of what it installed (node_modules/.package-lock.json)
# has every package of the lockfile at its version and integrity (optional packages for other
# platforms are left out by npm). Compared only when the lockfile is the newer file: its
# mtime changes on a checkout or a worktree without its content changing, and `npm ci` then
# would reinstall everything for nothing.
npm_current() {
  [ -f node_modules/.package-lock.json ] || return 1
  [ package-lock.json -nt node_modules/.package-lock.json ] || return 0
  node -e '
    const {readFileSync} = require("node:fs")
    const wanted = JSON.parse(readFileSync("package-lock.json", "utf8")).packages ?? {}
    const have = JSON.parse(readFileSync("node_modules/.package-lock.json", "utf8")).packages ?? {}
    const stale = Object.entries(wanted).filter(([path, p]) => path !== "" &&
      (have[path] ? have[path].version !== p.version || have[path].integrity !== p.integrity : !p.optional))
    process.exit(stale.length ? 1 : 0)'
}
if ! npm_current; then
  echo "setup: installing npm packages (npm ci)" >&2
  CI=true npm ci --no-audit --no-fund </dev/null >/dev/null
fi
