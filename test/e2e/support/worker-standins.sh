#!/usr/bin/env bash
# Stand-ins for the manylinux images that already hold what the debian worker recipe
# (images/debian/Dockerfile) installs, for the example (scripts/example.sh): a Debian
# bookworm root with debootstrap's minbase set (every Priority: required package, and
# apt), the C headers (libc6-dev), and nodejs, libclang1-19 and libclang-common-19-dev.
# Populate still builds its worker image on them with the recipe, but the recipe's
# apt-get install finds everything installed.
#
# Nothing of the target runs, so a foreign root costs what a native one does: apt on the
# host resolves the set for the image's architecture against an empty dpkg status and
# downloads it, dpkg-deb unpacks each package into a merged-/usr root, and its control
# fields are recorded as installed (with its file list and checksums). No maintainer
# script runs. What the set's scripts would leave that the root needs is written here:
# the users and groups (base-passwd's masters, and apt's _apt), /bin/sh, awk and which,
# apt's source with its keyring.
# Debian's loader searches the multiarch directories without ld.so.cache. Building the
# same root with debootstrap runs its second stage under QEMU: about 1.5 CPU-seconds a
# package, 2 to 4 minutes for arm64 (examples/demo/README.md).
#
# The e2e tests keep standin-images.sh's debootstrap roots without node or libclang: they
# test the recipe installing them.
#
#   worker-standins.sh ARCH ...   e.g. amd64 arm64
#
# Each image is tagged by a hash of this script, standin-lib.sh and its arch; when that
# tag exists nothing is built. Stdout gets one line per image, "linux/<arch> <tag>"; the
# rest goes to stderr. Needs a Docker Engine and, to build, root.
set -euo pipefail

SELF=$(readlink -f "$0")
REPO=headerkit-standin/bookworm-worker
MIRROR=http://deb.debian.org/debian
SUITE=bookworm
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
PACKAGES=(apt libc6-dev nodejs libclang1-19 libclang-common-19-dev)

# shellcheck source=standin-lib.sh
source "$(dirname "$SELF")/standin-lib.sh"

build() {
  local arch=$1 tag=$2 work=$3 t0=$SECONDS
  local apt=$work/apt root=$work/root
  mkdir -p "$apt"/etc/apt/{apt.conf.d,preferences.d,sources.list.d} "$apt"/var/lib/apt/lists/partial \
    "$apt"/var/cache/apt/archives/partial "$apt"/var/lib/dpkg "$root" "$work/ctx"
  : >"$apt/var/lib/dpkg/status"
  # An apt of its own: the target's architecture, nothing installed, no host configuration.
  cat >"$work/apt.conf" <<EOF
Dir "$apt/";
Dir::State::status "$apt/var/lib/dpkg/status";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
APT::Install-Recommends "false";
EOF
  echo "deb [signed-by=$KEYRING] $MIRROR $SUITE main" >"$apt/etc/apt/sources.list"
  APT_CONFIG=$work/apt.conf apt-get -qq update
  # debootstrap's minbase: the packages of priority required (and apt, in PACKAGES).
  local required
  required=$(awk -v RS= -F '\n' '{pkg = ""; req = 0; for (i = 1; i <= NF; i++) { if ($i ~ /^Package: /) pkg = substr($i, 10); if ($i == "Priority: required") req = 1 } if (req && pkg != "") print pkg}' "$apt"/var/lib/apt/lists/*_Packages | sort -u)
  # shellcheck disable=SC2086 # one word per package
  APT_CONFIG=$work/apt.conf apt-get -qq -y --download-only install $required "${PACKAGES[@]}" >/dev/null

  # Merged /usr, as debootstrap lays out bookworm: the packages' /bin, /lib, /sbin go through these.
  mkdir -p "$root"/usr/{bin,sbin,lib} "$root"/var/lib/dpkg/{info,updates} "$root/etc/apt"
  ln -s usr/bin "$root/bin"
  ln -s usr/sbin "$root/sbin"
  ln -s usr/lib "$root/lib"
  if [ "$arch" = amd64 ]; then mkdir -p "$root/usr/lib64" && ln -s usr/lib64 "$root/lib64"; fi
  : >"$root/var/lib/dpkg/status"
  : >"$root/var/lib/dpkg/available"
  local deb pkg name
  for deb in "$apt"/var/cache/apt/archives/*.deb; do
    pkg=$(dpkg-deb -f "$deb" Package)
    name=$pkg
    [ "$(dpkg-deb -f "$deb" Multi-Arch)" = same ] && name=$pkg:$(dpkg-deb -f "$deb" Architecture)
    # Unpacked once; what tar writes is dpkg's list of the package's files.
    dpkg-deb --fsys-tarfile "$deb" | tar -x -v --keep-directory-symlink -C "$root" |
      sed -e 's|^\./|/|' -e 's|/$||' -e 's|^$|/.|' >"$root/var/lib/dpkg/info/$name.list"
    # Its checksums too, as dpkg keeps them (dpkg --audit asks for them).
    dpkg-deb --ctrl-tarfile "$deb" | tar -x -O ./md5sums >"$root/var/lib/dpkg/info/$name.md5sums" 2>/dev/null ||
      rm -f "$root/var/lib/dpkg/info/$name.md5sums"
    { dpkg-deb -f "$deb" | sed '1a Status: install ok installed'; echo; } >>"$root/var/lib/dpkg/status"
  done

  # What the maintainer scripts would have left that the root needs.
  cp "$root/usr/share/base-passwd/passwd.master" "$root/etc/passwd"
  cp "$root/usr/share/base-passwd/group.master" "$root/etc/group"
  echo '_apt:x:42:65534::/nonexistent:/usr/sbin/nologin' >>"$root/etc/passwd"
  [ -e "$root/usr/bin/sh" ] || ln -s dash "$root/usr/bin/sh"
  # update-alternatives' links that mawk's and debianutils' scripts make (apt-key needs awk).
  [ -e "$root/usr/bin/awk" ] || ln -s mawk "$root/usr/bin/awk"
  [ -e "$root/usr/bin/which" ] || ln -s which.debianutils "$root/usr/bin/which"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $SUITE main" >"$root/etc/apt/sources.list"
  [ -f "$root/usr/include/stdio.h" ] || { echo "no /usr/include/stdio.h in the $arch root" >&2; return 1; }
  image_from_root "$root" "$work/ctx" "linux/$arch" "$tag" /bin/bash
  # Node must start there (through QEMU for a foreign arch): the worker runs on it. And
  # apt must see every package as installed, which is what lets the recipe skip them.
  docker run --rm --platform "linux/$arch" "$tag" sh -c 'node --version && apt-get check -qq' >/dev/null ||
    { echo "node does not start, or apt finds broken packages, in the $arch root" >&2; return 1; }
  echo "built $tag in $((SECONDS - t0)) s ($(ls "$apt"/var/cache/apt/archives/*.deb | wc -l) packages unpacked on the host)"
}

(($#)) || { echo "worker-standins: usage: worker-standins.sh ARCH ... (amd64, arm64)" >&2; exit 2; }
require_docker worker-standins
missing() { local a; for a in "$@"; do have "$(tag_of "$a")" || echo "$a"; done; }
todo=$(missing "$@")
if [ -n "$todo" ]; then
  [ "$(id -u)" = 0 ] || { echo "worker-standins: images to build ($(echo $todo)) and that needs root; run: sudo bash $SELF $*" >&2; exit 1; }
  # Two runs at once build each image once: the second waits, then finds the tags.
  exec 8>/var/tmp/headerkit-worker-standins.lock
  flock 8
  todo=$(missing "$@")
fi
if [ -n "$todo" ]; then
  work=$(mktemp -d /var/tmp/headerkit-worker-standins.XXXXXX)
  trap 'rm -rf --one-file-system "$work"' EXIT
  declare -A pids
  for arch in $todo; do
    echo "worker-standins: building linux/$arch (Debian minbase with node and libclang 19, unpacked on the host)" >&2
    build "$arch" "$(tag_of "$arch")" "$work/$arch" >"$work/$arch.log" 2>&1 &
    pids[$arch]=$!
  done
  failed=0
  for arch in $todo; do
    if wait "${pids[$arch]}"; then
      tail -n 1 "$work/$arch.log" | sed 's/^/worker-standins: /' >&2
    else
      failed=1
      echo "worker-standins: building linux/$arch failed; last lines of its log:" >&2
      tail -n 15 "$work/$arch.log" >&2
    fi
  done
  ((failed == 0)) || exit 1
  # Earlier recipes' images of an arch just built are dead weight now.
  for arch in $todo; do
    current=$(tag_of "$arch")
    docker image ls "$REPO" --format '{{.Repository}}:{{.Tag}}' | awk -v p="$REPO:$arch-" -v c="$current" 'index($0, p) == 1 && $0 != c' |
      while read -r old; do docker image rm "$old" >/dev/null 2>&1 || true; done
  done
fi
for arch in "$@"; do echo "linux/$arch $(tag_of "$arch")"; done
