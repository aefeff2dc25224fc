// The demo app (www/) driven like a person would, in headless Chromium, against a real
// emulator serving the page and the API on one origin.
//
//   bash scripts/build-pkg.sh && cargo build -p cocobase-emulator
//   node --test tests/e2e/demo.test.mjs
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import {
  PKG_DIR, SCREENSHOTS, STRONG_PASSWORD, createUserViaApi, eventLog, logInViaUi, notice, openDemo, setup,
  signUpViaUi, status, uniqueEmail, waitNotice, waitReady,
} from "./harness.mjs";

/** A real PNG (solid colour), so the <img> has something to decode. */
function png(width = 8, height = 8, rgb = [47, 91, 234]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill(rgb).flat())]);
  const raw = Buffer.concat(Array(height).fill(row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Requests of `page` to the API, as "METHOD /path". */
function recordApiCalls(page) {
  const calls = [];
  page.on("request", (req) => {
    const u = new URL(req.url());
    if (u.pathname.startsWith("/auth-collections/")) calls.push(`${req.method()} ${u.pathname}`);
  });
  return calls;
}

function assertNoPageErrors(page) {
  assert.deepEqual(page.errors.map(String), [], "the page threw");
}

describe("demo app", () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.stop();
  });

  test("every error code of the package reads as its own sentence", async () => {
    // The codes as the shipped .d.ts lists them (CocobaseErrorCode).
    const dts = readFileSync(join(PKG_DIR, "cocobase_auth.d.ts"), "utf8");
    const union = /type CocobaseErrorCode =([^;]+);/.exec(dts);
    assert.ok(union, "CocobaseErrorCode in the .d.ts");
    const codes = [...union[1].matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]);
    assert.ok(codes.length >= 19, codes.join());
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const sentences = await page.evaluate(async (list) => {
      const { explain } = await import("/app.js");
      // oauth_denied shows the provider's own words (error_description) when there are some.
      const denied = explain(Object.assign(new Error("The admin blocked this app."), {
        name: "CocobaseError", code: "oauth_denied", status: 0, retryable: false,
      }));
      const raw = (code) => (code === "oauth_denied" ? "Sign-in was cancelled or denied." : `raw ${code}`);
      return [denied, ...list.map((code) => explain(Object.assign(new Error(raw(code)), {
        name: "CocobaseError", code, status: 0, retryable: false,
        ...(code === "validation_failed"
          ? { fieldErrors: { email: [{ code: "invalid_domain", message: "Use a domain such as example.com." }] } }
          : {}),
        ...(code === "rate_limited" ? { retryAfter: 42 } : {}),
      })))];
    }, codes);
    const denied = sentences.shift();
    assert.match(denied, /^Sign-in with the provider was cancelled, so you were not signed in: “The admin blocked this app”\. You can try again/);
    assert.equal(sentences[codes.indexOf("validation_failed")],
      "Please fix the following, then try again. Email: Use a domain such as example.com.");
    assert.equal(sentences[codes.indexOf("rate_limited")], "Too many attempts. Please wait 42 seconds and try again.");
    codes.forEach((code, i) => {
      const text = sentences[i];
      assert.match(text, /^[A-Z].*[.)]$/, `${code}: ${text}`);
      assert.ok(!text.includes(code) && !text.includes(`raw ${code}`), `${code} is explained, not echoed: ${text}`);
    });
    assert.equal(new Set(sentences).size, codes.length, "each code has its own sentence");
    assertNoPageErrors(page);
  });

  test("sign-up form gives live feedback and sends nothing while the input is bad", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const calls = recordApiCalls(page);
    await assert.doesNotReject(status(page).filter({ hasText: "Signed out" }).waitFor());

    // A malformed email is explained in words while typing.
    await page.getByTestId("signup-email").fill("coco.example.com");
    const emailFeedback = page.getByTestId("signup-email-feedback");
    await emailFeedback.locator('li[data-code="missing_at"]').waitFor();
    assert.match(await emailFeedback.innerText(), /needs an @/);

    // A weak password: low score, the failed rules in words.
    await page.getByTestId("signup-email").fill("coco@example.com");
    assert.match(await emailFeedback.innerText(), /Looks like an email address/);
    await page.getByTestId("signup-password").fill("abc");
    const rules = page.getByTestId("password-rules");
    const failed = await rules.locator('li[data-ok="false"]').evaluateAll((lis) => lis.map((li) => li.dataset.code));
    assert.deepEqual(failed.sort(), ["missing_digit", "missing_uppercase", "too_short"]);
    assert.equal(await rules.locator('li[data-code="missing_lowercase"]').getAttribute("data-ok"), "true");
    assert.match(await rules.innerText(), /At least 8 characters/);
    assert.match(await rules.innerText(), /An uppercase letter/);
    const weakScore = Number(await page.getByTestId("strength-meter").evaluate((m) => m.value));
    assert.ok(weakScore <= 1, `score of "abc" is ${weakScore}`);
    assert.match(await page.getByTestId("strength-label").innerText(), /weak/i);

    // Common passwords and ones containing the email are named too.
    await page.getByTestId("signup-password").fill("Password1");
    await rules.locator('li[data-code="common_password"][data-ok="false"]').waitFor();
    await page.getByTestId("signup-password").fill("Coco-Secret-99");
    await rules.locator('li[data-code="contains_email"][data-ok="false"]').waitFor();

    await page.screenshot({ path: join(SCREENSHOTS, "signup-feedback.png"), fullPage: true });

    // Submitting anyway: a readable refusal, and nothing reached the server.
    await page.getByTestId("signup-password").fill("abc");
    await page.getByTestId("signup-submit").click();
    const n = await waitNotice(page, "error", "validation_failed");
    assert.match(n.text, /Please fix the following/);
    assert.doesNotMatch(n.text, /validation_failed/);
    await page.getByTestId("signup-email").fill("coco@");
    await page.getByTestId("signup-password").fill(STRONG_PASSWORD);
    await page.getByTestId("signup-submit").click();
    await waitNotice(page, "error", "validation_failed");
    assert.deepEqual(calls.filter((c) => c.includes("/signup")), [], "a request was sent for bad input");
    assert.equal(await status(page).getAttribute("data-state"), "signed-out");

    // A strong password satisfies every rule.
    await page.getByTestId("signup-email").fill("coco@example.com");
    await page.getByTestId("signup-password").fill("Tropical-Mango-Sunrise-7");
    assert.equal(await rules.locator('li[data-ok="false"]').count(), 0);
    const strongScore = Number(await page.getByTestId("strength-meter").evaluate((m) => m.value));
    assert.ok(strongScore >= 3, `score of a strong password is ${strongScore}`);
    assertNoPageErrors(page);
  });

  test("sign up, reload keeps the session, edit the profile, upload an avatar", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("ada");
    await signUpViaUi(page, { email, name: "Ada" });
    assert.equal(await status(page).innerText(), `Signed in as ${email}`);
    assert.match((await notice(page)).text, /Welcome!/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "profile-title", "focus moves to the profile");
    assert.equal(await page.getByTestId("session-user").innerText(), email);
    assert.equal(await page.getByTestId("me-email").innerText(), email);
    assert.equal(await page.getByTestId("profile-name").inputValue(), "Ada");
    assert.deepEqual(await eventLog(page), ["INITIAL_SESSION", "SIGNED_IN"]);
    const userId = await page.getByTestId("me-id").innerText();
    assert.match(userId, /^[0-9a-f-]{36}$/);

    // The countdown shows about two days and ticks down.
    const expires = page.getByTestId("session-expires");
    assert.match(await expires.innerText(), /^1d 23h 59m \d\ds|^2d 0h 0m 0\ds/);
    const expiresAt = Number(await expires.getAttribute("data-expires-at"));
    assert.ok(Math.abs(expiresAt - (Date.now() + 172_800_000)) < 60_000, `expiresAt ${expiresAt}`);
    const before = await expires.innerText();
    await page.waitForFunction((b) => document.querySelector("[data-testid=session-expires]").textContent !== b, before);

    // Reload: still signed in, announced once by INITIAL_SESSION.
    await page.reload();
    await waitReady(page);
    assert.equal(await status(page).getAttribute("data-state"), "signed-in");
    assert.equal(await page.getByTestId("me-id").innerText(), userId);
    assert.deepEqual(await eventLog(page), ["INITIAL_SESSION"]);

    // Edit data fields; they survive a reload (they come back from the server).
    await page.getByTestId("profile-name").fill("Ada Lovelace");
    await page.getByTestId("profile-bio").fill("Writes the first programs.");
    await page.getByTestId("profile-save").click();
    assert.match((await waitNotice(page, "success")).text, /profile was saved/);
    assert.deepEqual((await eventLog(page)).slice(-1), ["USER_UPDATED"]);
    await page.reload();
    await waitReady(page);
    assert.equal(await page.getByTestId("profile-name").inputValue(), "Ada Lovelace");
    assert.equal(await page.getByTestId("profile-bio").inputValue(), "Writes the first programs.");

    // Upload an avatar and see the image load.
    assert.equal(await page.getByTestId("avatar").isHidden(), true);
    await page.getByTestId("avatar-input").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: png(64, 64) });
    await page.getByTestId("avatar-upload").click();
    assert.match((await waitNotice(page, "success")).text, /avatar/);
    const img = page.getByTestId("avatar");
    await img.waitFor({ state: "visible" });
    const src = await img.getAttribute("src");
    assert.ok(src.startsWith(`${env.url}/files/`), src);
    await page.waitForFunction(() => {
      const i = document.querySelector("[data-testid=avatar]");
      return i.complete && i.naturalWidth === 64;
    });
    // And again after a reload.
    await page.reload();
    await waitReady(page);
    assert.equal(await page.getByTestId("avatar").getAttribute("src"), src);

    // The README's screenshot: a few people in the list, one of them followed.
    const grace = await createUserViaApi(env.url, { email: uniqueEmail("grace"), data: { name: "Grace Hopper" } });
    await createUserViaApi(env.url, { email: uniqueEmail("alan"), data: { name: "Alan Turing" } });
    await page.getByTestId("people-submit").click();
    const graceRow = page.locator(`[data-testid=people-list] li[data-user-id="${grace.user.id}"]`);
    await graceRow.getByTestId("follow-toggle").click();
    await graceRow.locator('[data-testid=follow-toggle][data-following="true"]').waitFor();
    await page.evaluate(() => { document.querySelector("[data-testid=notice]").hidden = true; });
    await page.waitForFunction(() => document.querySelector("[data-testid=avatar]").naturalWidth === 64);
    await page.screenshot({ path: join(SCREENSHOTS, "signed-in.png"), fullPage: true });
    assertNoPageErrors(page);
  });

  test("people: search by email, pages, follow and unfollow, profile by id", async () => {
    const tag = `crew${Date.now().toString(36)}`;
    // Someone to follow, signed up in their own browser profile.
    const otherCtx = await env.newContext();
    const otherPage = await openDemo(otherCtx, env.url);
    const otherEmail = `${tag}-grace@example.com`;
    await signUpViaUi(otherPage, { email: otherEmail, name: "Grace" });
    const otherId = await otherPage.getByTestId("me-id").innerText();
    await otherPage.getByTestId("profile-bio").fill("Finds bugs.");
    await otherPage.getByTestId("profile-save").click();
    await waitNotice(otherPage, "success");
    // Six more, straight through the API, so the search spans two pages of five.
    for (let i = 0; i < 6; i++) {
      await createUserViaApi(env.url, { email: `${tag}-filler${i}@example.com`, data: { name: `Filler ${i}` } });
    }

    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    await signUpViaUi(page, { email: uniqueEmail("linus") });
    const list = page.getByTestId("people-list");
    await list.locator("li[data-user-id]").first().waitFor();

    await page.getByTestId("people-search").fill(tag);
    await page.getByTestId("people-submit").click();
    await page.getByTestId("people-page").filter({ hasText: "1–5 of 7" }).waitFor();
    const emails1 = await list.locator("li[data-user-id]").evaluateAll((lis) => lis.map((li) => li.dataset.email));
    assert.equal(emails1.length, 5);
    assert.ok(emails1.every((e) => e.includes(tag)), emails1.join());
    assert.equal(await page.getByTestId("people-prev").isDisabled(), true);
    await page.getByTestId("people-next").click();
    await page.getByTestId("people-page").filter({ hasText: "6–7 of 7" }).waitFor();
    const emails2 = await list.locator("li[data-user-id]").evaluateAll((lis) => lis.map((li) => li.dataset.email));
    assert.equal(emails2.length, 2);
    assert.equal(new Set([...emails1, ...emails2]).size, 7);
    assert.equal(await page.getByTestId("people-next").isDisabled(), true);
    await page.getByTestId("people-prev").click();
    await page.getByTestId("people-page").filter({ hasText: "1–5 of 7" }).waitFor();

    // A search matching nobody says so.
    await page.getByTestId("people-search").fill(`${tag}-nobody`);
    await page.getByTestId("people-submit").click();
    await page.getByTestId("people-empty").waitFor();

    // Follow Grace, then unfollow.
    await page.getByTestId("people-search").fill(`${tag}-grace`);
    await page.getByTestId("people-submit").click();
    const row = list.locator(`li[data-user-id="${otherId}"]`);
    await row.waitFor();
    const toggle = row.getByTestId("follow-toggle");
    assert.equal(await toggle.innerText(), "Follow");
    await toggle.click();
    await row.locator('[data-testid=follow-toggle][data-following="true"]').waitFor();
    assert.equal(await row.getByTestId("follow-toggle").innerText(), "Unfollow");
    assert.equal(await page.getByTestId("me-following").innerText(), "1");
    assert.match((await notice(page)).text, new RegExp(`You now follow ${otherEmail}`));
    // The server kept it: after a reload the button still says Unfollow.
    await page.reload();
    await waitReady(page);
    assert.equal(await page.getByTestId("me-following").innerText(), "1");
    await page.getByTestId("people-search").fill(`${tag}-grace`);
    await page.getByTestId("people-submit").click();
    await row.locator('[data-testid=follow-toggle][data-following="true"]').waitFor();
    await row.getByTestId("follow-toggle").click();
    await row.locator('[data-testid=follow-toggle][data-following="false"]').waitFor();
    assert.equal(await row.getByTestId("follow-toggle").innerText(), "Follow");
    assert.equal(await page.getByTestId("me-following").innerText(), "0");

    // The public profile, from the list and by typing the id.
    await row.getByTestId("person-view").click();
    const view = page.getByTestId("profile-view");
    await view.waitFor({ state: "visible" });
    assert.equal(await view.getByTestId("view-name").innerText(), "Grace");
    assert.equal(await view.getByTestId("view-bio").innerText(), "Finds bugs.");
    assert.equal(await view.getByTestId("view-id").innerText(), otherId);
    assert.doesNotMatch(await view.innerText(), new RegExp(otherEmail), "a public profile shows no email");
    await page.evaluate(() => { document.querySelector("[data-testid=profile-view]").hidden = true; });
    await page.getByTestId("lookup-id").fill(otherId);
    await page.getByTestId("lookup-submit").click();
    await view.waitFor({ state: "visible" });
    assert.equal(await view.getByTestId("view-name").innerText(), "Grace");

    // An unknown id: a sentence, not a code.
    await page.getByTestId("lookup-id").fill("00000000-0000-4000-8000-000000000000");
    await page.getByTestId("lookup-submit").click();
    const n = await waitNotice(page, "error", "not_found");
    assert.equal(n.text, "No user has that id. Check it and try again.");
    assertNoPageErrors(page);
    assertNoPageErrors(otherPage);
  });

  test("change password, log out, log in with the new one; wrong passwords read as sentences", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("pw");
    await signUpViaUi(page, { email });
    const newPassword = "Brand-New-Passw0rd";

    // A wrong current password keeps the session and says what happened.
    await page.getByTestId("current-password").fill("Not-My-Passw0rd");
    await page.getByTestId("new-password").fill(newPassword);
    await page.getByTestId("password-submit").click();
    const wrong = await waitNotice(page, "error", "invalid_credentials");
    assert.equal(wrong.text, "Your current password is not right, so your password was not changed.");
    assert.equal(await status(page).getAttribute("data-state"), "signed-in");

    // The new password's rules show while typing.
    await page.getByTestId("new-password").fill("short");
    await page.getByTestId("new-password-rules").locator('li[data-code="too_short"][data-ok="false"]').waitFor();

    await page.getByTestId("current-password").fill(STRONG_PASSWORD);
    await page.getByTestId("new-password").fill(newPassword);
    await page.getByTestId("password-submit").click();
    assert.match((await waitNotice(page, "success")).text, /password was changed/);
    assert.equal(await status(page).getAttribute("data-state"), "signed-in");

    await page.getByTestId("logout").click();
    await page.waitForSelector('[data-testid=status][data-state="signed-out"]');
    assert.deepEqual((await eventLog(page)).slice(-1), ["SIGNED_OUT:logout"]);
    assert.equal(await page.evaluate(() => localStorage.getItem("cocobase.auth.session")), null);

    // The old password no longer works, in words.
    await page.getByTestId("login-email").fill(email);
    await page.getByTestId("login-password").fill(STRONG_PASSWORD);
    await page.getByTestId("login-submit").click();
    const bad = await waitNotice(page, "error", "invalid_credentials");
    assert.equal(bad.text, "That email and password don't match an account. Check both and try again.");
    assert.equal(await status(page).getAttribute("data-state"), "signed-out");

    await logInViaUi(page, { email, password: newPassword });
    assert.equal(await status(page).innerText(), `Signed in as ${email}`);
    assert.deepEqual((await eventLog(page)).slice(-1), ["SIGNED_IN"]);

    // Signing up again with the same email is explained too.
    await page.getByTestId("logout").click();
    await page.getByTestId("signup-email").fill(email);
    await page.getByTestId("signup-password").fill(STRONG_PASSWORD);
    await page.getByTestId("signup-submit").click();
    const taken = await waitNotice(page, "error", "email_taken");
    assert.match(taken.text, /already exists/);
    assertNoPageErrors(page);
  });

  test("two tabs: logging out in one signs the other out", async () => {
    const ctx = await env.newContext();
    const first = await openDemo(ctx, env.url);
    const email = uniqueEmail("tabs");
    await signUpViaUi(first, { email });
    const second = await openDemo(ctx, env.url);
    assert.equal(await status(second).innerText(), `Signed in as ${email}`);
    assert.deepEqual(await eventLog(second), ["INITIAL_SESSION"]);

    await first.getByTestId("logout").click();
    await second.waitForSelector('[data-testid=status][data-state="signed-out"]', { timeout: 10_000 });
    assert.deepEqual((await eventLog(second)).slice(-1), ["SIGNED_OUT:other_tab"]);
    assert.deepEqual((await eventLog(first)).slice(-1), ["SIGNED_OUT:logout"]);
    const n = await waitNotice(second, "info", "signed_out_other_tab");
    assert.equal(n.text, "You were signed out in another tab.");
    assert.equal(await second.getByTestId("signed-in").isHidden(), true);
    await second.getByTestId("login-form").waitFor({ state: "visible" });

    // Logging in again in the second tab brings the first one along.
    await logInViaUi(second, { email });
    await first.waitForSelector('[data-testid=status][data-state="signed-in"]', { timeout: 10_000 });
    assertNoPageErrors(first);
    assertNoPageErrors(second);
  });

  test("session panel: a manual refresh is counted and logged", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    await signUpViaUi(page, { email: uniqueEmail("refresh") });
    const calls = recordApiCalls(page);
    const beforeAt = Number(await page.getByTestId("session-expires").getAttribute("data-expires-at"));
    await page.waitForTimeout(1100); // a new token from a later second
    await page.getByTestId("refresh").click();
    await page.getByTestId("refresh-count").filter({ hasText: /^1 \(last at / }).waitFor();
    assert.deepEqual((await eventLog(page)).slice(-1), ["TOKEN_REFRESHED"]);
    assert.ok(calls.includes("POST /auth-collections/refresh-token"), calls.join());
    await page.waitForFunction(
      (b) => Number(document.querySelector("[data-testid=session-expires]").dataset.expiresAt) > b, beforeAt);
    assertNoPageErrors(page);
  });
});

describe("demo app with a package that has no OAuth methods", () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.stop();
  });

  test("the page still works, and says Google and Apple sign-in are unavailable", async () => {
    const ctx = await env.newContext();
    // Serve a glue file whose class lacks the three OAuth methods (an older package).
    await ctx.route((u) => u.pathname === "/pkg/cocobase_auth.js", async (route) => {
      const res = await route.fetch();
      const body = (await res.text()).replace(/\b(getOAuthUrl|signInWithOAuth|handleRedirectCallback)\(/g, "$1_absent(");
      await route.fulfill({ response: res, body });
    });
    const page = await openDemo(ctx, env.url);
    assert.equal(await page.evaluate(() => typeof window.cocobaseAuth.handleRedirectCallback), "undefined");
    assert.equal(await page.getByTestId("oauth-google").isDisabled(), true);
    assert.equal(await page.getByTestId("oauth-apple").isDisabled(), true);
    assert.match(await page.getByTestId("oauth-note").innerText(), /not in this build/);
    await signUpViaUi(page, { email: uniqueEmail("no-oauth") });
    assert.deepEqual(await eventLog(page), ["INITIAL_SESSION", "SIGNED_IN"]);
    assertNoPageErrors(page);
  });
});

describe("demo app with short-lived tokens", () => {
  let env;
  before(async () => {
    // Tokens of 66 s are refreshed 60 s before they run out: about 6 s after sign-in.
    env = await setup({ extraArgs: ["--token-ttl", "66"] });
  });
  after(async () => {
    await env?.stop();
  });

  test("the session panel shows automatic refreshes as they happen", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    await signUpViaUi(page, { email: uniqueEmail("auto") });
    assert.match(await page.getByTestId("session-expires").innerText(), /^1m 0[0-6]s|^\d\ds/);
    await page.getByTestId("refresh-count").filter({ hasText: /^1 \(last at / }).waitFor({ timeout: 20_000 });
    assert.deepEqual((await eventLog(page)).slice(-1), ["TOKEN_REFRESHED"]);
    assert.equal(await status(page).getAttribute("data-state"), "signed-in");
    const left = Number(await page.getByTestId("session-expires").getAttribute("data-expires-at")) - Date.now();
    assert.ok(left > 55_000, `after the refresh the token has ${left} ms left`);
    assertNoPageErrors(page);
  });
});
