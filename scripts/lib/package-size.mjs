// How a package's size is measured, by the size test (tests/node/size.test.mjs) and the
// floor benchmark (bench/floor.sh) alike: every file a browser loads as code (.js, .mjs,
// .wasm, in any subfolder such as wasm-bindgen's snippets/), each gzip -9, summed.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** `{ files: [{ file, raw, gzip }], js, wasm, total }` of the folder `dir` (gzip bytes). */
export function packageSize(dir) {
  const size = { files: [], js: 0, wasm: 0, total: 0 };
  for (const file of readdirSync(dir, { recursive: true })) {
    if (!/\.(js|mjs|wasm)$/.test(file)) continue;
    const bytes = readFileSync(join(dir, file));
    const gzip = gzipSync(bytes, { level: 9 }).length;
    size.files.push({ file, raw: bytes.length, gzip });
    size[file.endsWith(".wasm") ? "wasm" : "js"] += gzip;
    size.total += gzip;
  }
  return size;
}
