// Server rendering: Node 20 imports the package, loads the module from its bytes (Node
// cannot fetch a file: URL), and constructs a client with the default options. With no
// window and no Web Storage the client falls back to memory, starts signed out, and
// leaves nothing running that would keep the process alive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

const PKG = new URL("../../pkg/cocobase_auth.js", import.meta.url);
const WASM = new URL("../../pkg/cocobase_auth_bg.wasm", import.meta.url);

test("import, initSync and construct in Node with the default options; the process exits by itself", () => {
  const script = `
    import { readFileSync } from "node:fs";
    const { initSync, CocobaseAuth } = await import(${JSON.stringify(PKG.href)});
    initSync({ module: readFileSync(new URL(${JSON.stringify(WASM.href)})) });
    const auth = new CocobaseAuth({ apiKey: "pk_test_emulator", baseUrl: "http://127.0.0.1:9" });
    const events = [];
    auth.onAuthStateChange((event, session) => events.push([event, session]));
    const initial = await auth.initialize();
    const missing = await auth.getCurrentUser().catch((e) => e.code);
    console.log(JSON.stringify({ initial, events, user: auth.user, authenticated: auth.isAuthenticated, missing,
      hasWindow: typeof window !== "undefined", hasStorage: typeof localStorage !== "undefined" }));
  `;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout.trim().split("\n").pop());
  assert.deepEqual(out, {
    initial: null,
    events: [["INITIAL_SESSION", null]],
    user: null,
    authenticated: false,
    missing: "session_missing",
    hasWindow: false,
    hasStorage: false,
  });
});
