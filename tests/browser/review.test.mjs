// A review of the browser glue (src/web) against the JavaScript client it replaced
// (`git show 5c41aa1:js/index.js`) and JS-API.md: each test pins one behaviour a review
// found wrong (or suspected, and kept because it pins something useful), driven through
// the public JS API in headless Chromium against real emulators.
//
//   bash scripts/build-pkg.sh && cargo build -q -p cocobase-emulator
//   COCOBASE_EMULATOR_BIN=$PWD/target/debug/cocobase-emulator node --test tests/browser/review.test.mjs
//
// Layout as in flows.test.mjs: emulators on free ports (a plain one, and one whose
// tokens live 30 s), a tiny static server for the test page, /page-helpers.mjs and a
// snapshot of the package.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { API_KEY, STRONG_PASSWORD, launchBrowser, startEmulator } from "../e2e/harness.mjs";
import { TIMEOUT, assertErr, runInPage, startPageServer } from "./bed.mjs";

let plain;
let shortLived;
let browser;
let pages;
let pageUrl;

before(async () => {
  [plain, shortLived] = await Promise.all([
    startEmulator({ serve: null }),
    startEmulator({ serve: null, extraArgs: ["--token-ttl", "30"] }),
  ]);
  pages = await startPageServer("cocobase-auth review tests");
  const q = new URLSearchParams({ base: plain.url, apiKey: API_KEY, password: STRONG_PASSWORD });
  pageUrl = `${pages.origin}/?${q}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await pages?.close();
  await Promise.all([plain?.stop(), shortLived?.stop()]);
});

/**
 * Runs `fn(arg)` in a fresh page (own context, so own storage) and returns its result;
 * `during(page)` may act on the page (from Node) while `fn` runs. Fails on an uncaught
 * page error.
 */
const inPage = (fn, arg, during) => runInPage(browser, pageUrl, fn, arg, { during });

// ----- arguments cross as JSON.stringify wrote them --------------------------------------

test("updateUser sends data as JSON.stringify does: undefined members left out, toJSON honoured", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const { auth } = h.client();
    await h.ok(auth.initialize());
    await h.signedUp(auth);
    await h.ok(auth.updateUser({ data: { nickname: "kim", city: "Oslo" } }));
    // A form whose optional field was left empty, and a date: the JS client sent
    // {"data":{"born":"1970-01-01T00:00:00.000Z"}} (JSON.stringify), so the nickname
    // stays and the date is its ISO text.
    const user = await h.ok(auth.updateUser({ data: { nickname: undefined, born: new Date(0) } }));
    return { data: user.data, held: auth.user.data };
  });
  assert.deepStrictEqual(o.data, { nickname: "kim", city: "Oslo", born: "1970-01-01T00:00:00.000Z" });
  assert.deepStrictEqual(o.held, o.data);
});

test("a function-valued member of an argument is left out, as JSON.stringify leaves it", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const { auth } = h.client();
    await h.ok(auth.initialize());
    const address = h.email();
    // A form model with a method: the JS client read the members it needed.
    const form = { email: address, password: h.PASSWORD, data: { plan: "free", toString() { return "x"; } } };
    const out = {};
    out.signup = await h.err(auth.signup(form));
    out.data = auth.user?.data ?? null;
    auth.logout();
    out.login = await h.err(auth.login({ email: address, password: h.PASSWORD, submit() {} }));
    // Options and a password policy with a method: the JS core read the members it knew.
    try {
      const other = new h.CocobaseAuth({ apiKey: h.API_KEY, baseUrl: h.BASE_URL, storage: "memory", onError() {} });
      out.options = other.isAuthenticated === false;
    } catch (e) {
      out.options = `${e?.code}: ${e?.message}`;
    }
    out.policy = h.validatePassword("abcdefgh", { requireUppercase: false, requireDigit: false, rejectCommon: false, explain() {} }).valid;
    return out;
  });
  assert.equal(o.signup.rejected, false, JSON.stringify(o.signup));
  assert.deepStrictEqual(o.data, { plan: "free" });
  assert.equal(o.login.rejected, false, JSON.stringify(o.login));
  assert.equal(o.options, true);
  assert.equal(o.policy, true);
});

test("the listUsers limit is still checked as given (NaN is validation_failed, not the default)", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const { auth } = h.client();
    return { nan: await h.errFields(auth.listUsers({ limit: NaN })), neg: await h.errFields(auth.listUsers({ offset: -1 })) };
  });
  assertErr(o.nan, "validation_failed");
  assert.deepStrictEqual(Object.keys(o.nan.fieldErrors), ["limit"]);
  assertErr(o.neg, "validation_failed");
  assert.deepStrictEqual(Object.keys(o.neg.fieldErrors), ["offset"]);
});

// ----- initialize() ----------------------------------------------------------------------

test("initialize() restores the stored session before it returns, as the JS client did", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const { auth, key } = h.client();
    const { address } = await h.signedUp(auth);
    auth.dispose();
    const again = h.clientWith(key);
    const { log } = h.record(again);
    const p = again.initialize();
    const sync = { email: again.user?.email ?? null, isAuthenticated: again.isAuthenticated, token: again.accessToken !== null };
    const same = again.initialize() === p && again.handleRedirectCallback !== undefined;
    const session = await h.ok(p);
    return { address, sync, same, resolved: session?.user?.email ?? null, log: [...log] };
  });
  assert.deepStrictEqual(o.sync, { email: o.address, isAuthenticated: true, token: true });
  assert.equal(o.same, true);
  assert.equal(o.resolved, o.address);
  assert.deepStrictEqual(o.log, ["INITIAL_SESSION"]);
});

// ----- JavaScript exceptions never cross the wasm --------------------------------------

test("an argument whose getter throws rejects that call, and the client keeps working", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const { auth } = h.client();
    await h.ok(auth.initialize());
    await h.signedUp(auth);
    const within = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r("stalled"), 3000))]);
    const out = {};
    const hostile = { data: { get boom() { throw new Error("boom"); } } };
    try {
      out.update = await within(h.err(auth.updateUser(hostile)));
    } catch (e) {
      out.update = { threw: String(e) };
    }
    const files = { get avatar() { throw new Error("boom"); } };
    out.files = await within(h.err(auth.signupWithFiles({ email: h.email(), password: h.PASSWORD }, files)));
    out.after = await within(h.err(auth.getCurrentUser()));
    out.validate = (() => { try { return h.validateEmail("a@b.co").valid; } catch (e) { return String(e); } })();
    return out;
  });
  assert.equal(o.update.rejected, true, JSON.stringify(o.update));
  assert.equal(o.update.code, "validation_failed");
  assert.equal(o.files.rejected, true, JSON.stringify(o.files));
  assert.equal(o.files.code, "validation_failed");
  assert.equal(o.after.rejected, false, JSON.stringify(o.after));
  assert.equal(o.validate, true);
});

// ----- the refresh timer ----------------------------------------------------------------

/** Code run in the page: a stored session for `key` whose JWT expires in `ms`. */
function storeSessionSource() {
  return `(key, ms) => {
    const b64 = (o) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\\+/g, "-").replace(/\\//g, "_");
    const exp = Math.floor((Date.now() + ms) / 1000);
    const token = b64({ alg: "HS256", typ: "JWT" }) + "." + b64({ sub: "u1", exp }) + ".c2ln";
    const user = { id: "u1", email: "stored@example.com", data: {}, roles: [], created_at: "" };
    localStorage.setItem(key, JSON.stringify({ v: 1, access_token: token, user, expires_at: Date.now() + ms }));
  }`;
}

test("a server found unable to refresh after a failed retry still signs out when the token runs out", TIMEOUT, async () => {
  const o = await inPage(async (store) => {
    const h = await import("/page-helpers.mjs");
    const key = `test.session.${h.randSuffix()}`;
    new Function(`return ${store}`)()(key, 4000);
    // Refresh: the network is down twice, then the server answers 404 (no refresh).
    let refreshes = 0;
    const real = globalThis.fetch;
    globalThis.fetch = function (input, init) {
      if (String(input.url ?? input).includes("/refresh-token")) {
        refreshes++;
        if (refreshes <= 2) return Promise.reject(new TypeError("Failed to fetch"));
        return Promise.resolve(new Response('{"detail":"Not Found"}', { status: 404, headers: { "content-type": "application/json" } }));
      }
      return real.call(this, input, init);
    };
    const auth = h.clientWith(key);
    const { log } = h.record(auth);
    await h.ok(auth.initialize());
    await new Promise((r) => setTimeout(r, 5500));
    return { log: [...log], refreshes, user: auth.user };
  }, storeSessionSource());
  assert.equal(o.refreshes, 3, "two failures, then refresh_unsupported");
  assert.deepStrictEqual(o.log, ["INITIAL_SESSION", "SIGNED_OUT null expired"]);
  assert.equal(o.user, null);
});

test("a token that is due as soon as it arrives is not refreshed in a tight loop", TIMEOUT, async () => {
  // Tokens of 30 s and the default margin of 60 s: every fresh token is already due.
  const o = await inPage(async (base) => {
    const h = await import("/page-helpers.mjs");
    const sent = h.trackRequests();
    const auth = new h.CocobaseAuth({ apiKey: h.API_KEY, baseUrl: base, storageKey: `test.session.${h.randSuffix()}` });
    await h.ok(auth.initialize());
    await h.ok(auth.signup({ email: h.email(), password: h.PASSWORD }));
    const { log } = h.record(auth);
    await new Promise((r) => setTimeout(r, 3000));
    auth.dispose();
    return { refreshes: sent().filter((r) => r.endsWith("/refresh-token")).length, events: log.length };
  }, shortLived.url);
  // The first refresh comes at half the token's life (15 s), not at once and again.
  assert.equal(o.refreshes, 0, `${o.refreshes} refreshes in 3 s`);
});

// ----- leaks ------------------------------------------------------------------------------

test("the IndexedDB requests of the cross-tab hand-over are not kept alive after a refresh", TIMEOUT, async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(pageUrl);
    const opened = await page.evaluate(async () => {
      const h = await import("/page-helpers.mjs");
      const refs = [];
      const open = IDBFactory.prototype.open;
      IDBFactory.prototype.open = function (...args) {
        const request = open.apply(this, args);
        refs.push(new WeakRef(request));
        return request;
      };
      window.__refs = refs;
      const { auth } = h.client();
      await h.signedUp(auth);
      for (let i = 0; i < 5; i++) await h.ok(auth.refreshSession());
      await new Promise((r) => setTimeout(r, 50));
      return refs.length;
    });
    const cdp = await context.newCDPSession(page);
    let alive;
    for (let i = 0; i < 5; i++) {
      await cdp.send("HeapProfiler.collectGarbage");
      await page.waitForTimeout(100);
      alive = await page.evaluate(() => window.__refs.filter((r) => r.deref() !== undefined).length);
      if (alive === 0) break;
    }
    assert.ok(opened >= 10, `the refreshes opened the database: ${opened}`);
    assert.equal(alive, 0, `${alive} of ${opened} open requests still alive after GC`);
  } finally {
    await context.close();
  }
});

// ----- races and re-entrancy (pins: these held already) -------------------------------

/** Code run in the page: delays answers whose path ends with `suffix` by `ms`; returns a counter. */
function delaySource() {
  return `(suffix, ms) => {
    const count = { n: 0 };
    const real = globalThis.fetch;
    globalThis.fetch = function (input, init) {
      const url = String(input.url ?? input);
      if (!url.endsWith(suffix)) return real.call(this, input, init);
      count.n++;
      return new Promise((r) => setTimeout(r, ms)).then(() => real.call(this, input, init));
    };
    return count;
  }`;
}

test("logout during a refresh: SIGNED_OUT only, the refresh rejects session_missing, nothing stored", TIMEOUT, async () => {
  const o = await inPage(async (delay) => {
    const h = await import("/page-helpers.mjs");
    const { auth, key } = h.client();
    await h.ok(auth.initialize());
    await h.signedUp(auth);
    const count = new Function(`return ${delay}`)()("/refresh-token", 300);
    const { log } = h.record(auth);
    await h.microtask();
    log.length = 0; // the late INITIAL_SESSION
    const refreshing = h.err(auth.refreshSession());
    await new Promise((r) => setTimeout(r, 50));
    auth.logout();
    const refreshed = await refreshing;
    await new Promise((r) => setTimeout(r, 100));
    return { refreshed, log: [...log], stored: localStorage.getItem(key), token: auth.accessToken, n: count.n };
  }, delaySource());
  assertErr(o.refreshed, "session_missing");
  assert.deepStrictEqual(o.log, ["SIGNED_OUT null logout"]);
  assert.equal(o.stored, null);
  assert.equal(o.token, null);
  assert.equal(o.n, 1);
});

test("a failed refresh: a network error keeps the session, a 401 ends it as revoked", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const { auth, key } = h.client();
    await h.ok(auth.initialize());
    const { address } = await h.signedUp(auth);
    const { log } = h.record(auth);
    await h.microtask();
    log.length = 0; // the late INITIAL_SESSION
    const real = globalThis.fetch;
    globalThis.fetch = (input, init) =>
      String(input.url ?? input).endsWith("/refresh-token") ? Promise.reject(new TypeError("offline")) : real(input, init);
    const out = { offline: await h.err(auth.refreshSession()), afterOffline: { user: auth.user?.email, stored: localStorage.getItem(key) !== null, log: [...log] } };
    globalThis.fetch = real;
    // The token revoked elsewhere: a password change in another client.
    const other = h.clientWith(`test.other.${h.randSuffix()}`);
    await h.ok(other.login({ email: address, password: h.PASSWORD }));
    await h.ok(other.changePassword({ currentPassword: h.PASSWORD, newPassword: "Another-Strong-Pass-42" }));
    out.revoked = await h.err(auth.refreshSession());
    out.afterRevoked = { user: auth.user, stored: localStorage.getItem(key), log: [...log] };
    return out;
  });
  assertErr(o.offline, "network_error");
  assert.equal(o.offline.retryable, true);
  assert.deepStrictEqual(o.afterOffline.log, []);
  assert.equal(o.afterOffline.stored, true);
  assert.ok(o.afterOffline.user);
  assert.equal(o.revoked.rejected, true);
  assert.equal(o.revoked.status, 401);
  assert.deepStrictEqual(o.afterRevoked, { user: null, stored: null, log: ["SIGNED_OUT null revoked"] });
});

test("listeners may call back into the client: logout and getters inside events, dispose and free", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const errors = [];
    const consoleError = console.error;
    console.error = (...a) => errors.push(a.map(String).join(" "));
    try {
      const { auth, key } = h.client();
      await h.ok(auth.initialize());
      const seen = [];
      auth.onAuthStateChange((event, session) => {
        if (event === "INITIAL_SESSION") return;
        seen.push([event, auth.user?.email ?? null, session?.user?.email ?? null, auth.isAuthenticated]);
        if (event === "SIGNED_IN") auth.logout();
      });
      const address = h.email();
      const r = await h.ok(auth.signup({ email: address, password: h.PASSWORD }));
      const out = { address, seen, signedUp: r.session.user.email, user: auth.user, stored: localStorage.getItem(key) };

      // dispose() from inside an event, then free() from inside an async one.
      const { auth: second } = h.client();
      await h.ok(second.initialize());
      let calls = 0;
      second.onAuthStateChange((event) => {
        if (event === "INITIAL_SESSION") return;
        calls++;
        if (event === "SIGNED_IN") second.dispose();
      });
      await h.signedUp(second);
      await h.ok(second.updateUser({ data: { x: 1 } }));
      out.disposedCalls = calls;
      const { auth: third } = h.client();
      await h.ok(third.initialize());
      third.onAuthStateChange((event) => {
        if (event === "SIGNED_IN") third.free();
      });
      out.freed = await h.err(third.signup({ email: h.email(), password: h.PASSWORD }));
      out.errors = errors;
      return out;
    } finally {
      console.error = consoleError;
    }
  });
  assert.deepStrictEqual(o.seen, [
    ["SIGNED_IN", o.address, o.address, true],
    ["SIGNED_OUT", null, null, false],
  ]);
  assert.equal(o.signedUp, o.address);
  assert.equal(o.user, null);
  assert.equal(o.stored, null);
  assert.equal(o.disposedCalls, 1, "no event after dispose()");
  assert.equal(o.freed.rejected, false, JSON.stringify(o.freed));
  assert.deepStrictEqual(o.errors, []);
});

test("handleRedirectCallback before initialize(): one INITIAL_SESSION, null for a page without an answer", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const { auth } = h.client();
    const { log } = h.record(auth);
    const a = auth.handleRedirectCallback("http://127.0.0.1/cb?x=1");
    const b = auth.handleRedirectCallback();
    const p = auth.initialize();
    const out = { a: await h.err(a), b: await h.err(b), same: p === auth.initialize() };
    await h.microtask();
    out.log = [...log];
    return out;
  });
  assert.deepStrictEqual(o.a, { rejected: false, value: "null" });
  assert.deepStrictEqual(o.b, { rejected: false, value: "null" });
  assert.equal(o.same, true);
  assert.deepStrictEqual(o.log, ["INITIAL_SESSION null"]);
});

test("waking during a refresh joins it: one request, one TOKEN_REFRESHED", TIMEOUT, async () => {
  // Tokens of 30 s; a second client restores the session when it is due by a margin of
  // 29.5 s, and its refresh is held back 1.5 s: focus and online wake it meanwhile, and
  // another caller asks too.
  const o = await inPage(async ([base, delay]) => {
    const h = await import("/page-helpers.mjs");
    const key = `test.session.${h.randSuffix()}`;
    const options = { apiKey: h.API_KEY, baseUrl: base, storageKey: key, refreshMarginSeconds: 29.5 };
    const first = new h.CocobaseAuth(options);
    await h.ok(first.signup({ email: h.email(), password: h.PASSWORD }));
    first.dispose();
    await new Promise((r) => setTimeout(r, 1000));
    const count = new Function(`return ${delay}`)()("/refresh-token", 1500);
    const auth = new h.CocobaseAuth(options);
    const { log } = h.record(auth);
    const started = auth.initialize();
    await new Promise((r) => setTimeout(r, 100));
    window.dispatchEvent(new Event("focus"));
    window.dispatchEvent(new Event("online"));
    const all = await Promise.all([started, auth.refreshSession()]);
    await new Promise((r) => setTimeout(r, 300));
    auth.dispose();
    return { n: count.n, log: [...log], same: all[0].accessToken === all[1].accessToken && all[0].accessToken === auth.accessToken };
  }, [shortLived.url, delaySource()]);
  assert.equal(o.n, 1);
  assert.deepStrictEqual(o.log, ["TOKEN_REFRESHED", "INITIAL_SESSION"]);
  assert.equal(o.same, true);
});

// ----- what the server sends -------------------------------------------------------------

/** In the page: PATCH /user with `body` (text) as the holder of `token`, bypassing the client. */
function patchSource() {
  return `async (base, apiKey, token, body) => {
    const res = await fetch(base + "/auth-collections/user", {
      method: "PATCH",
      headers: { "x-api-key": apiKey, Authorization: "Bearer " + token, "content-type": "application/json" },
      body,
    });
    if (!res.ok) throw new Error("PATCH /user answered " + res.status);
  }`;
}

test("a member named __proto__ in a user's data is an own member, never the object's prototype", TIMEOUT, async () => {
  const o = await inPage(async (patch) => {
    const h = await import("/page-helpers.mjs");
    const { auth, key } = h.client();
    await h.ok(auth.initialize());
    const { r } = await h.signedUp(auth);
    const id = r.session.user.id;
    await new Function(`return ${patch}`)()(h.BASE_URL, h.API_KEY, auth.accessToken, '{"data":{"__proto__":{"isAdmin":true},"n":1}}');
    const look = (data) => ({ keys: Object.keys(data ?? {}), isAdmin: data?.isAdmin ?? null, proto: Object.getPrototypeOf(data ?? {}) === Object.prototype });
    const me = await h.ok(auth.getCurrentUser());
    const other = h.clientWith(`test.other.${h.randSuffix()}`);
    const pub = await h.ok(other.getUserById(id));
    const stored = JSON.parse(localStorage.getItem(key)).user.data;
    // And what the client sends: the JS client's spread and JSON.stringify kept the member.
    const sent = await h.ok(auth.updateUser({ data: JSON.parse('{"__proto__":{"isAdmin":false},"n":2}') }));
    return { me: look(me.data), held: look(auth.user.data), pub: look(pub.data), stored: look(stored), sent: JSON.stringify(sent.data) };
  }, patchSource());
  for (const where of ["me", "held", "pub", "stored"]) {
    assert.deepStrictEqual(o[where], { keys: ["__proto__", "n"], isAdmin: null, proto: true }, where);
  }
  assert.equal(o.sent, '{"__proto__":{"isAdmin":false},"n":2}');
});

test("a public profile with many data members is read in linear time (not seconds of duplicate checks)", TIMEOUT, async () => {
  const o = await inPage(async (patch) => {
    const h = await import("/page-helpers.mjs");
    const { auth } = h.client();
    await h.ok(auth.initialize());
    const { r } = await h.signedUp(auth);
    // 100,000 members in under 1 MiB: short names, each 0.
    const data = {};
    for (let i = 0; i < 100000; i++) data[i.toString(36) + "_"] = 0;
    await new Function(`return ${patch}`)()(h.BASE_URL, h.API_KEY, auth.accessToken, JSON.stringify({ data }));
    const other = h.clientWith(`test.other.${h.randSuffix()}`);
    const t0 = performance.now();
    const pub = await h.ok(other.getUserById(r.session.user.id));
    const ms = performance.now() - t0;
    return { ms, members: Object.keys(pub.data).length, textMs: (() => { const t = performance.now(); JSON.parse(JSON.stringify({ data })); return performance.now() - t; })() };
  }, patchSource());
  assert.equal(o.members, 100000);
  assert.ok(o.ms < 1500, `${Math.round(o.ms)} ms to read 100,000 members (JSON.parse alone: ${Math.round(o.textMs)} ms)`);
});

test("an API key that fetch refuses in a header (a pasted zero-width space) rejects with network_error, as in the JS client", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const within = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r("stalled"), 3000))]);
    const auth = new h.CocobaseAuth({ apiKey: h.API_KEY + "\u200b", baseUrl: h.BASE_URL, storage: "memory" });
    return { login: await within(h.err(auth.login({ email: h.email(), password: h.PASSWORD }))) };
  });
  assertErr(o.login, "network_error");
});

test("refreshes and other calls leave nothing behind in the wasm's table of JavaScript values", { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(pageUrl);
    const cdp = await context.newCDPSession(page);
    const gc = async () => {
      for (let i = 0; i < 3; i++) {
        await cdp.send("HeapProfiler.collectGarbage");
        await page.waitForTimeout(50);
      }
    };
    await page.evaluate(async () => {
      const h = await import("/page-helpers.mjs");
      // init() again gives the loaded module's exports, with its externref table.
      const wasm = await (await import("/pkg/cocobase_auth.js")).default();
      window.tableSize = () => wasm.__wbindgen_externrefs.length;
      const { auth } = h.client();
      await h.ok(auth.initialize());
      await h.signedUp(auth);
      window.ops = {
        refresh: () => h.ok(auth.refreshSession()),
        update: () => h.ok(auth.updateUser({ data: { x: Math.random() } })),
        refused: () => h.err(auth.login({ email: "nobody@example.com", password: "wrong-password" })),
        listener: async () => {
          const off = auth.onAuthStateChange(() => {});
          await h.microtask();
          off();
        },
        client: async () => {
          const other = h.clientWith(`test.other.${h.randSuffix()}`);
          await other.initialize();
          other.free();
        },
      };
    });
    const grown = {};
    for (const op of ["refresh", "update", "refused", "listener", "client"]) {
      const run = (n) => page.evaluate(async ([op, n]) => { for (let i = 0; i < n; i++) await window.ops[op](); }, [op, n]);
      await run(20);
      await gc();
      const before = await page.evaluate(() => window.tableSize());
      await run(50);
      await gc();
      await page.waitForTimeout(200);
      await gc();
      grown[op] = (await page.evaluate(() => window.tableSize())) - before;
    }
    // The table only grows when no slot is free: a leak of one slot per call is 50.
    for (const [op, n] of Object.entries(grown)) assert.ok(n < 10, `${op}: the table grew by ${n} over 50 calls`);
  } finally {
    await context.close();
  }
});
