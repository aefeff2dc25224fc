#!/usr/bin/env bash
# npm run bench:floor: the size floor of the architecture. Builds bench/floor (one
# wasm-bindgen class, one async method, one gloo-net request, serde-wasm-bindgen both
# ways, localStorage: every crate the architecture asks for doing its job once, none of
# the client's logic) exactly as the package is built, and prints both sizes measured
# as the size test measures them (every .js and .wasm, gzip -9, summed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
source scripts/lib/wasm-package.sh
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
wasm_package bench/floor "$out/floor" floor
[ -f pkg/cocobase_auth_bg.wasm ] || bash scripts/build-pkg.sh
node --input-type=module - "$out/floor" pkg <<'JS'
import { packageSize } from "./scripts/lib/package-size.mjs";
const [floor, pkg] = process.argv.slice(2).map(packageSize);
const row = (name, s) => `| ${name} | ${s.wasm.toLocaleString("en")} | ${s.js.toLocaleString("en")} | ${s.total.toLocaleString("en")} |`;
console.log("| gzip -9 B | wasm | JS glue | total |\n|---|---|---|---|");
console.log(row("the floor (bench/floor)", floor));
console.log(row("cocobase-auth (pkg/)", pkg));
console.log(row("the package's own logic (difference)", {
  wasm: pkg.wasm - floor.wasm, js: pkg.js - floor.js, total: pkg.total - floor.total,
}));
JS
