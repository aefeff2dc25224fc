#!/usr/bin/env bash
# npm run bench: builds the release package and the emulator, installs the pinned peer
# SDKs into bench/node_modules (only when missing), then measures.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-pkg.sh
cargo build --quiet -p cocobase-emulator
if [ ! -f bench/node_modules/.package-lock.json ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  npm ci --prefix bench --no-audit --no-fund --loglevel=error
fi
export COCOBASE_EMULATOR_BIN="$PWD/target/debug/cocobase-emulator"
cd bench && node run.mjs
