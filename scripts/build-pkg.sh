#!/usr/bin/env bash
# Builds the npm package into pkg/: the Rust core as wasm (size-first profile) with
# wasm-bindgen's glue, wasm-opt -Oz, the JS shell (js/index.js) bundled with that glue
# into one minified module, the hand-written .d.ts, and a package.json ready to publish.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --lib -p cocobase-auth --target wasm32-unknown-unknown --profile wasm-release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$work" --out-name cocobase_auth \
  target/wasm32-unknown-unknown/wasm-release/cocobase_auth.wasm
rm -rf pkg
mkdir -p pkg
# -Oz for size; strip debug info and the producers section (not `strip = true` in
# Cargo.toml: that hides target features from wasm-bindgen).
# Debian's binaryen (108) predates the externref tables wasm-bindgen now emits and
# produces a module that fails to instantiate; the npm package `binaryen` is current.
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-debug --strip-producers \
  "$work/cocobase_auth_bg.wasm" -o pkg/cocobase_auth_bg.wasm
# The shell imports the glue as ./cocobase_auth.js; one bundle keeps a single JS request.
cp js/index.js js/core.js "$work/"
node_modules/.bin/esbuild "$work/index.js" --bundle --format=esm --minify --target=es2022 \
  --log-level=warning --outfile=pkg/cocobase_auth.js
cp js/cocobase_auth.d.ts pkg/cocobase_auth.d.ts
node scripts/write-pkg-json.mjs
cp README.md pkg/README.md
[ -f LICENSE-MIT ] && cp LICENSE-MIT LICENSE-APACHE pkg/ 2>/dev/null || true
echo "built pkg/ ($(wc -c < pkg/cocobase_auth_bg.wasm) bytes of wasm, $(wc -c < pkg/cocobase_auth.js) bytes of JS)"
