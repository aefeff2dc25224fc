// The small app of tests/vite/ (index.html + main.js: init, new CocobaseAuth,
// initialize, validators, one signup, the secret-key refusal), run in headless Chromium
// from wherever a bundler or a plain page put it, with the checks every build must pass.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The app's sources. */
export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "../vite");

/** Opens `url` in `browser`, waits for the app's result, and checks it. */
export async function runAndCheck(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(url);
  await page.waitForSelector("#result[data-state=done]", { timeout: 15_000 });
  const result = JSON.parse(await page.locator("#result").textContent());
  await page.close();
  assert.deepEqual(errors, []);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.initial, null);
  assert.deepEqual(result.events, ["INITIAL_SESSION", "SIGNED_IN"]);
  assert.deepEqual(result.goodEmail, { valid: true, errors: [] });
  assert.deepEqual(result.badEmail, ["missing_at"]);
  assert.equal(result.weak.valid, false);
  assert.ok(result.weak.score <= 1, `score ${result.weak.score}`);
  assert.deepEqual(result.weak.codes, ["missing_digit", "missing_uppercase", "too_short"]);
  assert.equal(result.signedUpAs, result.email);
  assert.equal(result.isAuthenticated, true);
  assert.deepEqual(result.secretKey, { name: "CocobaseError", code: "secret_key_in_browser" });
  assert.equal(requests.filter((p) => p.endsWith(".wasm")).length, 1, `one wasm request: ${requests.join(", ")}`);
  assert.ok(requests.includes("/auth-collections/signup"), requests.join(", "));
  return { result, requests };
}
