// Benchmark (not a test): 1, 2 and 5 tabs of one browser over three token lifetimes;
// counts refresh requests, duplicates (a token refreshed more than once) and 401s.
// Goal: one refresh per lifetime whatever the number of tabs, and no 401.
// Needs pkg/ and the emulator binary: run after `npm test` or `npm run build`.
import { startTabsBed, openSignedInTabs, sleep } from "../tests/tabs/tabs.mjs";

const TTL = Number(process.env.TTL ?? 6);
const MARGIN = Number(process.env.MARGIN ?? 2);
const LIFETIMES = 3;
const rows = [];
for (const tabs of [1, 2, 5]) {
  const bed = await startTabsBed({ ttl: TTL, margin: MARGIN });
  try {
    await openSignedInTabs(bed, tabs);
    const start = bed.log.refreshes.length;
    await sleep(TTL * 1000 * LIFETIMES);
    const refreshes = bed.log.refreshes.slice(start);
    const perToken = new Map();
    for (const r of refreshes) perToken.set(r.token, (perToken.get(r.token) ?? 0) + 1);
    const duplicates = [...perToken.values()].reduce((n, c) => n + c - 1, 0);
    rows.push({ tabs, refreshes: refreshes.length, rounds: Math.floor((TTL * LIFETIMES) / (TTL - MARGIN)), duplicates, unauthorized: bed.log.unauthorized, expiredSent: bed.log.expiredSent });
  } finally {
    await bed.close();
  }
}
console.log(`token lifetime ${TTL} s, refresh ${MARGIN} s before expiry, observed for ${LIFETIMES} lifetimes (${TTL * LIFETIMES} s)\n`);
console.log("| tabs | refresh requests | refresh rounds due | duplicate refreshes | 401s | requests with an expired token |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.tabs} | ${r.refreshes} | ${r.rounds} | ${r.duplicates} | ${r.unauthorized} | ${r.expiredSent} |`);
