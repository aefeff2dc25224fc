// The package in a webpack 5 production build: the app of tests/vite/ imports
// "cocobase-auth" by name (resolved to pkg/), webpack bundles it and emits the .wasm
// that wasm-bindgen's loader names with `new URL(..., import.meta.url)`; the output is
// served by the emulator and run in headless Chromium.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import webpack from "webpack";
import { PKG_DIR, launchBrowser, startEmulator } from "../e2e/harness.mjs";
import { APP_DIR, runAndCheck } from "./app.mjs";

let dist;
let emulator;
let browser;

before(async () => {
  if (!existsSync(join(PKG_DIR, "cocobase_auth_bg.wasm"))) throw new Error(`${PKG_DIR} is not built: run scripts/build-pkg.sh`);
  dist = mkdtempSync(join(tmpdir(), "cocobase-webpack-dist-"));
  const stats = await new Promise((resolve, reject) =>
    webpack(
      {
        mode: "production",
        entry: join(APP_DIR, "main.js"),
        output: { path: dist, filename: "main.js", publicPath: "auto", clean: true },
        resolve: { alias: { "cocobase-auth$": join(PKG_DIR, "cocobase_auth.js") } },
        performance: { hints: false },
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
  assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
  // The page: the app's index.html, whose ./main.js is now the bundle.
  copyFileSync(join(APP_DIR, "index.html"), join(dist, "index.html"));
  emulator = await startEmulator({ serve: dist });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await emulator?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

test("webpack 5 emits one bundle and the package's .wasm", () => {
  const files = readdirSync(dist);
  assert.equal(files.filter((f) => f.endsWith(".wasm")).length, 1, files.join(", "));
  const bundle = readFileSync(join(dist, "main.js"), "utf8");
  assert.ok(!/["']cocobase-auth["']/.test(bundle), "the bare import was resolved");
});

test("the webpack build runs in Chromium: init, new CocobaseAuth, initialize, validators, signup", async () => {
  await runAndCheck(browser, `${emulator.url}/`);
});
