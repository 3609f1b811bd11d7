# headerkit's own image: Node, libclang and headerkit from this checkout, to generate
# bindings for a project without installing anything on the machine.
#
#   npm ci && npm run build
#   docker build -t headerkit --build-arg BASE=debian:bookworm-slim .
#   docker run --rm -v "$PWD:/project" headerkit            # generation, as configured
#   docker run --rm -v "$PWD:/project" headerkit cache verify
#
# BASE is any Debian-like image (a local one works: nothing is pulled when it exists).
# Files written into /project belong to the owner of /project (see the entrypoint).
ARG BASE=debian:bookworm-slim
FROM ${BASE}
# libclang 19 where apt offers it with its resource headers (Debian 12's point releases),
# else the newest it offers: the same choice as the debian worker recipe (images/debian).
RUN set -eu; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update -qq; \
    libs=$(apt-cache search --names-only '^libclang1-[0-9]+$' | sed -n 's/^libclang1-\([0-9][0-9]*\) .*/\1/p'); \
    commons=$(apt-cache search --names-only '^libclang-common-[0-9]+-dev$' | sed -n 's/^libclang-common-\([0-9][0-9]*\)-dev .*/\1/p'); \
    both=$(printf '%s\n' $libs $commons | sort -n | uniq -d); \
    v=$(printf '%s\n' $both | grep -x 19 || printf '%s\n' $both | tail -n 1); \
    test -n "$v"; \
    apt-get install -y -qq --no-install-recommends nodejs "libclang1-$v" "libclang-common-$v-dev" libc6-dev >/dev/null; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# The built tool and its runtime modules, from the host (.dockerignore keeps the rest out):
# nothing is fetched from a registry while building.
COPY package.json /opt/headerkit/package.json
COPY bin /opt/headerkit/bin
COPY dist /opt/headerkit/dist
COPY images /opt/headerkit/images
COPY node_modules /opt/headerkit/node_modules
COPY scripts/docker-entrypoint.sh /usr/local/bin/headerkit-entrypoint
RUN set -eu; \
    test -f /opt/headerkit/dist/bundle/cli.cjs || { echo "build headerkit first: npm ci && npm run build" >&2; exit 1; }; \
    chmod 0755 /usr/local/bin/headerkit-entrypoint; \
    ln -s /opt/headerkit/bin/run.js /usr/local/bin/headerkit; \
    node /opt/headerkit/bin/run.js --version
# oclif reads the login shell from the passwd entry unless SHELL is set, and the project
# owner the entrypoint switches to (or `docker run -u UID`) usually has no entry here.
ENV SHELL=/bin/sh
WORKDIR /project
ENTRYPOINT ["/usr/local/bin/headerkit-entrypoint"]
