#!/usr/bin/env bash
# Every test of the project: host (the client's core, validation and the emulator, in
# Rust), fuzz smoke, browser (the wasm-pack package in headless Chromium against a real
# emulator), TypeScript types, package size, the official SDK against the emulator, tabs,
# end-to-end runs of the demo, Vite, and injected faults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s\n' "$*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "host tests (cargo test --workspace)"
# Per-test lines go to a log; the summaries and any failure are shown. pipefail keeps
# cargo's exit status.
cargo test --workspace 2>&1 | tee "$work/cargo-test.log" \
  | grep -E '^(running|test result|error|failures|---- |thread .* panicked)' --line-buffered

step "fuzz smoke (cargo fuzz, 2 s per target)"
bash scripts/fuzz.sh 2

step "release package (pkg/, wasm-pack)"
bash scripts/build-pkg.sh

step "TypeScript types (tsc --noEmit)"
npx --no-install tsc --noEmit -p tests/tsconfig.json
echo "types ok"

step "node and browser tests (size, loader and server rendering, the client in Chromium, official SDK compatibility, tabs, end to end, Vite, webpack and a plain page, injected faults)"
cargo build --quiet -p cocobase-emulator
export COCOBASE_EMULATOR_BIN="$PWD/target/debug/cocobase-emulator"
node --test tests/node/*.test.mjs tests/browser/*.test.mjs tests/compat/*.test.mjs tests/tabs/*.test.mjs tests/e2e/*.test.mjs \
  tests/vite/*.test.mjs tests/bundlers/*.test.mjs tests/faults/*.test.mjs
