// The demo's mail flows and newer sign-ins, driven like a person in headless Chromium:
// two-step sign-in (codes read from the demo's dev mailbox), password reset through the
// mailed link, email verification, GitHub through the stand-in consent page, and a Google
// ID token from the emulator's stand-in for Google's button.
//
//   bash scripts/build-pkg.sh && cargo build -p cocobase-emulator
//   node --test tests/e2e/flows.test.mjs
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  SCREENSHOTS, STRONG_PASSWORD, eventLog, logInViaUi, notice, openDemo, setup, signUpViaUi, status,
  uniqueEmail, waitNotice, waitReady,
} from "./harness.mjs";

const NEW_PASSWORD = "Mango-Lagoon-77";
const SENTENCE = {
  invalid_code: "That code is wrong, has expired or was already used. Check the latest email, or ask for a new code.",
  invalid_token: "This link is invalid, has expired or was already used. Ask for a new one.",
  invalid_credentials: "That email and password don't match an account. Check both and try again.",
};

/** A port free right now, so the mailed links can name the emulator's origin up front. */
function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

function assertNoPageErrors(page) {
  assert.deepEqual(page.errors.map(String), [], "the page threw");
}

async function shot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `flows-${name}.png`), fullPage: true });
}

/**
 * Reads the newest mail of `kind` to `email` from the demo's dev mailbox panel, as a person
 * would: type the address in its filter, press Refresh, read the top entry.
 */
async function newestMail(page, email, kind, { after: notBefore = 0 } = {}) {
  const panel = page.getByTestId("mailbox");
  await panel.waitFor({ state: "visible" });
  await page.getByTestId("mailbox-to").fill(email);
  const selector = `[data-testid=mail][data-kind="${kind}"]`;
  for (let i = 0; i < 20; i++) {
    await page.getByTestId("mailbox-refresh").click();
    await page.waitForFunction(() => {
      const b = document.querySelector("[data-testid=mailbox-refresh]");
      return b && !b.disabled;
    });
    const mails = panel.locator(selector);
    if (await mails.count() > notBefore) {
      const top = mails.first();
      assert.equal(await top.getAttribute("data-to"), email);
      const code = await top.getByTestId("mail-code").count() ? await top.getByTestId("mail-code").innerText() : null;
      const link = await top.getByTestId("mail-link").count() ? top.getByTestId("mail-link") : null;
      return { count: await mails.count(), code, link, href: link ? await link.getAttribute("href") : null };
    }
    await page.waitForTimeout(150);
  }
  throw new Error(`no ${kind} mail to ${email} in the mailbox panel: ${await panel.innerText()}`);
}

async function waitSignedIn(page, email) {
  await page.waitForSelector('[data-testid=status][data-state="signed-in"]');
  assert.equal(await status(page).innerText(), `Signed in as ${email}`);
}

async function openConsent(page, base, provider) {
  await page.getByTestId(`oauth-${provider}`).click();
  await page.waitForURL((u) => u.pathname === `/__emulator/oauth/${provider}/authorize`, { timeout: 10_000 });
  const u = new URL(page.url());
  assert.equal(u.origin, base);
  assert.equal(u.searchParams.get("redirect_uri"), `${base}/`);
  assert.match(u.searchParams.get("state") ?? "", /^[0-9a-f]{64}$/);
}

async function answerConsent(page, base, { decision = "allow", email, name } = {}) {
  if (decision === "allow") {
    if (email !== undefined) await page.locator("input[name=email]").fill(email);
    if (name !== undefined) await page.locator("input[name=name]").fill(name);
  }
  await page.locator(`button[name=decision][value=${decision}]`).click();
  await page.waitForURL((u) => u.origin === base && u.pathname === "/", { timeout: 10_000 });
  await waitReady(page);
}

/** Switches two-step sign-in in the profile and checks what the page then says. */
async function switchTwoFactor(page, want) {
  const sw = page.getByTestId("twofa-switch");
  assert.equal(await sw.getAttribute("role"), "switch");
  await sw.click();
  const n = await waitNotice(page, "success");
  assert.match(n.text, want === "on" ? /^Two-step sign-in is on/ : /^Two-step sign-in is off/);
  assert.equal(await sw.getAttribute("aria-checked"), String(want === "on"));
  assert.equal(await page.getByTestId("twofa-state").innerText(), want === "on" ? "On" : "Off");
}

function otherCode(code) {
  return String((Number(code) + 1) % 1_000_000).padStart(6, "0");
}

describe("demo: mail flows, two-step sign-in, GitHub and ID tokens", () => {
  let env;
  before(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    env = await setup({
      extraArgs: [
        "--port", String(port),
        "--password-reset-url", `${origin}/?view=reset`,
        "--verification-url", `${origin}/?view=verify`,
      ],
    });
    assert.equal(env.url, origin);
  });
  after(async () => {
    await env?.stop();
  });

  test("the dev mailbox and the ID-token stand-in show only when the API is the emulator", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    await page.getByTestId("mailbox").waitFor({ state: "visible" });
    assert.equal(await page.getByRole("heading", { name: /Dev mailbox/ }).isVisible(), true);
    assert.equal(await page.getByTestId("id-token-card").isVisible(), true);
    assert.equal(await page.getByTestId("oauth-github").isEnabled(), true);
    assertNoPageErrors(page);

    // Against an API that is not the emulator (no /__emulator/health), neither shows.
    const real = await env.newContext();
    await real.route((u) => u.pathname.startsWith("/__emulator/"), (route) => route.fulfill({ status: 404, body: "" }));
    const other = await openDemo(real, env.url);
    assert.equal(await other.getByTestId("mailbox").isVisible(), false);
    assert.equal(await other.getByTestId("id-token-card").isVisible(), false);
    assert.equal(await other.getByTestId("oauth-github").isVisible(), true);
    assertNoPageErrors(other);
  });

  test("2FA: switch it on, log in, the code step, a wrong code, a new code, signed in", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("twofa");
    await signUpViaUi(page, { email });
    // A new account: the page knows 2FA is off.
    assert.equal(await page.getByTestId("twofa-state").innerText(), "Off");
    await switchTwoFactor(page, "on");
    await shot(page, "2fa-on");

    await page.getByTestId("logout").click();
    await page.waitForSelector('[data-testid=status][data-state="signed-out"]');
    await page.getByTestId("login-email").fill(email);
    await page.getByTestId("login-password").fill(STRONG_PASSWORD);
    await page.getByTestId("login-submit").click();

    // The code step replaces the login form.
    await page.getByTestId("two-factor-step").waitFor({ state: "visible" });
    assert.equal(await page.getByTestId("signed-out").isVisible(), false);
    const asked = await waitNotice(page, "info", "requires_2fa");
    assert.equal(asked.text, `We mailed a 6-digit code to ${email}. Enter it below to finish signing in.`);
    assert.match(await page.getByTestId("code-intro").innerText(), new RegExp(`code to that address`));
    assert.equal(await page.getByLabel("6-digit code").getAttribute("autocomplete"), "one-time-code");
    assert.equal(await status(page).getAttribute("data-state"), "signed-out");

    const first = await newestMail(page, email, "two_factor_code");
    assert.match(first.code ?? "", /^\d{6}$/);
    await shot(page, "2fa-code-step");

    // A wrong code: the sentence for invalid_code, still on the code step.
    await page.getByLabel("6-digit code").fill(otherCode(first.code));
    await page.getByTestId("code-submit").click();
    const wrong = await waitNotice(page, "error", "invalid_code");
    assert.equal(wrong.text, SENTENCE.invalid_code);
    assert.equal(await page.getByTestId("two-factor-step").isVisible(), true);
    assert.equal(await status(page).getAttribute("data-state"), "signed-out");
    await shot(page, "2fa-wrong-code");

    // "Send a new code": a second mail, and that newest code signs in.
    await page.getByTestId("code-resend").click();
    await waitNotice(page, "info", "code_sent");
    const second = await newestMail(page, email, "two_factor_code", { after: first.count });
    assert.equal(second.count, first.count + 1);
    await page.getByLabel("6-digit code").fill(second.code);
    await page.getByTestId("code-submit").click();
    await waitSignedIn(page, email);
    const ok = await waitNotice(page, "success");
    assert.equal(ok.text, `Code accepted. Welcome, ${email}.`);
    assert.equal(await page.getByTestId("two-factor-step").isVisible(), false);
    assert.equal(await page.getByTestId("twofa-state").innerText(), "On");
    assert.ok((await eventLog(page)).includes("SIGNED_IN"));
    await shot(page, "2fa-signed-in");

    // Off again: the next login needs only the password.
    await switchTwoFactor(page, "off");
    await page.getByTestId("logout").click();
    await logInViaUi(page, { email });
    assert.equal(await page.getByTestId("two-factor-step").isVisible(), false);
    assertNoPageErrors(page);
  });

  test("password reset: Forgot password?, the mailed link, a new password; the old one is refused", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("reset");
    await signUpViaUi(page, { email });
    await page.getByTestId("logout").click();
    await page.waitForSelector('[data-testid=status][data-state="signed-out"]');

    // The answer is the same for an address without an account (nothing leaks).
    const toggle = page.getByRole("button", { name: "Forgot password?" });
    assert.equal(await toggle.getAttribute("aria-expanded"), "false");
    await toggle.click();
    assert.equal(await toggle.getAttribute("aria-expanded"), "true");
    const nobody = uniqueEmail("nobody");
    await page.getByLabel("Email", { exact: true }).and(page.getByTestId("forgot-email")).fill(nobody);
    await page.getByTestId("forgot-submit").click();
    const neutral = await waitNotice(page, "success", "reset_requested");
    assert.equal(neutral.text,
      `If an account uses ${nobody}, we have mailed it a link to set a new password. The link works once, for 1 hour.`);

    await page.getByTestId("forgot-email").fill(email);
    await page.getByTestId("forgot-submit").click();
    await page.waitForFunction((e) => document.querySelector("[data-testid=notice]").textContent.includes(e), email);
    assert.equal((await notice(page)).text.replace(email, nobody), neutral.text);
    await shot(page, "reset-requested");

    // The link in the mail opens the demo's own reset view (a real navigation).
    const mail = await newestMail(page, email, "password_reset");
    assert.ok(mail.href.startsWith(`${env.url}/?view=reset&token=`), mail.href);
    const token = new URL(mail.href).searchParams.get("token");
    await mail.link.click();
    await page.waitForURL((u) => u.pathname === "/" && !u.search.includes("token"), { timeout: 10_000 });
    await waitReady(page);
    await page.getByTestId("reset-view").waitFor({ state: "visible" });
    assert.equal(page.url().includes(token), false, "the token left the address bar");
    assert.equal(await page.getByTestId("signed-out").isVisible(), false);

    // The strength meter and the rules, as on sign-up.
    await page.getByTestId("reset-password").fill("abc");
    await page.getByTestId("reset-password-rules").locator('li[data-code="too_short"][data-ok="false"]').waitFor();
    assert.match(await page.getByTestId("reset-password-label").innerText(), /weak/i);
    await page.getByTestId("reset-password").fill(NEW_PASSWORD);
    await shot(page, "reset-view");
    await page.getByTestId("reset-submit").click();
    const done = await waitNotice(page, "success", "password_reset");
    assert.equal(done.text, "Your password was reset. Log in with your new password.");
    await page.getByTestId("login-form").waitFor({ state: "visible" });
    assert.equal(await page.getByTestId("reset-view").isVisible(), false);

    // The old password is refused, the new one works.
    await page.getByTestId("login-email").fill(email);
    await page.getByTestId("login-password").fill(STRONG_PASSWORD);
    await page.getByTestId("login-submit").click();
    const refused = await waitNotice(page, "error", "invalid_credentials");
    assert.equal(refused.text, SENTENCE.invalid_credentials);
    await logInViaUi(page, { email, password: NEW_PASSWORD });
    await waitSignedIn(page, email);

    // A password_changed mail followed; the used link no longer works.
    await newestMail(page, email, "password_changed");
    await page.getByTestId("logout").click();
    await page.goto(mail.href);
    await waitReady(page);
    await page.getByTestId("reset-password").fill("Another-Mango-88");
    await page.getByTestId("reset-submit").click();
    const used = await waitNotice(page, "error", "invalid_token");
    assert.equal(used.text, SENTENCE.invalid_token);
    assertNoPageErrors(page);
  });

  test("password reset opened in a page signed in as that account: the page signs out", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("reset-held");
    await signUpViaUi(page, { email });
    // Somebody asks for the reset from another browser profile (the form is for signed-out people).
    const asker = await openDemo(await env.newContext(), env.url);
    await asker.getByTestId("forgot-toggle").click();
    await asker.getByTestId("forgot-email").fill(email);
    await asker.getByTestId("forgot-submit").click();
    await waitNotice(asker, "success", "reset_requested");
    const mail = await newestMail(asker, email, "password_reset");

    await page.goto(mail.href);
    await waitReady(page);
    await page.getByTestId("reset-view").waitFor({ state: "visible" });
    assert.equal(await page.getByTestId("signed-in").isVisible(), false, "the reset view replaces the profile");
    await page.getByTestId("reset-password").fill(NEW_PASSWORD);
    await page.getByTestId("reset-submit").click();
    await waitNotice(page, "success", "password_reset");
    await page.waitForSelector('[data-testid=status][data-state="signed-out"]');
    assert.ok((await eventLog(page)).includes("SIGNED_OUT:revoked"), (await eventLog(page)).join());
    await logInViaUi(page, { email, password: NEW_PASSWORD });
    assertNoPageErrors(page);
    assertNoPageErrors(asker);
  });

  test("verify email: from the profile, the mailed link, the profile says verified", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("verify");
    await signUpViaUi(page, { email });
    assert.equal(await page.getByTestId("me-verified").innerText(), "Not yet");
    await page.getByRole("button", { name: "Verify email" }).click();
    const sent = await waitNotice(page, "success", "verification_sent");
    assert.match(sent.text, new RegExp(`^We mailed a verification link to ${email.replace(/[.]/g, "\\.")}`));

    const mail = await newestMail(page, email, "email_verification");
    assert.ok(mail.href.startsWith(`${env.url}/?view=verify&token=`), mail.href);
    await mail.link.click();
    await page.waitForURL((u) => u.pathname === "/" && !u.search.includes("token"), { timeout: 10_000 });
    await waitReady(page);
    const ok = await waitNotice(page, "success", "email_verified");
    assert.equal(ok.text, "The email address this link was sent to is verified.");
    assert.equal(await page.getByTestId("me-verified").innerText(), "Yes");
    assert.equal(await page.getByTestId("verify-email").isVisible(), false);
    assert.ok((await eventLog(page)).includes("USER_UPDATED"), "verifyEmail updated the user");
    await shot(page, "verified");

    // Still verified after a reload (the stored user followed); the link works once.
    await page.reload();
    await waitReady(page);
    assert.equal(await page.getByTestId("me-verified").innerText(), "Yes");
    await page.goto(mail.href);
    await waitReady(page);
    const used = await waitNotice(page, "error", "invalid_token");
    assert.equal(used.text, SENTENCE.invalid_token);
    assertNoPageErrors(page);
  });

  test("2FA: a second login within 2 minutes reuses the code; too many new codes are refused in words", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("twofa-limit");
    await signUpViaUi(page, { email });
    await switchTwoFactor(page, "on");
    await page.getByTestId("logout").click();
    const logIn = async () => {
      await page.getByTestId("login-email").fill(email);
      await page.getByTestId("login-password").fill(STRONG_PASSWORD);
      await page.getByTestId("login-submit").click();
      await page.getByTestId("two-factor-step").waitFor({ state: "visible" });
      return waitNotice(page, "info", "requires_2fa");
    };
    await logIn();
    const first = await newestMail(page, email, "two_factor_code");
    await page.getByTestId("code-cancel").click();
    await page.getByTestId("login-form").waitFor({ state: "visible" });
    const again = await logIn();
    assert.equal(again.text, `A code was mailed to ${email} a moment ago and still works. Enter it below to finish signing in.`);
    assert.equal((await newestMail(page, email, "two_factor_code")).count, first.count, "no second mail");

    // Codes 2..10 come; the 11th within 15 minutes is refused, with the wait in words.
    for (let i = 2; i <= 10; i++) {
      await page.getByTestId("code-resend").click();
      await waitNotice(page, "info", "code_sent");
      await page.evaluate(() => { document.querySelector("[data-testid=notice]").dataset.code = ""; });
    }
    await page.getByTestId("code-resend").click();
    const limited = await waitNotice(page, "error", "rate_limited");
    assert.match(limited.text, /^Too many attempts\. Please wait \d+ seconds and try again\.$/);
    const latest = await newestMail(page, email, "two_factor_code");
    assert.equal(latest.count, 10);
    // The 10th code still signs in.
    await page.getByLabel("6-digit code").fill(latest.code);
    await page.getByTestId("code-submit").click();
    await waitSignedIn(page, email);
    assertNoPageErrors(page);
  });

  // The verify-email answer does not say whose address it verified: the client re-reads the
  // signed-in user instead of assuming the token was theirs.
  test("another account's verification link does not mark the signed-in user verified", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const mine = uniqueEmail("verify-mine");
    await signUpViaUi(page, { email: mine });
    // Somebody else asks for a link in another browser profile, and it is opened here.
    const other = await openDemo(await env.newContext(), env.url);
    const theirs = uniqueEmail("verify-theirs");
    await signUpViaUi(other, { email: theirs });
    await other.getByTestId("verify-email").click();
    await waitNotice(other, "success", "verification_sent");
    const mail = await newestMail(other, theirs, "email_verification");
    await page.goto(mail.href);
    await waitReady(page);
    await waitNotice(page, "success", "email_verified");
    assert.equal(await status(page).innerText(), `Signed in as ${mine}`);
    assert.equal(await page.getByTestId("me-verified").innerText(), "Not yet", `${mine} was never verified`);
  });

  test("GitHub: Continue with GitHub, the stand-in consent page, allow, signed in", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("github");
    await openConsent(page, env.url, "github");
    await shot(page, "github-consent");
    await answerConsent(page, env.url, { email, name: "Octo Person" });
    await waitSignedIn(page, email);
    const n = await waitNotice(page, "success");
    assert.equal(n.text, `Signed in with GitHub as ${email}.`);
    assert.equal(await page.getByTestId("me-provider").innerText(), "GitHub");
    assert.equal(await page.getByTestId("profile-name").inputValue(), "Octo Person");
    // GitHub accounts start verified.
    assert.equal(await page.getByTestId("me-verified").innerText(), "Yes");
    const u = new URL(page.url());
    assert.equal(u.href, `${env.url}/`, "the address bar is clean");
    await shot(page, "github-signed-in");

    // With 2FA on, GitHub sign-in asks for the code too.
    await switchTwoFactor(page, "on");
    await page.getByTestId("logout").click();
    await openConsent(page, env.url, "github");
    await answerConsent(page, env.url, { email });
    await page.getByTestId("two-factor-step").waitFor({ state: "visible" });
    await waitNotice(page, "info", "requires_2fa");
    // The redirect's answer carries no email (AuthResult.email may be null): the page then asks.
    if (await page.getByTestId("code-email").isVisible()) await page.getByTestId("code-email").fill(email);
    const mail = await newestMail(page, email, "two_factor_code");
    await page.getByLabel("6-digit code").fill(mail.code);
    await page.getByTestId("code-submit").click();
    await waitSignedIn(page, email);
    assertNoPageErrors(page);
  });

  test("GitHub: Cancel on the consent page leads back signed out, told in words", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    await openConsent(page, env.url, "github");
    await answerConsent(page, env.url, { decision: "deny" });
    const n = await waitNotice(page, "error", "oauth_denied");
    assert.match(n.text, /^Sign-in with GitHub was cancelled, so you were not signed in/);
    assert.equal(await status(page).getAttribute("data-state"), "signed-out");
    assert.equal(page.url(), `${env.url}/`);
    assertNoPageErrors(page);
  });

  test("GitHub with an email that has a password: told to log in with the password", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("gh-pw");
    await signUpViaUi(page, { email });
    await page.getByTestId("logout").click();
    await openConsent(page, env.url, "github");
    await answerConsent(page, env.url, { email });
    const n = await waitNotice(page, "error", "email_taken");
    assert.match(n.text, /Log in with your email and password instead/);
    assert.equal(await status(page).getAttribute("data-state"), "signed-out");
    assertNoPageErrors(page);
  });

  test("the 2FA switch says so honestly when this browser has not seen the state", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("unknown");
    await signUpViaUi(page, { email });
    // What the demo remembered is gone (another browser, cleared data): the session stays.
    await page.evaluate(() => localStorage.removeItem("cocobase.demo.twoFactor"));
    await page.reload();
    await waitReady(page);
    const sw = page.getByTestId("twofa-switch");
    assert.equal(await page.getByTestId("twofa-state").innerText(), "Not known");
    assert.equal(await sw.getAttribute("data-known"), "false");
    assert.match(await page.getByTestId("twofa-note").innerText(), /does not tell a page/);
    await switchTwoFactor(page, "on");
    assert.equal(await sw.getAttribute("data-known"), "true");
    await switchTwoFactor(page, "off");
    assertNoPageErrors(page);
  });

  test("every field of the new forms has a label; the code form works from the keyboard", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const unlabelled = await page.evaluate(() =>
      ["reset-form", "code-form", "forgot-form", "id-token-form", "mailbox-form"].flatMap((id) =>
        [...document.getElementById(id).querySelectorAll("input")]
          .filter((i) => i.labels.length === 0 && !i.getAttribute("aria-label"))
          .map((i) => i.id)));
    assert.deepEqual(unlabelled, []);

    const email = uniqueEmail("keys");
    await signUpViaUi(page, { email });
    await switchTwoFactor(page, "on");
    await page.getByTestId("logout").click();
    await page.getByLabel("Email", { exact: true }).and(page.getByTestId("login-email")).fill(email);
    await page.getByTestId("login-password").fill(STRONG_PASSWORD);
    await page.getByTestId("login-password").press("Enter");
    await page.getByTestId("two-factor-step").waitFor({ state: "visible" });
    // Focus moves to the step's heading; Tab reaches the code field.
    assert.equal(await page.evaluate(() => document.activeElement?.id), "code-title");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "code-input");
    const mail = await newestMail(page, email, "two_factor_code");
    await page.getByTestId("code-input").focus();
    // Only digits stay in the field.
    await page.keyboard.type(`${mail.code.slice(0, 3)} -${mail.code.slice(3)}`);
    assert.equal(await page.getByTestId("code-input").inputValue(), mail.code);
    await page.keyboard.press("Enter");
    await waitSignedIn(page, email);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "profile-title");
    assertNoPageErrors(page);
  });

  test("Google ID token from the emulator's stand-in: signed in; with 2FA on, the code step", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("idtoken");
    const card = page.getByTestId("id-token-card");
    assert.match(await card.innerText(), /emulator stand-in/);
    await page.getByLabel("Google account email").fill(email);
    await card.getByLabel(/^Name/).fill("Token Person");
    await page.getByTestId("id-token-submit").click();
    await waitSignedIn(page, email);
    assert.equal((await waitNotice(page, "success")).text, `Signed in with a Google ID token as ${email}.`);
    assert.equal(await page.getByTestId("me-provider").innerText(), "Google");
    assert.equal(await page.getByTestId("profile-name").inputValue(), "Token Person");

    await switchTwoFactor(page, "on");
    await page.getByTestId("logout").click();
    await page.getByLabel("Google account email").fill(email);
    await page.getByTestId("id-token-submit").click();
    await page.getByTestId("two-factor-step").waitFor({ state: "visible" });
    // The ID token names the email, so the client knows it (AuthResult.email).
    assert.equal(await page.getByTestId("code-email").isVisible(), false);
    assert.equal((await waitNotice(page, "info", "requires_2fa")).text,
      `We mailed a 6-digit code to ${email}. Enter it below to finish signing in.`);
    const mail = await newestMail(page, email, "two_factor_code");
    await page.getByLabel("6-digit code").fill(mail.code);
    await page.getByTestId("code-submit").click();
    await waitSignedIn(page, email);
    assertNoPageErrors(page);
  });
});

describe("demo: a project with two-step sign-in off (--no-2fa)", () => {
  let env;
  before(async () => {
    env = await setup({ extraArgs: ["--no-2fa"] });
  });
  after(async () => {
    await env?.stop();
  });

  test("switching 2FA on is refused in words and the switch stays off", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    await signUpViaUi(page, { email: uniqueEmail("no2fa") });
    const sw = page.getByTestId("twofa-switch");
    await sw.click();
    const n = await waitNotice(page, "error", "two_factor_unavailable");
    assert.equal(n.text, "Two-step sign-in is not available for this account or project.");
    assert.equal(await sw.getAttribute("aria-checked"), "false");
    assert.equal(await page.getByTestId("twofa-state").innerText(), "Off");
    assert.equal(await sw.isEnabled(), true);
    assertNoPageErrors(page);
  });
});
