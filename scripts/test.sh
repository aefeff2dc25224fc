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
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
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

step "emulator for the browser tests"
cargo build --quiet -p cocobase-emulator
target/debug/cocobase-emulator --port 0 --db :memory: --tier enterprise --files "$work/files" >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  grep -q 'listening on' "$work/emulator.out" 2>/dev/null && break
  sleep 0.1
done
url=$(head -n1 "$work/emulator.out" | sed -n 's/^cocobase-emulator listening on //p')
[ -n "$url" ] || { echo "emulator did not start:"; cat "$work/emulator.err"; exit 1; }
echo "emulator at $url"

step "browser tests (wasm-bindgen-test in headless Chromium)"
COCOBASE_TEST_URL="$url" CHROMEDRIVER=/usr/bin/chromedriver \
  wasm-pack test --headless --chrome -- --test web

kill "$emulator_pid" && wait "$emulator_pid" 2>/dev/null || true
emulator_pid=""

step "TypeScript types (tsc --noEmit)"
npx --no-install tsc --noEmit -p tests/tsconfig.json
echo "types ok"

step "node tests (size, official SDK compatibility, tabs, end to end, Vite, injected faults)"
export COCOBASE_EMULATOR_BIN="$PWD/target/debug/cocobase-emulator"
node --test tests/node/*.test.mjs tests/compat/*.test.mjs tests/tabs/*.test.mjs tests/e2e/*.test.mjs \
  tests/vite/*.test.mjs tests/faults/*.test.mjs
