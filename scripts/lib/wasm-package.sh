# Sourced by scripts/build-pkg.sh and bench/floor.sh: builds a wasm-bindgen crate into a
# package folder the way the published package is built, so their sizes compare.
#   wasm_package <crate dir> <out dir> <out name>
# (run from the repository's root, for node_modules/.bin; leaves `wasm_before` and
# `glue_before` set: the raw sizes before wasm-opt and esbuild, for build-pkg.sh's line)
# wasm-pack build --release --target web (size-first profile; wasm-pack's own wasm-opt is
# off in Cargo.toml: Debian's binaryen is too old for externref tables), then npm's current
# binaryen `wasm-opt -Oz`, then esbuild minifies wasm-bindgen's JS (the same module, its
# exports and `new URL("<name>_bg.wasm", import.meta.url)` kept, so bundlers still find
# the .wasm). Paths of the build machine's cargo home are remapped out of the panic
# locations, so the package does not carry them.
wasm_package() {
  local crate="$1" out="$2" name="$3" bin="$PWD/node_modules/.bin" remap="" dir
  for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
    remap="$remap --remap-path-prefix=$dir="
  done
  RUSTFLAGS="${RUSTFLAGS:-}$remap" wasm-pack --quiet build "$crate" --release --target web \
    --out-dir "$out" --out-name "$name"
  local wasm="$out/${name}_bg.wasm" glue="$out/$name.js"
  wasm_before=$(wc -c < "$wasm")
  # Functions with one caller are inlined only up to 25 instructions (binaryen's -Oz inlines
  # them whatever their size): the big merged bodies gzip worse than the calls they replace
  # (84,850 B gzip of the wasm against 87,620 B; 0 gave 85,927, 200 gave 86,381).
  "$bin/wasm-opt" -Oz --converge --low-memory-unused --one-caller-inline-max-function-size=25 \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    --strip-debug --strip-producers "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
  glue_before=$(wc -c < "$glue")
  "$bin/esbuild" "$glue" --minify --format=esm --target=es2022 --log-level=warning \
    --outfile="$out/$name.min.js"
  mv "$out/$name.min.js" "$glue"
  rm -f "$out/.gitignore"
}
