// The package with no bundler at all: a page's plain `<script type="module">` imports
// "cocobase-auth" through an import map pointing at pkg/ copied next to it, as a site
// that serves the npm package's files directly would.
import { after, before, test } from "node:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PKG_DIR, launchBrowser, startEmulator } from "../e2e/harness.mjs";
import { APP_DIR, runAndCheck } from "./app.mjs";

let site;
let emulator;
let browser;

before(async () => {
  site = mkdtempSync(join(tmpdir(), "cocobase-plain-"));
  cpSync(PKG_DIR, join(site, "pkg"), { recursive: true });
  cpSync(join(APP_DIR, "main.js"), join(site, "main.js"));
  const html = readFileSync(join(APP_DIR, "index.html"), "utf8").replace(
    '<script type="module"',
    '<script type="importmap">{ "imports": { "cocobase-auth": "./pkg/cocobase_auth.js" } }</script>\n  <script type="module"',
  );
  writeFileSync(join(site, "index.html"), html);
  emulator = await startEmulator({ serve: site });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await emulator?.stop();
  if (site) rmSync(site, { recursive: true, force: true });
});

test("a plain <script type=module> with an import map runs the package in Chromium", async () => {
  await runAndCheck(browser, `${emulator.url}/`);
});
