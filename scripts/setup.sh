#!/usr/bin/env bash
# Installs what headerkit's tests and example need, and nothing when it is all there.
#  - npm packages: `npm ci` when node_modules is missing or older than the lockfile;
#  - Debian packages: installed with apt-get when run as root, otherwise one line that
#    says exactly what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

# libclang and its resource headers (parser): 19, which headerkit prefers (14 lays out
# __int128 wrongly on s390x), and 14, the oldest it supports; real headers to parse (zlib,
# sqlite3, curl) and an aarch64 sysroot; the writers' real consumers (cffi, LuaJIT,
# Cython); clang itself as the benchmark floor; the library headers of the writers' corpus
# (test/writers/corpus.ts); Debian's cross GCCs and C libraries, the oracle of the cross
# targets' layout (test/populate/engines/sysroot-layout.test.ts and
# test/writers/corpus-cross.test.ts compile probes with them and read the numbers out of
# the objects: nothing runs, no qemu); they are also the hostile host that a parse for a
# platform must not see (test/parse/isolation.test.ts).
DEBIAN_PACKAGES=(
  libclang1-19 libclang-common-19-dev clang-19
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

# One dpkg-query for the whole list (one per package took seconds on a loaded machine).
declare -A installed=()
while read -r pkg status; do
  [ "$status" = "install ok installed" ] && installed[$pkg]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${DEBIAN_PACKAGES[@]}" 2>/dev/null || true)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
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

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)" >&2
  CI=true npm ci --no-audit --no-fund </dev/null >/dev/null
fi
