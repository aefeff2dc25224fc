// The release package's size budget: the wasm and its JS, each gzip -9, summed.
// Size is deterministic, so a test is the right place for it (speed lives in benchmarks).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { packageSize } from "../../scripts/lib/package-size.mjs";

// Every file a browser loads (wasm-bindgen's JS module and the .wasm), gzip -9, summed
// (scripts/lib/package-size.mjs, which the floor benchmark measures with too).
// A ceiling against growth, not the goal: today's figure (87,442 B) plus 2 %, moved down
// with each smaller figure so that growth shows at once.
const BUDGET = 89_191;

test(`release package is at most ${BUDGET} bytes gzipped`, () => {
  // Anything else the package ships as code (a snippets/ folder, a second module) counts too.
  const { files, total } = packageSize(fileURLToPath(new URL("../../pkg/", import.meta.url)));
  assert.ok(files.some((f) => f.file === "cocobase_auth.js"), JSON.stringify(files));
  for (const { file, raw, gzip } of files) console.log(`${file}: ${raw} B, ${gzip} B gzip -9`);
  console.log(`total ${total} B gzip -9 (budget ${BUDGET})`);
  assert.ok(total <= BUDGET, `${total} > ${BUDGET}`);
});

test("the shipped .d.ts has no `any` in the package's API", () => {
  const dts = readFileSync(new URL("../../pkg/cocobase_auth.d.ts", import.meta.url), "utf8");
  // wasm-bindgen's `InitOutput` lists the module's raw exports (numbers and externrefs,
  // typed `any` by wasm-bindgen); it is not the API an app calls, so it is left out.
  const api = dts.replace(/export interface InitOutput \{[^}]*\}/, "");
  assert.ok(api.length < dts.length, "InitOutput found and set aside");
  assert.match(api, /export class CocobaseAuth/);
  const lines = api.split("\n").filter((l) => /\bany\b/.test(l) && !l.trim().startsWith("*") && !l.trim().startsWith("//"));
  assert.deepEqual(lines, []);
});

test("pkg/package.json is ready to publish", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../pkg/package.json", import.meta.url), "utf8"));
  assert.equal(pkg.name, "cocobase-auth");
  assert.equal(pkg.license, "MIT OR Apache-2.0");
  assert.equal(pkg.types, "cocobase_auth.d.ts");
  for (const f of pkg.files) assert.ok(existsSync(new URL(`../../pkg/${f}`, import.meta.url)), f);
});
