// The session lifecycle across tabs in real Chromium: tokens live 4 s and are refreshed
// 2 s before expiry, so a refresh round comes every ~2 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTabsBed, openSignedInTabs, tokenOf, sleep } from "./tabs.mjs";

const TTL = 4;
const MARGIN = 2;
const ROUNDS = 10;

for (const count of [2, 5]) {
  test(`${count} tabs: one refresh per token over ${ROUNDS} rounds, one token everywhere`, async () => {
    const bed = await startTabsBed({ ttl: TTL, margin: MARGIN });
    try {
      const pages = await openSignedInTabs(bed, count);
      await sleep((TTL - MARGIN) * 1000 * ROUNDS + 1500);
      const { refreshes } = bed.log;
      assert.ok(refreshes.length >= ROUNDS - 1, `refreshes happened on their own: ${refreshes.length}`);
      // One refresh per token: no two requests refreshed the same token.
      const perToken = new Map();
      for (const r of refreshes) perToken.set(r.token, (perToken.get(r.token) ?? 0) + 1);
      const duplicates = [...perToken.values()].filter((n) => n > 1).length;
      assert.equal(duplicates, 0, `duplicate refreshes: ${duplicates} of ${refreshes.length}`);
      assert.equal(bed.log.unauthorized, 0, "no 401");
      assert.equal(bed.log.expiredSent, 0, "no request with an expired token");
      // Let the last round's storage events land, then every tab holds the same token.
      await sleep(300);
      const tokens = await Promise.all(pages.map(tokenOf));
      assert.ok(tokens[0], "signed in");
      assert.equal(new Set(tokens).size, 1, "the same token in all tabs");
      // Every tab learned of the refreshes, none saw a sign-out.
      for (const page of pages) {
        const events = await page.evaluate(() => window.events.map((e) => e[0]));
        assert.ok(events.includes("TOKEN_REFRESHED"), events.join(","));
        assert.ok(!events.includes("SIGNED_OUT"), events.join(","));
        assert.equal(events.filter((e) => e === "INITIAL_SESSION").length, 1);
      }
    } finally {
      await bed.close();
    }
  });
}

test("10 concurrent refreshSession() calls in one tab send one request", async () => {
  const bed = await startTabsBed({ ttl: 3600, margin: 60 });
  try {
    const [page] = await openSignedInTabs(bed, 1);
    const tokens = await page.evaluate(async () => {
      const all = await Promise.all(Array.from({ length: 10 }, () => window.auth.refreshSession()));
      return all.map((s) => s.accessToken);
    });
    assert.equal(new Set(tokens).size, 1);
    assert.equal(bed.log.refreshes.length, 1);
  } finally {
    await bed.close();
  }
});

test("logout in one tab signs the others out with reason other_tab", async () => {
  const bed = await startTabsBed({ ttl: 3600, margin: 60 });
  try {
    const pages = await openSignedInTabs(bed, 3);
    await pages[0].evaluate(() => window.auth.logout());
    for (const page of pages.slice(1)) {
      await page.waitForFunction(() => window.auth.isAuthenticated === false, null, { timeout: 5000 });
      const last = await page.evaluate(() => window.events.at(-1));
      assert.deepEqual(last, ["SIGNED_OUT", null, "other_tab"]);
    }
    const first = await pages[0].evaluate(() => window.events.at(-1));
    assert.deepEqual(first, ["SIGNED_OUT", null, "logout"]);
  } finally {
    await bed.close();
  }
});

test("a token already expired when the page opens: INITIAL_SESSION null is the only event, the record is gone", async () => {
  const bed = await startTabsBed({ ttl: 2, margin: 0 });
  try {
    // autoRefresh would refresh before expiry; close the tab first, then come back late.
    const [first] = await openSignedInTabs(bed, 1);
    await first.close();
    await sleep(2500);
    const page = await bed.openTab();
    const events = await page.evaluate(() => window.events);
    // This page never held the session: no SIGNED_OUT (JS-API.md).
    assert.deepEqual(events, [["INITIAL_SESSION", null, null]]);
    assert.equal(await page.evaluate(() => localStorage.length), 0, "the expired record was removed");
  } finally {
    await bed.close();
  }
});
