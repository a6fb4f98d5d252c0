#!/usr/bin/env bash
# Build a local Node 20 "build" base image WITHOUT any image registry.
#
# The image is assembled from files already installed on this (Debian 12) host:
#   - the host's node + npm (+ corepack) and node's C/C++ headers (for node-gyp),
#   - /bin/sh, bash, coreutils, sed, grep, findutils, tar, gzip (enough for npm scripts),
#   - python3, make, g++ (to compile native addons such as better-sqlite3),
#   - the host's CA bundle (so npm reaches the registry through an intercepting
#     HTTPS proxy), with NODE_EXTRA_CA_CERTS / npm_config_cafile pointing at it,
#   - every file of the Debian packages those depend on, plus the shared
#     libraries `ldd` lists for the key binaries,
# streamed as a tar into `docker import`. It takes seconds, not minutes, and
# needs no network at all (only if python3/make/g++ are missing on the host
# does it run `apt-get install` for them).
#
# The result is usable as `--build-arg NODE_IMAGE=<tag>` for docker/Dockerfile:
# it has a `node` user (uid/gid 1000, home /home/node) like the official image.
#
# Usage: docker/make-base-image.sh [TAG]      (default tag xbasis/node20-build:local)
# The Docker daemon is taken from DOCKER_HOST (or the docker client's default).
set -euo pipefail

TAG="${1:-${BASE_IMAGE_TAG:-xbasis/node20-build:local}}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
t0=$(date +%s.%N)
log() { printf '[make-base-image] %s\n' "$*" >&2; }

command -v docker >/dev/null || { log "docker client not found"; exit 1; }
command -v dpkg-query >/dev/null || { log "this script needs a Debian/Ubuntu host (dpkg)"; exit 1; }
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || {
  log "cannot reach the Docker daemon (DOCKER_HOST=${DOCKER_HOST:-<unset>})"; exit 1; }

# --- host prerequisites ---------------------------------------------------------
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in python3 make g++ ca-certificates; do pkg_installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing missing host packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi
[ -s "$CA_BUNDLE" ] || { log "CA bundle $CA_BUNDLE not found"; exit 1; }

# node: wherever it lives (Debian/nodesource package in /usr, or a tarball in /usr/local, ...)
NODE_BIN="$(readlink -f "$(command -v node)")" || { log "node not found on the host"; exit 1; }
NODE_PREFIX="$(dirname "$(dirname "$NODE_BIN")")"
[ -f "$NODE_PREFIX/include/node/node.h" ] || { log "node headers not found at $NODE_PREFIX/include/node"; exit 1; }
[ -d "$NODE_PREFIX/lib/node_modules/npm" ] || { log "npm not found at $NODE_PREFIX/lib/node_modules/npm"; exit 1; }
NODE_VERSION="$("$NODE_BIN" -v)"
log "node $NODE_VERSION from $NODE_PREFIX -> $TAG"

# --- package closure ------------------------------------------------------------
roots=(python3 make g++ ca-certificates coreutils dash bash sed grep findutils tar gzip libc-bin base-files)
node_pkg="$(dpkg-query -S "$NODE_BIN" 2>/dev/null | head -n1 | cut -d: -f1 || true)"
[ -n "$node_pkg" ] && roots+=("$node_pkg")
mapfile -t pkgs < <(apt-cache depends --recurse --installed --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances "${roots[@]}" 2>/dev/null \
  | grep -v -e '^ ' -e '^<' | sort -u)
# apt-cache may name packages that are not installed (virtuals); keep installed ones
inst=()
for p in "${pkgs[@]}"; do pkg_installed "$p" && inst+=("$p"); done
log "${#inst[@]} Debian packages in the closure"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
list="$work/files"

# rewrite /bin/x to /usr/bin/x etc. where the top-level dir is a usrmerge symlink
merged=()
for d in bin sbin lib lib32 lib64 libx32; do [ -L "/$d" ] && merged+=("$d"); done
canon() {
  local sedexpr=""
  for d in "${merged[@]}"; do sedexpr+="s#^/$d/#/usr/$d/#;s#^/$d\$#/usr/$d#;"; done
  if [ -n "$sedexpr" ]; then sed -e "$sedexpr"; else cat; fi
}

{
  dpkg-query -L "${inst[@]}" 2>/dev/null
  # shared libraries of the key binaries (normally already in the closure)
  for b in "$NODE_BIN" /usr/bin/python3 /usr/bin/make "$(readlink -f /usr/bin/g++)" \
           "$(g++ -print-prog-name=cc1plus)" "$(g++ -print-prog-name=as)" "$(g++ -print-prog-name=ld)"; do
    [ -e "$b" ] || continue
    ldd "$b" 2>/dev/null | awk '/=>/ {print $3} !/=>/ && $1 ~ /^\// {print $1}' | while read -r lib; do
      [ -e "$lib" ] || continue
      echo "$lib"; readlink -f "$lib"
    done
  done
  # node, npm, npx, corepack and the headers
  echo "$NODE_PREFIX/bin/node"
  for b in npm npx corepack; do [ -e "$NODE_PREFIX/bin/$b" ] && echo "$NODE_PREFIX/bin/$b"; done
  find "$NODE_PREFIX/lib/node_modules" "$NODE_PREFIX/include/node"
  # update-alternatives links (cc, c++, cpp, ...): the targets are dpkg files
  find /usr/bin /usr/sbin -maxdepth 1 -lname '/etc/alternatives/*'
  find /etc/alternatives -mindepth 1 -maxdepth 1
} | canon \
  | grep -v -E '^/usr/share/(doc|man|info|locale|lintian|bug|doc-base|gcc/python)(/|$)' \
  | grep -v -E '^/(etc/(passwd|group|shadow|gshadow|nsswitch\.conf|hostname|hosts|resolv\.conf)|diverted)$' \
  | grep -v -E '^/usr/lib/node_modules/npm/(docs|man)(/|$)' \
  | grep -v -x -e '/.' -e '/' -e '' \
  | sort -u | while IFS= read -r f; do
      if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\n' "${f#/}"; fi
    done > "$list"
# /bin/sh is a diversion in Debian: make sure it is there
grep -qx 'usr/bin/sh' "$list" || { [ -e /usr/bin/sh ] && echo usr/bin/sh >> "$list"; }
log "$(wc -l < "$list") paths from the host"

# --- generated files --------------------------------------------------------------
stage="$work/stage"
mkdir -p "$stage/etc/ssl/certs" "$stage/tmp" "$stage/root" "$stage/home/node" "$stage/var/tmp" "$stage/usr/local/bin"
chmod 1777 "$stage/tmp" "$stage/var/tmp"; chmod 700 "$stage/root"; chown 1000:1000 "$stage/home/node"
cat > "$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
node:x:1000:1000::/home/node:/bin/bash
EOF
cat > "$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
node:x:1000:
EOF
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' \
  > "$stage/etc/nsswitch.conf"
cp "$CA_BUNDLE" "$stage/etc/ssl/certs/ca-certificates.crt"
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ] \
   && [ "$(readlink -f "$NODE_EXTRA_CA_CERTS")" != "$(readlink -f "$CA_BUNDLE")" ]; then
  cat "$NODE_EXTRA_CA_CERTS" >> "$stage/etc/ssl/certs/ca-certificates.crt"
fi
chmod 644 "$stage/etc/ssl/certs/ca-certificates.crt"
stage_entries=(etc/passwd etc/group etc/nsswitch.conf etc/ssl/certs/ca-certificates.crt tmp var/tmp root home home/node)
# when node lives in /usr/local, expose node/npm/npx on the default PATH as well
if [ "$NODE_PREFIX" != /usr ] && [ "$NODE_PREFIX" != /usr/local ]; then
  for b in node npm npx; do
    [ -e "$NODE_PREFIX/bin/$b" ] && ln -s "$NODE_PREFIX/bin/$b" "$stage/usr/local/bin/$b" \
      && stage_entries+=("usr/local/bin/$b")
  done
fi

# the staged entries replace whatever the host list has at the same paths (docker
# import refuses a tar that names a path twice)
printf '%s\n' "${stage_entries[@]}" | sort -u > "$work/staged"
sort -u "$list" | comm -23 - "$work/staged" > "$list.new" && mv "$list.new" "$list"

# --- import -------------------------------------------------------------------------
links=()
for d in "${merged[@]}"; do links+=("$d"); done
PATHV=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# the registry the host's npm uses (a mirror, if one is configured)
REGISTRY="$(npm config get registry 2>/dev/null | tail -n1 || true)"
case "$REGISTRY" in http://*|https://*) ;; *) REGISTRY=https://registry.npmjs.org/ ;; esac
log "streaming the root filesystem into docker import ..."
# GNU tar: -C applies to the names that follow it; --no-recursion because the
# lists already name every file (a directory entry must not pull in its whole tree).
id="$(tar --create --no-recursion --numeric-owner --warning=no-file-changed \
      -C / "${links[@]}" --files-from="$list" \
      -C "$stage" "${stage_entries[@]}" \
    | docker import \
      --change "ENV PATH=$PATHV" \
      --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
      --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
      --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
      --change "ENV npm_config_cafile=/etc/ssl/certs/ca-certificates.crt" \
      --change "ENV npm_config_nodedir=$NODE_PREFIX" \
      --change "ENV npm_config_registry=$REGISTRY" \
      --change "ENV npm_config_update_notifier=false" \
      --change "ENV npm_config_fund=false" \
      --change "ENV npm_config_audit=false" \
      --change "ENV PYTHON=/usr/bin/python3" \
      --change "WORKDIR /" \
      --change 'CMD ["node"]' \
      --message "xbasis local node build image (host node $NODE_VERSION)" \
      - "$TAG")"
log "imported $TAG ($id)"

# --- smoke test -----------------------------------------------------------------
if [ "${SKIP_SMOKE:-0}" != 1 ]; then
  docker run --rm --network none "$TAG" sh -c \
    'node -v && npm -v >/dev/null && python3 -c "import sys" && make -v >/dev/null && g++ --version >/dev/null \
     && cc --version >/dev/null && test -f "$npm_config_nodedir/include/node/node.h" && id node >/dev/null' >/dev/null \
    || { log "smoke test of $TAG failed"; exit 1; }
fi
log "done in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s; size: $(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%d MB", $1/1000000}')"
