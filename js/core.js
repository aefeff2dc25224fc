// The pure core of cocobase-auth: the options, the local checks and the request before
// a call (`build`), the meaning of every answer and error after it (`answer`), the
// stored record (`restore`, `adopt`) and the redirect sign-in (`oauthStart`,
// `oauthCallback`). No window, fetch, storage or clock: the shell (index.js) passes
// `Date.now()` and the texts it read, and does the I/O. Tested on the host with Node
// (tests/core/). The email and password rules are the Rust crate's, compiled to wasm,
// handed in once with `use()`.
//
// Shapes: E, an error: {code, status, message, retryable, detail?, retryAfter?,
// fieldErrors?}; SESS, a session: {r: stored record text, t: access token, e: expiry
// (epoch ms, local clock), u: user id, js: {user, accessToken, expiresAt}}.

/** The stable error codes of JS-API.md, each with its default sentence. */
const CODES = {
  config_invalid: "The client options are invalid.",
  secret_key_in_browser: "A secret API key must not be used in a browser.",
  validation_failed: "Some fields are invalid.",
  invalid_credentials: "Invalid email or password.",
  email_taken: "An account with this email already exists.",
  unauthorized: "Not authorized.",
  session_missing: "Nobody is signed in.",
  session_expired: "The session has expired. Please sign in again.",
  forbidden: "This action is not allowed.",
  not_found: "Not found.",
  rate_limited: "Too many requests. Please wait and try again.",
  network_error: "The server could not be reached.",
  timeout: "The server took too long to answer.",
  server_error: "The server had a problem. Please try again.",
  bad_response: "The server sent an answer the client could not read.",
  refresh_unsupported: "The server cannot refresh sessions.",
  oauth_denied: "Sign-in was cancelled or denied.",
  oauth_state_mismatch: "The sign-in answer does not match a sign-in started here.",
  oauth_invalid_callback: "The sign-in answer is invalid or has expired.",
};
const RETRYABLE = ["network_error", "timeout", "server_error", "rate_limited"];

/** The hosted service's root. */
const HOSTED = "https://api.cocobase.buzz";
const RECORD_VERSION = 1;
const PROVIDERS = ["google", "apple"];
/** How long a started sign-in stays valid, and how many are remembered. */
const FLOW_TTL_MS = 600000;
const MAX_FLOWS = 5;

const isStr = (v) => typeof v == "string";
const isObj = (v) => !!v && typeof v == "object" && !Array.isArray(v);
/** A member that is present and not null (`undefined` and `null` both mean "not given"). */
const given = (o, k) => (o != null && typeof o == "object" && o[k] != null ? o[k] : undefined);
const strAt = (o, k) => (isObj(o) && isStr(o[k]) ? o[k] : undefined);
/** A whole number of a JSON answer (fractions truncated, as the server's seconds may carry them). */
const int = (v) => (typeof v == "number" && Math.abs(v) < 2 ** 63 ? Math.trunc(v) : undefined);
/** Seconds as milliseconds, undefined past what a 64-bit millisecond count holds. */
const toMs = (s) => (s != null && Math.abs(s) <= 9223372036854775 ? s * 1000 : undefined);
/**
 * JSON text as a value, or null. What cannot be written back (nesting deep enough to
 * overflow `JSON.stringify`'s stack, which `JSON.parse` survives) is refused here, so a
 * hostile answer or record can never make a later step throw.
 */
const parse = (text) => {
  try {
    const j = JSON.parse(text);
    JSON.stringify(j);
    return { j };
  } catch {
    return null;
  }
};
/** Unicode's White_Space (JavaScript's `\s` differs by U+0085 and U+FEFF). */
const WS = /[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
/** ASCII-only lower case: the servers' words are ASCII, and Unicode folding could invent matches. */
const lower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

// ----- errors -------------------------------------------------------------------------

/** E for a stable code with its default message (an unknown code gives bad_response's). */
export function error(code, message, status = 0) {
  if (!CODES[code]) code = "bad_response";
  const e = { code, status, message: message || CODES[code], retryable: RETRYABLE.includes(code) };
  if (code == "validation_failed") e.fieldErrors = {};
  return e;
}

/** Thrown inside the core, returned as {error: E} by the exported functions. */
class Fail {
  constructor(e) {
    this.e = e;
  }
}
const fail = (code, message) => {
  throw new Fail(error(code, message));
};
const bad = (message) => fail("config_invalid", message);
const guard = (f) => {
  try {
    return f();
  } catch (x) {
    if (x instanceof Fail) return { error: x.e };
    throw x;
  }
};

/** validation_failed listing the fields whose checks failed, if any: `list` is [[field, issues]]. */
function checks(list) {
  const e = error("validation_failed");
  let first;
  for (const [field, issues] of list)
    if (issues.length) {
      first ||= issues[0].message;
      e.fieldErrors[field] = issues.map(({ code, message }) => ({ code, message }));
    }
  if (first) {
    e.message = first;
    throw new Fail(e);
  }
}

const badField = (field, message) => checks([[field, [{ code: "invalid", message }]]]);

/**
 * An error answer: the status and the body, in any of the shapes of API.md §2 (a
 * `detail` string or list, `{error, traceback}`, a proxy's HTML page, nothing), mapped to
 * one code for both servers.
 */
function decodeError(endpoint, status, body, retryAfter) {
  const p = parse(body);
  const json = p && isObj(p.j) ? p.j : {};
  const detail = json.detail;
  const list = Array.isArray(detail) ? detail : null;
  const text = (isStr(detail) ? detail : list ? strAt(list[0], "msg") : strAt(json, "error")) || "";
  const says = (words) => lower(text).includes(words);
  const loc = (i) => (isObj(i) && Array.isArray(i.loc) ? i.loc : []);
  const code =
    status == 429
      ? "rate_limited"
      : status == 401
        ? endpoint == "login"
          ? "invalid_credentials"
          : says("api key")
            ? "unauthorized"
            : says("expired")
              ? "session_expired"
              : "unauthorized"
        : status == 403
          ? "forbidden"
          : (status == 404 || status == 405) && endpoint == "refresh"
            ? "refresh_unsupported"
            : status == 409
              ? "email_taken"
              : status == 400 && (says("already exists") || says("already registered"))
                ? "email_taken"
                : status == 400 && (endpoint == "login" || says("current password"))
                  ? "invalid_credentials"
                  : status == 400 && endpoint == "verify"
                    ? "oauth_invalid_callback"
                    : status == 404
                      ? "not_found"
                      : status == 422 && list && list.some((i) => loc(i)[0] === "header")
                        ? "unauthorized"
                        : [400, 413, 415, 422].includes(status)
                          ? "validation_failed"
                          : status >= 500
                            ? "server_error"
                            : "bad_response";
  const e = error(code, "", status);
  if (code == "rate_limited") e.retryAfter = retryAfter ?? 1;
  // The hosted service wraps some answers as "An error occured 404: ...": not a sentence for people.
  if (text && lower(text.slice(0, 16)) != "an error occured" && code != "server_error") e.message = text;
  if (code == "validation_failed" && list) {
    const field = (i) => {
      const l = loc(i)[loc(i).length - 1];
      return isStr(l) || typeof l == "number" ? String(l) : "";
    };
    const fe = e.fieldErrors;
    for (const i of list) {
      const k = field(i);
      const reason = { code: strAt(i, "type") || "invalid", message: strAt(i, "msg") || "Invalid value." };
      // Own members only: a field named `constructor` or `__proto__` is a field like any other.
      if (Object.hasOwn(fe, k)) fe[k].push(reason);
      else Object.defineProperty(fe, k, { value: [reason], enumerable: true, writable: true, configurable: true });
    }
  }
  if ("detail" in json) e.detail = detail;
  else if (isStr(json.error)) e.detail = json.error;
  return e;
}

// ----- options ------------------------------------------------------------------------

/** An absolute http(s) URL with a host and no white space or control characters. */
const isHttpUrl = (url) => /^https?:\/\/[^/?#:]/.test(url) && !WS.test(url) && !/[\0-\x1f\x7f-\x9f]/.test(url);

/** A number within min..max (inclusive), times 10^shift and truncated; `whole` refuses fractions. */
function number(v, min, max, whole, shift = 0) {
  if (typeof v != "number" || !(v >= min && v <= max) || (whole && !Number.isInteger(v))) return undefined;
  // toPrecision: 1.005 * 1000 is 1004.9999999999999 in binary, and means 1005.
  return Math.trunc(+(v * 10 ** shift).toPrecision(15));
}

const optOf = (type) => (o, k, what) => {
  const v = given(o, k);
  if (v !== undefined && typeof v != type) bad(what);
  return v;
};
const optStr = optOf("string");
const optBool = optOf("boolean");
function optNumber(o, k, min, max, shift, what) {
  const v = given(o, k);
  if (v === undefined) return v;
  const n = number(v, min, max, false, shift);
  if (n === undefined) bad(what);
  return n;
}

const POLICY = {
  minLength: 8,
  maxLength: 128,
  requireLowercase: true,
  requireUppercase: true,
  requireDigit: true,
  requireSymbol: false,
  rejectCommon: true,
};
/** The policy's flags, in the order of their bits in the wasm's `validatePassword`. */
export const FLAGS = ["requireLowercase", "requireUppercase", "requireDigit", "requireSymbol", "rejectCommon"];

function policyFrom(p) {
  const policy = { ...POLICY };
  if (p == null) return policy;
  if (typeof p != "object") bad("passwordPolicy must be an object.");
  const LEN = "passwordPolicy lengths must be whole numbers from 0 to 4096.";
  for (const k of ["minLength", "maxLength"]) {
    const n = optNumber(p, k, 0, 4096, 0, LEN);
    if (n !== undefined) policy[k] = n;
  }
  for (const k of FLAGS) {
    const b = optBool(p, k, "passwordPolicy flags must be booleans.");
    if (b !== undefined) policy[k] = b;
  }
  return policy;
}

/** A partial password policy merged over the defaults, or {error: E} (config_invalid). */
export const policyOf = (p) => guard(() => policyFrom(p));

/**
 * The constructor's options, checked: {error: E} (config_invalid, secret_key_in_browser)
 * or {apiKey, baseUrl, storage, storageKey, autoRefresh, marginMs, timeoutMs, policy}.
 */
export const options = (o) =>
  guard(() => {
    if (o == null || typeof o != "object") bad("new CocobaseAuth(options) needs an options object with apiKey.");
    const key = optStr(o, "apiKey", "apiKey must be a string.") || "";
    const base = (optStr(o, "baseUrl", "baseUrl must be a string.") ?? HOSTED).replace(/\/+$/, "");
    if (!key || WS.test(key)) bad("apiKey is required and must not contain spaces.");
    if (!isHttpUrl(base)) bad("baseUrl must be an absolute http(s) URL.");
    const allowSecret = optBool(o, "allowSecretKey", "allowSecretKey must be a boolean.");
    if (/^sk_(live|test)_/.test(key) && !allowSecret) fail("secret_key_in_browser");
    const STORAGE = 'storage must be "local", "session" or "memory".';
    const storage = optStr(o, "storage", STORAGE) ?? "local";
    if (!["local", "session", "memory"].includes(storage)) bad(STORAGE);
    const storageKey = optStr(o, "storageKey", "storageKey must be a string.") ?? "cocobase.auth.session";
    if (!storageKey) bad("storageKey must not be empty.");
    return {
      apiKey: key,
      baseUrl: base,
      storage,
      storageKey,
      autoRefresh: optBool(o, "autoRefresh", "autoRefresh must be a boolean.") ?? true,
      marginMs:
        optNumber(o, "refreshMarginSeconds", 0, 86400, 3, "refreshMarginSeconds must be a number from 0 to 86400.") ??
        60000,
      timeoutMs:
        optNumber(o, "requestTimeoutMs", 1, 600000, 0, "requestTimeoutMs must be a number from 1 to 600000.") ?? 15000,
      policy: policyFrom(given(o, "passwordPolicy")),
    };
  });

// ----- validation (the Rust rules) -------------------------------------------------------

let V;
/** Hands in the validators: `email(text)` and `password(text, policy, email)`, giving reports. */
export const use = (validators) => (V = validators);

// ----- requests -----------------------------------------------------------------------

/** Percent-encodes a query value or path segment: everything but RFC 3986's unreserved. */
export const encode = (s) =>
  encodeURIComponent(s.replace(/\p{Cs}/gu, "\uFFFD")).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

const request = (m, p, body, a) => {
  const q = { m, p };
  if (body) q.b = JSON.stringify(body);
  if (a) q.a = true;
  return q;
};

const str = (p, k) => strAt(p, k) || "";
const required = (v) => (v ? [] : [{ code: "empty", message: "This field is required." }]);

/** An optional plain-object member (`data`, `append`, `remove`). */
function objectField(p, k) {
  const v = given(p, k);
  if (v !== undefined && !isObj(v)) badField(k, "Expected a plain object.");
  return v;
}

function optU32(p, k) {
  const v = given(p, k);
  if (v === undefined) return v;
  const n = number(v, 0, 4294967295, true);
  if (n === undefined) badField(k, "Expected a whole number of 0 or more.");
  return n;
}

/** The PATCH /user body of an update: `append`/`remove` travel as `data.$append`/`data.$remove`. */
function updateBody(p) {
  const email = given(p, "email");
  if (email !== undefined && !isStr(email)) badField("email", "Expected a string.");
  const data = objectField(p, "data");
  const ops = [
    ["$append", objectField(p, "append")],
    ["$remove", objectField(p, "remove")],
  ];
  if (email !== undefined) checks([["email", V.email(email).errors]]);
  const b = {};
  if ((data && Object.keys(data).length) || ops.some(([, v]) => v)) {
    // A member already named `$append` (`$remove`) is replaced where it stands.
    b.data = { ...data };
    for (const [k, v] of ops) if (v) b.data[k] = v;
  }
  if (email !== undefined) b.email = email;
  return b;
}

/**
 * The request for `op` with its local checks: `params` is the method's argument (a string
 * for follow, unfollow and user), `policy` the client's full password policy and `email`
 * the signed-in user's ("" for none). {error: E} or {m, p, b?, a?}: method, path (after
 * `{baseUrl}/auth-collections`), JSON body text, and whether the bearer token goes along.
 */
export const build = (op, params, policy, email) =>
  guard(() => {
    const p = params;
    const id = isStr(p) ? p : "";
    switch (op) {
      case "signup":
      case "signupFiles": {
        const data = objectField(p, "data");
        const roles = op == "signup" ? given(p, "roles") : undefined;
        if (roles !== undefined && !(Array.isArray(roles) && roles.every(isStr)))
          badField("roles", "Expected a list of strings.");
        const [e, pw] = [str(p, "email"), str(p, "password")];
        checks([
          ["email", V.email(e).errors],
          ["password", V.password(pw, policy, e).errors],
        ]);
        return request("POST", "/signup", { email: e, password: pw, data, roles });
      }
      case "login": {
        const [e, pw] = [str(p, "email"), str(p, "password")];
        checks([
          ["email", required(e)],
          ["password", required(pw)],
        ]);
        return request("POST", "/login", { email: e, password: pw });
      }
      case "update":
        return request("PATCH", "/user", updateBody(p), 1);
      case "follow":
      case "unfollow":
        return request("PATCH", "/user", { data: { [op == "follow" ? "$append" : "$remove"]: { following_ids: id } } }, 1);
      case "changePassword":
      case "changePasswordLogin":
      case "changePasswordPatch": {
        const [current, pw] = [str(p, "currentPassword"), str(p, "newPassword")];
        checks([["newPassword", V.password(pw, policy, email).errors]]);
        // A server without change-password (API.md): check the current password by
        // logging in, then set the new one on the user.
        return op == "changePassword"
          ? request("POST", "/change-password", { current_password: current, new_password: pw }, 1)
          : op == "changePasswordLogin"
            ? request("POST", "/login", { email, password: current })
            : request("PATCH", "/user", { password: pw }, 1);
      }
      case "list": {
        const q = [
          ["limit", optU32(p, "limit")],
          ["offset", optU32(p, "offset")],
          ["role", strAt(p, "role")],
          ["email_contains", strAt(p, "emailContains")],
        ].filter(([, v]) => v !== undefined);
        return request("GET", "/users" + q.map(([k, v], n) => (n ? "&" : "?") + k + "=" + encode(String(v))).join(""));
      }
      case "user":
        if (!id) fail("not_found");
        return request("GET", "/users/" + encode(id));
      case "me":
        return request("GET", "/user", null, 1);
      case "refresh":
        return request("POST", "/refresh-token", null, 1);
      case "oauthUrl": {
        const [provider, uri] = [str(p, "provider"), str(p, "redirectUri")];
        if (!PROVIDERS.includes(provider)) bad('provider must be "google" or "apple".');
        if (!isHttpUrl(uri)) bad("redirectUri must be an absolute http(s) URL.");
        return request("GET", "/oauth/" + provider + "?redirect_uri=" + encode(uri));
      }
    }
    // `verify` is built by oauthCallback from the stored flow.
    fail("bad_response");
  });

// ----- sessions -----------------------------------------------------------------------

/** The claims of a JWT's payload, never verified (the client has no key): timing only. */
function claims(token) {
  const parts = token.split(".");
  if (parts.length != 3) return null;
  const b64 = parts[1].replace(/=+$/, "");
  if (!/^[\w+/-]*$/.test(b64) || b64.length % 4 == 1) return null;
  try {
    const bytes = Uint8Array.from(atob(b64.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const j = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    const exp = int(given(j, "exp"));
    return exp === undefined ? null : { exp, iat: int(given(j, "iat")) };
  } catch {
    return null;
  }
}

/**
 * When the token expires on the *local* clock (API.md §1): its lifetime is measured
 * against the clock that issued it (its own `iat`, else the answer's Date), then laid onto
 * the local clock at receipt, so a device whose clock is off neither ends nor extends
 * sessions. Without either, `exp` is read against the local clock.
 */
function localExpiry(token, now, date) {
  const c = claims(token);
  const exp = c && toMs(c.exp);
  if (exp == null) return undefined;
  const server = c.iat !== undefined ? toMs(c.iat) : date;
  if (c.iat !== undefined && server === undefined) return undefined;
  const e = server === undefined ? exp : now + (exp - server);
  // What a stored record could not hold (a 64-bit millisecond count) is no expiry.
  return Math.abs(e) < 2 ** 63 ? e : undefined;
}

/** A server user object is usable when it is an object with a non-empty string `id`. */
const isUser = (u) => !!strAt(u, "id");

/** The `PublicUser` shape of JS-API.md: never an email, even if a server sent one. */
function publicUser(u) {
  return {
    id: u.id,
    data: isObj(u.data) ? u.data : {},
    roles: Array.isArray(u.roles) ? u.roles.filter(isStr) : [],
    createdAt: str(u, "created_at"),
  };
}

/** The `User` shape (missing fields defaulted, unknown ones dropped). */
function user(u) {
  const { id, ...rest } = publicUser(u);
  const out = { id, email: str(u, "email"), ...rest };
  if (typeof u.email_verified == "boolean") out.emailVerified = u.email_verified;
  if (isStr(u.oauth_provider) || u.oauth_provider === null) out.oauthProvider = u.oauth_provider;
  return out;
}

/** SESS for a token, the server's user object and the local expiry. */
function sess(t, u, e) {
  return {
    r: JSON.stringify({ v: RECORD_VERSION, access_token: t, user: u, expires_at: e }),
    t,
    e,
    u: u.id,
    js: { user: user(u), accessToken: t, expiresAt: e },
  };
}

/** A well-formed current stored record as {t: token, u: the server's user object, e: expiry}, else null. */
function record(text) {
  const p = parse(text);
  const j = p && p.j;
  const e = int(given(j, "expires_at"));
  return int(given(j, "v")) === RECORD_VERSION && isUser(j.user) && strAt(j, "access_token") && e !== undefined
    ? { t: j.access_token, u: j.user, e }
    : null;
}

/** SESS for a well-formed current stored record, else null. */
export function restore(text) {
  const r = record(text);
  return r && sess(r.t, r.u, r.e);
}

/**
 * SESS from the official SDK's `cocobase-token` and `cocobase-user` values, else null.
 * When the token was received is unknown, so `exp` is read against the local clock.
 */
export function adopt(token, userText) {
  token = token.trim().replace(/^"+|"+$/g, "");
  const p = parse(userText);
  const c = claims(token);
  const e = c && toMs(c.exp);
  return p && isUser(p.j) && token && e != null ? sess(token, p.j, e) : null;
}

// ----- answers ------------------------------------------------------------------------

/** What each request was for, to read its errors. */
const ENDPOINT = { signupFiles: "signup", changePasswordLogin: "login", verify: "verify", refresh: "refresh" };

/**
 * Reads the answer to `op`: the status, the body text, the Retry-After header ("" for
 * none), Date.parse of the Date header (NaN for none), Date.now() and the held record
 * text ("" for none). {error: E} or, per op, {m} (a second factor is needed), {s: SESS},
 * {v}, {v, s} or {}.
 */
export const answer = (op, status, body, retryAfter, dateMs, nowMs, current) =>
  guard(() => {
    if (!/^(signup|signupFiles|login|update|follow|unfollow|changePassword|changePasswordLogin|changePasswordPatch|list|user|me|refresh|oauthUrl|verify)$/.test(op))
      fail("bad_response");
    if (status < 200 || status > 299) {
      const ra = String(retryAfter).trim();
      // Seconds only (an HTTP date is not read); what does not fit 64 bits is not a delay.
      const secs = /^\+?\d+$/.test(ra) && +ra < 2 ** 64 ? +ra : undefined;
      throw new Fail(decodeError(ENDPOINT[op] || op, status, body, secs));
    }
    const p = parse(body);
    if (!p) throw new Fail(error("bad_response", "", status));
    let j = p.j;
    const badAnswer = () => fail("bad_response");
    // The record held now: only refresh, change-password and the user's own answers read it.
    const held = () => record(current);
    if (/^(signup|signupFiles|login|verify)$/.test(op) && given(j, "requires_2fa") === true)
      return { m: strAt(j, "message") ?? "A second factor is required." };
    if (op == "refresh" && !isUser(given(j, "user"))) {
      const h = held();
      if (h && isObj(j)) j = { ...j, user: h.u };
    }
    if (op == "changePassword") {
      const t = strAt(j, "access_token") || badAnswer();
      const h = held() || fail("session_missing");
      j = { access_token: t, user: h.u };
    }
    if (op == "changePasswordPatch") return {};
    if (/^(me|update|follow|unfollow|user)$/.test(op)) {
      if (!isUser(j)) badAnswer();
      if (op == "user") return { v: publicUser(j) };
      const out = { v: user(j) };
      const h = held();
      if (h && h.u.id === j.id) out.s = sess(h.t, j, h.e);
      return out;
    }
    if (op == "list") {
      const users = isObj(j) ? ("data" in j ? j.data : j.users) : null;
      if (!Array.isArray(users)) badAnswer();
      const n = (k) => int(given(j, k)) || 0;
      return {
        v: {
          users: users.filter(isUser).map(user),
          total: Math.max(n("total"), users.length),
          limit: n("limit"),
          offset: n("offset"),
          hasMore: given(j, "has_more") === true,
        },
      };
    }
    if (op == "oauthUrl") {
      const url = strAt(j, "url");
      return { v: url && isHttpUrl(url) ? url : badAnswer() };
    }
    // A token answer: signup, login, verify, refresh, change-password.
    const t = strAt(j, "access_token");
    const u = given(j, "user");
    const e = t && isUser(u) ? localExpiry(t, Math.trunc(nowMs), isFinite(dateMs) ? Math.trunc(dateMs) : undefined) : undefined;
    return e === undefined ? badAnswer() : { s: sess(t, u, e) };
  });

// ----- sign-in by redirect ----------------------------------------------------------

/** The well-formed pending flows of their stored text (anything else reads as none). */
function flows(text) {
  const p = parse(text);
  return (p && Array.isArray(p.j) ? p.j : []).filter(
    (f) => strAt(f, "state") != null && strAt(f, "provider") != null && strAt(f, "redirect_uri") != null && int(given(f, "created_at")) !== undefined,
  ).map(({ state, provider, redirect_uri, created_at }) => ({ state, provider, redirect_uri, created_at: int(created_at) }));
}

const live = (f, now) => now - f.created_at < FLOW_TTL_MS;

/** After a 2xx oauthUrl answer: {f: the pending flows with this one (text), v: the URL with the state}. */
export function oauthStart(text, state, provider, redirectUri, nowMs, url) {
  const now = Math.trunc(nowMs);
  const list = flows(text).filter((f) => live(f, now));
  list.push({ state, provider, redirect_uri: redirectUri, created_at: now });
  const hash = url.indexOf("#");
  const [before, fragment] = hash < 0 ? [url, ""] : [url.slice(0, hash), url.slice(hash)];
  return {
    f: JSON.stringify(list.slice(-MAX_FLOWS)),
    v: before + (before.includes("?") ? "&" : "?") + "state=" + encode(state) + fragment,
  };
}

/** Decodes `%XX` and `+`; invalid escapes stay as written, bytes that are not UTF-8 become U+FFFD. */
function decode(s) {
  const b = new TextEncoder().encode(s);
  const out = [];
  const hex = (c) => parseInt(String.fromCharCode(c), 16);
  for (let i = 0; i < b.length; i++) {
    const h = b[i] == 37 && i + 2 < b.length ? hex(b[i + 1]) * 16 + hex(b[i + 2]) : NaN;
    if (h >= 0) out.push(h), (i += 2);
    else out.push(b[i] == 43 ? 32 : b[i]);
  }
  return new TextDecoder().decode(new Uint8Array(out));
}

/** Splits a URL into [before `?`, query (or null), fragment (or null)]. */
function split(url) {
  const h = url.indexOf("#");
  const rest = h < 0 ? url : url.slice(0, h);
  const q = rest.indexOf("?");
  return [q < 0 ? rest : rest.slice(0, q), q < 0 ? null : rest.slice(q + 1), h < 0 ? null : url.slice(h + 1)];
}

const OAUTH = ["code", "state", "error", "error_description"];
/** A fragment with `=` carries parameters; one without is a route or an anchor (`#/settings`). */
const params = (f) => f != null && f.includes("=");
const key = (pair) => decode(pair.split("=")[0].replace(/^\?+/, ""));

/** The pairs of a `&`-list that are not OAuth parameters, as written (empty ones and bare `?`s dropped). */
const strip = (list) =>
  list
    .split("&")
    .filter((p) => p.replace(/^\?+/, "") && !OAUTH.includes(key(p)))
    .join("&");

/** The URL without the OAuth parameters (query and parameter-style fragment); the rest as it was. */
export function clean(url) {
  const [base, query, fragment] = split(url);
  let out = base;
  const q = query != null && strip(query);
  if (q) out += "?" + q;
  if (fragment != null) {
    let f = fragment;
    if (params(f)) {
      const pairs = f.replace(/^\?+/, "");
      const kept = strip(pairs);
      f = kept && f.slice(0, f.length - pairs.length) + kept;
    }
    if (f) out += "#" + f;
  }
  return out;
}

/** The provider's answer in a callback URL: the query first, then a parameter-style fragment. */
function callback(url) {
  const [, query, fragment] = split(url);
  const cb = {};
  for (const part of [query, params(fragment) ? fragment.replace(/^\?+/, "") : null])
    if (part != null)
      for (const pair of part.split("&")) {
        if (!pair) continue;
        const eq = pair.indexOf("=");
        const k = decode(eq < 0 ? pair : pair.slice(0, eq));
        // The first occurrence wins.
        if (OAUTH.includes(k) && !(k in cb)) cb[k] = decode(eq < 0 ? "" : pair.slice(eq + 1));
      }
  return cb.code != null || cb.error != null ? cb : null;
}

/** Compares without stopping at the first difference. */
function same(a, b) {
  let x = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) x |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return !x;
}

/**
 * The callback page: null when `url` carries no OAuth answer, else {c: the URL cleaned,
 * f: the flows left ("" for none)} plus error: E, or q: the verify request (read by
 * `answer` as `verify`). The state is used up either way.
 */
export function oauthCallback(url, text, nowMs) {
  const cb = callback(url);
  if (!cb) return null;
  const now = Math.trunc(nowMs);
  let flow;
  const rest = [];
  for (const f of flows(text))
    if (cb.state != null && !flow && same(cb.state, f.state)) flow = f;
    else if (live(f, now)) rest.push(f);
  if (flow && !(live(flow, now) && now >= flow.created_at)) flow = null;
  const out = { c: clean(url), f: rest.length ? JSON.stringify(rest) : "" };
  if (!flow) out.error = error("oauth_state_mismatch");
  else if (cb.error != null) {
    out.error = error("oauth_denied", cb.error_description);
    out.error.detail = cb.error;
  } else if (!cb.code) out.error = error("oauth_invalid_callback");
  else out.q = request("POST", "/verify-" + flow.provider + "-login", { code: cb.code, redirect_uri: flow.redirect_uri });
  return out;
}
