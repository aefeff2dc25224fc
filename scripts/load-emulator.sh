#!/usr/bin/env bash
# Load on cocobase-emulator (not a test): concurrent signups (unique emails), logins,
# `$append`s on ONE user from many connections (unique ids), and `GET /user`, with wrk
# on loopback against a release build (`--tier enterprise --db :memory:`). For each run:
# throughput, latency p50/p99, non-2xx and 5xx counts (target: zero 5xx). After the
# `$append` run it fetches the user and checks that no acknowledged `$append` was lost.
#
#   bash scripts/load-emulator.sh                  # 10 s per run
#   LOAD_DURATION=30s bash scripts/load-emulator.sh
#
# Exits non-zero if a run saw a 5xx or a socket error, or an acknowledged append is
# missing. Everything stays on 127.0.0.1; each wrk run is bounded by its duration.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${LOAD_DURATION:-10s}"
THREADS="${LOAD_THREADS:-2}"
HASH_CONNECTIONS="${LOAD_HASH_CONNECTIONS:-8}"   # signup and login: argon2-bound
CONNECTIONS="${LOAD_CONNECTIONS:-64}"            # $append and GET /user
API_KEY="pk_test_emulator"
EMAIL="load@example.com"
PASSWORD="Sturdy-Throughput-42"

# wrk, and a release emulator at $base (stopped on exit).
source scripts/lib/release-emulator.sh

api() { # METHOD PATH [BODY] [TOKEN]
  local args=(-fsS -X "$1" -H "x-api-key: $API_KEY")
  [ -n "${3:-}" ] && args+=(-H 'content-type: application/json' -d "$3")
  [ -n "${4:-}" ] && args+=(-H "Authorization: Bearer $4")
  curl "${args[@]}" "$base/auth-collections$2"
}
json_get() { # EXPR (on the JSON read from stdin; `j` is the parsed value)
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log('"$1"')})'
}

api POST /signup "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" >/dev/null
token="$(api POST /login "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | json_get 'j.access_token')"

# Shared Lua: per-thread counters (sent, 2xx, non-2xx, 5xx) gathered in done(), which
# prints one RESULT line per run. Thread ids make ids and emails unique across threads.
cat >"$work/common.lua" <<'LUA'
local threads, next_id = {}, 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  sent, ok, non2xx, s5xx = 0, 0, 0, 0
end
function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else non2xx = non2xx + 1 end
  if status >= 500 then s5xx = s5xx + 1 end
end
function done(summary, latency, requests)
  local sum = function(name)
    local n = 0
    for _, t in ipairs(threads) do n = n + t:get(name) end
    return n
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d req_per_s=%.1f p50_ms=%.2f p99_ms=%.2f ok_2xx=%d non_2xx=%d status_5xx=%d socket_errors=%d sent=%d connections_per_thread=%s\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    sum("ok"), sum("non2xx"), sum("s5xx"), e.connect + e.read + e.write + e.timeout,
    sum("sent"), CONNS_PER_THREAD))
  if after_run then after_run(threads) end
end
LUA
conns_per_thread=$((CONNECTIONS / THREADS))
hash_conns_per_thread=$((HASH_CONNECTIONS / THREADS))

{ cat "$work/common.lua"; cat <<LUA
CONNS_PER_THREAD = "$hash_conns_per_thread"
local run = "$RANDOM$RANDOM"
function request()
  sent = sent + 1
  local body = string.format('{"email":"load-%s-%d-%d@example.com","password":"$PASSWORD"}', run, tid, sent)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["x-api-key"] = "$API_KEY"}, body)
end
LUA
} >"$work/signup.lua"

{ cat "$work/common.lua"; cat <<LUA
CONNS_PER_THREAD = "$hash_conns_per_thread"
function request()
  sent = sent + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["x-api-key"] = "$API_KEY"},
    '{"email":"$EMAIL","password":"$PASSWORD"}')
end
LUA
} >"$work/login.lua"

{ cat "$work/common.lua"; cat <<LUA
CONNS_PER_THREAD = "$conns_per_thread"
-- Each answer names the id it appended (data.last), so the ids the server acknowledged
-- are known exactly; done() writes them to a file for the check.
acked = {}
function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    local id = string.match(body, '"last":"(t%d+%-%d+)"')
    if id then acked[#acked + 1] = id end
  else
    non2xx = non2xx + 1
  end
  if status >= 500 then s5xx = s5xx + 1 end
end
function after_run(threads)
  local f = assert(io.open("$work/acked.txt", "w"))
  for _, t in ipairs(threads) do
    for _, id in ipairs(t:get("acked")) do f:write(id, "\n") end
  end
  f:close()
end
function request()
  sent = sent + 1
  local id = string.format("t%d-%d", tid, sent)
  local body = string.format('{"data":{"\$append":{"load_ids":"%s"},"last":"%s"}}', id, id)
  return wrk.format("PATCH", nil, {["Content-Type"] = "application/json", ["x-api-key"] = "$API_KEY",
    ["Authorization"] = "Bearer $token"}, body)
end
LUA
} >"$work/append.lua"

{ cat "$work/common.lua"; cat <<LUA
CONNS_PER_THREAD = "$conns_per_thread"
function request()
  sent = sent + 1
  return wrk.format("GET", nil, {["x-api-key"] = "$API_KEY", ["Authorization"] = "Bearer $token"})
end
LUA
} >"$work/get-user.lua"

failed=0
run() { # NAME PATH CONNECTIONS
  local name="$1" path="$2" conns="$3"
  echo "== $name ($conns connections, $DURATION)"
  wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s "$work/$name.lua" "$base/auth-collections$path" \
    >"$work/$name.txt"
  grep -E '^RESULT' "$work/$name.txt" | sed 's/^RESULT //'
  local s5 sock
  s5="$(sed -nE 's/^RESULT .*status_5xx=([0-9]+).*/\1/p' "$work/$name.txt")"
  sock="$(sed -nE 's/^RESULT .*socket_errors=([0-9]+).*/\1/p' "$work/$name.txt")"
  if [ "${s5:-1}" != 0 ] || [ "${sock:-1}" != 0 ]; then
    echo "!! $name: $s5 answers were 5xx, $sock socket errors"
    failed=1
  fi
}
field() { sed -nE "s/^RESULT .*$2=([0-9]+).*/\1/p" "$work/$1.txt"; }

run signup /signup "$HASH_CONNECTIONS"
users_total="$(api GET '/users?limit=1' | json_get 'j.total')"
signup_ok="$(field signup ok_2xx)"
echo "   users stored: $users_total (1 set-up account + $signup_ok signups answered 2xx; requests in flight when wrk stopped, at most $HASH_CONNECTIONS, may add some it did not count)"
if [ "$users_total" -lt $((signup_ok + 1)) ] || [ "$users_total" -gt $((signup_ok + 1 + HASH_CONNECTIONS)) ]; then
  echo "!! signup: $users_total users stored for $signup_ok acknowledged signups"
  failed=1
fi

run login /login "$HASH_CONNECTIONS"
run get-user /user "$CONNECTIONS"
run append /user "$CONNECTIONS"

# No acknowledged $append lost: every id whose answer wrk received as 2xx is in the
# array, each once. The array may also hold some of the requests that were in flight
# when wrk stopped (the server completed them, wrk no longer read the answers), so it
# can be longer than the 2xx count by at most the number of connections.
sleep 1
api GET /user "" "$token" >"$work/user.json"
append_sent="$(field append sent)"
check="$(node -e '
const fs = require("fs");
const [file, ackFile, connsStr] = process.argv.slice(1);
const ids = JSON.parse(fs.readFileSync(file, "utf8")).data.load_ids ?? [];
const acked = fs.readFileSync(ackFile, "utf8").split("\n").filter(Boolean);
const stored = new Set(ids);
const missing = acked.filter((id) => !stored.has(id));
const dupes = ids.length - stored.size;
const extra = ids.length - acked.length;
const good = acked.length > 0 && missing.length === 0 && dupes === 0 && extra >= 0 && extra <= Number(connsStr);
console.log(`${good ? "OK" : "FAIL"} stored=${ids.length} acknowledged_2xx=${acked.length} acknowledged_but_missing=${missing.length}${missing.length ? " e.g. " + missing.slice(0, 5).join(",") : ""} duplicates=${dupes} completed_after_wrk_stopped=${extra}`);
' "$work/user.json" "$work/acked.txt" "$CONNECTIONS")"
echo "   \$append check: $check (requests built by wrk: $append_sent)"
case "$check" in OK*) ;; *) failed=1 ;; esac


echo "== password hashing (from /__emulator/health): $(curl -fsS "$base/__emulator/health" |
  sed -E 's/.*"password_hash":(\{[^}]*\}).*/\1/'); at most one hash per CPU at a time"
echo "== machine: $(nproc) CPUs, $(uname -m); wrk -t$THREADS; signup/login -c$HASH_CONNECTIONS, \$append and GET /user -c$CONNECTIONS; $DURATION each"
if [ "$failed" != 0 ]; then
  echo "== FAILED: see the lines marked !! or FAIL above"
  exit 1
fi
echo "== no 5xx, no socket error, no acknowledged \$append lost"
