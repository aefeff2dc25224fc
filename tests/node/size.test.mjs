// The release package's size budget: the wasm, its JS glue and snippets, each gzip -9, summed.
// Size is deterministic, so a test is the right place for it (speed lives in benchmarks).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

// A regression guard at today's size plus a little. The goals are lower (24,000 bytes
// for the client issue, 20,000 for the size issue) and not met yet: see the README.
const BUDGET = 90_000;

test(`release package is at most ${BUDGET} bytes gzipped`, () => {
  const wasm = readFileSync(new URL("../../pkg/cocobase_auth_bg.wasm", import.meta.url));
  const js = readFileSync(new URL("../../pkg/cocobase_auth.js", import.meta.url));
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  // JS snippets (the cross-tab lock and IndexedDB helpers) ship too.
  const snippetsDir = new URL("../../pkg/snippets/", import.meta.url);
  const snippets = readdirSync(snippetsDir, { recursive: true })
    .filter((f) => f.endsWith(".js"))
    .map((f) => readFileSync(new URL(f, snippetsDir)));
  const snippetBytes = snippets.reduce((n, b) => n + gz(b), 0);
  const total = gz(wasm) + gz(js) + snippetBytes;
  console.log(`wasm ${wasm.length} B (${gz(wasm)} gz), js ${js.length} B (${gz(js)} gz), snippets ${snippetBytes} B gz, total ${total} B gz`);
  assert.ok(total <= BUDGET, `${total} > ${BUDGET}`);
});

test("the shipped .d.ts has no `any`", () => {
  const dts = readFileSync(new URL("../../pkg/cocobase_auth.d.ts", import.meta.url), "utf8");
  const lines = dts.split("\n").filter((l) => /\bany\b/.test(l) && !l.trim().startsWith("*") && !l.trim().startsWith("//"));
  assert.deepEqual(lines, []);
});

test("pkg/package.json is ready to publish", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../pkg/package.json", import.meta.url), "utf8"));
  assert.equal(pkg.name, "cocobase-auth");
  assert.equal(pkg.license, "MIT OR Apache-2.0");
  assert.equal(pkg.types, "cocobase_auth.d.ts");
  for (const f of pkg.files) assert.ok(existsSync(new URL(`../../pkg/${f}`, import.meta.url)), f);
});
