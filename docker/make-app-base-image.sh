#!/usr/bin/env bash
# Build the small base image the `docker` deploy target runs apps on, WITHOUT any image
# registry (an offline machine has no `node:20-slim` to pull).
#
# It holds only what a generated app needs: the host's node and npm, /bin/sh (dash, for
# `RUN npm install` in the app's Dockerfile), env (npm's shebang), the shared libraries `ldd` lists for them,
# the host's CA bundle and a `node` user (uid/gid 1000). Streamed as a tar into
# `docker import`: about a second, no network. For apps that compile native addons, use
# docker/make-base-image.sh (python3, make, g++) instead.
#
# Usage: docker/make-app-base-image.sh [TAG]   (default xbasis/app-node:local)
# The Docker daemon is taken from DOCKER_HOST (or the docker client's default).
# Then point the target at it: DOCKER_APP_BASE_IMAGE=<TAG>.
set -euo pipefail

TAG="${1:-xbasis/app-node:local}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
log() { printf '[make-app-base-image] %s\n' "$*" >&2; }

command -v docker >/dev/null || { log "docker client not found"; exit 1; }
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || {
  log "cannot reach the Docker daemon (DOCKER_HOST=${DOCKER_HOST:-<unset>})"; exit 1; }

NODE_BIN="$(readlink -f "$(command -v node)")" || { log "node not found on the host"; exit 1; }
NODE_PREFIX="$(dirname "$(dirname "$NODE_BIN")")"
SH_BIN="$(readlink -f /bin/sh)"
NODE_VERSION="$("$NODE_BIN" -v)"
log "node $NODE_VERSION from $NODE_PREFIX -> $TAG"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# /bin, /lib, ... may be usrmerge symlinks: name every file by its /usr path
merged=()
for d in bin sbin lib lib32 lib64; do [ -L "/$d" ] && merged+=("$d"); done
canon() {
  local sedexpr=""
  for d in "${merged[@]}"; do sedexpr+="s#^/$d/#/usr/$d/#;"; done
  if [ -n "$sedexpr" ]; then sed -e "$sedexpr"; else cat; fi
}

{
  # /usr/bin/env: the shebang of npm and npx
  for b in "$NODE_BIN" "$SH_BIN" "$(readlink -f /usr/bin/env)"; do
    echo "$b"
    ldd "$b" 2>/dev/null | awk '/=>/ {print $3} !/=>/ && $1 ~ /^\// {print $1}' | while read -r lib; do
      [ -e "$lib" ] || continue
      echo "$lib"; readlink -f "$lib"
    done
  done
  if [ -d "$NODE_PREFIX/lib/node_modules/npm" ]; then
    find "$NODE_PREFIX/lib/node_modules/npm" -not -path '*/npm/docs/*' -not -path '*/npm/man/*'
    for b in npm npx; do [ -e "$NODE_PREFIX/bin/$b" ] && echo "$NODE_PREFIX/bin/$b"; done
  fi
} | canon | sort -u | while IFS= read -r f; do
  if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\n' "${f#/}"; fi
done > "$work/files"

stage="$work/stage"
mkdir -p "$stage/etc/ssl/certs" "$stage/tmp" "$stage/home/node" "$stage/usr/bin" "$stage/app"
chmod 1777 "$stage/tmp"
chown 1000:1000 "$stage/home/node" "$stage/app"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' > "$stage/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' > "$stage/etc/group"
printf 'hosts: files dns\n' > "$stage/etc/nsswitch.conf"
[ -s "$CA_BUNDLE" ] && cp "$CA_BUNDLE" "$stage/etc/ssl/certs/ca-certificates.crt"
touch "$stage/etc/ssl/certs/ca-certificates.crt"
entries=(etc/passwd etc/group etc/nsswitch.conf etc/ssl/certs/ca-certificates.crt tmp home/node app)
# /bin/sh (dash on Debian) and node on the default PATH
if [ "$SH_BIN" != /usr/bin/sh ]; then ln -s "$SH_BIN" "$stage/usr/bin/sh"; entries+=(usr/bin/sh); fi
if [ "$NODE_PREFIX" != /usr ]; then
  for b in node npm npx; do
    [ -e "$NODE_PREFIX/bin/$b" ] && ln -s "$NODE_PREFIX/bin/$b" "$stage/usr/bin/$b" && entries+=("usr/bin/$b")
  done
fi
printf '%s\n' "${entries[@]}" | sort -u > "$work/staged"
sort -u "$work/files" | comm -23 - "$work/staged" > "$work/files.new" && mv "$work/files.new" "$work/files"

REGISTRY="$(npm config get registry 2>/dev/null | tail -n1 || true)"
case "$REGISTRY" in http://*|https://*) ;; *) REGISTRY=https://registry.npmjs.org/ ;; esac
id="$(tar --create --no-recursion --numeric-owner --warning=no-file-changed \
      -C / "${merged[@]}" --files-from="$work/files" \
      -C "$stage" "${entries[@]}" \
    | docker import \
      --change "ENV PATH=/usr/local/bin:/usr/bin:/bin" \
      --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
      --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
      --change "ENV npm_config_cafile=/etc/ssl/certs/ca-certificates.crt" \
      --change "ENV npm_config_registry=$REGISTRY" \
      --change "ENV npm_config_update_notifier=false" \
      --change "ENV npm_config_fund=false" \
      --change "ENV npm_config_audit=false" \
      --change "WORKDIR /app" \
      --change 'CMD ["node"]' \
      --message "xbasis app base image (host node $NODE_VERSION)" \
      - "$TAG")"
log "imported $TAG ($id)"
if [ "${SKIP_SMOKE:-0}" != 1 ]; then
  docker run --rm --network none --user 1000:1000 "$TAG" sh -c 'node -e "process.exit(0)" && npm -v >/dev/null' \
    || { log "smoke test of $TAG failed"; exit 1; }
fi
