// Compatibility with the official Cocobase JavaScript SDK (npm `cocobase` 1.6.x): the
// SDK registers, logs in, reads and updates the user, lists users and reads a profile,
// and goes through 2FA, password reset, email verification, Google ID-token and GitHub
// sign-in (codes and links from the emulator's outbox) against a real emulator
// process. Run with `node --test tests/compat/`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Cocobase } from "cocobase";

const BIN = process.env.COCOBASE_EMULATOR_BIN ?? "target/debug/cocobase-emulator";
const API_KEY = "pk_test_emulator";
const PASSWORD = "Sturdy-Passw0rd";

let emulator;
let baseURL;
let filesDir;

before(async () => {
  filesDir = mkdtempSync(join(tmpdir(), "cocobase-compat-"));
  emulator = spawn(BIN, ["--port", "0", "--db", ":memory:", "--tier", "pro", "--files", filesDir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((_, reject) => {
    emulator.once("exit", (code) => reject(new Error(`emulator exited early (${code})`)));
    emulator.once("error", (err) =>
      reject(new Error(`cannot start ${BIN} (build it with cargo build -p cocobase-emulator): ${err.message}`)),
    );
  });
  const lines = createInterface({ input: emulator.stdout });
  const first = new Promise((resolve) => lines.once("line", resolve));
  const line = await Promise.race([first, exited]);
  const match = /^cocobase-emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
  assert.ok(match, `unexpected first line: ${line}`);
  baseURL = match[1];
});

after(async () => {
  if (emulator && emulator.exitCode === null) {
    const done = new Promise((resolve) => emulator.once("exit", (code) => resolve(code)));
    emulator.kill("SIGTERM");
    assert.equal(await done, 0);
  }
  rmSync(filesDir, { recursive: true, force: true });
});

test("the official SDK works against the emulator", async () => {
  const db = new Cocobase({ apiKey: API_KEY, baseURL });

  const registered = await db.auth.register({
    email: "sdk@example.com",
    password: PASSWORD,
    data: { username: "sdk_user" },
    roles: ["tester"],
  });
  assert.equal(registered.requires_2fa, false);
  assert.equal(registered.user.email, "sdk@example.com");
  assert.deepEqual(registered.user.data, { username: "sdk_user" });
  assert.deepEqual(registered.user.roles, ["tester"]);
  assert.ok(db.auth.getToken());
  assert.equal(db.auth.hasRole("tester"), true);

  // A second client logs in with the same account.
  const other = new Cocobase({ apiKey: API_KEY, baseURL });
  const loggedIn = await other.auth.login({ email: "SDK@example.com", password: PASSWORD });
  assert.equal(loggedIn.requires_2fa, false);
  assert.equal(loggedIn.user.id, registered.user.id);
  await assert.rejects(other.auth.login({ email: "sdk@example.com", password: "Wrong-pass1" }), (err) => {
    assert.match(String(err.message ?? err), /401|Invalid email or password/);
    return true;
  });

  const me = await db.auth.getCurrentUser();
  assert.equal(me.id, registered.user.id);
  assert.equal(me.email, "sdk@example.com");
  assert.equal("password" in me, false);

  // updateUser merges data on the client and sends the whole object.
  const updated = await db.auth.updateUser({ data: { bio: "Hello from the SDK" } });
  assert.deepEqual(updated.data, { username: "sdk_user", bio: "Hello from the SDK" });
  const again = await other.auth.getCurrentUser();
  assert.equal(again.data.bio, "Hello from the SDK");

  await new Cocobase({ apiKey: API_KEY, baseURL }).auth.register({
    email: "second@example.com",
    password: PASSWORD,
  });

  // listUsers always sends limit=100&offset=0 and passes filters through.
  const list = await db.auth.listUsers({ limit: 10 });
  assert.equal(list.total, 2);
  assert.equal(list.limit, 10);
  assert.equal(list.offset, 0);
  assert.equal(list.has_more, false);
  assert.deepEqual(list.data.map((u) => u.email).sort(), ["sdk@example.com", "second@example.com"]);
  const filtered = await db.auth.listUsers({ filters: { role: "tester" } });
  assert.deepEqual(filtered.data.map((u) => u.email), ["sdk@example.com"]);

  const profile = await db.auth.getUserById(registered.user.id);
  assert.deepEqual(Object.keys(profile).sort(), ["created_at", "data", "id", "roles"]);
  assert.equal(profile.id, registered.user.id);
  assert.equal(profile.data.bio, "Hello from the SDK");

  await assert.rejects(db.auth.getUserById("00000000-0000-4000-8000-000000000000"), (err) => {
    assert.match(String(err.message ?? err), /404|User not found/);
    return true;
  });

  db.auth.logout();
  assert.equal(db.auth.getToken(), undefined);
});

// ─── The hosted-only flows: 2FA, password reset, email verification, Google ID token
// and GitHub sign-in, with codes and links read from the emulator's outbox. ─────────

async function outbox(email) {
  const res = await fetch(`${baseURL}/__emulator/outbox?to=${encodeURIComponent(email)}`);
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

async function lastMail(email, kind) {
  const mail = (await outbox(email)).filter((m) => m.kind === kind).at(-1);
  assert.ok(mail, `no ${kind} mail to ${email}`);
  return mail;
}

test("2FA: login asks for a code, verify2FALogin and send2FACode complete it", async () => {
  const db = new Cocobase({ apiKey: API_KEY, baseURL });
  await db.auth.register({ email: "sdk-2fa@example.com", password: PASSWORD });
  assert.deepEqual(await db.auth.enable2FA(), { message: "2FA enabled successfully" });

  const other = new Cocobase({ apiKey: API_KEY, baseURL });
  const first = await other.auth.login({ email: "sdk-2fa@example.com", password: PASSWORD });
  assert.deepEqual(first, { requires_2fa: true, message: "2FA code sent to your email" });
  assert.equal(other.auth.getToken(), undefined);
  const { code } = await lastMail("sdk-2fa@example.com", "two_factor_code");
  assert.match(code, /^\d{6}$/);

  const user = await other.auth.verify2FALogin({ email: "sdk-2fa@example.com", code });
  assert.equal(user.email, "sdk-2fa@example.com");
  assert.ok(other.auth.getToken());
  assert.equal((await other.auth.getCurrentUser()).id, user.id);
  await assert.rejects(other.auth.verify2FALogin({ email: "sdk-2fa@example.com", code }), (err) => {
    assert.match(String(err.message ?? err), /400|Code expired or already used/);
    return true;
  });

  // send2FACode mails a new code (and nothing, with the same answer, for strangers).
  const before = (await outbox("sdk-2fa@example.com")).length;
  assert.deepEqual(await other.auth.send2FACode("sdk-2fa@example.com"), { message: "2FA code sent" });
  assert.deepEqual(await other.auth.send2FACode("nobody@example.com"), { message: "2FA code sent" });
  assert.equal((await outbox("sdk-2fa@example.com")).length, before + 1);
  assert.equal((await outbox("nobody@example.com")).length, 0);
  const third = new Cocobase({ apiKey: API_KEY, baseURL });
  const again = await third.auth.verify2FALogin({
    email: "sdk-2fa@example.com",
    code: (await lastMail("sdk-2fa@example.com", "two_factor_code")).code,
  });
  assert.equal(again.id, user.id);

  assert.deepEqual(await db.auth.disable2FA(), { message: "2FA disabled successfully" });
  const plain = await new Cocobase({ apiKey: API_KEY, baseURL }).auth.login({
    email: "sdk-2fa@example.com",
    password: PASSWORD,
  });
  assert.equal(plain.requires_2fa, false);
});

test("requestPasswordReset mails a link whose token resets the password", async () => {
  const db = new Cocobase({ apiKey: API_KEY, baseURL });
  await db.auth.register({ email: "sdk-reset@example.com", password: PASSWORD });
  const answer = await db.auth.requestPasswordReset("sdk-reset@example.com");
  assert.deepEqual(answer, { message: "If that email exists, a reset link has been sent" });
  assert.deepEqual(await db.auth.requestPasswordReset("nobody@example.com"), answer);
  const mail = await lastMail("sdk-reset@example.com", "password_reset");
  assert.equal(mail.link, `${baseURL}/auth-collections/reset-password-page?token=${mail.token}`);

  // The page the link opens, and the request its form sends (no key).
  const page = await fetch(mail.link);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /name="new_password"/);
  const res = await fetch(`${baseURL}/auth-collections/reset-password`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: mail.token, new_password: "Brand-New-Passw0rd" }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { message: "Password successfully reset" });
  await lastMail("sdk-reset@example.com", "password_changed");

  // The session from before the reset has ended; the new password signs in.
  await assert.rejects(db.auth.getCurrentUser());
  const fresh = new Cocobase({ apiKey: API_KEY, baseURL });
  const login = await fresh.auth.login({ email: "sdk-reset@example.com", password: "Brand-New-Passw0rd" });
  assert.equal(login.requires_2fa, false);
});

test("requestEmailVerification and verifyEmail verify the address", async () => {
  const db = new Cocobase({ apiKey: API_KEY, baseURL });
  const { user } = await db.auth.register({ email: "sdk-verify@example.com", password: PASSWORD });
  assert.equal(user.email_verified, false);
  assert.deepEqual(await db.auth.requestEmailVerification(), {
    message: "Verification email sent successfully. Please check your inbox.",
    expires_in_hours: 24,
  });
  assert.deepEqual(await db.auth.resendVerificationEmail(), {
    message: "Verification email already sent. Please check your inbox.",
  });
  const mail = await lastMail("sdk-verify@example.com", "email_verification");
  assert.equal(mail.link, `${baseURL}/verify-email?token=${mail.token}`);
  const verified = await db.auth.verifyEmail(mail.token);
  assert.equal(verified.message, "Email verified successfully!");
  assert.equal(verified.email_verified, true);
  assert.ok(verified.verified_at);
  assert.equal((await db.auth.getCurrentUser()).email_verified, true);
  assert.deepEqual(await db.auth.requestEmailVerification(), { message: "Email already verified" });
  await assert.rejects(db.auth.verifyEmail(mail.token), (err) => {
    assert.match(String(err.message ?? err), /400|Invalid or expired verification token/);
    return true;
  });
});

test("loginWithGoogle signs in with an ID token of the stand-in Google", async () => {
  const minted = await fetch(`${baseURL}/__emulator/google/id-token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: "sdk-google@example.com", name: "Sdk Google" }),
  });
  assert.equal(minted.status, 200);
  const { id_token: idToken } = await minted.json();

  const db = new Cocobase({ apiKey: API_KEY, baseURL });
  const user = await db.auth.loginWithGoogle({ idToken, platform: "web" });
  assert.equal(user.email, "sdk-google@example.com");
  assert.equal(user.oauth_provider, "google");
  assert.equal(user.email_verified, true);
  assert.equal(user.data.username, "sdkgoogle");
  assert.ok(db.auth.getToken());
  assert.equal((await db.auth.getCurrentUser()).id, user.id);

  const forged = idToken.slice(0, -2) + (idToken.endsWith("AA") ? "BB" : "AA");
  await assert.rejects(new Cocobase({ apiKey: API_KEY, baseURL }).auth.loginWithGoogle({ idToken: forged }), (err) => {
    assert.match(String(err.message ?? err), /400|Invalid Google ID token/);
    return true;
  });
});

test("loginWithGithub signs in with a code of the stand-in GitHub", async () => {
  const redirectUri = "http://localhost:3000/auth/callback";
  const start = await fetch(
    `${baseURL}/auth-collections/oauth/github?redirect_uri=${encodeURIComponent(redirectUri)}`,
    { headers: { "x-api-key": API_KEY } },
  );
  assert.equal(start.status, 200);
  const { url } = await start.json();
  assert.ok(url.startsWith(`${baseURL}/__emulator/oauth/github/authorize?client_id=`), url);
  const page = await fetch(`${url}&state=st`);
  assert.match(await page.text(), /name="decision" value="allow"/);

  // What the consent page's Continue button sends.
  const consent = await fetch(`${baseURL}/__emulator/oauth/github/authorize`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      redirect_uri: redirectUri,
      state: "st",
      email: "sdk-github@example.com",
      name: "Sdk Github",
      decision: "allow",
    }),
    redirect: "manual",
  });
  assert.equal(consent.status, 303);
  const back = new URL(consent.headers.get("location"));
  assert.equal(back.searchParams.get("state"), "st");
  const code = back.searchParams.get("code");

  const db = new Cocobase({ apiKey: API_KEY, baseURL });
  const user = await db.auth.loginWithGithub({ code, redirectUri });
  assert.equal(user.email, "sdk-github@example.com");
  assert.equal(user.oauth_provider, "github");
  assert.equal(user.email_verified, true);
  assert.deepEqual(Object.keys(user.data).sort(), ["bio", "company", "location", "name", "picture", "username"]);
  assert.ok(db.auth.getToken());
  await assert.rejects(new Cocobase({ apiKey: API_KEY, baseURL }).auth.loginWithGithub({ code, redirectUri }), (err) => {
    assert.match(String(err.message ?? err), /400|Invalid or expired code/);
    return true;
  });
});
