#!/usr/bin/env bash
# Builds the npm package into pkg/ with wasm-pack (release profile: size first), then
# runs a current wasm-opt -Oz over the module (wasm-pack's own is off in Cargo.toml:
# Debian's binaryen is too old for externref tables; npm's `binaryen` is current),
# minifies wasm-bindgen's generated JS with esbuild (the same module, its exports and
# `new URL("cocobase_auth_bg.wasm", import.meta.url)` kept, so bundlers still find the
# .wasm), and writes pkg/package.json for publishing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

wasm-pack --quiet build --release --target web --out-dir pkg --out-name cocobase_auth
wasm=pkg/cocobase_auth_bg.wasm
before=$(wc -c < "$wasm")
# Functions with one caller are inlined only up to 25 instructions (binaryen's -Oz inlines
# them whatever their size): the big merged bodies gzip worse than the calls they replace
# (84,850 B gzip of the wasm against 87,620 B; 0 gave 85,927, 200 gave 86,381).
node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused --one-caller-inline-max-function-size=25 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-debug --strip-producers \
  "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
glue_before=$(wc -c < pkg/cocobase_auth.js)
node_modules/.bin/esbuild pkg/cocobase_auth.js --minify --format=esm --target=es2022 --log-level=warning \
  --outfile=pkg/cocobase_auth.min.js
mv pkg/cocobase_auth.min.js pkg/cocobase_auth.js
node scripts/write-pkg-json.mjs
rm -f pkg/.gitignore
echo "built pkg/ (wasm $before -> $(wc -c < "$wasm") bytes after wasm-opt; JS $glue_before -> $(wc -c < pkg/cocobase_auth.js) bytes minified)"
