// Shared helpers of the end-to-end tests: an emulator serving the demo (www/) on a free
// port with a throwaway database, and headless Chromium driven by playwright-core.
//
// Build-free: assumes `bash scripts/build-pkg.sh` has produced pkg/ and that the emulator
// binary exists (COCOBASE_EMULATOR_BIN, default target/debug/cocobase-emulator).
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SCREENSHOTS = join(ROOT, "tests/e2e/screenshots");
export const API_KEY = "pk_test_emulator";
const PKG_FILES = ["cocobase_auth.js", "cocobase_auth_bg.wasm", "cocobase_auth.d.ts"];

/** The built package: pkg/, or COCOBASE_PKG_DIR (to try another build). */
export const PKG_DIR = resolve(ROOT, process.env.COCOBASE_PKG_DIR ?? "pkg");

/**
 * Copies the package's files into www/pkg/, as `npm start` does.
 */
export function copyPkgIntoWww() {
  const from = PKG_DIR;
  const to = join(ROOT, "www/pkg");
  for (const f of PKG_FILES) {
    if (!existsSync(join(from, f))) {
      throw new Error(`${from}/${f} is missing: run \`bash scripts/build-pkg.sh\` first`);
    }
  }
  mkdirSync(to, { recursive: true });
  // Copy then rename, so a test file running alongside never serves a half-written file.
  for (const f of PKG_FILES) {
    const tmp = join(to, `.${f}.${process.pid}.tmp`);
    copyFileSync(join(from, f), tmp);
    renameSync(tmp, join(to, f));
  }
}

/**
 * Starts the emulator: `--port 0 --db :memory: --tier enterprise --files <tmp>`, plus
 * `--serve <serve>` (default www/) and `extraArgs`. Resolves to `{ url, stop, output }`
 * once its first stdout line gives the address.
 */
export async function startEmulator({ serve = join(ROOT, "www"), extraArgs = [] } = {}) {
  const bin = resolve(ROOT, process.env.COCOBASE_EMULATOR_BIN ?? "target/debug/cocobase-emulator");
  if (!existsSync(bin)) {
    throw new Error(`no emulator at ${bin}: run \`cargo build -p cocobase-emulator\` or set COCOBASE_EMULATOR_BIN`);
  }
  const files = mkdtempSync(join(tmpdir(), "cocobase-e2e-files-"));
  const args = ["--port", "0", "--db", ":memory:", "--tier", "enterprise", "--files", files];
  if (serve) args.push("--serve", serve);
  args.push(...extraArgs);
  const child = spawn(bin, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stderr: "" };
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => { output.stderr += d; });
  const exited = new Promise((res) => child.once("exit", (code, signal) => res({ code, signal })));

  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`emulator did not start in 20 s\n${output.stderr}`)), 20_000);
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /^cocobase-emulator listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/.exec(line);
      if (m) res(m[1]);
      else rej(new Error(`unexpected first line from the emulator: ${JSON.stringify(line)}\n${output.stderr}`));
      // Keep draining stdout so the emulator never blocks on a full pipe.
      child.stdout.resume();
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`emulator exited (code ${code}, signal ${signal}) before listening\n${output.stderr}`));
    });
  });

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(files, { recursive: true, force: true });
  }
  return { url, stop, output, filesDir: files };
}

/** Headless Chromium from the system, never a downloaded one. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

/**
 * Everything a test file needs: copies the package, starts the emulator and Chromium.
 * Call `stop()` in `after()`.
 */
export async function setup({ extraArgs = [] } = {}) {
  copyPkgIntoWww();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const emulator = await startEmulator({ extraArgs });
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await emulator.stop();
    throw err;
  }
  const contexts = new Set();
  return {
    url: emulator.url,
    emulator,
    browser,
    /** A fresh browser profile (own localStorage), closed by `stop()`. */
    async newContext(options = {}) {
      const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
      contexts.add(ctx);
      ctx.on("close", () => contexts.delete(ctx));
      return ctx;
    },
    async stop() {
      for (const ctx of contexts) await ctx.close().catch(() => {});
      await browser.close().catch(() => {});
      await emulator.stop();
    },
  };
}

/**
 * Opens the demo in a new page of `context` and waits until it has started (the wasm
 * loaded, `initialize()` and the OAuth callback handled). Page errors fail the test
 * through `page.errors`.
 */
export async function openDemo(context, url, path = "/") {
  const page = await context.newPage();
  trackErrors(page);
  await page.goto(new URL(path, url).href);
  await waitReady(page);
  return page;
}

export function trackErrors(page) {
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e));
  return page;
}

export async function waitReady(page) {
  try {
    await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  } catch (err) {
    const shown = await page.getByTestId("notice").textContent().catch(() => "");
    throw new Error(`the demo did not start: ${(page.errors ?? []).map(String).join("; ")} ${shown}\n${err.message}`);
  }
}

/** A unique, valid email for this run. */
let counter = 0;
export function uniqueEmail(prefix = "user") {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

export const STRONG_PASSWORD = "Tropical-Coconut-42";

/** The page's signed-in/out state as the status badge shows it. */
export function status(page) {
  return page.getByTestId("status");
}

/** Signs up through the demo's form and waits until the page shows the user signed in. */
export async function signUpViaUi(page, { email, password = STRONG_PASSWORD, name } = {}) {
  await page.getByTestId("signup-email").fill(email);
  if (name) await page.getByTestId("signup-name").fill(name);
  await page.getByTestId("signup-password").fill(password);
  await page.getByTestId("signup-submit").click();
  await page.waitForSelector('[data-testid=status][data-state="signed-in"]');
}

/** Logs in through the demo's form and waits until the page shows the user signed in. */
export async function logInViaUi(page, { email, password = STRONG_PASSWORD }) {
  await page.getByTestId("login-email").fill(email);
  await page.getByTestId("login-password").fill(password);
  await page.getByTestId("login-submit").click();
  await page.waitForSelector('[data-testid=status][data-state="signed-in"]');
}

/** Creates an account straight through the API (for "another user"), returns the user. */
export async function createUserViaApi(url, { email, password = STRONG_PASSWORD, data } = {}) {
  const res = await fetch(new URL("/auth-collections/signup", url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": API_KEY },
    body: JSON.stringify({ email, password, ...(data ? { data } : {}) }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`signup ${res.status}: ${JSON.stringify(body)}`);
  return { token: body.access_token, user: body.user };
}

/** The `data-event` (and `data-reason`) of the event log, oldest first. */
export async function eventLog(page) {
  return page.$$eval("[data-testid=event-log] li", (lis) =>
    lis.map((li) => (li.dataset.reason ? `${li.dataset.event}:${li.dataset.reason}` : li.dataset.event)).reverse());
}

/** The page's notice (error, success or info) as `{ kind, code, text }`. */
export async function notice(page) {
  return page.getByTestId("notice").evaluate((el) => ({
    hidden: el.hidden,
    kind: el.dataset.kind ?? "",
    code: el.dataset.code ?? "",
    text: el.textContent.trim(),
  }));
}

/** Waits until the notice shows `kind` (and `code`, when given). */
export async function waitNotice(page, kind, code) {
  await page.waitForFunction(
    ([k, c]) => {
      const el = document.querySelector("[data-testid=notice]");
      return el && !el.hidden && el.dataset.kind === k && (!c || el.dataset.code === c);
    },
    [kind, code],
    { timeout: 10_000 },
  ).catch(async (err) => {
    const n = await notice(page).catch(() => null);
    throw new Error(`notice ${kind}/${code ?? "*"} did not show; notice is ${JSON.stringify(n)}\n${err.message}`);
  });
  return notice(page);
}
