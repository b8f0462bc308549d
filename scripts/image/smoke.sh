#!/usr/bin/env bash
# Smoke test of the image as production runs it, or of a deployed environment.
#
#   scripts/image/smoke.sh [image]          the built image (default carbon:ci) on this machine
#   scripts/image/smoke.sh --url <base-url> a deployed release (GitLab's smoke stage); needs
#                                           SMOKE_API_TOKEN, a personal access token of a user
#                                           entitled to at least one market's API
#
# Image mode, against the local PostgreSQL (127.0.0.1:5432, trust auth, user postgres):
#   1. a fresh database carbon_smoke_<random> (dropped at the end whatever happens);
#   2. `migrate` from the image, then `serve` detached, both with --read-only --tmpfs /tmp,
#      NODE_ENV=production, --network host;
#   3. checks: the process runs as uid 10001, /healthz and /readyz answer 200, the sign-in page
#      /auth/login answers 200 with its title, GET /api/v1/markets refuses a call without a
#      credential (401) and answers one with a bearer token (200, MISO listed), /metrics answers
#      the scrape token with carbon_build_info.
#
# ClickHouse: no ClickHouse server exists on this machine (Debian's is from 2018) and the image
# deliberately carries no chDB (decision 015). The host's node_modules/chdb and @chdb are mounted
# read-only into the container so the embedded engine stands in for ClickHouse (CLICKHOUSE_URL
# stays unset); its files live in a host folder mounted at DATA_DIR, shared by migrate and serve
# the way a ClickHouse server's disk would be. Everything else is the image as shipped.
#
# Identity: production refuses the development identity provider inside the web process
# (DEV_IDP=on) and needs OIDC_ISSUER, so the same provider runs on the host as its own process
# (server/adapters/identity/standalone.ts, the shape of Keycloak: its own origin and discovery).
# The API call uses its OAuth2 client-credentials client (the demo service of the organization
# lakeshore-quant, which `migrate` seeds as DEFAULT_ORGANIZATION with the pilot entitlements).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=podman.sh
source "$here/podman.sh"

failures=0
pass() { printf 'smoke: ok   %s\n' "$1"; }
fail() { printf 'smoke: FAIL %s\n' "$1" >&2; failures=$((failures + 1)); }

# GET <url> [curl args...]: sets $status and $body (never fails the script by itself).
body_file=$(mktemp)
http_get() {
  local url=$1
  shift
  status=$(curl -sS -o "$body_file" -w '%{http_code}' --max-time 20 "$@" "$url" 2>/dev/null) || status=000
  body=$(cat "$body_file")
}

# Polls <url> until it answers 200 or <seconds> pass; the container's state ends the wait early.
wait_for_200() {
  local url=$1 seconds=$2 deadline=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    http_get "$url"
    [ "$status" = 200 ] && return 0
    if [ -n "${container:-}" ] && [ "$(carbon_podman inspect --format '{{.State.Running}}' "$container" 2>/dev/null)" != true ]; then
      return 1
    fi
    sleep 1
  done
  return 1
}

check_endpoints() {
  local base=$1 bearer=$2
  if wait_for_200 "$base/healthz" 120; then pass "GET /healthz = 200"; else fail "GET /healthz = $status (wanted 200)"; return; fi
  if wait_for_200 "$base/readyz" 60; then pass "GET /readyz = 200 ($body)"; else fail "GET /readyz = $status (wanted 200): $body"; fi

  http_get "$base/auth/login"
  if [ "$status" = 200 ] && grep -q '<title>Sign in · 254Carbon</title>' <<<"$body"; then
    pass "GET /auth/login = 200, title 'Sign in · 254Carbon'"
  else
    fail "GET /auth/login = $status, title $(grep -o '<title>[^<]*</title>' <<<"$body" || echo missing)"
  fi

  http_get "$base/api/v1/markets"
  if [ "$status" = 401 ]; then pass "GET /api/v1/markets without a credential = 401"; else fail "GET /api/v1/markets without a credential = $status (wanted 401)"; fi

  http_get "$base/api/v1/markets" -H "Authorization: Bearer $bearer"
  if [ "$status" = 200 ] && grep -q '"id":"MISO"' <<<"$body"; then
    pass "GET /api/v1/markets with a bearer token = 200: $(grep -o '"id":"[A-Z]*"' <<<"$body" | tr '\n' ' ')"
  else
    fail "GET /api/v1/markets with a bearer token = $status (wanted 200 listing MISO): ${body:0:300}"
  fi
}

# ---------------------------------------------------------------------------------------------
# Deployed mode: the chart's hook Job migrated and the Deployment serves; check from outside.
if [ "${1:-}" = --url ]; then
  base=${2:?usage: smoke.sh --url <base-url>}
  base=${base%/}
  : "${SMOKE_API_TOKEN:?set SMOKE_API_TOKEN (a personal access token with read:prices) to smoke-test $base}"
  check_endpoints "$base" "$SMOKE_API_TOKEN"
  rm -f "$body_file"
  [ "$failures" -eq 0 ] || { echo "smoke: $failures check(s) failed against $base" >&2; exit 1; }
  echo "smoke: $base passed"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Image mode.
image=${1:-${CARBON_IMAGE:-carbon:ci}}
for tool in curl createdb dropdb node; do
  command -v "$tool" >/dev/null || { echo "smoke: $tool is missing" >&2; exit 1; }
done
carbon_podman image exists "$image" || { echo "smoke: image $image not found (scripts/image/build.sh first)" >&2; exit 1; }
[ -d "$root/node_modules/chdb" ] && [ -d "$root/node_modules/@chdb" ] ||
  { echo "smoke: node_modules/chdb and @chdb are missing on the host (npm install): they stand in for ClickHouse" >&2; exit 1; }

pg_host=${SMOKE_PG_HOST:-127.0.0.1}
suffix="$(date +%s)_$RANDOM"
database="carbon_smoke_$suffix"
work=$(mktemp -d "${TMPDIR:-/tmp}/carbon-smoke.XXXXXX")
container=""
idp_pid=""

cleanup() {
  local code=$?
  set +e
  if [ -n "$container" ]; then
    if [ "$failures" -gt 0 ] || [ "$code" -ne 0 ]; then
      echo "smoke: the serve container's last log lines:" >&2
      carbon_podman logs --tail 40 "$container" >&2 2>&1
    fi
    carbon_podman rm -f -t 10 "$container" >/dev/null 2>&1
  fi
  [ -n "$idp_pid" ] && kill "$idp_pid" 2>/dev/null && wait "$idp_pid" 2>/dev/null
  dropdb -h "$pg_host" -U postgres --if-exists --force "$database" 2>/dev/null
  rm -rf "$work" "$body_file"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'; }
random_secret() { node -e 'console.log(require("node:crypto").randomBytes(32).toString("base64url"))'; }

createdb -h "$pg_host" -U postgres "$database"
pass "database $database created"

# The host folder the container's DATA_DIR lives in: writable by the image's user only.
mkdir -p "$work/data"
chown 10001:10001 "$work/data"
chmod 0700 "$work/data"

port=$(free_port)
client_secret=$(random_secret)
# The development provider on the host, as the platform's outside OpenID provider.
node --import tsx "$root/server/adapters/identity/standalone.ts" --port 0 --host 127.0.0.1 \
  --redirect-uri "http://127.0.0.1:$port/auth/callback" --post-logout-uri "http://127.0.0.1:$port/" \
  --client-secret "$client_secret" --key-file "$work/idp-key.json" --log-level warn \
  >"$work/idp.out" 2>"$work/idp.err" &
idp_pid=$!
issuer=""
for _ in $(seq 1 100); do
  issuer=$(sed -n 's/^oidc-provider listening at //p' "$work/idp.out")
  [ -n "$issuer" ] && break
  kill -0 "$idp_pid" 2>/dev/null || break
  sleep 0.2
done
[ -n "$issuer" ] || { cat "$work/idp.err" >&2; echo "smoke: the identity provider did not start" >&2; exit 1; }
pass "identity provider at $issuer (pid $idp_pid)"

metrics_token=$(random_secret)
run_args=(
  --network host --read-only --tmpfs /tmp
  -v "$work/data:/tmp/carbon"
  -v "$root/node_modules/chdb:/app/node_modules/chdb:ro"
  -v "$root/node_modules/@chdb:/app/node_modules/@chdb:ro"
  -e NODE_ENV=production
  -e "DATABASE_URL=postgres://postgres@$pg_host:5432/$database"
  -e HOST=127.0.0.1 -e "PORT=$port" -e "PUBLIC_URL=http://127.0.0.1:$port"
  -e DEMO_DATA=off -e INGEST_SOURCE=off -e DEV_IDP=off -e LOG_LEVEL=warn
  -e "OIDC_ISSUER=$issuer" -e "OIDC_CLIENT_SECRET=$client_secret"
  -e DEFAULT_ORGANIZATION=lakeshore-quant
  -e "SESSION_SECRET=$(random_secret)" -e "METRICS_TOKEN=$metrics_token"
)

if carbon_podman run --rm "${run_args[@]}" "$image" migrate >"$work/migrate.log" 2>&1; then
  pass "migrate: $(tail -1 "$work/migrate.log")"
else
  cat "$work/migrate.log" >&2
  fail "migrate exited non-zero"
  exit 1
fi

container=$(carbon_podman run -d --name "carbon-smoke-$suffix" "${run_args[@]}" "$image" serve)
pass "serve started (container ${container:0:12}, port $port)"

uid=$(carbon_podman exec "$container" id -u 2>/dev/null || echo '?')
if [ "$uid" = 10001 ]; then pass "runs as uid 10001"; else fail "runs as uid $uid (wanted 10001)"; fi

# The service client's token, as a client of the platform's API would get it.
token_response=$(curl -sS --max-time 20 -u "lakeshore-quant-service:dev-service-secret-change-me" \
  -d grant_type=client_credentials --data-urlencode 'scope=read:prices read:curves' "$issuer/token" || true)
bearer=$(node -e 'try { console.log(JSON.parse(process.argv[1]).access_token ?? "") } catch { console.log("") }' "$token_response")
if [ -n "$bearer" ]; then pass "client-credentials token from the identity provider"; else fail "no token from $issuer/token: ${token_response:0:300}"; fi

check_endpoints "http://127.0.0.1:$port" "${bearer:-none}"

http_get "http://127.0.0.1:$port/metrics" -H "Authorization: Bearer $metrics_token"
if [ "$status" = 200 ] && grep -q '^carbon_build_info{' <<<"$body"; then
  pass "GET /metrics with the scrape token = 200: $(grep '^carbon_build_info{' <<<"$body")"
else
  fail "GET /metrics with the scrape token = $status (wanted 200 with carbon_build_info)"
fi

size=$(carbon_podman image inspect --format '{{.Size}}' "$image")
echo "smoke: image $image is $size bytes ($(( size / 1024 / 1024 )) MiB)"
[ "$failures" -eq 0 ] || { echo "smoke: $failures check(s) failed" >&2; exit 1; }
echo "smoke: $image passed"
