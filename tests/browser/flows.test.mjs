// The second factor, password reset, email verification, ID-token and GitHub sign-in of
// `CocobaseAuth`, driven through its public JS API in headless Chromium against real
// emulators, reading the codes and tokens from the emulator's outbox.
//
//   bash scripts/build-pkg.sh && cargo build -q -p cocobase-emulator
//   COCOBASE_EMULATOR_BIN=$PWD/target/debug/cocobase-emulator node --test tests/browser/flows.test.mjs
//
// Layout as in client.test.mjs: emulators on free ports (a plain one, and one with
// `--no-2fa`), a tiny static server for the test page, /page-helpers.mjs, a snapshot of
// the package and, for GitHub by redirect, a callback page (/callback) that loads the
// package and calls `handleRedirectCallback()`. Every request is cross-origin.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { API_KEY, STRONG_PASSWORD, launchBrowser, startEmulator } from "../e2e/harness.mjs";
import { TIMEOUT, assertErr, runInPage, startPageServer } from "./bed.mjs";
/** Where the start page leaves the client's options for the callback page. */
const CONFIG_KEY = "flows.test.config";
// The redirect's landing page: the options come from localStorage (same origin as the
// page that started the sign-in); the outcome goes to `window.__result`.
const CALLBACK_PAGE = `<!doctype html><meta charset="utf-8"><title>callback</title>
<script type="module">
const arrived = location.href;
const events = [];
try {
  const { default: init, CocobaseAuth } = await import("/pkg/cocobase_auth.js");
  await init();
  const auth = new CocobaseAuth(JSON.parse(localStorage.getItem(${JSON.stringify(CONFIG_KEY)})));
  window.auth = auth;
  auth.onAuthStateChange((event, session, reason) => events.push([event, session === null, reason ?? null]));
  const r = await auth.handleRedirectCallback();
  window.__result = { ok: true, arrived, value: JSON.parse(JSON.stringify(r)), events,
    isAuthenticated: auth.isAuthenticated, href: location.href };
} catch (e) {
  window.__result = { ok: false, arrived, events, href: location.href,
    error: { name: e?.name, code: e?.code, message: e?.message, status: e?.status } };
}
</script>`;
const NEW_PASSWORD = "Mango-Papaya-Grove-77";

let plain;
let no2fa;
let browser;
let pages;
let origin;
let pageUrl;

before(async () => {
  [plain, no2fa] = await Promise.all([
    startEmulator({ serve: null }),
    startEmulator({ serve: null, extraArgs: ["--no-2fa"] }),
  ]);
  pages = await startPageServer("cocobase-auth flow tests", { "/callback": CALLBACK_PAGE });
  origin = pages.origin;
  const q = new URLSearchParams({ base: plain.url, no2fa: no2fa.url, apiKey: API_KEY, password: STRONG_PASSWORD });
  pageUrl = `${origin}/?${q}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await pages?.close();
  await Promise.all([plain?.stop(), no2fa?.stop()]);
});

/** Runs `fn(arg)` in a fresh page (own context, so own storage) and returns its result. */
const inPage = (fn, arg) => runInPage(browser, pageUrl, fn, arg);

/** `{kind, count}` of the emulator's mails to `to`, read from Node. */
async function outbox(base, to) {
  const res = await fetch(`${base}/__emulator/outbox?to=${encodeURIComponent(to)}`);
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

test("2FA: login answers requires2fa, the mailed code signs in; wrong, missing and replaced codes", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const sent = h.trackRequests();
    const { auth, key } = h.client();
    // Recorded from the start (a listener added later hears a late INITIAL_SESSION).
    const { log } = h.record(auth);
    await h.ok(auth.initialize());
    const { address } = await h.signedUp(auth);
    await h.ok(auth.enable2fa());
    auth.logout();
    log.length = 0;
    const out = { address };

    const r = await h.ok(auth.login({ email: address, password: h.PASSWORD }));
    out.first = JSON.parse(JSON.stringify(r));
    out.afterRequires = {
      isAuthenticated: auth.isAuthenticated,
      userIsNull: auth.user === null,
      storedIsNull: localStorage.getItem(key) === null,
      log: [...log],
    };
    const codes = await h.mails(address, "two_factor_code", 1);
    out.mailsAfterLogin = codes.length;
    const code = codes[0].code;
    out.code = code;
    out.textHasCode = typeof code === "string" && codes[0].text.includes(code);

    // A wrong code: invalid_code, still signed out.
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    out.wrong = await h.err(auth.verify2fa({ code: wrong }));
    out.afterWrong = { isAuthenticated: auth.isAuthenticated, userIsNull: auth.user === null, log: [...log] };

    // The right one, the email defaulted to the login's.
    const before = sent().length;
    const s = await h.ok(auth.verify2fa({ code }));
    out.verifyRequests = sent().slice(before);
    out.session = {
      email: s.user?.email,
      tokenIsString: typeof s.accessToken === "string" && s.accessToken.length > 0,
      sameAsHeld: s.accessToken === auth.accessToken,
      expiresInFuture: s.expiresAt > Date.now(),
    };
    out.isAuthenticated = auth.isAuthenticated;
    out.userEmail = auth.user?.email;
    out.stored = JSON.parse(localStorage.getItem(key) ?? "null");
    out.log = [...log];
    out.me = (await h.ok(auth.getCurrentUser())).email;

    // A code already used does not work twice.
    out.reused = await h.err(h.clientWith(`test.other.${h.randSuffix()}`).verify2fa({ code, email: address }));

    // send2faCode() with neither a pending sign-in nor an email: nothing sent.
    const { auth: fresh } = h.client();
    const beforeMissing = sent().length;
    out.missing = await h.errFields(fresh.send2faCode());
    out.missingRequests = sent().length - beforeMissing;
    out.verifyMissing = await h.errFields(fresh.verify2fa({ code: "123456" }));
    out.verifyMissingRequests = sent().length - beforeMissing;

    // A new sign-in mails a new code; send2faCode() (email defaulted) mails another and
    // spends the older one.
    auth.logout();
    const again = await h.ok(auth.login({ email: address, password: h.PASSWORD }));
    out.again = { requires2fa: again.requires2fa, email: again.email };
    const second = await h.mails(address, "two_factor_code", 2);
    const oldCode = second[1].code;
    const beforeSend = sent().length;
    await h.ok(auth.send2faCode());
    out.sendRequests = sent().slice(beforeSend);
    const third = await h.mails(address, "two_factor_code", 3);
    out.mailsAfterSend = third.length;
    const newCode = third[2].code;
    out.newCodeDiffers = newCode !== oldCode;
    out.oldCode = await h.err(auth.verify2fa({ code: oldCode }));
    out.afterOld = auth.isAuthenticated;
    const s2 = await h.ok(auth.verify2fa({ code: newCode }));
    out.secondSession = { email: s2.user?.email, isAuthenticated: auth.isAuthenticated };
    return out;
  });

  // The requires2fa answer: the server's message and the login's email, no session.
  assert.equal(o.first.requires2fa, true);
  assert.equal(typeof o.first.message, "string");
  assert.ok(o.first.message.length > 0, "a message");
  assert.equal(o.first.email, o.address);
  assert.equal("session" in o.first, false, "no session with requires2fa");
  assert.deepEqual(o.afterRequires, { isAuthenticated: false, userIsNull: true, storedIsNull: true, log: [] });
  assert.equal(o.mailsAfterLogin, 1);
  assert.match(o.code, /^[0-9]{6}$/);
  assert.ok(o.textHasCode, "the mail's text holds the code");

  const wrong = assertErr(o.wrong, "invalid_code");
  assert.equal(wrong.status, 400);
  assert.equal(wrong.retryable, false);
  assert.deepEqual(o.afterWrong, { isAuthenticated: false, userIsNull: true, log: [] });

  assert.deepEqual(o.verifyRequests, ["POST /auth-collections/2fa/verify"]);
  assert.deepEqual(o.session, { email: o.address, tokenIsString: true, sameAsHeld: true, expiresInFuture: true });
  assert.equal(o.isAuthenticated, true);
  assert.equal(o.userEmail, o.address);
  assert.equal(o.stored?.v, 1, "the session is stored");
  assert.equal(o.stored?.user?.email, o.address);
  assert.deepEqual(o.log, ["SIGNED_IN"], "one SIGNED_IN, after the code");
  assert.equal(o.me, o.address, "the token works on the server");
  assertErr(o.reused, "invalid_code");

  const missing = assertErr(o.missing, "validation_failed");
  assert.ok(Array.isArray(missing.fieldErrors.email) && missing.fieldErrors.email.length > 0,
    `fieldErrors.email: ${JSON.stringify(missing.fieldErrors)}`);
  assert.equal(o.missingRequests, 0, "send2faCode() without an email sends nothing");
  const verifyMissing = assertErr(o.verifyMissing, "validation_failed");
  assert.ok(verifyMissing.fieldErrors.email, `fieldErrors: ${JSON.stringify(verifyMissing.fieldErrors)}`);
  assert.equal(o.verifyMissingRequests, 0, "verify2fa without an email sends nothing");

  assert.deepEqual(o.again, { requires2fa: true, email: o.address });
  assert.deepEqual(o.sendRequests, ["POST /auth-collections/2fa/send-code"]);
  assert.equal(o.mailsAfterSend, 3, "send2faCode mails a new code");
  assert.ok(o.newCodeDiffers, "a different code");
  const old = assertErr(o.oldCode, "invalid_code");
  assert.equal(old.status, 400);
  assert.equal(o.afterOld, false);
  assert.deepEqual(o.secondSession, { email: o.address, isAuthenticated: true });
});

test("2FA: disable2fa, a project without 2FA, and signed out", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const sent = h.trackRequests();
    const { auth } = h.client();
    const { address } = await h.signedUp(auth);
    const out = { address };
    // Never enabled: the server has no settings to disable.
    out.neverEnabled = await h.err(auth.disable2fa());
    await h.ok(auth.enable2fa());
    await h.ok(auth.disable2fa());
    out.stillSignedIn = auth.isAuthenticated;
    auth.logout();
    const r = await h.ok(auth.login({ email: address, password: h.PASSWORD }));
    out.login = { requires2fa: r.requires2fa, email: r.session?.user?.email, isAuthenticated: auth.isAuthenticated };
    out.codes = (await h.outbox(address)).filter((m) => m.kind === "two_factor_code").length;

    // A project with 2FA off.
    const off = new h.CocobaseAuth({ apiKey: h.API_KEY, baseUrl: h.NO_2FA_URL, storage: "memory" });
    await h.ok(off.signup({ email: h.email(), password: h.PASSWORD }));
    out.unavailable = await h.err(off.enable2fa());
    out.offStillSignedIn = off.isAuthenticated;

    // Signed out: nothing sent.
    auth.logout();
    const before = sent().length;
    out.enableSignedOut = await h.err(auth.enable2fa());
    out.disableSignedOut = await h.err(auth.disable2fa());
    out.signedOutRequests = sent().length - before;
    return out;
  });
  const never = assertErr(o.neverEnabled, "not_found");
  assert.equal(never.status, 404);
  assert.equal(o.stillSignedIn, true);
  assert.deepEqual(o.login, { requires2fa: false, email: o.address, isAuthenticated: true });
  assert.equal(o.codes, 0, "no code mailed once 2FA is off");
  const unavailable = assertErr(o.unavailable, "two_factor_unavailable");
  assert.equal(unavailable.status, 400);
  assert.equal(o.offStillSignedIn, true, "a refused enable2fa keeps the session");
  assertErr(o.enableSignedOut, "session_missing");
  assertErr(o.disableSignedOut, "session_missing");
  assert.equal(o.signedOutRequests, 0);
});

test("password reset: mailed token, local policy, single use, other sessions end", TIMEOUT, async () => {
  const o = await inPage(async ({ newPassword }) => {
    const h = await import("/page-helpers.mjs");
    const sent = h.trackRequests();
    const { auth: first } = h.client();
    const { address } = await h.signedUp(first);
    // Another tab of the same user, signed in before the reset.
    const { auth: other, key: otherKey } = h.client();
    const { log: otherLog } = h.record(other);
    await h.ok(other.initialize());
    await h.ok(other.login({ email: address, password: h.PASSWORD }));
    otherLog.length = 0;
    // The reset itself happens in a signed-out client (the mailed link's tab).
    const { auth: resetter } = h.client();
    const { log: resetLog } = h.record(resetter);
    await h.ok(resetter.initialize());
    resetLog.length = 0;
    const out = { address };

    const unknown = h.email();
    out.known = await h.err(resetter.requestPasswordReset(address));
    out.unknown = await h.err(resetter.requestPasswordReset(unknown));
    out.badEmail = await h.errFields(resetter.requestPasswordReset("not an email"));
    await h.mails(address, "password_reset", 1);
    out.unknownMails = (await h.outbox(unknown)).length;
    // A second request spends the first token.
    await h.ok(resetter.requestPasswordReset(address));
    const resets = await h.mails(address, "password_reset", 2);
    out.spent = await h.err(resetter.resetPassword({ token: resets[0].token, newPassword }));
    const token = resets[1].token;
    out.token = token;
    out.tokensDiffer = resets[0].token !== token;
    out.linkHasToken = typeof resets[1].link === "string" && resets[1].link.includes(encodeURIComponent(token));

    const before = sent().length;
    out.weak = await h.errFields(resetter.resetPassword({ token, newPassword: "weak" }));
    out.weakRequests = sent().length - before;
    // A client whose own policy is laxer than the server's: the server refuses with 422
    // naming new_password, and the token stays usable.
    const lax = h.clientWith(`test.lax.${h.randSuffix()}`, {
      passwordPolicy: { requireUppercase: false, requireDigit: false, rejectCommon: false },
    });
    out.serverWeak = await h.errFields(lax.resetPassword({ token, newPassword: "onlylowercase" }));

    out.reset = await h.err(resetter.resetPassword({ token, newPassword }));
    out.resetter = { isAuthenticated: resetter.isAuthenticated, log: [...resetLog] };
    out.reused = await h.err(resetter.resetPassword({ token, newPassword: "Another-Fresh-Pass-5" }));
    out.unknownToken = await h.err(resetter.resetPassword({ token: "no-such-token", newPassword }));
    out.changedMails = (await h.outbox(address)).filter((m) => m.kind === "password_changed").length;

    // The other tab: its next request as the user is refused, and it signs out.
    out.otherBefore = other.isAuthenticated;
    out.otherNext = await h.err(other.getCurrentUser());
    out.otherAfter = {
      isAuthenticated: other.isAuthenticated,
      userIsNull: other.user === null,
      storedIsNull: localStorage.getItem(otherKey) === null,
      log: [...otherLog],
    };

    out.oldPassword = await h.err(resetter.login({ email: address, password: h.PASSWORD }));
    const r = await h.ok(resetter.login({ email: address, password: newPassword }));
    out.newLogin = { requires2fa: r.requires2fa, email: r.session?.user?.email };
    return out;
  }, { newPassword: NEW_PASSWORD });

  assert.equal(o.known.rejected, false, `requestPasswordReset(known): ${JSON.stringify(o.known)}`);
  assert.equal(o.unknown.rejected, false, `requestPasswordReset(unknown): ${JSON.stringify(o.unknown)}`);
  assert.equal(o.known.value, o.unknown.value, "the same answer for a known and an unknown email");
  const bad = assertErr(o.badEmail, "validation_failed");
  assert.ok(bad.fieldErrors.email, JSON.stringify(bad.fieldErrors));
  assert.equal(o.unknownMails, 0);
  assertErr(o.spent, "invalid_token");
  assert.ok(o.tokensDiffer, "a new token per request");
  assert.match(o.token, /^[A-Za-z0-9_-]{40,}$/, "32 random bytes, URL-safe");
  assert.ok(o.linkHasToken, "the mail's link carries the token");

  const weak = assertErr(o.weak, "validation_failed");
  assert.ok(Array.isArray(weak.fieldErrors.newPassword) && weak.fieldErrors.newPassword.length > 0,
    `fieldErrors.newPassword: ${JSON.stringify(weak.fieldErrors)}`);
  assert.ok(weak.fieldErrors.newPassword.some((i) => i.code === "too_short"), JSON.stringify(weak.fieldErrors));
  assert.equal(o.weakRequests, 0, "a weak password is refused without a request");
  // The server's refusal names the server's field (`new_password`), as the core's tests
  // expect (src/core/tests/new_ops.rs); the local one names the argument (`newPassword`).
  const serverWeak = assertErr(o.serverWeak, "validation_failed");
  assert.equal(serverWeak.status, 422);
  assert.ok(Array.isArray(serverWeak.fieldErrors.new_password) && serverWeak.fieldErrors.new_password.length > 0,
    `fieldErrors: ${JSON.stringify(serverWeak.fieldErrors)}`);

  assert.equal(o.reset.rejected, false, `resetPassword: ${JSON.stringify(o.reset)}`);
  assert.deepEqual(o.resetter, { isAuthenticated: false, log: [] }, "a reset signs nobody in");
  const reused = assertErr(o.reused, "invalid_token");
  assert.equal(reused.status, 400);
  assertErr(o.unknownToken, "invalid_token");
  assert.equal(o.changedMails, 1, "a password_changed mail");

  // The emulator answers 401 `Token has been revoked ...`: not "expired", so
  // `unauthorized`, and the session ends with reason `revoked`.
  assert.equal(o.otherBefore, true);
  const next = assertErr(o.otherNext, "unauthorized");
  assert.equal(next.status, 401);
  assert.deepEqual(o.otherAfter, { isAuthenticated: false, userIsNull: true, storedIsNull: true, log: ["SIGNED_OUT null revoked"] });

  assertErr(o.oldPassword, "invalid_credentials");
  assert.deepEqual(o.newLogin, { requires2fa: false, email: o.address });
});

test("email verification: mailed token, USER_UPDATED, stored, single use", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const sent = h.trackRequests();
    const { auth, key } = h.client();
    const { log } = h.record(auth);
    await h.ok(auth.initialize());
    const { address } = await h.signedUp(auth);
    const out = { address, verifiedBefore: auth.user?.emailVerified };
    log.length = 0;

    out.request = await h.err(auth.requestEmailVerification());
    const mails = await h.mails(address, "email_verification", 1);
    const token = mails[0].token;
    out.tokenIsString = typeof token === "string" && token.length > 0;
    // Sent a moment ago: resolves, and mails nothing new.
    out.again = await h.err(auth.requestEmailVerification());
    out.mailsAfterAgain = (await h.outbox(address)).filter((m) => m.kind === "email_verification").length;

    out.verify = await h.err(auth.verifyEmail(token));
    out.log = [...log];
    out.verifiedAfter = auth.user?.emailVerified;
    out.stored = JSON.parse(localStorage.getItem(key) ?? "null")?.user?.email_verified;
    const restored = h.clientWith(key);
    const s = await h.ok(restored.initialize());
    out.restored = { session: s?.user?.emailVerified, user: restored.user?.emailVerified };
    out.server = (await h.ok(auth.getCurrentUser())).emailVerified;

    out.used = await h.err(auth.verifyEmail(token));
    out.unknown = await h.err(auth.verifyEmail("no-such-token"));
    out.stillVerified = auth.user?.emailVerified;
    out.alreadyVerified = await h.err(auth.requestEmailVerification());

    const before = sent().length;
    out.empty = await h.errFields(auth.verifyEmail(""));
    auth.logout();
    out.signedOut = await h.err(auth.requestEmailVerification());
    out.localRequests = sent().length - before;
    return out;
  });
  assert.equal(o.verifiedBefore, false, "a new password user is not verified");
  assert.equal(o.request.rejected, false, JSON.stringify(o.request));
  assert.ok(o.tokenIsString, "a token in the mail");
  assert.equal(o.again.rejected, false, JSON.stringify(o.again));
  assert.equal(o.mailsAfterAgain, 1, "a request within 5 minutes mails nothing new");
  assert.equal(o.verify.rejected, false, JSON.stringify(o.verify));
  assert.deepEqual(o.log, ["USER_UPDATED"]);
  assert.equal(o.verifiedAfter, true);
  assert.equal(o.stored, true, "the stored record has email_verified true");
  assert.deepEqual(o.restored, { session: true, user: true }, "a new client on the same key restores it");
  assert.equal(o.server, true, "the server agrees");
  const used = assertErr(o.used, "invalid_token");
  assert.equal(used.status, 400);
  assertErr(o.unknown, "invalid_token");
  assert.equal(o.stillVerified, true, "a refused token changes nothing");
  assert.equal(o.alreadyVerified.rejected, false, JSON.stringify(o.alreadyVerified));
  const empty = assertErr(o.empty, "validation_failed");
  assert.ok(empty.fieldErrors.token, JSON.stringify(empty.fieldErrors));
  assertErr(o.signedOut, "session_missing");
  assert.equal(o.localRequests, 0, "an empty token and a signed-out request send nothing");
});

test("signInWithIdToken: Google ID token, other providers, forged tokens, 2FA users", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const sent = h.trackRequests();
    const mint = async (email, name) => {
      const res = await fetch(`${h.BASE_URL}/__emulator/google/id-token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, name }),
      });
      return (await res.json()).id_token;
    };
    const { auth, key } = h.client();
    const { log } = h.record(auth);
    await h.ok(auth.initialize());
    log.length = 0;
    const address = h.email();
    const idToken = await mint(address, "Grace Hopper");
    const out = { address, idTokenParts: idToken.split(".").length };

    const r = await h.ok(auth.signInWithIdToken({ provider: "google", idToken }));
    out.first = {
      requires2fa: r.requires2fa,
      email: r.session?.user?.email,
      oauthProvider: r.session?.user?.oauthProvider,
      emailVerified: r.session?.user?.emailVerified,
      name: r.session?.user?.data?.name,
      username: r.session?.user?.data?.username,
    };
    out.isAuthenticated = auth.isAuthenticated;
    out.stored = JSON.parse(localStorage.getItem(key) ?? "null")?.user?.oauth_provider;
    out.log = [...log];

    // Only Google: nothing sent for another provider.
    const { auth: other } = h.client();
    const before = sent().length;
    out.apple = await h.errFields(other.signInWithIdToken({ provider: "apple", idToken }));
    out.empty = await h.errFields(other.signInWithIdToken({ provider: "google", idToken: "" }));
    out.localRequests = sent().length - before;

    // A forged signature: one character of the signature changed (the first: the last
    // one carries padding bits that a decoder may ignore).
    const [head, payload, sig] = idToken.split(".");
    const forged = `${head}.${payload}.${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    const beforeForged = sent().length;
    out.forged = await h.errFields(other.signInWithIdToken({ provider: "google", idToken: forged }));
    out.forgedRequests = sent().slice(beforeForged);
    out.otherSignedIn = other.isAuthenticated;
    // An email that signs in with a password is not taken over by an ID token.
    const { address: pw } = await h.signedUp(h.client().auth);
    out.taken = await h.err(other.signInWithIdToken({ provider: "google", idToken: await mint(pw, "Someone") }));

    // A 2FA user signing in with an ID token: requires2fa, with the token's email.
    await h.ok(auth.enable2fa());
    auth.logout();
    const again = await h.ok(auth.signInWithIdToken({ provider: "google", idToken: await mint(address, "Grace Hopper") }));
    out.twoFactor = JSON.parse(JSON.stringify(again));
    out.twoFactorSignedIn = auth.isAuthenticated;
    const codes = await h.mails(address, "two_factor_code", 1);
    const s = await h.ok(auth.verify2fa({ code: codes[0].code }));
    out.afterCode = { email: s.user?.email, oauthProvider: s.user?.oauthProvider, isAuthenticated: auth.isAuthenticated };
    return out;
  });
  assert.equal(o.idTokenParts, 3);
  assert.deepEqual(o.first, {
    requires2fa: false,
    email: o.address,
    oauthProvider: "google",
    emailVerified: true,
    name: "Grace Hopper",
    username: "gracehopper",
  });
  assert.equal(o.isAuthenticated, true);
  assert.equal(o.stored, "google");
  assert.deepEqual(o.log, ["SIGNED_IN"]);

  const apple = assertErr(o.apple, "validation_failed");
  assert.ok(apple.fieldErrors.provider, JSON.stringify(apple.fieldErrors));
  const empty = assertErr(o.empty, "validation_failed");
  assert.ok(empty.fieldErrors.idToken, JSON.stringify(empty.fieldErrors));
  assert.equal(o.localRequests, 0, "refused locally, nothing sent");

  // The emulator answers 400 `Invalid Google ID token: ...`; the client has no code of
  // its own for it (invalid_token is for mailed tokens), so it is validation_failed,
  // with the server's words.
  const forged = assertErr(o.forged, "validation_failed");
  assert.equal(forged.status, 400);
  assert.match(forged.message, /^Invalid Google ID token/);
  assert.equal(forged.retryable, false);
  assert.deepEqual(o.forgedRequests, ["POST /auth-collections/google-verify"]);
  assert.equal(o.otherSignedIn, false);
  const taken = assertErr(o.taken, "email_taken");
  assert.equal(taken.status, 409);

  assert.equal(o.twoFactor.requires2fa, true);
  assert.equal(o.twoFactor.email, o.address, "the email from the ID token");
  assert.ok(typeof o.twoFactor.message === "string" && o.twoFactor.message.length > 0);
  assert.equal("session" in o.twoFactor, false);
  assert.equal(o.twoFactorSignedIn, false);
  assert.deepEqual(o.afterCode, { email: o.address, oauthProvider: "google", isAuthenticated: true });
});

// ----- GitHub by redirect -----------------------------------------------------------

/** Starts a page on the test origin with a client `window.auth` on `storageKey`. */
async function startPage(context, options) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(pageUrl);
  await page.evaluate(async ({ options, key }) => {
    const h = await import("/page-helpers.mjs");
    localStorage.setItem(key, JSON.stringify(options));
    window.auth = new h.CocobaseAuth(options);
    window.nothing = await window.auth.handleRedirectCallback();
  }, { options, key: CONFIG_KEY });
  return { page, errors, requests };
}

/** Fills the stand-in's consent page, allows, and waits for the callback page's outcome. */
async function consent(page, { email, name, decision = "allow" }) {
  await page.waitForURL((u) => u.pathname === "/__emulator/oauth/github/authorize", { timeout: 10_000 });
  if (decision === "allow") {
    await page.locator("input[name=email]").fill(email);
    await page.locator("input[name=name]").fill(name);
  }
  await page.locator(`button[name=decision][value=${decision}]`).click();
  await page.waitForURL((u) => u.origin === origin && u.pathname === "/callback", { timeout: 10_000 });
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 10_000 });
  return page.evaluate(() => window.__result);
}

function assertGithubSignIn(r, { email, name, state, page }) {
  assert.equal(r.ok, true, `handleRedirectCallback: ${JSON.stringify(r.error)}`);
  const arrived = new URL(r.arrived);
  assert.equal(arrived.searchParams.get("state"), state, "the callback carries the client's state");
  assert.ok(arrived.searchParams.get("code"), `a code in ${r.arrived}`);
  assert.equal(r.value.requires2fa, false);
  const user = r.value.session?.user;
  assert.equal(user?.email, email);
  assert.equal(user?.oauthProvider, "github");
  assert.equal(user?.emailVerified, true);
  assert.equal(user?.data?.name, name);
  assert.equal(r.isAuthenticated, true);
  assert.deepEqual(r.events, [["INITIAL_SESSION", true, null], ["SIGNED_IN", false, null]]);
  // The address bar, cleaned.
  for (const href of [r.href, page.url()]) {
    const u = new URL(href);
    assert.equal(u.origin + u.pathname, `${origin}/callback`);
    for (const p of ["code", "state", "error"]) assert.equal(u.searchParams.has(p), false, `${p} left in ${href}`);
  }
}

test("GitHub by redirect: the server's URL, consent, callback page signed in", TIMEOUT, async () => {
  const context = await browser.newContext();
  try {
    const storageKey = `test.github.${Date.now()}`;
    const options = { apiKey: API_KEY, baseUrl: plain.url, storageKey };
    const { page, errors, requests } = await startPage(context, options);
    assert.equal(await page.evaluate(() => window.nothing), null, "no OAuth answer in the URL: null");
    const redirectUri = `${origin}/callback`;
    const url = await page.evaluate((redirectUri) => window.auth.getOAuthUrl({ provider: "github", redirectUri }), redirectUri);
    const u = new URL(url);
    assert.equal(u.origin, plain.url);
    assert.equal(u.pathname, "/__emulator/oauth/github/authorize");
    assert.equal(u.searchParams.get("redirect_uri"), redirectUri);
    assert.ok(u.searchParams.get("client_id"), "the emulator names a client id");
    const state = u.searchParams.get("state");
    assert.match(state ?? "", /^[0-9a-f]{64}$/);
    assert.equal(requests.filter((r) => r.includes("/auth-collections/oauth/github")).length, 1,
      "without the github option the client asks the server");

    await page.goto(url);
    const email = `gh${Date.now()}@example.com`;
    const r = await consent(page, { email, name: "Octo Cat" });
    assertGithubSignIn(r, { email, name: "Octo Cat", state, page });
    assert.equal(requests.filter((x) => x.includes("/auth-collections/github-verify")).length, 1);
    const stored = await page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? "null"), storageKey);
    assert.equal(stored?.user?.oauth_provider, "github");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("GitHub by redirect with the github option: the URL built locally, signInWithOAuth", TIMEOUT, async () => {
  const context = await browser.newContext();
  try {
    const storageKey = `test.github-local.${Date.now()}`;
    const authorizeUrl = `${plain.url}/__emulator/oauth/github/authorize`;
    const options = { apiKey: API_KEY, baseUrl: plain.url, storageKey, github: { clientId: "test-client", authorizeUrl } };
    const { page, errors, requests } = await startPage(context, options);
    const redirectUri = `${origin}/callback`;
    const url = await page.evaluate((redirectUri) => window.auth.getOAuthUrl({ provider: "github", redirectUri }), redirectUri);
    assert.ok(url.startsWith(`${authorizeUrl}?`), url);
    const u = new URL(url);
    assert.equal(u.searchParams.get("client_id"), "test-client");
    assert.equal(u.searchParams.get("redirect_uri"), redirectUri);
    assert.ok(url.includes("scope=read%3Auser%20user%3Aemail"), `scope as GitHub's docs write it: ${url}`);
    assert.equal(u.searchParams.get("scope"), "read:user user:email");
    assert.match(u.searchParams.get("state") ?? "", /^[0-9a-f]{64}$/);

    // signInWithOAuth builds another URL (a fresh state) and sends the browser there.
    await page.evaluate((redirectUri) => {
      window.auth.signInWithOAuth({ provider: "github", redirectUri }).catch((e) => console.error(e));
    }, redirectUri);
    await page.waitForURL((x) => x.pathname === "/__emulator/oauth/github/authorize", { timeout: 10_000 });
    const went = new URL(page.url());
    assert.equal(went.searchParams.get("client_id"), "test-client");
    const state = went.searchParams.get("state");
    assert.match(state ?? "", /^[0-9a-f]{64}$/);
    assert.notEqual(state, u.searchParams.get("state"), "a fresh state per sign-in");

    const email = `ghl${Date.now()}@example.com`;
    const r = await consent(page, { email, name: "Mona Lisa" });
    assertGithubSignIn(r, { email, name: "Mona Lisa", state, page });
    assert.equal(requests.filter((x) => x.includes("/auth-collections/oauth/")).length, 0,
      "with the github option nothing asks the server for the URL");
    assert.equal(requests.filter((x) => x.includes("/auth-collections/github-verify")).length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("2FA: a sign-in that completes ends the pending one; codes past the limit are rate_limited", TIMEOUT, async () => {
  const o = await inPage(async () => {
    const h = await import("/page-helpers.mjs");
    const sent = h.trackRequests();
    // X has 2FA on; Y has not.
    const { auth: setup } = h.client();
    const { address: x } = await h.signedUp(setup);
    await h.ok(setup.enable2fa());
    const { address: y } = await h.signedUp(setup);
    setup.logout();

    const { auth } = h.client();
    const out = { x, y };
    const first = await h.ok(auth.login({ email: x, password: h.PASSWORD }));
    out.first = { requires2fa: first.requires2fa, email: first.email };
    // The person gives up on X and signs in as Y instead: nothing is pending any more,
    // so neither default may reach X.
    const second = await h.ok(auth.login({ email: y, password: h.PASSWORD }));
    out.second = { requires2fa: second.requires2fa, email: second.session?.user?.email };
    const before = sent().length;
    out.send = await h.errFields(auth.send2faCode());
    out.verify = await h.errFields(auth.verify2fa({ code: "123456" }));
    out.requests = sent().slice(before);
    out.stillY = auth.user?.email;
    out.codesToX = (await h.outbox(x)).filter((m) => m.kind === "two_factor_code").length;
    // Nothing leaks about an unknown email: send2faCode resolves, verify2fa says
    // invalid_code, and nothing is mailed.
    const nobody = h.email();
    out.sendUnknown = await h.err(auth.send2faCode(nobody));
    out.verifyUnknown = await h.err(auth.verify2fa({ code: "123456", email: nobody }));
    out.unknownMails = (await h.outbox(nobody)).length;

    // An explicit email still works for X; ten codes per user in 15 minutes, then 429.
    const codes = [];
    for (let i = 0; i < 10; i++) codes.push(await h.errFields(auth.send2faCode(x)));
    out.codes = codes.map((c) => (c.rejected ? c.code : "ok"));
    out.limited = codes.find((c) => c.rejected) ?? null;
    return out;
  });
  assert.deepEqual(o.first, { requires2fa: true, email: o.x });
  assert.deepEqual(o.second, { requires2fa: false, email: o.y });
  const send = assertErr(o.send, "validation_failed");
  assert.ok(send.fieldErrors.email, JSON.stringify(send.fieldErrors));
  const verify = assertErr(o.verify, "validation_failed");
  assert.ok(verify.fieldErrors.email, JSON.stringify(verify.fieldErrors));
  assert.deepEqual(o.requests, [], "nothing sent for the abandoned sign-in");
  assert.equal(o.stillY, o.y);
  assert.equal(o.codesToX, 1, "only the login's code reached X");
  assert.equal(o.sendUnknown.rejected, false, JSON.stringify(o.sendUnknown));
  assertErr(o.verifyUnknown, "invalid_code");
  assert.equal(o.unknownMails, 0);
  // 1 code from the login, 9 more accepted, the 11th refused.
  assert.deepEqual(o.codes, [...Array(9).fill("ok"), "rate_limited"]);
  const limited = assertErr(o.limited, "rate_limited");
  assert.equal(limited.status, 429);
  assert.equal(limited.retryable, true);
  assert.ok(typeof limited.retryAfter === "number" && limited.retryAfter > 0, `retryAfter ${limited.retryAfter}`);
});

test("GitHub by redirect: Cancel is oauth_denied; a 2FA user gets requires2fa, then verify2fa", TIMEOUT, async () => {
  const context = await browser.newContext();
  try {
    const storageKey = `test.github-2fa.${Date.now()}`;
    const options = { apiKey: API_KEY, baseUrl: plain.url, storageKey };
    const redirectUri = `${origin}/callback`;
    const start = (page) =>
      page.evaluate((redirectUri) => {
        window.auth.signInWithOAuth({ provider: "github", redirectUri }).catch((e) => console.error(e));
      }, redirectUri);

    // Cancel on the consent page.
    const { page, errors } = await startPage(context, options);
    await start(page);
    const denied = await consent(page, { decision: "deny" });
    assert.equal(new URL(denied.arrived).searchParams.get("error"), "access_denied");
    assert.equal(denied.ok, false, JSON.stringify(denied.value));
    assert.equal(denied.error.name, "CocobaseError");
    assert.equal(denied.error.code, "oauth_denied");
    assert.deepEqual(denied.events, [["INITIAL_SESSION", true, null]]);
    for (const p of ["code", "state", "error"]) assert.equal(new URL(page.url()).searchParams.has(p), false, `${p} left`);

    // A GitHub user turns 2FA on.
    const email = `gh2fa${Date.now()}@example.com`;
    await page.goto(pageUrl);
    await page.evaluate(async (options) => {
      const h = await import("/page-helpers.mjs");
      window.auth = new h.CocobaseAuth(options);
    }, options);
    await start(page);
    const first = await consent(page, { email, name: "Two Factor" });
    assert.equal(first.ok, true, JSON.stringify(first.error));
    assert.equal(first.value.session?.user?.oauthProvider, "github");
    await page.evaluate(async () => {
      await window.auth.enable2fa();
      window.auth.logout();
    });

    // Signing in again: requires2fa; a redirect answer names no email, so null.
    await page.goto(pageUrl);
    await page.evaluate(async (options) => {
      const h = await import("/page-helpers.mjs");
      window.auth = new h.CocobaseAuth(options);
    }, options);
    await start(page);
    const second = await consent(page, { email, name: "Two Factor" });
    assert.equal(second.ok, true, JSON.stringify(second.error));
    assert.equal(second.value.requires2fa, true);
    assert.equal(second.value.email, null);
    assert.ok(typeof second.value.message === "string" && second.value.message.length > 0);
    assert.equal(second.isAuthenticated, false);
    assert.deepEqual(second.events, [["INITIAL_SESSION", true, null]]);
    const mails = (await outbox(plain.url, email)).filter((m) => m.kind === "two_factor_code");
    assert.equal(mails.length, 1);
    const after = await page.evaluate(async ({ code, email }) => {
      const h = await import("/page-helpers.mjs");
      const withoutEmail = await h.errFields(window.auth.verify2fa({ code }));
      const s = await h.ok(window.auth.verify2fa({ code, email }));
      return { withoutEmail, provider: s.user?.oauthProvider, email: s.user?.email, isAuthenticated: window.auth.isAuthenticated };
    }, { code: mails[0].code, email });
    const { withoutEmail, ...signedIn } = after;
    assertErr(withoutEmail, "validation_failed");
    assert.ok(withoutEmail.fieldErrors.email, JSON.stringify(withoutEmail.fieldErrors));
    assert.deepEqual(signedIn, { provider: "github", email, isAuthenticated: true });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
