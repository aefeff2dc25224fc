#!/usr/bin/env bash
# Every test of the project: host (core, validation, emulator), browser (wasm in
# headless Chromium against a real emulator), TypeScript types, package size, the
# official SDK against the emulator, and end-to-end runs of the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s\n' "$*"; }
work=$(mktemp -d)
emulator_pids=()
cleanup() {
  [ ${#emulator_pids[@]} -gt 0 ] && kill "${emulator_pids[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step "host tests (cargo test --workspace)"
# Per-test lines go to a log; the summaries and any failure are shown. pipefail keeps
# cargo's exit status.
cargo test --workspace 2>&1 | tee "$work/cargo-test.log" \
  | grep -E '^(running|test result|error|failures|---- |thread .* panicked)' --line-buffered

step "fuzz smoke (cargo fuzz, 2 s per target)"
bash scripts/fuzz.sh 2

step "release package (pkg/)"
bash scripts/build-pkg.sh

step "emulators for the browser tests (one plain, one slow for timeouts)"
cargo build --quiet -p cocobase-emulator
emulator_pids=()
# start_emulator NAME ARGS...: starts one on a free port; its URL is printed by `cat $work/NAME.url`.
start_emulator() {
  local name=$1
  shift
  target/debug/cocobase-emulator --port 0 --db :memory: --tier enterprise --files "$work/$name-files" "$@" \
    >"$work/$name.out" 2>"$work/$name.err" &
  emulator_pids+=($!)
  for _ in $(seq 1 100); do
    grep -q 'listening on' "$work/$name.out" 2>/dev/null && break
    sleep 0.1
  done
  sed -n 's/^cocobase-emulator listening on //p' "$work/$name.out" | head -n1 >"$work/$name.url"
  [ -s "$work/$name.url" ] || { echo "emulator $name did not start:"; cat "$work/$name.err"; exit 1; }
  echo "emulator $name at $(cat "$work/$name.url")"
}
start_emulator plain
start_emulator slow --latency 1500

step "browser tests (wasm-bindgen-test in headless Chromium)"
COCOBASE_TEST_URL="$(cat "$work/plain.url")" COCOBASE_SLOW_URL="$(cat "$work/slow.url")" \
  CHROMEDRIVER=/usr/bin/chromedriver wasm-pack test --headless --chrome -- --test web

kill "${emulator_pids[@]}" 2>/dev/null || true
wait "${emulator_pids[@]}" 2>/dev/null || true
emulator_pids=()

step "TypeScript types (tsc --noEmit)"
npx --no-install tsc --noEmit -p tests/tsconfig.json
echo "types ok"

step "node tests (size, official SDK compatibility, tabs, end to end, Vite, injected faults)"
export COCOBASE_EMULATOR_BIN="$PWD/target/debug/cocobase-emulator"
node --test tests/node/*.test.mjs tests/compat/*.test.mjs tests/tabs/*.test.mjs tests/e2e/*.test.mjs \
  tests/vite/*.test.mjs tests/faults/*.test.mjs
