// Runs INSIDE the test page (served at /page-helpers.mjs by client.test.mjs), not in Node.
// Loads the package under test from /pkg/ and gives the tests the small helpers that
// tests/web.rs had: fresh clients on their own storage key, fresh emails, `ok`/`err` on
// promises, and an event recorder. Everything returned to Node must be plain data.
import init, * as pkg from "/pkg/cocobase_auth.js";

await init();

export const { CocobaseAuth, validateEmail, validatePassword } = pkg;

const params = new URLSearchParams(location.search);
/** The plain emulator. */
export const BASE_URL = params.get("base");
/** An emulator started with `--latency 1500`, for timeouts. */
export const SLOW_URL = params.get("slow");
export const API_KEY = params.get("apiKey");
export const PASSWORD = params.get("password");

export function randSuffix() {
  return String(Math.floor(Math.random() * 1e12));
}

/**
 * `user<12 random digits>@example.com`, as in tests/web.rs: `listUsers` filters on the
 * first 12 characters, which must be unique to this address.
 */
export function email() {
  return `user${randSuffix()}@example.com`;
}

/** A client on its own storage key, so tests do not see each other's sessions. */
export function clientWith(key, extra = {}) {
  return new CocobaseAuth({ apiKey: API_KEY, baseUrl: BASE_URL, storageKey: key, ...extra });
}

export function client() {
  const key = `test.session.${randSuffix()}`;
  return { auth: clientWith(key), key };
}

function text(e) {
  try {
    return JSON.stringify(e) ?? String(e?.message ?? e);
  } catch {
    return String(e?.message ?? e);
  }
}

/** The value of `p`; a rejection becomes an Error that fails the test with its details. */
export async function ok(p) {
  try {
    return await p;
  } catch (e) {
    throw new Error(`expected success, got ${e?.name}/${e?.code}: ${e?.message} ${text(e)}`);
  }
}

/** The rejection of `p` as plain data (Error objects do not serialise); see `assertErr`. */
export function describeError(e) {
  return {
    rejected: true,
    isError: e instanceof Error,
    name: e?.name,
    code: e?.code,
    message: e?.message,
    status: e?.status,
    retryable: e?.retryable,
  };
}

export async function err(p) {
  let v;
  try {
    v = await p;
  } catch (e) {
    return describeError(e);
  }
  return { rejected: false, value: text(v) };
}

export async function signedUp(auth) {
  const address = email();
  const r = await ok(auth.signup({ email: address, password: PASSWORD }));
  return { address, r };
}

/** Records `event[ null][ reason]` lines from `onAuthStateChange`. */
export function record(auth) {
  const log = [];
  const off = auth.onAuthStateChange((ev, session, reason) => {
    let line = typeof ev === "string" ? ev : "";
    if (session === null) line += " null";
    if (typeof reason === "string") line += ` ${reason}`;
    log.push(line);
  });
  return { log, off };
}

export async function microtask() {
  await Promise.resolve(null);
  await Promise.resolve(null);
}

// ----- for flows.test.mjs: mails, request counting, errors with their fields ---------

/** An emulator started with `--no-2fa` (flows.test.mjs only). */
export const NO_2FA_URL = params.get("no2fa");

/** The emulator's outbox for `to`, oldest first (`/__emulator/*` needs no key). */
export async function outbox(to, base = BASE_URL) {
  const res = await fetch(`${base}/__emulator/outbox?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`outbox answered ${res.status}`);
  return Array.from((await res.json()).messages ?? []);
}

/**
 * The mails of `kind` to `to`, once there are at least `count` of them: polls the
 * outbox every 25 ms for at most 5 s (mails are written before the answer, so the
 * first look nearly always finds them).
 */
export async function mails(to, kind, count = 1, base = BASE_URL) {
  const until = Date.now() + 5_000;
  for (;;) {
    const found = (await outbox(to, base)).filter((m) => m.kind === kind);
    if (found.length >= count) return found;
    if (Date.now() > until) {
      throw new Error(`expected ${count} ${kind} mail(s) to ${to}, found ${found.length}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

let apiRequests = null;

/**
 * Counts the requests to the API (`/auth-collections/`) made through `fetch` from now
 * on (the package calls the global `fetch`); returns a function giving the list, each
 * `"METHOD path"`.
 */
export function trackRequests() {
  if (!apiRequests) {
    apiRequests = [];
    const real = globalThis.fetch;
    globalThis.fetch = function (input, init) {
      const isRequest = typeof Request !== "undefined" && input instanceof Request;
      const url = new URL(isRequest ? input.url : String(input), location.href);
      if (url.pathname.startsWith("/auth-collections/")) {
        apiRequests.push(`${isRequest ? input.method : (init?.method ?? "GET")} ${url.pathname}`);
      }
      return real.call(this, input, init);
    };
  }
  const from = apiRequests.length;
  return () => apiRequests.slice(from);
}

/** `err(p)`, with `fieldErrors` and `detail` as plain data. */
export async function errFields(p) {
  try {
    return { rejected: false, value: text(await p) };
  } catch (e) {
    const fields = {};
    for (const [k, v] of Object.entries(e?.fieldErrors ?? {})) {
      fields[k] = Array.from(v ?? []).map((i) => ({ code: i?.code, message: i?.message }));
    }
    return { ...describeError(e), fieldErrors: fields, detail: e?.detail ?? null, retryAfter: e?.retryAfter ?? null };
  }
}
