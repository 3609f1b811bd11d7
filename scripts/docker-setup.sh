#!/usr/bin/env bash
# What the e2e tests need from the machine: a Docker Engine answering on its socket, and
# QEMU registered with binfmt_misc so that linux/arm64 containers run on an amd64 host,
# plus debootstrap to build the stand-in base images (no registry is reachable, so they
# are built, never pulled). Does nothing and prints nothing when all of it is there.
#
# As root it installs the Debian packages, mounts binfmt_misc, registers qemu-aarch64 and
# starts dockerd if nothing answers. A dockerd it starts is recorded in $STATE_DIR, so that
# scripts/docker-down.sh stops that one and never a daemon somebody else runs.
# `--hold PID` also registers PID as a user of that daemon: docker-down.sh --release PID
# stops it only when no other live holder remains (two test runs at once share it).
# As another user, anything missing is one line saying what to run, and exit 1.
set -euo pipefail

STATE_DIR=/run/headerkit-test
LOG=/var/log/headerkit-dockerd.log
SOCK=/var/run/docker.sock
BINFMT=/proc/sys/fs/binfmt_misc

hold=""
while (($#)); do
  case "$1" in
    --hold) hold="$2"; shift 2 ;;
    *) echo "docker-setup: unknown argument $1 (usage: docker-setup.sh [--hold PID])" >&2; exit 2 ;;
  esac
done

is_root() { [ "$(id -u)" = 0 ]; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# The main daemon, asked on its own socket whatever DOCKER_HOST says: that is the one this
# script may have to start. Bounded, because a half-started daemon can accept and not answer.
docker_answers() { [ -S "$SOCK" ] && timeout 10 docker -H "unix://$SOCK" version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }
# "enabled" and the F flag: F makes the kernel open the (static) interpreter at registration,
# so it works inside containers and chroots whose root has no /usr/bin/qemu-aarch64-static.
binfmt_ok() { [ -r "$BINFMT/qemu-aarch64" ] && grep -qx enabled "$BINFMT/qemu-aarch64" && grep -q '^flags: .*F' "$BINFMT/qemu-aarch64"; }
pid_is_dockerd() { [ -n "${1:-}" ] && [ -r "/proc/$1/comm" ] && [ "$(cat "/proc/$1/comm")" = dockerd ]; }

# docker.io only when no Docker Engine is installed at all: a machine with docker-ce has its
# own dockerd, and docker.io would conflict with it. debian-archive-keyring because
# debootstrap only recommends it, and without it cannot check the mirror's signatures.
packages=(qemu-user-static binfmt-support debootstrap debian-archive-keyring)
command -v dockerd >/dev/null || docker_answers || packages=(docker.io "${packages[@]}")
missing=()
for pkg in "${packages[@]}"; do installed "$pkg" || missing+=("$pkg"); done

if ! is_root; then
  todo=()
  ((${#missing[@]})) && todo+=("apt-get install -y --no-install-recommends ${missing[*]}")
  if [ ! -e "$BINFMT/status" ] || ! binfmt_ok || ! docker_answers; then
    todo+=("bash $(cd "$(dirname "$0")" && pwd)/docker-setup.sh")
  fi
  # A daemon that runs but refuses this user is not fixed by running setup as root.
  if ((${#todo[@]} == 0 || ${#missing[@]} == 0)) && [ -S "$SOCK" ] && [ ! -w "$SOCK" ] && [ -e "$BINFMT/status" ] && binfmt_ok; then
    echo "docker-setup: no access to $SOCK; run: sudo usermod -aG docker $(id -un) (then log in again), or run the tests as root" >&2
    exit 1
  fi
  if ((${#todo[@]})); then
    line="${todo[0]}"; [ ${#todo[@]} -gt 1 ] && line="${todo[0]} && sudo ${todo[1]}"
    echo "docker-setup: Docker/QEMU for the e2e tests is not ready; run as root: sudo $line" >&2
    exit 1
  fi
  exit 0
fi

if ((${#missing[@]})); then
  echo "docker-setup: installing Debian packages: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# binfmt_misc is not mounted in every container/VM; the registration lives in it.
if [ ! -e "$BINFMT/status" ]; then
  mount -t binfmt_misc binfmt_misc "$BINFMT"
fi
if ! binfmt_ok; then
  # An entry registered by something else without F cannot be fixed in place: drop it
  # and register binfmt-support's (from qemu-user-static, flags PF).
  if [ -e "$BINFMT/qemu-aarch64" ] && ! grep -q '^flags: .*F' "$BINFMT/qemu-aarch64"; then
    echo -1 >"$BINFMT/qemu-aarch64"
  fi
  if [ -e "$BINFMT/qemu-aarch64" ]; then
    echo 1 >"$BINFMT/qemu-aarch64"
  elif [ -e /var/lib/binfmts/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 >/dev/null
  else
    # binfmt-support's database lacks it (its trigger did not run): the systemd-binfmt form.
    grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf >"$BINFMT/register"
  fi
  if ! binfmt_ok; then
    echo "docker-setup: qemu-aarch64 is not registered with binfmt_misc (with the F flag) after trying; see $BINFMT/qemu-aarch64" >&2
    exit 1
  fi
fi

mkdir -p "$STATE_DIR/holders"
# One setup or down at a time: a down deciding "no holder left" must not race a setup that
# is about to rely on the daemon.
exec 9>"$STATE_DIR/lock"
flock 9
# State from a run that died: forget a daemon that is gone (keep one still running: it is
# still ours to stop).
if [ -f "$STATE_DIR/dockerd.pid" ] && ! pid_is_dockerd "$(cat "$STATE_DIR/dockerd.pid")"; then
  rm -f "$STATE_DIR/dockerd.pid"
fi

if ! docker_answers; then
  if pid_is_dockerd "$(cat /var/run/docker.pid 2>/dev/null || true)"; then
    echo "docker-setup: a dockerd (pid $(cat /var/run/docker.pid)) is running but does not answer on $SOCK; see $LOG or stop it" >&2
    exit 1
  fi
  # setsid: the daemon outlives this script and a Ctrl-C of the test run does not reach it
  # mid-write; docker-down.sh stops it. Default data root, so images built once are reused.
  # 9>&-: the daemon must not inherit (and so keep holding) the lock.
  setsid dockerd --pidfile /var/run/docker.pid --host "unix://$SOCK" </dev/null >>"$LOG" 2>&1 9>&- &
  echo $! >"$STATE_DIR/dockerd.pid"
  for _ in $(seq 1 120); do
    docker_answers && break
    if ! pid_is_dockerd "$(cat "$STATE_DIR/dockerd.pid")"; then break; fi
    sleep 0.5
  done
  if ! docker_answers; then
    echo "docker-setup: dockerd did not answer on $SOCK within 60 s; last lines of $LOG: $(tail -n 5 "$LOG" | tr '\n' '|')" >&2
    exit 1
  fi
  driver=$(docker -H "unix://$SOCK" info --format '{{.Driver}}')
  [ "$driver" = overlay2 ] || echo "docker-setup: note: dockerd uses storage driver $driver, not overlay2 (slower, more disk)" >&2
fi

if [ -n "$hold" ] && [ -f "$STATE_DIR/dockerd.pid" ]; then : >"$STATE_DIR/holders/$hold"; fi
exit 0
