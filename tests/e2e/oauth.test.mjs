// Google and Apple sign-in by redirect, through the demo's buttons and the emulator's
// stand-in consent page, in headless Chromium.
//
//   bash scripts/build-pkg.sh && cargo build -p cocobase-emulator
//   node --test tests/e2e/oauth.test.mjs
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  eventLog, notice, openDemo, setup, signUpViaUi, status, uniqueEmail, waitNotice, waitReady,
} from "./harness.mjs";

const LABEL = { google: "Google", apple: "Apple" };
const OAUTH_PARAMS = ["code", "state", "error", "error_description"];

function assertNoPageErrors(page) {
  assert.deepEqual(page.errors.map(String), [], "the page threw");
}

/** The address bar, checked for OAuth leftovers. */
function assertCleanAddress(page, base) {
  const u = new URL(page.url());
  assert.equal(u.origin + u.pathname, `${base}/`);
  for (const p of OAUTH_PARAMS) {
    assert.equal(u.searchParams.has(p), false, `${p} left in ${u.href}`);
    assert.equal(new URLSearchParams(u.hash.slice(1)).has(p), false, `${p} left in the hash of ${u.href}`);
  }
}

/**
 * Clicks "Continue with <provider>" and waits for the emulator's consent page.
 */
async function openConsent(page, base, provider) {
  await page.getByTestId(`oauth-${provider}`).click();
  await page.waitForURL((u) => u.pathname === `/__emulator/oauth/${provider}/authorize`, { timeout: 10_000 });
  const u = new URL(page.url());
  assert.equal(u.origin, base);
  assert.equal(u.searchParams.get("redirect_uri"), `${base}/`);
  const state = u.searchParams.get("state");
  // 32 random bytes as hex (256 bits; JS-API asks for at least 128).
  assert.match(state ?? "", /^[0-9a-f]{64}$/, `state ${state} carries 256 bits`);
  return state;
}

/**
 * Answers the consent page. `rewrite(url)` may edit the callback URL the emulator sends
 * the browser to ("edit the URL before returning"); resolves to that URL as sent.
 */
async function answerConsent(page, base, { decision = "allow", email, name, rewrite } = {}) {
  let callback = null;
  const matcher = (u) => u.pathname.startsWith("/__emulator/oauth/") && u.pathname.endsWith("/authorize");
  await page.route(matcher, async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    const res = await route.fetch({ maxRedirects: 0 });
    const location = res.headers().location;
    if (!location) return route.fulfill({ response: res });
    callback = new URL(location, base).href;
    const target = rewrite ? rewrite(callback) : callback;
    await route.fulfill({ status: 303, headers: { location: target } });
  });
  if (decision === "allow") {
    if (email !== undefined) await page.locator("input[name=email]").fill(email);
    if (name !== undefined) await page.locator("input[name=name]").fill(name);
  }
  await page.locator(`button[name=decision][value=${decision}]`).click();
  await page.waitForURL((u) => u.origin === base && u.pathname === "/", { timeout: 10_000 });
  await waitReady(page);
  await page.unroute(matcher);
  assert.ok(callback, "the consent page sent the browser back");
  return callback;
}

describe("OAuth sign-in through the demo", () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.stop();
  });

  for (const provider of ["google", "apple"]) {
    test(`${LABEL[provider]}: consent, allow, back signed in with a clean address bar`, async () => {
      const ctx = await env.newContext();
      const page = await openDemo(ctx, env.url);
      assert.equal(await page.getByTestId(`oauth-${provider}`).isEnabled(), true, "the OAuth button is enabled");
      const email = uniqueEmail(provider);
      const state = await openConsent(page, env.url, provider);
      const callback = await answerConsent(page, env.url, { email, name: `${LABEL[provider]} Person` });
      const cb = new URL(callback);
      assert.equal(cb.searchParams.get("state"), state);
      assert.ok(cb.searchParams.get("code"), `a code came back in ${callback}`);

      await page.waitForSelector('[data-testid=status][data-state="signed-in"]');
      assert.equal(await status(page).innerText(), `Signed in as ${email}`);
      const n = await waitNotice(page, "success");
      assert.equal(n.text, `Signed in with ${LABEL[provider]} as ${email}.`);
      assert.equal(await page.getByTestId("me-provider").innerText(), LABEL[provider]);
      assert.equal(await page.getByTestId("profile-name").inputValue(), `${LABEL[provider]} Person`);
      const picture = await page.getByTestId("avatar").getAttribute("src");
      assert.ok(picture?.startsWith(`${env.url}/`), `picture ${picture}`);
      assertCleanAddress(page, env.url);
      assert.deepEqual((await eventLog(page)).filter((e) => e !== "INITIAL_SESSION"), ["SIGNED_IN"]);

      // Reloading the cleaned page neither verifies anything again nor loses the session.
      const verifies = [];
      page.on("request", (r) => { if (r.url().includes("/verify-")) verifies.push(r.url()); });
      await page.reload();
      await waitReady(page);
      assert.equal(await status(page).getAttribute("data-state"), "signed-in");
      assert.equal((await notice(page)).hidden, true);
      assert.deepEqual(verifies, []);

      // A second sign-in with the same account lands on the same user.
      const id = await page.getByTestId("me-id").innerText();
      await page.getByTestId("logout").click();
      await openConsent(page, env.url, provider);
      await answerConsent(page, env.url, { email });
      await page.waitForSelector('[data-testid=status][data-state="signed-in"]');
      assert.equal(await page.getByTestId("me-id").innerText(), id);
      assertCleanAddress(page, env.url);
      assertNoPageErrors(page);
    });
  }

  test("Cancel on the consent page: oauth_denied, told in words, still signed out", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    await openConsent(page, env.url, "google");
    const callback = await answerConsent(page, env.url, { decision: "deny" });
    assert.equal(new URL(callback).searchParams.get("error"), "access_denied");
    const n = await waitNotice(page, "error", "oauth_denied");
    assert.match(n.text, /^Sign-in with Google was cancelled, so you were not signed in/);
    assert.equal(await status(page).getAttribute("data-state"), "signed-out");
    assertCleanAddress(page, env.url);
    assertNoPageErrors(page);
  });

  test("a tampered state: oauth_state_mismatch, and the session already held is kept", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    await openConsent(page, env.url, "google");
    // Meanwhile the same person signs in with a password in another tab.
    const other = await openDemo(ctx, env.url);
    const email = uniqueEmail("held");
    await signUpViaUi(other, { email });
    const verifies = [];
    page.on("request", (r) => { if (r.url().includes("/verify-")) verifies.push(r.url()); });

    const tamper = (href) => {
      const u = new URL(href);
      const s = u.searchParams.get("state");
      u.searchParams.set("state", (s[0] === "A" ? "B" : "A") + s.slice(1));
      return u.href;
    };
    await answerConsent(page, env.url, { email: uniqueEmail("attacker"), rewrite: tamper });
    const n = await waitNotice(page, "error", "oauth_state_mismatch");
    assert.match(n.text, /does not match a sign-in started in this tab/);
    assert.deepEqual(verifies, [], "the code of a mismatched state must not be verified");
    assert.equal(await status(page).innerText(), `Signed in as ${email}`);
    assert.equal(await status(other).innerText(), `Signed in as ${email}`);
    assert.equal((await eventLog(page)).includes("SIGNED_OUT"), false);
    assertCleanAddress(page, env.url);
    assertNoPageErrors(page);
    assertNoPageErrors(other);
  });

  test("reusing a code: a clear error, and the session is kept", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("reuse");
    await openConsent(page, env.url, "google");
    const callback = await answerConsent(page, env.url, { email });
    await page.waitForSelector('[data-testid=status][data-state="signed-in"]');
    const id = await page.getByTestId("me-id").innerText();

    // Back to the very same callback URL: its state was used up.
    await page.goto(callback);
    await waitReady(page);
    const again = await waitNotice(page, "error", "oauth_state_mismatch");
    assert.match(again.text, /already used/);
    assert.equal(await page.getByTestId("me-id").innerText(), id);
    assertCleanAddress(page, env.url);

    // A fresh sign-in (valid state) that carries the old code: the server refuses it.
    const fresh = await env.newContext();
    const page2 = await openDemo(fresh, env.url);
    await openConsent(page2, env.url, "google");
    const oldCode = new URL(callback).searchParams.get("code");
    await answerConsent(page2, env.url, {
      email: uniqueEmail("thief"),
      rewrite: (href) => {
        const u = new URL(href);
        u.searchParams.set("code", oldCode);
        return u.href;
      },
    });
    const n = await waitNotice(page2, "error", "oauth_invalid_callback");
    assert.match(n.text, /incomplete or damaged, so you were not signed in/);
    assert.equal(await status(page2).getAttribute("data-state"), "signed-out");
    assertCleanAddress(page2, env.url);
    assertNoPageErrors(page);
    assertNoPageErrors(page2);
  });

  test("an email that already signs in with a password is told how to sign in", async () => {
    const ctx = await env.newContext();
    const page = await openDemo(ctx, env.url);
    const email = uniqueEmail("pw-first");
    await signUpViaUi(page, { email });
    await page.getByTestId("logout").click();
    await openConsent(page, env.url, "apple");
    await answerConsent(page, env.url, { email });
    const n = await waitNotice(page, "error", "email_taken");
    assert.match(n.text, /Log in with your email and password instead/);
    assert.equal(await status(page).getAttribute("data-state"), "signed-out");
    assertNoPageErrors(page);
  });
});
