# What the stand-in image scripts share (sourced by standin-images.sh, header-standins.sh
# and musl-standins.sh). Each sets SELF (its own path) and REPO (its image repository)
# before sourcing this file.

STANDIN_LIB=$(readlink -f "${BASH_SOURCE[0]}")

# The image tag of an arch: a hash of the script, this file and the arch, so that a
# changed recipe builds new images and an unchanged one reuses them.
tag_of() { echo "$REPO:$1-$({ cat "$SELF" "$STANDIN_LIB"; echo "arch=$1"; } | sha256sum | cut -c1-12)"; }
have() { docker image inspect "$1" >/dev/null 2>&1; }

# Without a daemon every image would look missing: say what is wrong instead (NAME: the script's).
require_docker() {
  local err
  if ! err=$(docker version --format '{{.Server.APIVersion}}' 2>&1 >/dev/null); then
    echo "$1: no Docker Engine answers ($(echo "$err" | tail -n 1)); run: sudo bash scripts/docker-setup.sh" >&2
    exit 1
  fi
}

# Packs ROOT into an image FROM scratch for PLATFORM, tagged TAG, whose command is CMD,
# building in the empty directory CTX. The classic builder: there is no buildx here, and
# it records --platform in a FROM scratch image.
image_from_root() {
  local root=$1 ctx=$2 platform=$3 tag=$4 cmd=$5
  tar --numeric-owner -C "$root" -cf "$ctx/rootfs.tar" .
  printf '%s\n' 'FROM scratch' 'ADD rootfs.tar /' "CMD [\"$cmd\"]" >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build --platform "$platform" -t "$tag" "$ctx"
}
