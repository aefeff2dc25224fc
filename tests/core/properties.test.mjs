// Property tests of the pure core (js/core.js): thousands of inputs made by mutating the
// seeds in tests/core/seeds/ (a server's tokens and error bodies, stored records, the
// official SDK's keys, callback URLs, pending flows, method arguments). Whatever the
// input, no function throws, and each keeps its promise (below). This replaces the
// cargo-fuzz targets the core had while it was Rust; the email and password rules,
// still Rust, keep theirs (scripts/fuzz.sh).
//
// The inputs are a pure function of the seed: CORE_PROPERTY_SEED=<n> explores others,
// CORE_PROPERTY_RUNS=<n> sets how many inputs each property gets (default 3000).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import * as pkg from "../../pkg/cocobase_auth.js";
import * as core from "../../js/core.js";

await pkg.default();
core.use({ email: pkg.validateEmail, password: (pw, policy, email) => pkg.validatePassword(pw, policy, { email }) });

const RUNS = Number(process.env.CORE_PROPERTY_RUNS || 3000);
const SEED = Number(process.env.CORE_PROPERTY_SEED || 20261127);
const NOW = 1_767_226_000_000;

/** mulberry32: a small, seeded PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds = (dir) => {
  const d = new URL(`seeds/${dir}/`, import.meta.url);
  return readdirSync(d).map((f) => readFileSync(new URL(f, d), "utf8"));
};

// Characters that matter to the parsers: JSON and URL syntax, base64, escapes, digits,
// white space, non-ASCII and a lone surrogate.
const ALPHABET = [...'{}[]":,.\\/=&?#%+-_ 0123456789eE-aAzZ\n\t\u00a0é€😀\ud800nulltruefalse'];

function mutator(random) {
  const int = (n) => Math.floor(random() * n);
  const pick = (list) => list[int(list.length)];
  return function mutate(text, others) {
    let s = text;
    for (let n = 1 + int(4); n > 0; n--) {
      const at = int(s.length + 1);
      switch (int(6)) {
        case 0: // replace a character
          s = s.slice(0, at) + pick(ALPHABET) + s.slice(at + 1);
          break;
        case 1: // insert a few
          s = s.slice(0, at) + Array.from({ length: 1 + int(3) }, () => pick(ALPHABET)).join("") + s.slice(at);
          break;
        case 2: // delete a range
          s = s.slice(0, at) + s.slice(at + 1 + int(8));
          break;
        case 3: // repeat a range
          s = s.slice(0, at) + s.slice(at, at + int(12)) + s.slice(at);
          break;
        case 4: // splice in part of another seed
          if (others.length) {
            const o = pick(others);
            const from = int(o.length);
            s = s.slice(0, at) + o.slice(from, from + int(40)) + s.slice(at);
          }
          break;
        default: // truncate
          s = s.slice(0, at);
      }
    }
    return s;
  };
}

/** Runs `check` on RUNS mutations of `pool`, naming the failing input. */
function explore(name, pool, check) {
  const random = prng(SEED ^ [...name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  const mutate = mutator(random);
  const all = [...pool];
  for (let i = 0; i < RUNS; i++) {
    const input = random() < 0.1 ? all[Math.floor(random() * all.length)] : mutate(all[Math.floor(random() * all.length)], all);
    try {
      check(input, random);
    } catch (e) {
      e.message = `${name}, input ${JSON.stringify(input)}: ${e.message}`;
      throw e;
    }
    // Inputs that were still well-formed enough to be accepted become seeds too.
    if (i % 7 == 0) all.push(input);
  }
}

const isSess = (s) =>
  s && typeof s.r == "string" && typeof s.t == "string" && s.t && typeof s.e == "number" && typeof s.u == "string" && s.u &&
  s.js.accessToken === s.t && s.js.expiresAt === s.e && s.js.user.id === s.u;

/** A session read back from its record is the same session. */
function roundTrips(s) {
  assert.ok(isSess(s), JSON.stringify(s));
  assert.deepEqual(core.restore(s.r), s);
}

test("tokens: a token answer gives a session that round-trips, or bad_response", () => {
  explore("token", seeds("token"), (token) => {
    const body = JSON.stringify({ access_token: token, user: { id: "u1", email: "a@b.co" } });
    const out = core.answer("login", 200, body, "", NaN, NOW, "");
    if (out.error) return assert.equal(out.error.code, "bad_response");
    assert.equal(out.s.t, token);
    roundTrips(out.s);
    // The expiry is the token's lifetime laid onto the local clock: never NaN.
    assert.ok(!Number.isNaN(out.s.e));
  });
});

test("error bodies: one typed error per answer, whatever the body", () => {
  const statuses = [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 418];
  const ops = ["signup", "login", "me", "update", "changePassword", "refresh", "list", "user", "verify", "oauthUrl"];
  explore("error_body", seeds("error_body"), (body, random) => {
    const status = statuses[Math.floor(random() * statuses.length)];
    const op = ops[Math.floor(random() * ops.length)];
    const e = core.answer(op, status, body, random() < 0.5 ? "7" : "", NaN, NOW, "").error;
    assert.ok(e, "an error status gives an error");
    assert.equal(e.status, status);
    assert.ok(typeof e.message == "string" && e.message, "a message");
    assert.equal(e.retryAfter !== undefined, status == 429, "retryAfter only and always on 429");
    if (status >= 500) assert.equal(e.code, "server_error");
    assert.equal(e.fieldErrors !== undefined, e.code == "validation_failed");
    assert.equal(e.retryable, ["network_error", "timeout", "server_error", "rate_limited"].includes(e.code));
    assert.deepEqual(core.error(e.code).code, e.code, "a code of JS-API.md");
  });
});

test("stored records and the official SDK's keys: signed out or a session that round-trips", () => {
  const records = seeds("session").filter((s) => s.startsWith("{"));
  explore("session-record", records, (text) => {
    const s = core.restore(text);
    if (s !== null) roundTrips(s);
  });
  const legacy = seeds("session").filter((s) => !s.startsWith("{"));
  explore("session-legacy", legacy, (text) => {
    const [token, user = ""] = text.split("\n");
    const s = core.adopt(token, user);
    if (s !== null) roundTrips(s);
  });
});

test("callback URLs: a cleaned URL carries no answer, cleaning twice changes nothing, flows are used once", () => {
  const flows = JSON.stringify([
    { state: "s1", provider: "google", redirect_uri: "http://app/cb", created_at: NOW - 1000 },
    { state: "deadbeef", provider: "apple", redirect_uri: "http://app/cb", created_at: NOW - 2000 },
  ]);
  explore("oauth-url", seeds("oauth").filter((s) => !s.startsWith("[")), (url) => {
    const clean = core.clean(url);
    assert.equal(core.clean(clean), clean);
    const cb = core.oauthCallback(url, flows, NOW);
    if (cb === null) return;
    assert.equal(cb.c, clean);
    assert.equal(core.oauthCallback(cb.c, flows, NOW), null);
    assert.ok(!!cb.error !== !!cb.q, "an error or a request");
    const left = cb.f ? JSON.parse(cb.f) : [];
    if (cb.q) {
      assert.equal(left.length, 1, "the flow is used up");
      assert.match(cb.q.p, /^\/verify-(google|apple)-login$/);
    }
  });
  explore("oauth-flows", seeds("oauth").filter((s) => s.startsWith("[")), (text) => {
    const out = core.oauthStart(text, "new", "google", "http://app/cb", NOW, "https://accounts.example/o?x=1#f");
    const list = JSON.parse(out.f);
    assert.ok(list.length >= 1 && list.length <= 5);
    assert.deepEqual(list.at(-1), { state: "new", provider: "google", redirect_uri: "http://app/cb", created_at: NOW });
    assert.equal(out.v, "https://accounts.example/o?x=1&state=new#f");
  });
});

test("method arguments and options: a request or a typed error, never an exception", () => {
  const ops = ["signup", "signupFiles", "login", "update", "follow", "unfollow", "changePassword", "changePasswordLogin",
    "changePasswordPatch", "list", "user", "me", "refresh", "oauthUrl", "verify", "nope"];
  const policy = core.options({ apiKey: "pk" }).policy;
  const value = (text) => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  explore("ops-build", seeds("ops"), (text, random) => {
    const op = ops[Math.floor(random() * ops.length)];
    const q = core.build(op, value(text), policy, "ada@example.com");
    if (q.error) return assert.ok(core.error(q.error.code).code == q.error.code && q.error.message);
    assert.match(q.m, /^(GET|POST|PATCH)$/);
    assert.match(q.p, /^\/[\x21-\x7e]*$/, "a path of printable ASCII");
    if (q.b !== undefined) JSON.parse(q.b);
  });
  explore("ops-options", seeds("ops"), (text) => {
    const c = core.options(value(text));
    if (c.error) return assert.match(c.error.code, /^(config_invalid|secret_key_in_browser)$/);
    assert.match(c.baseUrl, /^https?:\/\/[^/]/);
    assert.ok(c.timeoutMs >= 1 && c.marginMs >= 0);
  });
  explore("ops-answer", seeds("ops"), (body, random) => {
    const op = ops[Math.floor(random() * ops.length)];
    const out = core.answer(op, 200, body, "", NOW, NOW, seeds("ops").find((s) => s.startsWith('{"v"')));
    if (out.s) roundTrips(out.s);
    if (out.error) assert.equal(out.error.code, op == "changePassword" ? out.error.code : "bad_response");
  });
});
