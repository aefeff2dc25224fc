// The package from a Vite production build: a minimal app (index.html + main.js) imports
// "cocobase-auth" by name, resolved to the built pkg/ through resolve.alias; the dist
// folder is served by the emulator and run in headless Chromium.
//
//   bash scripts/build-pkg.sh && cargo build -p cocobase-emulator
//   node --test tests/vite/vite.test.mjs          (needs the dev dependency `vite`)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PKG_DIR, launchBrowser, startEmulator } from "../e2e/harness.mjs";
import { runAndCheck } from "../bundlers/app.mjs";

const APP = dirname(fileURLToPath(import.meta.url));

let dist;
let emulator;
let browser;
let buildOutput;

before(async () => {
  for (const f of ["package.json", "cocobase_auth.js"]) {
    if (!existsSync(join(PKG_DIR, f))) throw new Error(`${PKG_DIR}/${f} is missing: run \`bash scripts/build-pkg.sh\``);
  }
  const { build } = await import("vite");
  dist = mkdtempSync(join(tmpdir(), "cocobase-vite-dist-"));
  buildOutput = await build({
    root: APP,
    configFile: false,
    logLevel: "warn",
    resolve: { alias: [{ find: /^cocobase-auth$/, replacement: PKG_DIR }] },
    build: { outDir: dist, emptyOutDir: true },
  });
  emulator = await startEmulator({ serve: dist });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await emulator?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

test("the production build is one JS chunk and the package's .wasm as an asset", () => {
  const assets = readdirSync(join(dist, "assets"));
  const js = assets.filter((f) => f.endsWith(".js"));
  const wasm = assets.filter((f) => f.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `one .wasm asset in ${assets.join(", ")}`);
  assert.equal(js.length, 1, `one .js chunk in ${assets.join(", ")}`);
  const bundle = readFileSync(join(dist, "assets", js[0]), "utf8");
  // wasm-bindgen's loader finds the module next to itself; Vite rewrote that URL.
  assert.ok(bundle.includes(wasm[0]), "the chunk names the .wasm asset");
  assert.ok(!/from\s*["']cocobase-auth["']/.test(bundle), "the bare import was resolved");
  assert.ok(buildOutput, "build() returned");
});

test("the built app runs in Chromium: init, new CocobaseAuth, initialize, validateEmail, signup", async () => {
  await runAndCheck(browser, `${emulator.url}/`);
});
