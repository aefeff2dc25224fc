#!/usr/bin/env bash
# npm start: set up, build the release package and the emulator, then serve the demo
# app and the API on one origin. Accounts persist in .cocobase/ across restarts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/build-pkg.sh
cargo build --quiet --release -p cocobase-emulator
# The demo imports the package from /pkg/ on the same origin.
rm -rf www/pkg && cp -r pkg www/pkg
port="${COCOBASE_PORT:-8787}"
echo "Open http://127.0.0.1:${port}/ (the demo); the API is under /auth-collections. Ctrl-C stops."
exec target/release/cocobase-emulator --port "$port" --serve www --tier pro "$@"
