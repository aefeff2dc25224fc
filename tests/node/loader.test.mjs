// The package's wasm loader (js/wasm.js): every documented way to call `init` and
// `initSync`, each on a fresh copy of the module (a query string makes Node load the file
// again), and the error a validator gives before any of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";

const PKG = new URL("../../pkg/cocobase_auth.js", import.meta.url);
// The module as cargo built it (before wasm-opt): a second, valid copy of the same rules.
const BYTES = readFileSync(new URL("../../target/wasm32-unknown-unknown/wasm-release/cocobase_auth.wasm", import.meta.url));
let n = 0;
const fresh = () => import(`${PKG.href}?copy=${++n}`);

async function works(pkg) {
  assert.deepEqual(pkg.validateEmail("ada@example.com"), { valid: true, errors: [] });
  assert.deepEqual(pkg.validateEmail("ada").errors.map((e) => e.code), ["missing_at"]);
  const weak = pkg.validatePassword("password", undefined, { email: "ada@example.com" });
  assert.deepEqual(weak.errors.map((e) => e.code), ["missing_uppercase", "missing_digit", "common_password"]);
  assert.equal(weak.score, 0);
}

test("validating before init() is a clear error", async () => {
  const pkg = await fresh();
  assert.throws(() => pkg.validateEmail("ada@example.com"), /call and await init\(\)/);
});

test("init() unpacks the module inside the package", async () => {
  const pkg = await fresh();
  const exports = await pkg.default();
  assert.ok(exports.memory instanceof WebAssembly.Memory);
  assert.equal(await pkg.default(), exports, "a second call changes nothing");
  await works(pkg);
});

for (const [name, arg] of [
  ["{} (the copy inside, as with no argument)", () => ({})],
  ["{ module_or_path: bytes }", () => ({ module_or_path: BYTES })],
  ["bytes", () => BYTES],
  ["{ module_or_path: Promise<Response> }", () => ({ module_or_path: Promise.resolve(new Response(BYTES)) })],
  ["a compiled module", () => new WebAssembly.Module(BYTES)],
]) {
  test(`init(${name})`, async () => {
    const pkg = await fresh();
    await pkg.default(arg());
    await works(pkg);
  });
}

for (const [name, arg] of [
  ["{ module: bytes }", () => ({ module: BYTES })],
  ["a compiled module", () => new WebAssembly.Module(BYTES)],
]) {
  test(`initSync(${name})`, async () => {
    const pkg = await fresh();
    pkg.initSync(arg());
    await works(pkg);
  });
}

test("text too large for the module's memory is a clear error, and nothing is corrupted", () => {
  // A 20-page (1.25 MiB) memory limit stands in for a device that cannot grow memory.
  const script = `
    const pkg = await import(${JSON.stringify(PKG.href)});
    await pkg.default();
    const before = JSON.stringify(pkg.validatePassword("Sturdy-Lantern-42", undefined, { email: "ada@example.com" }));
    let message = "";
    try { pkg.validateEmail("@".repeat(600000)); } catch (e) { message = e.message; }
    let message2 = "";
    try { pkg.validatePassword("x".repeat(400000), undefined, { email: "y".repeat(400000) }); } catch (e) { message2 = e.message; }
    const after = JSON.stringify(pkg.validatePassword("Sturdy-Lantern-42", undefined, { email: "ada@example.com" }));
    console.log(JSON.stringify({ message, message2, same: before === after, email: pkg.validateEmail("ada@example.com").valid }));
  `;
  const r = spawnSync(process.execPath, ["--wasm-max-mem-pages=20", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop());
  assert.match(out.message, /no memory for 600000 bytes/);
  assert.match(out.message2, /no memory for 800000 bytes/);
  assert.ok(out.same, "the same answer before and after");
  assert.equal(out.email, true);
});
