#!/usr/bin/env bash
# Builds the npm package into pkg/: the email and password rules as wasm (size-first
# profile, wasm-opt -Oz), packed (gzip, base64) into the one minified JS module with the
# JS core and shell (esbuild), the hand-written .d.ts, and a package.json ready to
# publish.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --lib -p cocobase-auth --target wasm32-unknown-unknown --profile wasm-release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# -Oz for size; strip debug info and the producers section. (Debian's binaryen is too
# old for the features rustc now turns on; the npm package `binaryen` is current.)
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-debug --strip-producers \
  target/wasm32-unknown-unknown/wasm-release/cocobase_auth.wasm -o "$work/rules.wasm"
# The module inside the JS: one request instead of two (about 5 ms of cold start here),
# for about 100 B more than a separate .wasm once the JS is gzipped.
node -e '
  const { readFileSync, writeFileSync } = require("node:fs");
  const { gzipSync } = require("node:zlib");
  const packed = gzipSync(readFileSync(process.argv[1]), { level: 9 }).toString("base64");
  writeFileSync(process.argv[2], `export default "${packed}";\n`);
' "$work/rules.wasm" "$work/wasm-packed.js"
rm -rf pkg
mkdir -p pkg
cp js/index.js js/core.js js/wasm.js "$work/"
node_modules/.bin/esbuild "$work/index.js" --bundle --format=esm --minify --target=es2022 \
  --log-level=warning --outfile=pkg/cocobase_auth.js
cp js/cocobase_auth.d.ts pkg/cocobase_auth.d.ts
node scripts/write-pkg-json.mjs
cp README.md pkg/README.md
[ -f LICENSE-MIT ] && cp LICENSE-MIT LICENSE-APACHE pkg/ 2>/dev/null || true
echo "built pkg/ ($(wc -c < "$work/rules.wasm") bytes of wasm inside $(wc -c < pkg/cocobase_auth.js) bytes of JS)"
