#!/bin/sh
# Entry point of headerkit's own image. Run as root (the default) on a mounted project,
# it drops to the project directory's owner before running headerkit, so every file it
# writes there belongs to the calling user, not to root. With `docker run -u UID:GID`
# it runs as given.
set -eu
if [ "$(id -u)" = 0 ]; then
  owner=$(stat -c %u .)
  group=$(stat -c %g .)
  if [ "$owner" != 0 ]; then
    export HOME=/tmp
    exec setpriv --reuid="$owner" --regid="$group" --clear-groups headerkit "$@"
  fi
fi
export HOME="${HOME:-/tmp}"
exec headerkit "$@"
