#!/usr/bin/env bash
# Header-only stand-ins for musllinux images, for the sysroot engine's tests: what a
# musllinux image's /usr/include holds (musl's own headers and the kernel's, as Alpine's
# musl-dev and linux-headers install them), taken from Debian's musl-dev and
# linux-libc-dev packages for the arch. The packages are fetched from Debian's mirror and
# unpacked with dpkg-deb -x: nothing of the target runs, nothing on the host changes.
# The images are never started: the sysroot engine only copies headers out of them.
#
# Each image is tagged by a hash of this script, standin-lib.sh and its arch; when that tag exists nothing
# is built. Stdout gets one line per image, "<docker platform>:musl <tag>"; the rest goes
# to stderr. Needs a Docker Engine and python3 (to read the mirror's package index).
set -euo pipefail

SELF=$(readlink -f "$0")
REPO=headerkit-standin/musl-headers
MIRROR=http://deb.debian.org/debian
SUITE=bookworm
# Debian arch, Docker platform, Debian's multiarch tuple (where linux-libc-dev puts asm/).
SPECS=("amd64 linux/amd64 x86_64-linux-gnu" "arm64 linux/arm64 aarch64-linux-gnu" "ppc64el linux/ppc64le powerpc64le-linux-gnu")

# shellcheck source=standin-lib.sh
source "$(dirname "$SELF")/standin-lib.sh"

# Downloads the packages named after the arch into a directory, from the suite's index.
fetch() {
  python3 - "$MIRROR" "$SUITE" "$@" <<'PY'
import lzma, re, sys, urllib.request
mirror, suite, arch, out, *packages = sys.argv[1:]
index = lzma.decompress(urllib.request.urlopen(f'{mirror}/dists/{suite}/main/binary-{arch}/Packages.xz', timeout=120).read()).decode()
for pkg in packages:
    m = re.search(rf'^Package: {re.escape(pkg)}\n(?:.+\n)*?Filename: (\S+)', index, re.M)
    if not m:
        sys.exit(f'{pkg} is not in {suite}/{arch}')
    with open(f'{out}/{pkg}.deb', 'wb') as f:
        f.write(urllib.request.urlopen(f'{mirror}/{m.group(1)}', timeout=300).read())
PY
}

build() {
  local arch=$1 platform=$2 multiarch=$3 tag=$4 work=$5 t0=$SECONDS
  mkdir -p "$work/debs" "$work/x" "$work/root/usr/include" "$work/ctx"
  fetch "$arch" "$work/debs" musl-dev linux-libc-dev
  dpkg-deb -x "$work/debs/musl-dev.deb" "$work/x"
  dpkg-deb -x "$work/debs/linux-libc-dev.deb" "$work/x"
  local musl
  musl=$(find "$work/x/usr/include" -maxdepth 1 -name '*-linux-musl*' -type d | head -n 1)
  [ -n "$musl" ] && [ -f "$musl/stdio.h" ] || { echo "no musl headers in musl-dev for $arch" >&2; return 1; }
  # Alpine's layout: musl at the top of /usr/include, the kernel's beside it, asm/ for the arch.
  cp -a "$musl/." "$work/root/usr/include/"
  local d
  for d in "$work/x/usr/include"/*; do
    case "$(basename "$d")" in *-linux-*) ;; *) cp -a "$d" "$work/root/usr/include/" ;; esac
  done
  cp -a "$work/x/usr/include/$multiarch/asm" "$work/root/usr/include/asm"
  image_from_root "$work/root" "$work/ctx" "$platform" "$tag" /bin/sh
  echo "built $tag in $((SECONDS - t0)) s"
}

require_docker musl-standins
exec 8>/var/tmp/headerkit-musl-standins.lock
flock 8
work=$(mktemp -d /var/tmp/headerkit-musl-standins.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
for spec in "${SPECS[@]}"; do
  read -r arch platform multiarch <<<"$spec"
  tag=$(tag_of "$arch")
  have "$tag" && continue
  echo "musl-standins: building $platform:musl (Debian $SUITE musl-dev, linux-libc-dev)" >&2
  if ! build "$arch" "$platform" "$multiarch" "$tag" "$work/$arch" >"$work/$arch.log" 2>&1; then
    echo "musl-standins: building $arch failed; last lines of its log:" >&2
    tail -n 15 "$work/$arch.log" >&2
    exit 1
  fi
  tail -n 1 "$work/$arch.log" | sed 's/^/musl-standins: /' >&2
done
for spec in "${SPECS[@]}"; do
  read -r arch platform multiarch <<<"$spec"
  echo "$platform:musl $(tag_of "$arch")"
done
