// wasm-bindgen's loader, as the package ships it: the documented ways to call `init` and
// `initSync` in Node (where `init()` cannot fetch a file: URL, so the bytes are given),
// each on a fresh copy of the module (a query string makes Node load the file again).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const PKG = new URL("../../pkg/cocobase_auth.js", import.meta.url);
const BYTES = readFileSync(new URL("../../pkg/cocobase_auth_bg.wasm", import.meta.url));
let n = 0;
const fresh = () => import(`${PKG.href}?copy=${++n}`);

async function works(pkg) {
  assert.deepEqual(pkg.validateEmail("ada@example.com"), { valid: true, errors: [] });
  assert.deepEqual(pkg.validateEmail("ada").errors.map((e) => e.code), ["missing_at"]);
  const weak = pkg.validatePassword("password", undefined, { email: "ada@example.com" });
  assert.deepEqual(weak.errors.map((e) => e.code), ["missing_uppercase", "missing_digit", "common_password"]);
  assert.equal(weak.score, 0);
  // The class itself: constructed in Node (no window, no storage: memory), a local
  // check that rejects without a request.
  const auth = new pkg.CocobaseAuth({ apiKey: "pk_test_emulator", baseUrl: "http://127.0.0.1:9" });
  assert.equal(auth.user, null);
  await assert.rejects(auth.signup({ email: "ada", password: "x" }), (e) => e.name === "CocobaseError" && e.code === "validation_failed");
  auth.free();
}

test("using the package before init() throws", async () => {
  const pkg = await fresh();
  assert.throws(() => pkg.validateEmail("ada@example.com"));
});

for (const [name, arg] of [
  ["{ module_or_path: bytes }", () => ({ module_or_path: BYTES })],
  ["{ module_or_path: Promise<Response> }", () => ({ module_or_path: Promise.resolve(new Response(BYTES, { headers: { "content-type": "application/wasm" } })) })],
  ["{ module_or_path: a compiled module }", () => ({ module_or_path: new WebAssembly.Module(BYTES) })],
]) {
  test(`init(${name})`, async () => {
    const pkg = await fresh();
    const exports = await pkg.default(arg());
    assert.ok(exports.memory instanceof WebAssembly.Memory);
    assert.equal(await pkg.default(arg()), exports, "a second call changes nothing");
    await works(pkg);
  });
}

for (const [name, arg] of [
  ["{ module: bytes }", () => ({ module: BYTES })],
  ["{ module: a compiled module }", () => ({ module: new WebAssembly.Module(BYTES) })],
]) {
  test(`initSync(${name})`, async () => {
    const pkg = await fresh();
    pkg.initSync(arg());
    await works(pkg);
  });
}
