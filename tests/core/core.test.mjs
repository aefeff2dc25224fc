// The pure protocol core, js/core.js: options, request building, answer and error
// decoding, the stored session, token claims and the OAuth callback. A port of the Rust
// tests of src/core/ (ops_tests.rs, and the `mod tests` of error.rs, session.rs,
// token.rs, oauth.rs and config.rs), test for test and check for check; each title is
// the Rust test's name (module tests are prefixed with their file). Checks of internal
// helpers (`decode_error`, `Session::from_record`, `token::claims`, `oauth::clean_url`,
// ...) go through the exported functions: `answer`, `restore`, `adopt`, `build`,
// `oauthStart`, `oauthCallback`.
//
// Inputs that were JSON text of a JS value are that value now: the options text `""`
// (what the old shell sent for `undefined`) is `undefined`, `"not json"` is that string;
// `"NaN"`, which the old shell sent for a non-finite number, is kept as a string and
// the number NaN (or Infinity, for `1e400`) is checked as well.
//
// Dropped, as Rust-only matters:
// - token.rs `milliseconds_as_checked_mul_gives_them`: `to_ms` and i64 overflow.
// - ops `rate_limits_carry_retry_after`: `Retry-After: 18446744073709551615` (u64::MAX)
//   giving i64::MAX: the u64 parsing and i64 output widths ("...616", past 64 bits, still
//   gives 1 and is kept).
// - error.rs `every_code_has_a_distinct_name`: the table being in the enum's order
//   (`code as usize`); the name round trip, distinctness and messages are kept, via `error`.
// - oauth.rs `callback_urls`: "clean twice" (`clean_url(cleaned) == cleaned`) and the
//   cleaned form of URLs that carry no OAuth answer: `oauthCallback` returns null for
//   those, so the cleaning is not observable (that null is checked instead).
// - ops `validators` (changed, not dropped): the validators are no longer core functions
//   but injected ones (the package's `validateEmail` / `validatePassword`, below); their
//   outputs are still checked, as `build` gets them, and the policy parsing goes through
//   `policyOf`. The policy text `"{"` (not JSON) is now the string "{".
// - All exact JSON text comparisons became `deepEqual` on objects (bodies `b` parsed),
//   except the update bodies, whose member order (`$append`/`$remove` replaced where
//   they stand) is the rule under test.
// Kept although about 64-bit limits, as the JS core keeps them too: a token whose
// `exp * 1000` passes i64 gives no session; a Retry-After past 64 bits is no delay.
// Added (each marked "added"): a token with a 4th or a missing 3rd part, a payload with
// a space or a lone trailing symbol, standard padded base64 (the through-the-API forms
// of `base64url_decode`'s checks); `!'()*` percent-encoded (encode_component's rule:
// all but RFC 3986 unreserved); a record text as the Rust core wrote it still restores.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pkg from "../../pkg/cocobase_auth.js";
import * as core from "../../js/core.js";

await pkg.default();
core.use({ email: pkg.validateEmail, password: (pw, policy, email) => pkg.validatePassword(pw, policy, { email }) });

// ----- helpers -------------------------------------------------------------------------

const show = (v) => JSON.stringify(v);

/** The `error` of an output (fails when there is none). */
function errorOf(out) {
  assert.ok(out && typeof out == "object" && out.error, `no error in ${show(out)}`);
  return out.error;
}
const codeOf = (out) => errorOf(out).code;
const messageOf = (out) => errorOf(out).message;

/** `[field, [codes]]` of a `validation_failed` output, in the object's order. */
function fieldCodes(out) {
  const e = errorOf(out);
  assert.equal(e.code, "validation_failed", show(out));
  const f = e.fieldErrors;
  assert.ok(f && typeof f == "object" && !Array.isArray(f), `fieldErrors ${show(f)} in ${show(out)}`);
  return Object.entries(f).map(([field, list]) => [field, list.map((r) => r.code)]);
}
const fields = (out) => fieldCodes(out).map(([f]) => f);

/** The client's full policy, as `options` gives it. */
const policy = () => core.options({ apiKey: "pk_test_x" }).policy;

const b = (op, params) => core.build(op, params, policy(), "");

/** `[method, path, parsed body, bearer]` of a built request. */
function req(out) {
  assert.ok(out && out.error === undefined, show(out));
  if ("b" in out) assert.equal(typeof out.b, "string", show(out));
  return [out.m, out.p, out.b === undefined ? undefined : JSON.parse(out.b), out.a === true];
}

/** A built request with its body parsed, to compare whole. */
const parsedBody = (out) => (out && typeof out.b == "string" ? { ...out, b: JSON.parse(out.b) } : out);

// Seconds of the test's epoch: the server and the device agree unless a test says otherwise.
const T0 = 1_700_000_000;
const NOW = T0 * 1000;

/** base64url without padding (what token.rs's test `b64` writes). */
const b64 = (text) => Buffer.from(text).toString("base64url");

/** A token with the given payload JSON (signature is junk: the client never checks it). */
const token = (payload) => `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(payload)}.c2ln`;

const jwt = (iat, ttl) => token(`{"userId":"u1","iat":${iat},"exp":${iat + ttl}}`);

const tokenAnswer = (tok, userId) =>
  `{"access_token":${show(tok)},"user":{"id":${show(userId)},"email":"ada@example.com","data":{},"roles":[]}}`;

const ans = (op, status, body) => core.answer(op, status, body, "", NaN, NOW, "");

/** A stored record of user `u1` with a one-hour token. */
const record = () => ans("login", 200, tokenAnswer(jwt(T0, 3600), "u1")).s.r;

const DEFAULT_BASE = "https://api.cocobase.buzz";
const FLOW_TTL_MS = 10 * 60 * 1000;

// ===== ops_tests.rs ======================================================================

// ----- options -------------------------------------------------------------------------

test("options_defaults_and_normalised_values", () => {
  assert.deepEqual(core.options({ apiKey: "pk_test_x" }), {
    apiKey: "pk_test_x",
    baseUrl: "https://api.cocobase.buzz",
    storage: "local",
    storageKey: "cocobase.auth.session",
    autoRefresh: true,
    marginMs: 60000,
    timeoutMs: 15000,
    policy: {
      minLength: 8,
      maxLength: 128,
      requireLowercase: true,
      requireUppercase: true,
      requireDigit: true,
      requireSymbol: false,
      rejectCommon: true,
    },
  });
  const out = core.options({
    apiKey: "pk",
    baseUrl: "http://127.0.0.1:8787//",
    storage: "memory",
    storageKey: "k",
    autoRefresh: false,
    refreshMarginSeconds: 1.5,
    requestTimeoutMs: 2000,
    passwordPolicy: { minLength: 12, requireSymbol: true, rejectCommon: false },
  });
  assert.deepEqual(out, {
    apiKey: "pk",
    baseUrl: "http://127.0.0.1:8787",
    storage: "memory",
    storageKey: "k",
    autoRefresh: false,
    marginMs: 1500,
    timeoutMs: 2000,
    policy: {
      minLength: 12,
      maxLength: 128,
      requireLowercase: true,
      requireUppercase: true,
      requireDigit: true,
      requireSymbol: true,
      rejectCommon: false,
    },
  });
  // `null` members are "not given", like `undefined`.
  let o = core.options({
    apiKey: "pk",
    baseUrl: null,
    storage: null,
    storageKey: null,
    autoRefresh: null,
    refreshMarginSeconds: null,
    requestTimeoutMs: null,
    passwordPolicy: null,
    allowSecretKey: null,
  });
  assert.equal(o.baseUrl, DEFAULT_BASE);
  // Edges of the ranges, exponents, and a whole number written with a fraction.
  o = core.options({
    apiKey: "pk",
    refreshMarginSeconds: 8.64e4,
    requestTimeoutMs: 600000.0,
    passwordPolicy: { minLength: 0, maxLength: 4096 },
  });
  assert.equal(o.marginMs, 86_400_000);
  assert.equal(o.timeoutMs, 600_000);
  o = core.options({ apiKey: "pk", refreshMarginSeconds: 0, requestTimeoutMs: 1.9 });
  assert.equal(o.marginMs, 0);
  assert.equal(o.timeoutMs, 1);
  for (const storage of ["local", "session", "memory"]) {
    assert.equal(core.options({ apiKey: "pk", storage }).storage, storage);
  }
});

test("secret_keys_need_an_explicit_opt_in", () => {
  let out = core.options({ apiKey: "sk_live_abc" });
  assert.equal(codeOf(out), "secret_key_in_browser");
  assert.equal(messageOf(out), "A secret API key must not be used in a browser.");
  out = core.options({ apiKey: "sk_test_abc", allowSecretKey: false });
  assert.equal(codeOf(out), "secret_key_in_browser");
  out = core.options({ apiKey: "sk_test_abc", allowSecretKey: true });
  assert.equal(out.apiKey, "sk_test_abc");
});

test("every_bad_option_is_config_invalid_with_its_sentence", () => {
  const NEEDS = "new CocobaseAuth(options) needs an options object with apiKey.";
  const KEY = "apiKey is required and must not contain spaces.";
  const URL_ = "baseUrl must be an absolute http(s) URL.";
  const STORAGE = 'storage must be "local", "session" or "memory".';
  const MARGIN = "refreshMarginSeconds must be a number from 0 to 86400.";
  const TIMEOUT = "requestTimeoutMs must be a number from 1 to 600000.";
  const LEN = "passwordPolicy lengths must be whole numbers from 0 to 4096.";
  const FLAG = "passwordPolicy flags must be booleans.";
  const cases = [
    [null, NEEDS],
    [undefined, NEEDS],
    ["", NEEDS],
    ["not json", NEEDS],
    ["pk", NEEDS],
    [5, NEEDS],
    [true, NEEDS],
    [[], KEY],
    [{}, KEY],
    [{ apiKey: "" }, KEY],
    [{ apiKey: "  " }, KEY],
    [{ apiKey: "pk x" }, KEY],
    [{ apiKey: 5 }, "apiKey must be a string."],
    [{ apiKey: "pk", baseUrl: 5 }, "baseUrl must be a string."],
    [{ apiKey: "pk", baseUrl: "ftp://x" }, URL_],
    [{ apiKey: "pk", baseUrl: "not a url" }, URL_],
    [{ apiKey: "pk", baseUrl: "javascript:alert(1)" }, URL_],
    [{ apiKey: "sk_test_x", allowSecretKey: "yes" }, "allowSecretKey must be a boolean."],
    [{ apiKey: "pk", allowSecretKey: 1 }, "allowSecretKey must be a boolean."],
    [{ apiKey: "pk", storage: "cookies" }, STORAGE],
    [{ apiKey: "pk", storage: 5 }, STORAGE],
    [{ apiKey: "pk", storageKey: "" }, "storageKey must not be empty."],
    [{ apiKey: "pk", storageKey: 5 }, "storageKey must be a string."],
    [{ apiKey: "pk", autoRefresh: "no" }, "autoRefresh must be a boolean."],
    [{ apiKey: "pk", refreshMarginSeconds: -5 }, MARGIN],
    [{ apiKey: "pk", refreshMarginSeconds: -0.5 }, MARGIN],
    [{ apiKey: "pk", refreshMarginSeconds: 86400.5 }, MARGIN],
    [{ apiKey: "pk", refreshMarginSeconds: 86401 }, MARGIN],
    [{ apiKey: "pk", refreshMarginSeconds: 1e400 }, MARGIN], // Infinity
    [{ apiKey: "pk", refreshMarginSeconds: "NaN" }, MARGIN],
    [{ apiKey: "pk", refreshMarginSeconds: NaN }, MARGIN],
    [{ apiKey: "pk", refreshMarginSeconds: "60" }, MARGIN],
    [{ apiKey: "pk", requestTimeoutMs: 0 }, TIMEOUT],
    [{ apiKey: "pk", requestTimeoutMs: 0.5 }, TIMEOUT],
    [{ apiKey: "pk", requestTimeoutMs: 600001 }, TIMEOUT],
    [{ apiKey: "pk", requestTimeoutMs: true }, TIMEOUT],
    [{ apiKey: "pk", passwordPolicy: "strict" }, "passwordPolicy must be an object."],
    [{ apiKey: "pk", passwordPolicy: 3 }, "passwordPolicy must be an object."],
    [{ apiKey: "pk", passwordPolicy: { minLength: -1 } }, LEN],
    [{ apiKey: "pk", passwordPolicy: { maxLength: 4097 } }, LEN],
    [{ apiKey: "pk", passwordPolicy: { minLength: "eight" } }, LEN],
    [{ apiKey: "pk", passwordPolicy: { minLength: "NaN" } }, LEN],
    [{ apiKey: "pk", passwordPolicy: { minLength: NaN } }, LEN],
    [{ apiKey: "pk", passwordPolicy: { requireDigit: 1 } }, FLAG],
    [{ apiKey: "pk", passwordPolicy: { rejectCommon: "no" } }, FLAG],
  ];
  for (const [input, message] of cases) {
    const e = errorOf(core.options(input));
    assert.equal(e.code, "config_invalid", show(input));
    assert.equal(e.message, message, show(input));
    assert.equal(e.status, 0);
    assert.equal(e.retryable, false);
    assert.equal(e.fieldErrors, undefined);
  }
});

// ----- error and the validators --------------------------------------------------------

test("error_gives_the_default_object_of_a_code", () => {
  assert.deepEqual(core.error("network_error"), {
    code: "network_error",
    status: 0,
    message: "The server could not be reached.",
    retryable: true,
  });
  assert.deepEqual(core.error("session_missing"), {
    code: "session_missing",
    status: 0,
    message: "Nobody is signed in.",
    retryable: false,
  });
  for (const code of ["timeout", "session_expired", "oauth_state_mismatch", "refresh_unsupported", "config_invalid"]) {
    assert.equal(core.error(code).code, code);
  }
  assert.deepEqual(core.error("validation_failed").fieldErrors, {});
  assert.deepEqual(core.error("no_such_code"), core.error("bad_response"));
  assert.equal(core.error("").code, "bad_response");
});

// The validators are injected (the package's); the policy they get is `policyOf`'s.
test("validators", () => {
  const full = (p) => {
    const out = core.policyOf(p);
    assert.equal(out.error, undefined, show(out));
    return out;
  };
  assert.deepEqual(pkg.validateEmail("ada@example.com"), { valid: true, errors: [] });
  assert.deepEqual(pkg.validateEmail(" ada@example.com"), {
    valid: false,
    errors: [{ code: "whitespace", message: "The email address must not contain spaces." }],
  });
  // `null` and `undefined`: the defaults, as `options` gives them.
  assert.deepEqual(core.policyOf(null), policy());
  assert.deepEqual(core.policyOf(undefined), policy());
  const out = pkg.validatePassword("password", full(null), { email: "" });
  assert.equal(out.valid, false);
  assert.equal(out.score, 0);
  assert.deepEqual(out, pkg.validatePassword("password", full(undefined), { email: "" }));
  const relaxed = { requireUppercase: false, requireDigit: false, rejectCommon: false };
  assert.deepEqual(full(relaxed), { ...policy(), ...relaxed });
  assert.equal(pkg.validatePassword("password", full(relaxed), { email: "" }).valid, true);
  assert.deepEqual(pkg.validatePassword("Ada.Lovelace-1", full(null), { email: "ada.lovelace@example.com" }), {
    valid: false,
    errors: [{ code: "contains_email", message: "The password must not contain your email address." }],
    score: 0,
  });
  const strong = pkg.validatePassword("Tr0ub4dor&3x-Kettle", full(null), { email: "" });
  assert.equal(strong.valid, true);
  assert.ok(strong.score >= 3, show(strong));
  // A malformed policy is an error, as the constructor's.
  const bad = core.policyOf({ minLength: "eight" });
  assert.equal(codeOf(bad), "config_invalid");
  assert.equal(messageOf(bad), "passwordPolicy lengths must be whole numbers from 0 to 4096.");
  assert.equal(codeOf(core.policyOf("strict")), "config_invalid");
  assert.equal(codeOf(core.policyOf("{")), "config_invalid");
});

// ----- build ---------------------------------------------------------------------------

test("signup_request_and_its_local_checks", () => {
  let out = b("signup", {
    email: "ada@example.com",
    password: "Correct-Horse-7",
    data: { name: "Ada" },
    roles: ["admin"],
  });
  assert.deepEqual(parsedBody(out), {
    m: "POST",
    p: "/signup",
    b: { email: "ada@example.com", password: "Correct-Horse-7", data: { name: "Ada" }, roles: ["admin"] },
  });
  const [, , body, bearer] = req(b("signup", { email: "ada@example.com", password: "Correct-Horse-7" }));
  assert.deepEqual(body, { email: "ada@example.com", password: "Correct-Horse-7" });
  assert.equal(bearer, false);
  // Local checks: nothing to send.
  out = b("signup", { email: "not-an-email", password: "short" });
  const f = fieldCodes(out);
  assert.deepEqual(fields(out), ["email", "password"]);
  assert.ok(f[1][1].includes("too_short"), show(f));
  assert.equal(messageOf(out), "The email address needs an @.");
  assert.equal(out.p, undefined);
  out = b("signup", {});
  assert.deepEqual(fieldCodes(out)[0][1], ["empty"]);
  // The password is checked against the client's policy, and the email.
  out = core.build(
    "signup",
    { email: "ada@example.com", password: "abc" },
    {
      minLength: 3,
      maxLength: 128,
      requireLowercase: true,
      requireUppercase: false,
      requireDigit: false,
      requireSymbol: false,
      rejectCommon: true,
    },
    "",
  );
  assert.equal(req(out)[1], "/signup");
  out = b("signup", { email: "adalovelace@example.com", password: "Adalovelace-1" });
  assert.deepEqual(fieldCodes(out), [["password", ["contains_email"]]]);
  // Malformed fields, checked before the credentials.
  for (const [params, field, message] of [
    [{ email: "x", password: "y", data: [1] }, "data", "Expected a plain object."],
    [{ email: "x", password: "y", data: "d" }, "data", "Expected a plain object."],
    [{ email: "x", password: "y", roles: "admin" }, "roles", "Expected a list of strings."],
    [{ email: "x", password: "y", roles: ["a", 1] }, "roles", "Expected a list of strings."],
  ]) {
    out = b("signup", params);
    assert.deepEqual(fieldCodes(out), [[field, ["invalid"]]], show(params));
    assert.equal(messageOf(out), message);
  }
  // `null` members are not given.
  out = b("signup", { email: "ada@example.com", password: "Correct-Horse-7", data: null, roles: null });
  assert.deepEqual(req(out)[2], { email: "ada@example.com", password: "Correct-Horse-7" });
});

test("signup_with_files_sends_the_same_json_without_roles", () => {
  let out = b("signupFiles", { email: "ada@example.com", password: "Correct-Horse-7", data: { a: 1 }, roles: ["x"] });
  assert.deepEqual(req(out), [
    "POST",
    "/signup",
    { email: "ada@example.com", password: "Correct-Horse-7", data: { a: 1 } },
    false,
  ]);
  // Roles are not looked at, but the credentials and data are.
  out = b("signupFiles", { email: "ada@example.com", password: "Correct-Horse-7", roles: 5 });
  assert.equal(out.error, undefined, show(out));
  out = b("signupFiles", { email: "ada", password: "Correct-Horse-7" });
  assert.deepEqual(fields(out), ["email"]);
  out = b("signupFiles", { email: "ada@example.com", password: "Correct-Horse-7", data: [] });
  assert.deepEqual(fields(out), ["data"]);
});

test("login_request_needs_both_fields", () => {
  assert.deepEqual(req(b("login", { email: "a@b.co", password: "x" })), [
    "POST",
    "/login",
    { email: "a@b.co", password: "x" },
    false,
  ]);
  const out = b("login", { email: "", password: "" });
  assert.deepEqual(fieldCodes(out), [
    ["email", ["empty"]],
    ["password", ["empty"]],
  ]);
  assert.equal(messageOf(out), "This field is required.");
  assert.deepEqual(fields(b("login", { email: "a@b.co" })), ["password"]);
  assert.deepEqual(fields(b("login", null)), ["email", "password"]);
  // Only emptiness is checked: the server judges the rest.
  assert.equal(req(b("login", { email: "x", password: "y" }))[1], "/login");
});

// Bodies compared as exact text: the order of members is the rule here.
test("update_nests_append_and_remove_in_data", () => {
  const out = b("update", {
    data: { a: 1 },
    email: "new@example.com",
    append: { tags: "x" },
    remove: { tags: ["y"] },
  });
  assert.deepEqual(
    [out.m, out.p, out.b, out.a],
    [
      "PATCH",
      "/user",
      '{"data":{"a":1,"$append":{"tags":"x"},"$remove":{"tags":["y"]}},"email":"new@example.com"}',
      true,
    ],
  );
  assert.equal(b("update", {}).b, "{}");
  assert.equal(b("update", { data: {} }).b, "{}");
  assert.equal(b("update", { remove: { t: 1 } }).b, '{"data":{"$remove":{"t":1}}}');
  // Members named `$append`/`$remove` in `data` are replaced where they stand.
  assert.equal(
    b("update", { data: { $remove: 0, b: 2, $append: 0 }, append: { x: 1 }, remove: { y: 2 } }).b,
    '{"data":{"$remove":{"y":2},"b":2,"$append":{"x":1}}}',
  );
  assert.equal(b("update", { data: { $append: 0 } }).b, '{"data":{"$append":0}}');
  // Local checks.
  let bad = b("update", { email: "nope" });
  assert.deepEqual(fieldCodes(bad), [["email", ["missing_at"]]]);
  bad = b("update", { email: 5 });
  assert.deepEqual(fieldCodes(bad), [["email", ["invalid"]]]);
  assert.equal(messageOf(bad), "Expected a string.");
  for (const key of ["data", "append", "remove"]) {
    bad = b("update", { [key]: [1] });
    assert.deepEqual(fieldCodes(bad), [[key, ["invalid"]]], key);
  }
});

test("follow_and_unfollow", () => {
  assert.deepEqual(parsedBody(b("follow", "u2")), {
    m: "PATCH",
    p: "/user",
    b: { data: { $append: { following_ids: "u2" } } },
    a: true,
  });
  assert.deepEqual(req(b("unfollow", 'u"2'))[2], { data: { $remove: { following_ids: 'u"2' } } });
});

test("change_password_and_its_fallbacks", () => {
  const params = { currentPassword: "pw", newPassword: "Correct-Horse-7" };
  const email = "ada@example.com";
  let out = core.build("changePassword", params, policy(), email);
  assert.deepEqual(req(out), [
    "POST",
    "/change-password",
    { current_password: "pw", new_password: "Correct-Horse-7" },
    true,
  ]);
  out = core.build("changePasswordLogin", params, policy(), email);
  assert.deepEqual(req(out), ["POST", "/login", { email: "ada@example.com", password: "pw" }, false]);
  out = core.build("changePasswordPatch", params, policy(), email);
  assert.deepEqual(req(out), ["PATCH", "/user", { password: "Correct-Horse-7" }, true]);
  // The new password is checked with the policy and the user's email, under `newPassword`.
  const weak = { currentPassword: "pw", newPassword: "weak" };
  for (const op of ["changePassword", "changePasswordLogin", "changePasswordPatch"]) {
    assert.deepEqual(fields(core.build(op, weak, policy(), email)), ["newPassword"], op);
  }
  out = core.build("changePassword", { currentPassword: "pw", newPassword: "Ada@Example.com1" }, policy(), email);
  assert.deepEqual(fieldCodes(out), [["newPassword", ["contains_email"]]]);
  // (The Rust test passed the partial policy text; `build` takes the full policy now.)
  out = core.build("changePassword", params, core.policyOf({ minLength: 40 }), email);
  assert.deepEqual(fieldCodes(out), [["newPassword", ["too_short"]]]);
});

test("list_and_lookup_requests", () => {
  assert.deepEqual(req(b("list", { limit: 1, offset: 0, role: "r w", emailContains: "a&b" })), [
    "GET",
    "/users?limit=1&offset=0&role=r%20w&email_contains=a%26b",
    undefined,
    false,
  ]);
  assert.deepEqual(b("list", {}), { m: "GET", p: "/users" });
  assert.equal(req(b("list", { offset: 20 }))[1], "/users?offset=20");
  assert.equal(req(b("list", { role: 5, emailContains: null }))[1], "/users");
  assert.equal(req(b("list", { limit: 4294967295, offset: 2e1 }))[1], "/users?limit=4294967295&offset=20");
  for (const bad of [
    { limit: -1 },
    { limit: 1.5 },
    { limit: "10" },
    { limit: "NaN" },
    { limit: NaN },
    { limit: Infinity },
    { limit: 4294967296 },
    { offset: true },
  ]) {
    const out = b("list", bad);
    assert.deepEqual(fieldCodes(out)[0][1], ["invalid"], show(bad));
    assert.equal(messageOf(out), "Expected a whole number of 0 or more.");
  }
  assert.deepEqual(b("user", "u/2"), { m: "GET", p: "/users/u%2F2" });
  for (const id of ["", null, 5]) {
    assert.equal(codeOf(b("user", id)), "not_found", show(id));
  }
  assert.deepEqual(b("me", null), { m: "GET", p: "/user", a: true });
  assert.deepEqual(b("refresh", null), { m: "POST", p: "/refresh-token", a: true });
});

test("oauth_url_request_checks_provider_and_redirect", () => {
  assert.deepEqual(b("oauthUrl", { provider: "google", redirectUri: "http://app/cb" }), {
    m: "GET",
    p: "/oauth/google?redirect_uri=http%3A%2F%2Fapp%2Fcb",
  });
  assert.equal(
    req(b("oauthUrl", { provider: "apple", redirectUri: "https://app.io/cb?x=1" }))[1],
    "/oauth/apple?redirect_uri=https%3A%2F%2Fapp.io%2Fcb%3Fx%3D1",
  );
  for (const [params, message] of [
    [{ provider: "github", redirectUri: "http://app/cb" }, 'provider must be "google" or "apple".'],
    [{ redirectUri: "http://app/cb" }, 'provider must be "google" or "apple".'],
    [{ provider: "google", redirectUri: "javascript:alert(1)" }, "redirectUri must be an absolute http(s) URL."],
    [{ provider: "apple", redirectUri: "/cb" }, "redirectUri must be an absolute http(s) URL."],
  ]) {
    const out = b("oauthUrl", params);
    assert.equal(codeOf(out), "config_invalid", show(params));
    assert.equal(messageOf(out), message);
  }
});

test("unknown_ops_are_bad_response", () => {
  for (const op of ["", "logout", "verify", "Signup"]) {
    assert.equal(codeOf(b(op, {})), "bad_response", op);
    assert.equal(codeOf(ans(op, 200, "{}")), "bad_response", op);
  }
});

// ----- answer --------------------------------------------------------------------------

test("token_answers_become_sessions", () => {
  const tok = jwt(T0, 3600);
  for (const op of ["signup", "signupFiles", "login", "verify", "changePasswordLogin"]) {
    const out = ans(op, 200, tokenAnswer(tok, "u1"));
    const s = out.s;
    assert.ok(s, `${op}: ${show(out)}`);
    assert.equal(s.t, tok);
    assert.equal(s.e, (T0 + 3600) * 1000);
    assert.equal(s.u, "u1");
    const js = s.js;
    assert.deepEqual(js.user, { id: "u1", email: "ada@example.com", data: {}, roles: [], createdAt: "" });
    assert.equal(js.accessToken, tok);
    assert.equal(js.expiresAt, (T0 + 3600) * 1000);
    // The record reads back as the same session.
    const r = s.r;
    assert.ok(r.startsWith('{"v":1,'), r);
    assert.deepEqual(core.restore(r), s);
  }
  // Status 201 is a success too.
  assert.ok(ans("signup", 201, tokenAnswer(tok, "u1")).s);
});

test("expiry_follows_the_local_clock", () => {
  // The device is an hour ahead of the server: iat measures the lifetime.
  let tok = jwt(T0, 3600);
  const ahead = NOW + 3_600_000;
  let out = core.answer("login", 200, tokenAnswer(tok, "u1"), "", NaN, ahead, "");
  assert.equal(out.s.e, (T0 + 7200) * 1000);
  // No iat: the Date header gives the server's clock.
  tok = token(`{"exp":${T0 + 100}}`);
  const date = NOW;
  out = core.answer("login", 200, tokenAnswer(tok, "u1"), "", date, ahead, "");
  assert.equal(out.s.e, (T0 + 3600 + 100) * 1000);
  // Neither: exp on the local clock.
  out = core.answer("login", 200, tokenAnswer(tok, "u1"), "", NaN, ahead, "");
  assert.equal(out.s.e, (T0 + 100) * 1000);
});

test("a_second_factor_stores_nothing", () => {
  const body = '{"requires_2fa":true,"message":"Code sent to your email"}';
  for (const op of ["signup", "signupFiles", "login", "verify"]) {
    assert.deepEqual(ans(op, 200, body), { m: "Code sent to your email" }, op);
  }
  assert.deepEqual(ans("login", 200, '{"requires_2fa":true}'), { m: "A second factor is required." });
  // `requires_2fa: false` (or null) with a token is a normal sign-in.
  const tok = jwt(T0, 3600);
  const withNull = '{"requires_2fa":null,' + tokenAnswer(tok, "u1").slice(1);
  assert.ok(ans("login", 200, withNull).s, withNull);
  // Only sign-ins know about a second factor.
  assert.equal(codeOf(ans("refresh", 200, '{"requires_2fa":true}')), "bad_response");
});

test("login_errors_from_both_servers", () => {
  let out = ans("login", 401, '{"detail":"Invalid email or password"}');
  assert.equal(codeOf(out), "invalid_credentials");
  out = ans("login", 400, '{"detail":"An error occured 404: Account with this email does not exist"}');
  assert.deepEqual(out, {
    error: {
      code: "invalid_credentials",
      status: 400,
      message: "Invalid email or password.",
      retryable: false,
      detail: "An error occured 404: Account with this email does not exist",
    },
  });
  out = ans("signup", 409, '{"detail":"User with this email already exists"}');
  assert.equal(codeOf(out), "email_taken");
  assert.equal(messageOf(out), "User with this email already exists");
  assert.equal(codeOf(ans("changePasswordLogin", 401, "")), "invalid_credentials");
});

test("bad_answers_are_typed", () => {
  let out = ans("login", 200, "<html>not json</html>");
  assert.deepEqual(out, {
    error: {
      code: "bad_response",
      status: 200,
      message: "The server sent an answer the client could not read.",
      retryable: false,
    },
  });
  out = ans("login", 200, '{"access_token":null,"user":null}');
  let e = errorOf(out);
  assert.equal(e.code, "bad_response");
  assert.equal(e.status, 0);
  assert.equal(codeOf(ans("login", 200, tokenAnswer("garbage", "u1"))), "bad_response");
  assert.equal(codeOf(ans("login", 200, tokenAnswer(jwt(T0, 3600), ""))), "bad_response");
  out = ans("login", 502, "<html>bad gateway</html>");
  e = errorOf(out);
  assert.equal(e.code, "server_error");
  assert.equal(e.retryable, true);
  assert.equal(e.status, 502);
  assert.equal(e.detail, undefined);
  assert.equal(codeOf(ans("me", 418, "")), "bad_response");
  assert.equal(codeOf(ans("me", 301, "")), "bad_response");
});

test("every_error_shape", () => {
  // FastAPI's list: field errors grouped by field.
  const body =
    '{"detail":[{"loc":["body","email"],"msg":"Field required","type":"missing"},{"loc":["body","password"],"msg":"Too short","type":"value_error"},{"loc":["body","password"],"msg":"No digit","type":"digit"}]}';
  let out = ans("signup", 422, body);
  const e = errorOf(out);
  assert.equal(e.code, "validation_failed");
  assert.equal(e.message, "Field required");
  assert.deepEqual(e.fieldErrors, {
    email: [{ code: "missing", message: "Field required" }],
    password: [
      { code: "value_error", message: "Too short" },
      { code: "digit", message: "No digit" },
    ],
  });
  assert.equal(e.detail.length, 3);
  // A string detail, the `error` key, nothing at all.
  out = ans("me", 413, '{"detail":"Body too large"}');
  assert.deepEqual(out, {
    error: {
      code: "validation_failed",
      status: 413,
      message: "Body too large",
      retryable: false,
      detail: "Body too large",
      fieldErrors: {},
    },
  });
  out = ans("user", 500, '{"error":"boom","traceback":"..."}');
  assert.deepEqual(out, {
    error: {
      code: "server_error",
      status: 500,
      message: "The server had a problem. Please try again.",
      retryable: true,
      detail: "boom",
    },
  });
  out = ans("me", 403, "");
  assert.deepEqual(out, {
    error: { code: "forbidden", status: 403, message: "This action is not allowed.", retryable: false },
  });
  // A missing API key header is unauthorized, not a validation failure.
  out = ans("list", 422, '{"detail":[{"type":"missing","loc":["header","x-api-key"],"msg":"Field required"}]}');
  assert.equal(codeOf(out), "unauthorized");
  assert.equal(errorOf(out).fieldErrors, undefined);
  // A `null` detail is kept as such.
  const nulled = errorOf(ans("me", 404, '{"detail":null}'));
  assert.ok("detail" in nulled, show(nulled));
  assert.equal(nulled.detail, null);
});

test("rate_limits_carry_retry_after", () => {
  const retry = (header) => {
    const e = errorOf(core.answer("me", 429, "{}", header, NaN, NOW, ""));
    assert.equal(e.code, "rate_limited");
    assert.equal(e.retryable, true);
    return e.retryAfter;
  };
  assert.equal(retry("30"), 30);
  assert.equal(retry(" 7 "), 7);
  assert.equal(retry("+5"), 5);
  assert.equal(retry(""), 1);
  assert.equal(retry("soon"), 1);
  assert.equal(retry("-3"), 1);
  assert.equal(retry("1.5"), 1);
  assert.equal(retry("Wed, 21 Oct 2015 07:28:00 GMT"), 1);
  // (Dropped: "18446744073709551615" giving i64::MAX; see the top.) Past 64 bits: none.
  assert.equal(retry("18446744073709551616"), 1);
  // Only on 429.
  const out = core.answer("me", 503, "", "30", NaN, NOW, "");
  assert.equal(errorOf(out).retryAfter, undefined);
});

test("a_dead_token_is_reported_with_its_reason", () => {
  for (const op of ["me", "update", "follow", "unfollow", "changePasswordPatch", "refresh"]) {
    let out = ans(op, 401, '{"detail":"Token has expired"}');
    assert.equal(codeOf(out), "session_expired", op);
    out = ans(op, 401, '{"detail":"Token has been revoked"}');
    assert.equal(codeOf(out), "unauthorized", op);
    assert.equal(errorOf(out).status, 401);
  }
  assert.equal(codeOf(ans("me", 401, '{"detail":"Invalid API key"}')), "unauthorized");
});

test("user_answers_update_the_held_session", () => {
  const current = record();
  const held = core.restore(current);
  const body = '{"id":"u1","email":"ada@example.com","data":{"bio":"hi"},"roles":[],"created_at":"t","extra":1}';
  for (const op of ["me", "update", "follow", "unfollow"]) {
    const j = core.answer(op, 200, body, "", NaN, NOW, current);
    assert.deepEqual(
      j.v,
      { id: "u1", email: "ada@example.com", data: { bio: "hi" }, roles: [], createdAt: "t" },
      op,
    );
    const s = j.s;
    assert.ok(s, `${op}: ${show(j)}`);
    assert.equal(s.t, held.t);
    assert.equal(s.e, held.e);
    assert.equal(s.u, "u1");
    // The raw user is stored, unknown fields included.
    assert.deepEqual(JSON.parse(s.r).user, JSON.parse(body));
    assert.deepEqual(s.js.user, j.v, "the session's user is the answer's");
  }
  // Another user, or no session: the user only.
  const other = '{"id":"u2","email":"b@x.io"}';
  assert.deepEqual(core.answer("me", 200, other, "", NaN, NOW, current), {
    v: { id: "u2", email: "b@x.io", data: {}, roles: [], createdAt: "" },
  });
  assert.equal(core.answer("me", 200, body, "", NaN, NOW, "").s, undefined);
  assert.equal(core.answer("me", 200, body, "", NaN, NOW, "garbage").s, undefined);
  // Not a user.
  for (const bad of ['{"detail":"x"}', '{"id":""}', '{"id":5}', "[]", "null"]) {
    assert.equal(codeOf(ans("me", 200, bad)), "bad_response", bad);
  }
});

test("refresh_keeps_the_held_user_when_the_answer_has_none", () => {
  const current = record();
  const fresh = jwt(T0 + 60, 3600);
  // With a user: that one.
  const body = tokenAnswer(fresh, "u1").replace("ada@example.com", "new@example.com");
  let s = core.answer("refresh", 200, body, "", NaN, NOW, current).s;
  assert.equal(s.t, fresh);
  // Its lifetime (exp - iat) counts from now on the local clock.
  assert.equal(s.e, (T0 + 3600) * 1000);
  assert.equal(s.js.user.email, "new@example.com");
  // Without one (or an unusable one): the held user.
  for (const body of [
    `{"access_token":"${fresh}"}`,
    `{"access_token":"${fresh}","user":null}`,
    `{"access_token":"${fresh}","user":{"id":""}}`,
  ]) {
    const out = core.answer("refresh", 200, body, "", NaN, NOW, current);
    s = out.s;
    assert.ok(s, `${body}: ${show(out)}`);
    assert.equal(s.t, fresh);
    assert.equal(s.u, "u1");
    assert.equal(s.js.user.email, "ada@example.com");
  }
  // Without one and nothing held: unreadable.
  assert.equal(codeOf(ans("refresh", 200, `{"access_token":"${fresh}"}`)), "bad_response");
  // Servers without refresh.
  for (const status of [404, 405]) {
    assert.equal(codeOf(ans("refresh", status, '{"detail":"Not Found"}')), "refresh_unsupported");
  }
});

test("change_password_answers", () => {
  const current = record();
  const fresh = jwt(T0 + 5, 3600);
  const body = `{"message":"Password changed","access_token":"${fresh}"}`;
  const out = core.answer("changePassword", 200, body, "", NaN, NOW, current);
  const s = out.s;
  assert.ok(s, show(out));
  assert.equal(s.t, fresh);
  assert.equal(s.e, (T0 + 3600) * 1000);
  const held = core.restore(current);
  assert.deepEqual(s.js.user, held.js.user);
  // No token, an empty one, or no session held.
  for (const b of ['{"message":"ok"}', '{"access_token":""}']) {
    assert.equal(codeOf(core.answer("changePassword", 200, b, "", NaN, NOW, current)), "bad_response", b);
  }
  assert.equal(codeOf(ans("changePassword", 200, body)), "session_missing");
  // The errors the JS shell acts on.
  assert.equal(
    codeOf(ans("changePassword", 400, '{"detail":"Current password is incorrect"}')),
    "invalid_credentials",
  );
  for (const status of [404, 405]) {
    assert.equal(errorOf(ans("changePassword", status, '{"detail":"Not Found"}')).status, status);
  }
  // The fallback: a login, then a patch whose answer only needs to be JSON.
  const login = core.answer("changePasswordLogin", 200, tokenAnswer(fresh, "u1"), "", NaN, NOW, current);
  assert.equal(login.s.t, fresh);
  assert.equal(
    codeOf(ans("changePasswordLogin", 400, '{"detail":"An error occured 400: Invalid password value"}')),
    "invalid_credentials",
  );
  assert.deepEqual(ans("changePasswordPatch", 200, '{"id":"u1"}'), {});
  assert.deepEqual(ans("changePasswordPatch", 200, "[]"), {});
  assert.equal(codeOf(ans("changePasswordPatch", 200, "")), "bad_response");
  assert.equal(
    codeOf(ans("changePasswordPatch", 400, '{"detail":"Use change-password to change a password"}')),
    "validation_failed",
  );
});

test("lists_and_public_users", () => {
  let out = ans(
    "list",
    200,
    '{"data":[{"id":"u1","email":"a@x.io","data":{},"roles":["r"],"created_at":"t"},{"nope":1}],"total":3,"limit":1,"offset":0,"has_more":true}',
  );
  assert.deepEqual(out, {
    v: {
      users: [{ id: "u1", email: "a@x.io", data: {}, roles: ["r"], createdAt: "t" }],
      total: 3,
      limit: 1,
      offset: 0,
      hasMore: true,
    },
  });
  // The other server's key, and missing counts.
  const v = ans("list", 200, '{"users":[{"id":"a"},{"id":"b"}]}').v;
  assert.equal(v.total, 2);
  assert.equal(v.limit, 0);
  assert.equal(v.hasMore, false);
  for (const bad of ["{}", '{"data":{}}', "[]"]) {
    assert.equal(codeOf(ans("list", 200, bad)), "bad_response", bad);
  }
  out = ans("user", 200, '{"id":"u/2","data":{"n":1},"created_at":"t","roles":[],"email":"leak@x.io"}');
  assert.deepEqual(out, { v: { id: "u/2", data: { n: 1 }, roles: [], createdAt: "t" } });
  // A public profile never updates the session, even for the same user.
  out = core.answer("user", 200, '{"id":"u1"}', "", NaN, NOW, record());
  assert.ok(out.v, show(out));
  assert.equal(out.s, undefined);
  assert.equal(codeOf(ans("user", 200, '{"name":"x"}')), "bad_response");
  assert.equal(codeOf(ans("user", 404, '{"detail":"User not found"}')), "not_found");
});

test("oauth_url_answers", () => {
  assert.deepEqual(ans("oauthUrl", 200, '{"url":"https://accounts.example/auth?x=1"}'), {
    v: "https://accounts.example/auth?x=1",
  });
  for (const bad of ['{"url":"javascript:alert(1)"}', '{"url":5}', "{}"]) {
    assert.equal(codeOf(ans("oauthUrl", 200, bad)), "bad_response", bad);
  }
  assert.equal(codeOf(ans("oauthUrl", 404, '{"detail":"Unknown provider"}')), "not_found");
  assert.equal(codeOf(ans("verify", 400, '{"detail":"Invalid or expired code"}')), "oauth_invalid_callback");
});

// ----- the stored session ----------------------------------------------------------------

test("restore_reads_only_well_formed_records", () => {
  const r = record();
  const s = core.restore(r);
  assert.equal(s.r, r);
  assert.equal(s.u, "u1");
  for (const junk of ["", "{not json", "null", '{"v":1}', "[1]", "undefined"]) {
    assert.equal(core.restore(junk), null, junk);
  }
  const v2 = r.replace('"v":1', '"v":2');
  assert.notEqual(v2, r);
  assert.equal(core.restore(v2), null);
  // Added: a record as the Rust core wrote it (`Session::to_record`) still reads.
  const tok = jwt(T0, 3600);
  const rust = `{"v":1,"access_token":"${tok}","user":{"id":"u1","email":"ada@example.com","data":{"n":1.5},"roles":["a"],"created_at":"t","extra":true},"expires_at":${(T0 + 3600) * 1000}}`;
  assert.deepEqual(core.restore(rust), {
    r: rust,
    t: tok,
    e: (T0 + 3600) * 1000,
    u: "u1",
    js: {
      user: { id: "u1", email: "ada@example.com", data: { n: 1.5 }, roles: ["a"], createdAt: "t" },
      accessToken: tok,
      expiresAt: (T0 + 3600) * 1000,
    },
  });
});

test("adopt_takes_the_official_sdk_session", () => {
  const t = token(`{"userId":"u9","exp":${T0 + 3600}}`);
  const s = core.adopt(t, '{"id":"u9","email":"z@x.io","data":{}}');
  assert.ok(s, show(s));
  assert.equal(s.u, "u9");
  assert.equal(s.t, t);
  assert.equal(s.e, (T0 + 3600) * 1000);
  // The SDK may have stored the token JSON-quoted.
  assert.deepEqual(core.adopt(`"${t}"`, '{"id":"u9"}'), core.adopt(t, '{"id":"u9"}'));
  assert.ok(core.adopt(t, '{"id":"u9"}'));
  assert.equal(core.adopt(t, ""), null);
  assert.equal(core.adopt(t, "not json"), null);
  assert.equal(core.adopt("x", '{"id":"u9"}'), null);
});

// ----- sign-in by redirect -------------------------------------------------------------

/** The states of stored flows (each checked well-formed, as `read_flows` would). */
function readFlowsText(text) {
  if (text === "") return [];
  const list = JSON.parse(text);
  assert.ok(Array.isArray(list), text);
  for (const f of list) {
    assert.equal(typeof f.state, "string", text);
    assert.equal(typeof f.provider, "string", text);
    assert.equal(typeof f.redirect_uri, "string", text);
    assert.ok(Number.isInteger(f.created_at), text);
  }
  return list.map((f) => f.state);
}

function start(flows, state, provider, now) {
  const out = core.oauthStart(
    flows,
    state,
    provider,
    "http://app/cb",
    now,
    "http://127.0.0.1:9/authorize?redirect_uri=http%3A%2F%2Fapp%2Fcb",
  );
  assert.equal(typeof out.f, "string", show(out));
  assert.equal(typeof out.v, "string", show(out));
  return [out.f, out.v];
}

test("oauth_start_adds_state_and_remembers_the_flow", () => {
  let [flows, url] = start("", "s1", "google", NOW);
  assert.equal(url, "http://127.0.0.1:9/authorize?redirect_uri=http%3A%2F%2Fapp%2Fcb&state=s1");
  assert.deepEqual(JSON.parse(flows), [
    { state: "s1", provider: "google", redirect_uri: "http://app/cb", created_at: 1700000000000 },
  ]);
  [flows] = start(flows, "s2", "apple", NOW + 1);
  assert.equal(readFlowsText(flows).length, 2);
  // Garbage flows are none.
  [flows] = start("garbage", "s3", "google", NOW);
  assert.equal(readFlowsText(flows).length, 1);
  const out = core.oauthStart("", "a b", "google", "http://app/cb", NOW, "http://h/x#f");
  assert.equal(out.v, "http://h/x?state=a%20b#f");
});

test("oauth_callback_builds_the_verify_request_once", () => {
  const [flows] = start("", "s1", "apple", NOW);
  let out = core.oauthCallback("http://app/cb?code=c1&state=s1#top", flows, NOW + 1000);
  assert.ok(out && out.q, show(out));
  assert.deepEqual(
    { ...out, q: parsedBody(out.q) },
    {
      c: "http://app/cb#top",
      f: "",
      q: { m: "POST", p: "/verify-apple-login", b: { code: "c1", redirect_uri: "http://app/cb" } },
    },
  );
  // Its answer is read as `verify`.
  assert.equal(out.q.a, undefined);
  // Reloading the same URL: the state is used up.
  out = core.oauthCallback("http://app/cb?code=c1&state=s1", "", NOW);
  assert.deepEqual(out, {
    c: "http://app/cb",
    f: "",
    error: {
      code: "oauth_state_mismatch",
      status: 0,
      message: "The sign-in answer does not match a sign-in started here.",
      retryable: false,
    },
  });
  // No OAuth answer at all.
  assert.equal(core.oauthCallback("http://app/cb", flows, NOW), null);
  assert.equal(core.oauthCallback("http://app/cb?state=s1", flows, NOW), null);
  assert.equal(core.oauthCallback("http://app/cb#/settings", flows, NOW), null);
});

test("oauth_callback_failures", () => {
  let [flows] = start("", "good", "google", NOW);
  [flows] = start(flows, "s2", "google", NOW);
  // Tampered state: the other flows stay.
  let out = core.oauthCallback("http://app/cb?code=x&state=evil", flows, NOW);
  assert.equal(codeOf(out), "oauth_state_mismatch");
  assert.deepEqual(JSON.parse(out.f), JSON.parse(flows));
  // Denied at the provider: its description is the message, its error the detail.
  out = core.oauthCallback(
    "http://app/cb?error=access_denied&error_description=No%20thanks&state=s2",
    flows,
    NOW,
  );
  const e = errorOf(out);
  assert.equal(e.code, "oauth_denied");
  assert.equal(e.message, "No thanks");
  assert.equal(e.detail, "access_denied");
  assert.equal(out.c, "http://app/cb");
  // The used flow is gone, the other one left.
  assert.deepEqual(readFlowsText(out.f), ["good"]);
  out = core.oauthCallback("http://app/cb?error=access_denied&state=good", flows, NOW);
  assert.equal(messageOf(out), "Sign-in was cancelled or denied.");
  // No code.
  out = core.oauthCallback("http://app/cb#code=&state=good", flows, NOW);
  assert.equal(codeOf(out), "oauth_invalid_callback");
  // Expired flow.
  const late = NOW + FLOW_TTL_MS + 1;
  out = core.oauthCallback("http://app/cb?code=x&state=good", flows, late);
  assert.equal(codeOf(out), "oauth_state_mismatch");
  assert.equal(out.f, "");
});

// ===== error.rs ==========================================================================
// `decode_error(endpoint, ...)` through `answer(op, ...)`: Signup = "signup", Login =
// "login", User = "me", ChangePassword = "changePassword", Refresh = "refresh",
// OAuthUrl = "oauthUrl", OAuthVerify = "verify", Public = "user".

test("error.rs: emulator_and_hosted_statuses_map_to_one_code", () => {
  const cases = [
    ["login", 401, '{"detail":"Invalid email or password"}', "invalid_credentials"],
    ["login", 400, '{"detail":"An error occured 400: Invalid password value"}', "invalid_credentials"],
    ["login", 400, '{"detail":"An error occured 404: Account with this email does not exist"}', "invalid_credentials"],
    ["login", 400, '{"detail":"This account signs in with Google"}', "invalid_credentials"],
    ["signup", 409, '{"detail":"User with this email already exists"}', "email_taken"],
    ["signup", 400, '{"detail":"User with this email already exists"}', "email_taken"],
    ["me", 401, '{"detail":"Token has expired"}', "session_expired"],
    ["me", 401, '{"detail":"Token has been revoked"}', "unauthorized"],
    ["me", 401, '{"detail":"Invalid API key"}', "unauthorized"],
    [
      "user",
      422,
      '{"detail":[{"type":"missing","loc":["header","x-api-key"],"msg":"Field required"}]}',
      "unauthorized",
    ],
    ["user", 404, '{"detail":"User not found"}', "not_found"],
    ["user", 500, `{"error":"'NoneType' object","traceback":"Traceback..."}`, "server_error"],
    ["signup", 422, '{"detail":[{"loc":["body","email"],"msg":"Field required","type":"missing"}]}', "validation_failed"],
    ["me", 413, '{"detail":"Body too large"}', "validation_failed"],
    ["me", 400, '{"detail":"Use change-password to change a password"}', "validation_failed"],
    ["changePassword", 400, '{"detail":"Current password is incorrect"}', "invalid_credentials"],
    ["changePassword", 404, '{"detail":"Not Found"}', "not_found"],
    ["refresh", 404, '{"detail":"Not Found"}', "refresh_unsupported"],
    ["refresh", 405, "", "refresh_unsupported"],
    ["refresh", 401, '{"detail":"Token has expired"}', "session_expired"],
    ["verify", 400, '{"detail":"Invalid or expired code"}', "oauth_invalid_callback"],
    ["oauthUrl", 404, '{"detail":"Unknown provider"}', "not_found"],
    ["me", 403, '{"detail":"Request origin not allowed for this project"}', "forbidden"],
    ["me", 429, '{"detail":"Rate limit exceeded"}', "rate_limited"],
    ["me", 502, "<html><body>Bad gateway</body></html>", "server_error"],
    ["me", 503, "", "server_error"],
    ["me", 418, "", "bad_response"],
  ];
  for (const [op, status, body, want] of cases) {
    assert.equal(codeOf(ans(op, status, body)), want, `${op} ${status} ${body}`);
  }
});

test("error.rs: messages_and_details", () => {
  let e = errorOf(ans("signup", 409, '{"detail":"User with this email already exists"}'));
  assert.equal(e.message, "User with this email already exists");
  assert.equal(e.detail, "User with this email already exists");
  assert.equal(e.status, 409);
  assert.equal(e.retryable, false);

  e = errorOf(ans("login", 400, '{"detail":"An error occured 400: Invalid password value"}'));
  assert.equal(e.message, "Invalid email or password.");
  assert.notEqual(e.detail, undefined);

  // A traceback is never shown as the message.
  e = errorOf(ans("me", 500, '{"error":"boom","traceback":"File x"}'));
  assert.equal(e.message, "The server had a problem. Please try again.");
  assert.equal(e.detail, "boom");
  assert.equal(e.retryable, true);

  e = errorOf(ans("me", 502, "<html>proxy</html>"));
  assert.equal(e.detail, undefined);
  assert.equal(e.code, "server_error");
});

test("error.rs: rate_limits_carry_retry_after", () => {
  let e = errorOf(core.answer("login", 429, "", "17", NaN, NOW, ""));
  assert.deepEqual([e.code, e.retryAfter, e.retryable], ["rate_limited", 17, true]);
  e = errorOf(core.answer("login", 429, "", "", NaN, NOW, ""));
  assert.equal(e.retryAfter, 1);
});

test("error.rs: detail_lists_become_field_errors", () => {
  let body = `{"detail":[
            {"loc":["body","email"],"msg":"Field required","type":"missing"},
            {"loc":["body","password"],"msg":"Too short","type":"value_error.too_short"},
            {"loc":["body","password"],"msg":"No digit","type":"value_error.missing_digit"},
            {"msg":"odd"}]}`;
  let e = errorOf(ans("signup", 422, body));
  assert.equal(e.code, "validation_failed");
  assert.equal(e.message, "Field required");
  assert.deepEqual(e.fieldErrors, {
    email: [{ code: "missing", message: "Field required" }],
    password: [
      { code: "value_error.too_short", message: "Too short" },
      { code: "value_error.missing_digit", message: "No digit" },
    ],
    "": [{ code: "invalid", message: "odd" }],
  });
  // A number in `loc` names a field too; fields keep the order they first appear in.
  body = '{"detail":[{"loc":["body",0],"msg":"a"},{"loc":["x"],"msg":"b"},{"loc":["body",0],"msg":"c"}]}';
  e = errorOf(ans("signup", 422, body));
  assert.deepEqual(e.fieldErrors, {
    0: [
      { code: "invalid", message: "a" },
      { code: "invalid", message: "c" },
    ],
    x: [{ code: "invalid", message: "b" }],
  });
  assert.deepEqual(Object.keys(e.fieldErrors), ["0", "x"]);
});

test("error.rs: every_code_has_a_distinct_name", () => {
  const all = [
    "config_invalid",
    "secret_key_in_browser",
    "validation_failed",
    "invalid_credentials",
    "email_taken",
    "unauthorized",
    "session_missing",
    "session_expired",
    "forbidden",
    "not_found",
    "rate_limited",
    "network_error",
    "timeout",
    "server_error",
    "bad_response",
    "refresh_unsupported",
    "oauth_denied",
    "oauth_state_mismatch",
    "oauth_invalid_callback",
  ];
  for (const c of all) assert.equal(core.error(c).code, c);
  assert.equal(core.error("nope").code, "bad_response");
  assert.equal(new Set(all).size, 19);
  const messages = all.map((c) => core.error(c).message);
  assert.ok(messages.every((m) => typeof m == "string" && m.length > 0), show(messages));
});

// ===== session.rs ========================================================================

/** A token answer of session.rs: every field of a hosted user, and a `requires_2fa: null`. */
const sessionAnswer = (tok) =>
  `{"user":{"id":"u1","email":"a@b.co","data":{"x":1},"roles":["admin"],"created_at":"2026-01-01T00:00:00Z","client_id":"p","email_verified":false,"oauth_provider":null,"extra":true},"requires_2fa":null,"access_token":${show(tok)}}`;

test("session.rs: record_round_trip", () => {
  const t = token('{"exp":1700000100,"iat":1700000000}');
  const s = core.answer("login", 200, sessionAnswer(t), "", NaN, 5_000, "").s;
  assert.ok(s);
  assert.equal(s.e, 105_000);
  assert.equal(s.u, "u1");
  const back = core.restore(s.r);
  assert.deepEqual(back, s);
});

test("session.rs: unreadable_records_are_none", () => {
  const t = token('{"exp":1700000100,"iat":1700000000}');
  const good = core.answer("login", 200, sessionAnswer(t), "", NaN, 0, "").s.r;
  assert.ok(core.restore(good));
  const edited = (from, to) => {
    const text = good.replace(from, to);
    assert.notEqual(text, good, `no ${from} in ${good}`);
    return text;
  };
  const bad = [
    "",
    "{",
    "null",
    "[]",
    edited('"v":1', '"v":2'),
    edited('"v":1,', ""),
    edited('"id":"u1"', '"id":7'),
    edited('"expires_at":', '"expires_at":"x","y":'),
    '{"v":1,"access_token":"","user":{"id":"u"},"expires_at":1}',
    "undefined",
  ];
  for (const text of bad) assert.equal(core.restore(text), null, text);
});

test("session.rs: token_answers_need_a_token_and_a_user", () => {
  const t = token('{"exp":1700000100}');
  assert.ok(core.answer("login", 200, sessionAnswer(t), "", NaN, 0, "").s);
  const noUser = JSON.parse(sessionAnswer(t));
  noUser.user = null;
  assert.equal(codeOf(core.answer("login", 200, JSON.stringify(noUser), "", NaN, 0, "")), "bad_response");
  // (A second-factor answer is no session: for a sign-in it is `{m}`, see
  // a_second_factor_stores_nothing; for a refresh it is unreadable.)
  const twoFa = '{"requires_2fa":true,"message":"Code sent"}';
  assert.equal(codeOf(core.answer("refresh", 200, twoFa, "", NaN, 0, "")), "bad_response");
  assert.equal(codeOf(core.answer("login", 200, sessionAnswer("garbage"), "", NaN, 0, "")), "bad_response");
});

test("session.rs: adopts_the_official_sdk_session", () => {
  let t = token('{"userId":"u1","email":"a@b.co","exp":1700000100}');
  let s = core.adopt(t, '{"id":"u1","email":"a@b.co","data":{}}');
  assert.equal(s.e, 1_700_000_100_000);
  // With an iat too (our emulator's tokens): still exp on the local clock.
  t = token('{"exp":1700000100,"iat":1699000000}');
  s = core.adopt(t, '{"id":"u1"}');
  assert.equal(s.e, 1_700_000_100_000);
  assert.equal(core.adopt(t, "not json"), null);
  assert.equal(core.adopt("x", '{"id":"u1"}'), null);
});

// `write_user` through a user answer (`me`), `write_public_user` through `user`.
test("session.rs: shapes_for_javascript", () => {
  // An OAuth answer of the hosted service: no roles, client_id, email_verified; null created_at.
  let u = '{"id":"u","email":"e@x.io","data":{"name":"N"},"oauth_provider":"google","created_at":null}';
  assert.deepEqual(ans("me", 200, u).v, {
    id: "u",
    email: "e@x.io",
    data: { name: "N" },
    roles: [],
    createdAt: "",
    oauthProvider: "google",
  });
  u = '{"id":"u","email":"e@x.io","data":[1],"roles":["a",3],"created_at":"t","email_verified":true}';
  assert.deepEqual(ans("me", 200, u).v, {
    id: "u",
    email: "e@x.io",
    data: {},
    roles: ["a"],
    createdAt: "t",
    emailVerified: true,
  });
  assert.deepEqual(ans("user", 200, u).v, { id: "u", data: {}, roles: ["a"], createdAt: "t" });
});

// ===== token.rs ==========================================================================
// `claims` and `local_expiry` through `answer("login", ...)`: a token whose claims
// cannot be read is a `bad_response`; `.s.e` is the local expiry.

const loginWith = (tok, now = NOW, date = NaN) => core.answer("login", 200, tokenAnswer(tok, "u1"), "", date, now, "");

test("token.rs: reads_exp_and_iat", () => {
  // With iat: the lifetime (exp - iat) from now.
  let t = token('{"userId":"u1","exp":1700000100,"iat":1700000000}');
  assert.equal(loginWith(t, 5_000).s.e, 105_000);
  // Without: exp itself.
  t = token('{"exp":1700000100}');
  assert.equal(loginWith(t, 5_000).s.e, 1_700_000_100_000);
});

test("token.rs: garbage_is_none_never_a_panic", () => {
  const good = token('{"exp":1700000100}');
  assert.ok(loginWith(good).s);
  const [header, payload] = good.split(".");
  assert.equal(payload.length % 4, 0); // so that one more symbol is a lone one
  const other = b64('{"exp":1700000100,"a":12}');
  assert.equal(other.length % 4, 2); // so that a space leaves no lone symbol
  assert.ok(loginWith(`${header}.${other}.c2ln`).s);
  const spaced = `${header}.${other.slice(0, 8)} ${other.slice(8)}.c2ln`;
  const bad = [
    "",
    "a.b",
    "a.b.c.d",
    "x.!!!.y",
    token("not json"),
    token('{"exp":"soon"}'),
    token('{"iat":1}'),
    token("[1,2]"),
    token('{"exp":1e400}'),
    "é.é.é",
    "..",
    // Added: a good token with a 4th part, or without its 3rd.
    `${good}.d`,
    `${header}.${payload}`,
    // Added: `base64url_decode("a b")` and `("a")`: a space (in a payload that is not
    // left with a lone symbol by it), a lone trailing symbol.
    spaced,
    `${header}.${payload}A.c2ln`,
  ];
  for (const t of bad) {
    assert.equal(codeOf(loginWith(t)), "bad_response", t);
  }
  // An exp whose milliseconds do not fit 64 bits.
  assert.equal(codeOf(loginWith(token('{"exp":9223372036854775807}'))), "bad_response");
});

test("token.rs: expiry_follows_the_local_clock", () => {
  // The device clock is 1 hour ahead of the server.
  const localNow = 1_700_003_600_000;
  let t = token('{"exp":1700000100,"iat":1700000000}');
  assert.equal(loginWith(t, localNow).s.e, localNow + 100_000);
  // No iat: the Date header gives the server's clock.
  t = token('{"exp":1700000100}');
  assert.equal(loginWith(t, localNow, 1_700_000_000_000).s.e, localNow + 100_000);
  // Neither: exp against the local clock.
  assert.equal(loginWith(t, localNow).s.e, 1_700_000_100_000);
});

test("token.rs: base64_variants", () => {
  // A payload whose encoding has both symbols 62 and 63, and padding in standard form.
  const payload = '{"exp":1700000100,"x":"??>>"}';
  const url = b64(payload);
  const std = Buffer.from(payload).toString("base64");
  assert.ok(/[-]/.test(url) && /_/.test(url) && !url.endsWith("="), url);
  assert.ok(/\+/.test(std) && /\//.test(std) && std.endsWith("="), std);
  const head = b64('{"alg":"HS256","typ":"JWT"}');
  for (const p of [url, std, `${url}=`, std.replace(/=+$/, "")]) {
    const s = loginWith(`${head}.${p}.c2ln`).s;
    assert.ok(s, p);
    assert.equal(s.e, 1_700_000_100_000, p);
  }
  // The test helper itself.
  assert.equal(b64("hello world"), "aGVsbG8gd29ybGQ");
});

// ===== oauth.rs ==========================================================================
// `parse_callback` and `clean_url` through `oauthCallback`: a URL with no answer gives
// null; otherwise `.c` is the cleaned URL, and what the answer carried shows in the
// verify request (code), the error (error, error_description) and which stored flow
// matched (state).

/** `{code, state, error, desc}`, absent members for `None`. */
const cb = (code, state, error, desc) => ({ code, state, error, desc });

function checkCallback(url, want, cleaned) {
  const flows = want && want.state !== undefined ? start("", want.state, "google", NOW)[0] : "";
  const out = core.oauthCallback(url, flows, NOW + 1);
  if (!want) {
    assert.equal(out, null, `parse ${url}`);
    return;
  }
  assert.ok(out && typeof out == "object", `parse ${url}: ${show(out)}`);
  assert.equal(out.c, cleaned, `clean ${url}`);
  if (want.state === undefined) {
    assert.equal(codeOf(out), "oauth_state_mismatch", url);
    return;
  }
  // The state matched the flow stored under it (decoded as expected).
  assert.equal(out.f, "", url);
  if (want.error !== undefined) {
    const e = errorOf(out);
    assert.equal(e.code, "oauth_denied", url);
    assert.equal(e.detail, want.error, url);
    assert.equal(e.message, want.desc === undefined ? "Sign-in was cancelled or denied." : want.desc, url);
  } else if (want.code === "") {
    assert.equal(codeOf(out), "oauth_invalid_callback", url);
  } else {
    assert.ok(out.q, `${url}: ${show(out)}`);
    assert.deepEqual(
      parsedBody(out.q),
      { m: "POST", p: "/verify-google-login", b: { code: want.code, redirect_uri: "http://app/cb" } },
      url,
    );
  }
}

/** (URL, what it carries, the cleaned URL) */
test("oauth.rs: callback_urls", () => {
  const table = [
    ["https://app.io/cb?code=abc&state=s1", cb("abc", "s1"), "https://app.io/cb"],
    ["https://app.io/cb#code=abc&state=s1", cb("abc", "s1"), "https://app.io/cb"],
    ["https://app.io/cb#?code=abc&state=s1", cb("abc", "s1"), "https://app.io/cb"],
    ["https://app.io/cb?code=q&state=s#code=f", cb("q", "s"), "https://app.io/cb"],
    ["https://app.io/cb?code=q#state=fromhash", cb("q", "fromhash"), "https://app.io/cb"],
    ["https://app.io/cb?tab=2&code=a&state=s&x=y", cb("a", "s"), "https://app.io/cb?tab=2&x=y"],
    ["https://app.io/cb?code=a&state=s#/settings", cb("a", "s"), "https://app.io/cb#/settings"],
    ["https://app.io/cb?code=a&state=s#top", cb("a", "s"), "https://app.io/cb#top"],
    ["https://app.io/cb?code=a%2Bb%20c&state=s%3D1", cb("a+b c", "s=1"), "https://app.io/cb"],
    ["https://app.io/cb?code=a+b&state=s", cb("a b", "s"), "https://app.io/cb"],
    ["https://app.io/cb?code=first&code=second&state=s", cb("first", "s"), "https://app.io/cb"],
    [
      "https://app.io/cb?error=access_denied&error_description=User%20said%20no&state=s",
      cb(undefined, "s", "access_denied", "User said no"),
      "https://app.io/cb",
    ],
    ["https://app.io/cb?error=access_denied", cb(undefined, undefined, "access_denied"), "https://app.io/cb"],
    ["https://app.io/cb?state=s", null, "https://app.io/cb"],
    ["https://app.io/cb", null, "https://app.io/cb"],
    ["https://app.io/cb?", null, "https://app.io/cb"],
    ["https://app.io/cb?x=1&y=2#z=3", null, "https://app.io/cb?x=1&y=2#z=3"],
    ["https://app.io/cb?code=&state=s", cb("", "s"), "https://app.io/cb"],
    ["https://app.io/cb?code=%ZZ&state=%", cb("%ZZ", "%"), "https://app.io/cb"],
    ["https://app.io/cb?code=%E2%9C%93&state=s", cb("✓", "s"), "https://app.io/cb"],
    ["https://app.io/cb?code=%FF&state=s", cb("\uFFFD", "s"), "https://app.io/cb"],
    ["https://app.io/cb?%63ode=enc&state=s", cb("enc", "s"), "https://app.io/cb"],
    ["https://app.io/cb?codes=1&statement=2", null, "https://app.io/cb?codes=1&statement=2"],
    ["https://app.io/cb?&&code=a&&state=s&&", cb("a", "s"), "https://app.io/cb"],
    ["/relative?code=a&state=s", cb("a", "s"), "/relative"],
    ["https://app.io/cb?code&state=s", cb("", "s"), "https://app.io/cb"],
  ];
  assert.ok(table.length >= 20);
  // Found by fuzz/fuzz_targets/oauth.rs: clean_url must remove every answer. (Whether
  // the URL itself carries an answer, as parse_callback reads it, is the third column.)
  for (const [url, cleaned, answers] of [
    ["https://app.io/docs#error", "https://app.io/docs#error", false],
    ["https://app.io/docs#code", "https://app.io/docs#code", false],
    ["https://app.io/cb#code=1&?error=x", "https://app.io/cb", true],
    ["https://app.io/cb#?state=s&??code=1", "https://app.io/cb", false],
    ["https://app.io/cb#?a=1&code=2", "https://app.io/cb#?a=1", true],
    ["https://app.io/cb#code=1&?x=2", "https://app.io/cb#?x=2", true],
    ["https://app.io/cb#code=1&?&?x=2", "https://app.io/cb#?x=2", true],
  ]) {
    const out = core.oauthCallback(url, "", NOW);
    if (answers) assert.equal(out && out.c, cleaned, `clean ${url}`);
    else assert.equal(out, null, `parse ${url}`);
    assert.equal(core.oauthCallback(cleaned, "", NOW), null, `answer left in ${url}`);
  }
  assert.equal(core.oauthCallback("https://app.io/docs#error", "", NOW), null);
  for (const [url, want, cleaned] of table) checkCallback(url, want, cleaned);
});

// `encode_component` through the paths `build` writes.
test("oauth.rs: encodes_components", () => {
  assert.equal(b("user", "a b&c=d/é~").p, "/users/a%20b%26c%3Dd%2F%C3%A9~");
  assert.equal(b("user", "../x").p, "/users/..%2Fx");
  // Added: everything but RFC 3986 unreserved is encoded, `!'()*` too.
  assert.equal(b("user", "!'()*").p, "/users/%21%27%28%29%2A");
  assert.equal(b("list", { role: "!'()*" }).p, "/users?role=%21%27%28%29%2A");
});

// `with_state` through `oauthStart(...).v`.
test("oauth.rs: state_is_added_to_the_query", () => {
  const withState = (url, state) => core.oauthStart("", state, "google", "http://a/cb", NOW, url).v;
  assert.equal(withState("http://h/a?x=1", "s"), "http://h/a?x=1&state=s");
  assert.equal(withState("http://h/a", "s/1"), "http://h/a?state=s%2F1");
  assert.equal(withState("http://h/a#frag", "s"), "http://h/a?state=s#frag");
});

// `push_flow`, `take_flow`, `read_flows` and `write_flows` through `oauthStart` and
// `oauthCallback`.
test("oauth.rs: flows_are_single_use_and_expire", () => {
  const push = (flows, state, t) => core.oauthStart(flows, state, "google", "http://a/cb", t, "http://x/auth").f;
  const f = (state, t) => ({ state, provider: "google", redirect_uri: "http://a/cb", created_at: t });
  /** `oauthCallback` for `state` (none when undefined) at `now`. */
  const take = (flows, state, now) =>
    core.oauthCallback(`http://a/cb?code=c${state === undefined ? "" : `&state=${state}`}`, flows, now);
  const listOf = (text) => (text === "" ? [] : JSON.parse(text));
  const flows = push(push("", "a", 0), "b", 1000);
  assert.deepEqual(listOf(flows), [f("a", 0), f("b", 1000)]);
  let out = take(flows, "a", 5000);
  assert.ok(out.q, show(out));
  assert.deepEqual(JSON.parse(out.q.b), { code: "c", redirect_uri: "http://a/cb" });
  const rest = out.f;
  assert.deepEqual(listOf(rest), [f("b", 1000)]);
  assert.equal(codeOf(take(rest, "a", 5000)), "oauth_state_mismatch");
  out = take(flows, "b", 1000 + FLOW_TTL_MS);
  assert.equal(codeOf(out), "oauth_state_mismatch");
  assert.equal(out.f, "");
  assert.equal(codeOf(take(flows, undefined, 0)), "oauth_state_mismatch");
  assert.equal(codeOf(take(flows, "zz", 0)), "oauth_state_mismatch");
  // A flow from the future (a clock set back) is refused too.
  assert.equal(codeOf(take(flows, "b", 999)), "oauth_state_mismatch");
  // Garbage and nothing read as no flows.
  assert.deepEqual(listOf(push('"garbage"', "n", 0)), [f("n", 0)]);
  assert.deepEqual(listOf(push("garbage", "n", 0)), [f("n", 0)]);
  assert.deepEqual(listOf(push("null", "n", 0)), [f("n", 0)]);
  const partial =
    '[{"state":"x"},{"state":"y","provider":"apple","redirect_uri":"u","created_at":5},7]';
  assert.deepEqual(listOf(push(partial, "n", 6)), [
    { state: "y", provider: "apple", redirect_uri: "u", created_at: 5 },
    f("n", 6),
  ]);
  let many = "";
  for (let i = 0; i < 9; i++) many = push(many, String(i), i);
  const states = listOf(many).map((x) => x.state);
  assert.deepEqual(states, ["4", "5", "6", "7", "8"]);
  // Expired ones go first.
  assert.deepEqual(listOf(push(push("", "old", 0), "new", FLOW_TTL_MS)), [f("new", FLOW_TTL_MS)]);
});

// ===== config.rs =========================================================================
// `config::check` and `is_secret_key` through `options`.

test("config.rs: defaults_and_trailing_slash", () => {
  assert.equal(core.options({ apiKey: "pk_test_x" }).baseUrl, DEFAULT_BASE);
  assert.equal(core.options({ apiKey: "pk_test_x", baseUrl: "http://127.0.0.1:8787//" }).baseUrl, "http://127.0.0.1:8787");
  assert.equal(core.options({ apiKey: "pk_test_x" }).marginMs, 60_000);
});

test("config.rs: bad_options_are_config_invalid", () => {
  for (const [key, url] of [
    ["", undefined],
    ["  ", undefined],
    ["pk x", undefined],
    ["pk", "ftp://x"],
    ["pk", "127.0.0.1:8787"],
    ["pk", "http://"],
    ["pk", "http:///path"],
    ["pk", "https://a b"],
    ["pk", "javascript:alert(1)"],
  ]) {
    assert.equal(codeOf(core.options({ apiKey: key, baseUrl: url })), "config_invalid", show([key, url]));
  }
});

test("config.rs: secret_keys", () => {
  assert.equal(codeOf(core.options({ apiKey: "sk_live_abc" })), "secret_key_in_browser");
  assert.equal(codeOf(core.options({ apiKey: "sk_test_abc" })), "secret_key_in_browser");
  assert.equal(core.options({ apiKey: "pk_test_abc" }).apiKey, "pk_test_abc");
  assert.equal(core.options({ apiKey: "sk_other" }).apiKey, "sk_other");
});

// ----- found in review, after the port -------------------------------------------------

test("added: a field named like an Object member is a field like any other", () => {
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    const body = JSON.stringify({ detail: [{ loc: ["body", name], msg: "bad" }, { loc: ["body", name], msg: "worse" }] });
    const e = errorOf(ans("signup", 422, body));
    assert.equal(e.code, "validation_failed");
    assert.ok(Object.hasOwn(e.fieldErrors, name), name);
    assert.deepEqual(e.fieldErrors[name].map((r) => r.message), ["bad", "worse"], name);
    assert.equal(Object.getPrototypeOf(e.fieldErrors), Object.prototype, "still a plain object");
  }
});

test("added: JSON too deep to write back is unreadable, not an exception", () => {
  const deep = "[".repeat(20000) + "]".repeat(20000);
  const user = `{"id":"u1","email":"a@b.co","data":{"x":${deep}}}`;
  const record = `{"v":1,"access_token":"${jwt(T0, 3600)}","user":${user},"expires_at":${NOW + 3_600_000}}`;
  assert.equal(core.restore(record), null);
  assert.equal(core.adopt(jwt(T0, 3600), user), null);
  assert.equal(errorOf(ans("login", 200, `{"access_token":"${jwt(T0, 3600)}","user":${user}}`)).code, "bad_response");
  assert.equal(errorOf(ans("me", 200, user)).code, "bad_response");
});

test("added: an expiry a stored record could not hold is no expiry", () => {
  // exp - iat overflows 64-bit milliseconds: the Rust core's checked arithmetic refused it.
  const t = token('{"exp":9223372036854775,"iat":-9223372036854775}');
  assert.equal(errorOf(ans("login", 200, `{"access_token":"${t}","user":{"id":"u1"}}`)).code, "bad_response");
  const viaDate = token('{"exp":9223372036854775}');
  const out = core.answer("login", 200, `{"access_token":"${viaDate}","user":{"id":"u1"}}`, "", -9.2e18, NOW, "");
  assert.equal(errorOf(out).code, "bad_response");
});

test("added: the state is compared unit by unit, astral characters included", () => {
  const flows = '[{"state":"\\uD83DZ","provider":"google","redirect_uri":"http://a/cb","created_at":0}]';
  const out = core.oauthCallback("http://a/cb?code=c&state=%F0%9F%98%80", flows, 1000);
  assert.equal(out.error?.code, "oauth_state_mismatch");
  const ok = core.oauthCallback("http://a/cb?code=c&state=%F0%9F%98%80", '[{"state":"\\uD83D\\uDE00","provider":"google","redirect_uri":"http://a/cb","created_at":0}]', 1000);
  assert.equal(ok.q?.p, "/verify-google-login");
});
