#!/usr/bin/env bash
# Builds the npm package into pkg/ (scripts/lib/wasm-package.sh: wasm-pack, a current
# wasm-opt -Oz, esbuild's minified glue) and writes pkg/package.json for publishing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source scripts/lib/wasm-package.sh

wasm_package . "$PWD/pkg" cocobase_auth
node scripts/write-pkg-json.mjs
echo "built pkg/ (wasm $wasm_before -> $(wc -c < pkg/cocobase_auth_bg.wasm) bytes after wasm-opt; JS $glue_before -> $(wc -c < pkg/cocobase_auth.js) bytes minified)"
