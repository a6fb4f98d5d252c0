#!/usr/bin/env bash
# End-to-end check of the Docker image, with no image registry:
#   1. install docker.io if missing, start a private dockerd (own data/exec root,
#      pidfile and socket under a temp dir; no bridge, no iptables changes),
#   2. make the base image from the host's node/npm/compiler (docker/make-base-image.sh),
#   3. build docker/Dockerfile with the classic builder (no pulls),
#   4. run the image against the host's PostgreSQL and Redis, wait for
#      GET /health/ready = 200 and for the image's own HEALTHCHECK to say healthy,
#      then stop it (SIGTERM) and check it exits cleanly,
#   5. always clean up: container, dockerd, temp dir, docker0/iptables leftovers, database.
# Exits non-zero on any failure. Prints the time of each step.
#
# Knobs (env): XBASIS_DOCKER_DB (database name, default xbasis_docker_ci),
#   XBASIS_DOCKER_TMP (where the daemon's temp dir goes, default /tmp),
#   XBASIS_DOCKER_READY_TIMEOUT (seconds, default 90), XBASIS_DOCKER_KEEP=1 (keep the
#   temp dir and the database for inspection).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BASE_TAG="xbasis/node20-build:local"
IMAGE_TAG="xbasis/platform:ci"
DB_NAME="${XBASIS_DOCKER_DB:-xbasis_docker_ci}"
READY_TIMEOUT="${XBASIS_DOCKER_READY_TIMEOUT:-90}"
PG_ARGS=(-h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -q -X)
export DOCKER_BUILDKIT=0 DOCKER_CLI_HINTS=false

log() { printf '[docker-ci %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
now() { date +%s.%N; }
T_START=$(now)
STEP_NAMES=(); STEP_SECS=()
STEP=""; STEP_T0=""
step() { # step "name": ends the previous step, starts a new one
  step_end
  STEP="$1"; STEP_T0=$(now)
  log "=== $STEP"
}
step_end() {
  if [ -n "$STEP" ]; then
    local s; s=$(awk -v a="$STEP_T0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')
    STEP_NAMES+=("$STEP"); STEP_SECS+=("$s")
    log "--- $STEP: ${s}s"
    STEP=""
  fi
}
print_timings() {
  echo "---------------------------------------------------------------"
  echo "docker CI timings"
  local i
  for i in "${!STEP_NAMES[@]}"; do printf '  %-44s %7ss\n' "${STEP_NAMES[$i]}" "${STEP_SECS[$i]}"; done
  printf '  %-44s %7ss\n' "total" "$(awk -v a="$T_START" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')"
  echo "---------------------------------------------------------------"
}

D=""; DOCKERD_PID=""; CID=""; DB_CREATED=0; HAD_DOCKER0=1; HAD_DOCKER_CHAIN=1; FORWARD_POLICY=""
record_network_state() { # called right before our dockerd starts
  ip link show docker0 >/dev/null 2>&1 || HAD_DOCKER0=0
  if command -v iptables >/dev/null 2>&1; then
    iptables -t filter -S DOCKER >/dev/null 2>&1 || HAD_DOCKER_CHAIN=0
    FORWARD_POLICY="$(iptables -S FORWARD 2>/dev/null | awk '$1=="-P"{print $3}')"
  fi
}

remove_docker_network_leftovers() {
  # Only what this run created. dockerd runs with --bridge=none --iptables=false,
  # so normally there is nothing to do; if docker0 appeared during this run, our
  # daemon made it (and its NAT/filter rules): remove both, leave anything older.
  [ "$HAD_DOCKER0" = 0 ] && ip link show docker0 >/dev/null 2>&1 || return 0
  log "removing docker0 and its iptables rules"
  ip link delete docker0 2>/dev/null || true
  if [ "$HAD_DOCKER_CHAIN" = 0 ] && command -v iptables >/dev/null 2>&1; then
    local t rule c
    for t in nat filter; do
      iptables -t "$t" -S 2>/dev/null | grep -E '^-A .*(docker0|DOCKER)' | while IFS= read -r rule; do
        eval "iptables -t $t -D ${rule#-A }" 2>/dev/null || true
      done
      for c in DOCKER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2 DOCKER-USER; do
        iptables -t "$t" -F "$c" 2>/dev/null || true
        iptables -t "$t" -X "$c" 2>/dev/null || true
      done
    done
    # dockerd sets the FORWARD policy to DROP when it manages iptables
    if [ -n "$FORWARD_POLICY" ]; then iptables -P FORWARD "$FORWARD_POLICY" 2>/dev/null || true; fi
  fi
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [ -n "$STEP" ] && { [ "$rc" = 0 ] || log "FAILED during: $STEP"; step_end; }
  local t0; t0=$(now)
  log "=== cleanup"
  if [ -n "$CID" ]; then
    docker rm -f -v "$CID" >/dev/null 2>&1
  fi
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    log "stopping dockerd (pid $DOCKERD_PID)"
    kill -TERM "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$DOCKERD_PID" 2>/dev/null; then
      log "dockerd did not stop in 20 s: killing it"
      kill -KILL "$DOCKERD_PID" 2>/dev/null; sleep 1
    fi
  fi
  if [ -n "$D" ]; then
    # the containerd that this dockerd started (it normally exits with dockerd)
    local p
    p="$(cat "$D/exec/containerd/containerd.pid" 2>/dev/null || true)"
    if [ -n "$p" ] && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- "containerd.*$D/"; then
      kill -TERM "$p" 2>/dev/null; sleep 2; kill -KILL "$p" 2>/dev/null
    fi
    # leftover mounts (overlay layers, netns, shm) under the temp dir, deepest first
    awk -v d="$D/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null
    done
  fi
  remove_docker_network_leftovers
  if [ "$DB_CREATED" = 1 ] && [ "${XBASIS_DOCKER_KEEP:-0}" != 1 ]; then
    psql "${PG_ARGS[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1 \
      || log "warning: could not drop database $DB_NAME"
  fi
  if [ -n "$D" ]; then
    if [ "${XBASIS_DOCKER_KEEP:-0}" = 1 ]; then log "kept $D"; else log "removing $D"; rm -rf "$D"; fi
  fi
  STEP_NAMES+=("cleanup"); STEP_SECS+=("$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')")
  print_timings
  if [ "$rc" = 0 ]; then log "PASSED"; else log "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. docker engine -------------------------------------------------------------------
step "install docker.io (if missing)"
if ! command -v dockerd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends docker.io >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y --no-install-recommends docker.io >/dev/null; }
fi
command -v docker >/dev/null || { log "docker client missing"; exit 1; }
log "$(dockerd --version)"

step "host services (PostgreSQL, Redis)"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  log "PostgreSQL is not answering: starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" != PONG ]; then
  log "Redis is not answering: starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ] && break; sleep 0.5; done
fi
[ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = PONG ]

step "start dockerd"
# short path: unix socket paths are limited to 108 bytes
D="$(mktemp -d "${XBASIS_DOCKER_TMP:-/tmp}/xbd.XXXXXX")"
mkdir -p "$D/data" "$D/exec"
export DOCKER_HOST="unix://$D/docker.sock"
# --bridge=none/--iptables=false: builds and the test container use the host's
# network (--network host), so dockerd needs no docker0 bridge and no NAT rules.
# Own containerd namespaces so it never collides with another dockerd on the machine.
ns="xbci$$"
record_network_state
dockerd \
  --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/docker.pid" \
  -H "$DOCKER_HOST" --bridge=none --iptables=false --ip-masq=false \
  --containerd-namespace "$ns" --containerd-plugins-namespace "$ns-plugins" \
  --log-level warn \
  >"$D/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 1 150); do
  docker version >/dev/null 2>&1 && break
  kill -0 "$DOCKERD_PID" 2>/dev/null || { cat "$D/dockerd.log"; log "dockerd exited"; exit 1; }
  sleep 0.2
done
docker version --format 'client {{.Client.Version}} / server {{.Server.Version}}' \
  || { tail -50 "$D/dockerd.log"; exit 1; }

# --- 2. base image ------------------------------------------------------------------------
step "make base image ($BASE_TAG)"
bash docker/make-base-image.sh "$BASE_TAG"

# --- 3. platform image ----------------------------------------------------------------------
step "docker build (docker/Dockerfile)"
build_log="$D/build.log"
stamp() { # prefix every line with the time it arrived (seconds since the epoch)
  local l; while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done
}
proxy_args=()   # an explicit proxy, if the machine uses one (predefined build args)
for v in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  [ -n "${!v:-}" ] && proxy_args+=(--build-arg "$v")
done
if ! docker build --network host --pull=false "${proxy_args[@]}" \
    --build-arg NODE_IMAGE="$BASE_TAG" --build-arg NODE_HEADERS_DIR=/usr \
    -f docker/Dockerfile -t "$IMAGE_TAG" . 2>&1 | stamp >"$build_log"; then
  tail -n 150 "$build_log" | cut -d' ' -f2-
  log "docker build failed"
  exit 1
fi
grep -m1 'Sending build context' "$build_log" | cut -d' ' -f2- || true
# how long each Dockerfile step took (only the slow ones)
awk -v end="$EPOCHREALTIME" '
  $2 == "Step" { if (n) d[n] = $1 - t[n]; n++; t[n] = $1; $1 = ""; s[n] = substr($0, 2, 110) }
  END { if (n) d[n] = end - t[n]; for (i = 1; i <= n; i++) if (d[i] >= 1) printf "  %6.1fs  %s\n", d[i], s[i] }
' "$build_log"
docker image inspect -f 'image {{.Id}}: {{.Size}} bytes' "$IMAGE_TAG"

# --- 4. run against the host's PostgreSQL and Redis -----------------------------------------
step "create database $DB_NAME"
psql "${PG_ARGS[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)"
psql "${PG_ARGS[@]}" -d postgres -c "CREATE DATABASE \"$DB_NAME\""
DB_CREATED=1

step "start container, wait for /health/ready"
PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
APP_KEY="$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")"
CID="$(docker run -d --init --network host \
  --health-interval 2s --health-start-period 90s --health-timeout 5s --health-retries 3 \
  -e DB_CONNECTION=pg -e PG_HOST=127.0.0.1 -e PG_PORT=5432 -e PG_USER=postgres -e PG_PASSWORD= \
  -e PG_DATABASE="$DB_NAME" -e REDIS_HOST=127.0.0.1 -e REDIS_PORT=6379 \
  -e MIGRATE_ON_START=true -e APP_KEY="$APP_KEY" -e PORT="$PORT" -e LOG_LEVEL=info \
  -e APP_URL="http://127.0.0.1:$PORT" \
  "$IMAGE_TAG")"
log "container ${CID:0:12} on port $PORT"

http_status() { # prints the HTTP status of GET $1, or 000
  node -e "fetch(process.argv[1],{redirect:'manual',signal:AbortSignal.timeout(5000)}).then(r=>console.log(r.status),()=>console.log('000'))" "$1"
}
fail_with_logs() {
  log "$1"
  echo "----- container state -----"
  docker inspect -f '{{.State.Status}} exit={{.State.ExitCode}} health={{if .State.Health}}{{.State.Health.Status}}{{end}}' "$CID" || true
  echo "----- container logs (last 200 lines) -----"
  docker logs --tail 200 "$CID" 2>&1 || true
  exit 1
}
t_ready=$(now); code=000
while :; do
  code="$(http_status "http://127.0.0.1:$PORT/health/ready")"
  [ "$code" = 200 ] && break
  [ "$(docker inspect -f '{{.State.Running}}' "$CID")" = true ] || fail_with_logs "container exited before it was ready"
  if awk -v a="$t_ready" -v b="$(now)" -v t="$READY_TIMEOUT" 'BEGIN{exit !(b-a>t)}'; then
    fail_with_logs "/health/ready not 200 after ${READY_TIMEOUT}s (last status $code)"
  fi
  sleep 1
done
log "/health/ready = 200 after $(awk -v a="$t_ready" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')s"

step "checks on the running container"
live="$(http_status "http://127.0.0.1:$PORT/health/live")"
home="$(http_status "http://127.0.0.1:$PORT/")"
log "GET /health/live = $live, GET / = $home"
[ "$live" = 200 ] || fail_with_logs "/health/live answered $live"
case "$home" in 2??|3??) ;; *) fail_with_logs "GET / answered $home";; esac
# the image's own HEALTHCHECK (run by dockerd inside the container)
health=""
for _ in $(seq 1 30); do
  health="$(docker inspect -f '{{.State.Health.Status}}' "$CID")"
  [ "$health" = healthy ] && break
  [ "$health" = unhealthy ] && break
  sleep 1
done
[ "$health" = healthy ] || fail_with_logs "docker HEALTHCHECK status: $health"
log "HEALTHCHECK: $health"
user="$(docker exec "$CID" id -un)"
[ "$user" != root ] || fail_with_logs "the app runs as root"
docker exec "$CID" sh -c 'test -w "$DATA_DIR" && ls -la "$DATA_DIR"'
# migrations ran against PostgreSQL
tables="$(psql "${PG_ARGS[@]}" -d "$DB_NAME" -tA -c "select count(*) from information_schema.tables where table_schema='public'")"
log "tables in $DB_NAME: $tables"
[ "${tables:-0}" -gt 0 ] || fail_with_logs "no table in $DB_NAME: migrations did not run"

step "graceful stop (SIGTERM)"
docker stop -t 20 "$CID" >/dev/null
exit_code="$(docker inspect -f '{{.State.ExitCode}}' "$CID")"
log "container exit code after SIGTERM: $exit_code"
if [ "$exit_code" != 0 ] && [ "$exit_code" != 143 ]; then
  fail_with_logs "the app did not stop cleanly on SIGTERM (exit $exit_code)"
fi
echo "----- container logs (last 30 lines) -----"
docker logs --tail 30 "$CID" 2>&1 | cut -c1-300
step_end
