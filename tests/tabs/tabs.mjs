// Shared by the cross-tab test and benchmark: an emulator with short-lived tokens
// serving a one-client test page, N pages of one browser context, and a record of every
// request the pages make.
import { cpSync, mkdtempSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, launchBrowser, PKG_DIR } from "../e2e/harness.mjs";

/** Claims of a JWT (no verification: timing only). */
export function claims(token) {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
  } catch {
    return {};
  }
}

export async function startTabsBed({ ttl, margin }) {
  const dir = mkdtempSync(join(tmpdir(), "cocobase-tabs-"));
  cpSync(PKG_DIR, join(dir, "pkg"), { recursive: true });
  copyFileSync(new URL("./page.html", import.meta.url), join(dir, "index.html"));
  const emulator = await startEmulator({ serve: dir, extraArgs: ["--token-ttl", String(ttl)] });
  const browser = await launchBrowser();
  const context = await browser.newContext();
  const log = { refreshes: [], unauthorized: 0, expiredSent: 0, requests: 0 };
  context.on("request", (req) => {
    const auth = req.headers()["authorization"];
    if (!req.url().includes("/auth-collections/")) return;
    log.requests += 1;
    if (auth?.startsWith("Bearer ")) {
      const token = auth.slice(7);
      // 1 s of slack: `exp` has whole-second resolution.
      if ((claims(token).exp ?? 0) * 1000 + 1000 <= Date.now()) log.expiredSent += 1;
      if (req.url().endsWith("/refresh-token")) log.refreshes.push({ token, at: Date.now() });
    }
  });
  context.on("response", (res) => {
    if (res.status() === 401 && res.url().includes("/auth-collections/")) log.unauthorized += 1;
  });
  async function openTab() {
    const page = await context.newPage();
    await page.goto(`${emulator.url}/?margin=${margin}`);
    await page.waitForFunction(() => window.ready === true);
    return page;
  }
  async function close() {
    await browser.close();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { emulator, context, log, openTab, close };
}

/** Signs up in the first tab and opens the others on the same storage. */
export async function openSignedInTabs(bed, count) {
  const first = await bed.openTab();
  const email = `tabs${Date.now()}${Math.floor(Math.random() * 1e6)}@example.com`;
  await first.evaluate((email) => window.auth.signup({ email, password: "Tabs-Test-Pass-42" }), email);
  const pages = [first];
  for (let i = 1; i < count; i++) pages.push(await bed.openTab());
  return pages;
}

export const tokenOf = (page) => page.evaluate(() => window.auth.accessToken);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
