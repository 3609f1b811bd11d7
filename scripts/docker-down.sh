#!/usr/bin/env bash
# Stops the dockerd that scripts/docker-setup.sh started, and only that one: a daemon it
# did not start (systemd's, a developer's) has no record in $STATE_DIR and is left alone.
# `--release PID` first drops PID's hold; the daemon stays up while another live holder
# (a concurrent test run) still uses it.
set -euo pipefail

STATE_DIR=/run/headerkit-test
release=""
while (($#)); do
  case "$1" in
    --release) release="$2"; shift 2 ;;
    *) echo "docker-down: unknown argument $1 (usage: docker-down.sh [--release PID])" >&2; exit 2 ;;
  esac
done

[ -f "$STATE_DIR/dockerd.pid" ] || exit 0
pid_is_dockerd() { [ -n "${1:-}" ] && [ -r "/proc/$1/comm" ] && [ "$(cat "/proc/$1/comm")" = dockerd ]; }

exec 9>"$STATE_DIR/lock"
flock 9
[ -n "$release" ] && rm -f "$STATE_DIR/holders/$release"
for h in "$STATE_DIR"/holders/*; do
  [ -e "$h" ] || continue
  # A holder that died without releasing (SIGKILL) does not keep the daemon alive.
  if kill -0 "$(basename "$h")" 2>/dev/null; then exit 0; fi
  rm -f "$h"
done

pid=$(cat "$STATE_DIR/dockerd.pid" 2>/dev/null || true)
if pid_is_dockerd "$pid"; then
  # Running containers mean somebody (a run that holds nothing, e.g. mocha started by hand)
  # is mid-job: stopping would break it. Leave the daemon and say so.
  running=$(timeout 10 docker -H unix:///var/run/docker.sock ps -q 2>/dev/null | wc -l || true)
  if [ "${running:-0}" -gt 0 ]; then
    echo "docker-down: leaving dockerd $pid running: $running container(s) still running on it" >&2
    exit 0
  fi
  # SIGTERM lets dockerd stop its containers and its containerd; poll for its exit.
  kill -TERM "$pid"
  for _ in $(seq 1 150); do pid_is_dockerd "$pid" || break; sleep 0.2; done
  if pid_is_dockerd "$pid"; then
    echo "docker-down: dockerd $pid did not stop within 30 s; killing it" >&2
    kill -KILL "$pid"
  fi
fi
rm -f "$STATE_DIR/dockerd.pid"
