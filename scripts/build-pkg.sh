#!/usr/bin/env bash
# Builds the npm package into pkg/: the wasm (size-first profile), its JS glue and
# .d.ts from wasm-bindgen, wasm-opt -Oz, and a package.json ready to publish.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --lib -p cocobase-auth --target wasm32-unknown-unknown --profile wasm-release
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --out-name cocobase_auth \
  target/wasm32-unknown-unknown/wasm-release/cocobase_auth.wasm
# -Oz for size; strip debug info and the producers section (not `strip = true` in
# Cargo.toml: that hides target features from wasm-bindgen).
# Debian's binaryen (108) predates the externref tables wasm-bindgen now emits and
# produces a module that fails to instantiate; the npm package `binaryen` is current.
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-debug --strip-producers \
  pkg/cocobase_auth_bg.wasm -o pkg/cocobase_auth_bg.wasm
node scripts/write-pkg-json.mjs
cp README.md pkg/README.md
[ -f LICENSE-MIT ] && cp LICENSE-MIT LICENSE-APACHE pkg/ 2>/dev/null || true
echo "built pkg/ ($(wc -c < pkg/cocobase_auth_bg.wasm) bytes of wasm)"
