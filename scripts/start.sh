#!/usr/bin/env bash
# npm start: set up, build the release package and the emulator, then serve the demo
# app and the API on one origin. Accounts persist in .cocobase/ across restarts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/build-pkg.sh
cargo build --quiet --profile emulator -p cocobase-emulator
# The demo imports the package from /pkg/ on the same origin.
rm -rf www/pkg && mkdir -p www/pkg && cp pkg/cocobase_auth.js pkg/cocobase_auth_bg.wasm pkg/cocobase_auth.d.ts www/pkg/
port="${COCOBASE_PORT:-8787}"
echo "Open http://127.0.0.1:${port}/ (the demo); the API is under /auth-collections. Ctrl-C stops."
# Mailed links (password reset, email verification) open the demo's own views, ?view=reset
# and ?view=verify. They come before "$@": when a flag is repeated the last one counts, so
# `npm start -- --password-reset-url URL` still overrides them.
exec target/emulator/cocobase-emulator --port "$port" --serve www --tier pro \
  --password-reset-url "http://127.0.0.1:${port}/?view=reset" \
  --verification-url "http://127.0.0.1:${port}/?view=verify" \
  "$@"
