// What the browser suites share: a static server for the test page on 127.0.0.1 (a
// blank page, this folder's page-helpers.mjs, a snapshot of the package under /pkg/ and
// any extra pages a suite needs), running code in a fresh page, and the check of a
// rejection. The emulators are the suites' own (tests/e2e/harness.mjs starts them);
// every request from the page to them is cross-origin, as in an app.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { PKG_DIR } from "../e2e/harness.mjs";

export const TIMEOUT = { timeout: 30_000 };
const HELPERS = new URL("./page-helpers.mjs", import.meta.url);
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * Serves a snapshot of pkg/ (a rebuild during the run cannot serve half-written files),
 * page-helpers.mjs, a blank page titled `title` at `/`, and `pages` (`{ "/path": html }`).
 * Resolves to `{ origin, close }`.
 */
export async function startPageServer(title, pages = {}) {
  if (!existsSync(join(PKG_DIR, "cocobase_auth.js"))) {
    throw new Error(`${PKG_DIR}/cocobase_auth.js is missing: build the package first`);
  }
  const snapshot = mkdtempSync(join(tmpdir(), "cocobase-browser-"));
  cpSync(PKG_DIR, join(snapshot, "pkg"), { recursive: true });
  const all = { "/": `<!doctype html><meta charset="utf-8"><title>${title}</title>`, ...pages };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (Object.hasOwn(all, path)) return send(200, TYPES[".html"], all[path]);
    if (path === "/page-helpers.mjs") return send(200, TYPES[".mjs"], readFileSync(HELPERS));
    if (path.startsWith("/pkg/")) {
      const file = normalize(join(snapshot, path));
      if (file.startsWith(snapshot + sep) && existsSync(file) && statSync(file).isFile()) {
        return send(200, TYPES[extname(file)] ?? "application/octet-stream", readFileSync(file));
      }
    }
    send(404, "text/plain", "not found");
  });
  await new Promise((res, rej) => server.once("error", rej).listen(0, "127.0.0.1", res));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    async close() {
      await new Promise((res) => server.close(res));
      rmSync(snapshot, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `fn(arg)` in a fresh page at `url` (its own context, so its own storage) and
 * returns its result; `during(page)` may act on the page from Node meanwhile. With
 * `strict`, an uncaught page error fails the test.
 */
export async function runInPage(browser, url, fn, arg, { during, strict = true } = {}) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    const [out] = await Promise.all([page.evaluate(fn, arg), during?.(page)]);
    if (strict) assert.deepEqual(errors, [], `the page threw: ${JSON.stringify(out)}`);
    return out;
  } finally {
    await context.close();
  }
}

/** A rejection described by `err()` in the page: a `CocobaseError` with this code and a message. */
export function assertErr(d, code) {
  assert.equal(d.rejected, true, `expected ${code}, got success ${d.value}`);
  assert.equal(d.isError, true, `not an Error: ${JSON.stringify(d)}`);
  assert.equal(d.name, "CocobaseError");
  assert.equal(d.code, code, `${d.code}: ${d.message}`);
  assert.ok(typeof d.message === "string" && d.message.length > 0, "a non-empty message");
  return d;
}
