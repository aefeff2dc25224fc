#!/usr/bin/env bash
# Benchmark of cocobase-emulator (not a test): requests per second, latency p50/p99 and
# non-2xx counts for `GET /auth-collections/user` with a valid token and for
# `POST /auth-collections/login`, measured with wrk on loopback against a release build.
#
#   bash scripts/bench-emulator.sh            # 10 s per endpoint
#   BENCH_DURATION=30s bash scripts/bench-emulator.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-10s}"
THREADS="${BENCH_THREADS:-2}"
GET_CONNECTIONS="${BENCH_GET_CONNECTIONS:-64}"
LOGIN_CONNECTIONS="${BENCH_LOGIN_CONNECTIONS:-8}"
API_KEY="pk_test_emulator"
EMAIL="bench@example.com"
PASSWORD="Swift-Falcon-42!"

# wrk, and a release emulator at $base (stopped on exit).
source scripts/lib/release-emulator.sh

curl -fsS -o /dev/null -H "x-api-key: $API_KEY" -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$base/auth-collections/signup"
token="$(curl -fsS -H "x-api-key: $API_KEY" -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$base/auth-collections/login" |
  sed -E 's/.*"access_token":"([^"]+)".*/\1/')"

# wrk's done() hook prints one summary line per run.
cat >"$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d req_per_s=%.1f p50_ms=%.2f p99_ms=%.2f non_2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
cat "$work/report.lua" >"$work/login.lua"
cat >>"$work/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = "$API_KEY"
wrk.body = '{"email":"$EMAIL","password":"$PASSWORD"}'
LUA

run() {
  local name="$1"
  shift
  echo "== $name"
  wrk "$@" | tee "$work/$name.txt" | grep -E '^(RESULT|Running|  [0-9]+ threads)' || true
}

run get-user -t"$THREADS" -c"$GET_CONNECTIONS" -d"$DURATION" --latency -s "$work/report.lua" \
  -H "x-api-key: $API_KEY" -H "Authorization: Bearer $token" "$base/auth-collections/user"
run login -t"$THREADS" -c"$LOGIN_CONNECTIONS" -d"$DURATION" --latency -s "$work/login.lua" \
  "$base/auth-collections/login"

echo "== password hashing (from /__emulator/health): $(curl -fsS "$base/__emulator/health" |
  sed -E 's/.*"password_hash":(\{[^}]*\}).*/\1/'); at most one hash per CPU at a time"
echo "== machine: $(nproc) CPUs, $(uname -m); wrk -t$THREADS, GET -c$GET_CONNECTIONS, login -c$LOGIN_CONNECTIONS, $DURATION each"
