// npm run bench: bundle size and cold start of this package against the peer SDKs.
//
// Method. Each entry in bench/entries/ uses what a password + OAuth app needs (sign-in,
// current user, sign-out, a listener, OAuth redirect where the SDK has it). Each is
// bundled with esbuild (--bundle --minify --format=esm) and measured raw, gzip -9 and
// brotli (quality 11); for this package the .wasm that wasm-bindgen's loader fetches
// (next to the bundle, through `new URL(..., import.meta.url)`) is added to its JS.
// Cold start: headless Chromium loads a page that times import() of the bundle up to a
// constructed, initialized client (for this package: init() compiling the .wasm as it
// streams in, new CocobaseAuth, initialize()), in a fresh browser context with
// the cache disabled, 15 loads per SDK in shuffled order; the median is reported.
import { build } from "esbuild";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { startEmulator, launchBrowser, ROOT } from "../tests/e2e/harness.mjs";

const LOADS = Number(process.env.LOADS ?? 15);
const ENTRIES = [
  ["cocobase-auth", "this package"],
  ["cocobase-official", "cocobase (official SDK) 1.6.0"],
  ["pocketbase", "pocketbase 0.28.1"],
  ["supabase", "@supabase/auth-js 2.119.1"],
  ["firebase", "firebase (auth) 12.19.0"],
  ["auth0", "@auth0/auth0-spa-js 2.28.3"],
];

const out = mkdtempSync(join(tmpdir(), "cocobase-bench-"));
const gz = (b) => gzipSync(b, { level: 9 }).length;
const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const sizes = {};
for (const [name] of ENTRIES) {
  await build({
    entryPoints: [resolve(`entries/${name}.js`)],
    bundle: true,
    minify: true,
    format: "esm",
    outfile: join(out, `${name}.js`),
    alias: { "cocobase-auth": join(ROOT, "pkg/cocobase_auth.js") },
    logLevel: "error",
  });
  const files = [readFileSync(join(out, `${name}.js`))];
  if (name === "cocobase-auth") {
    copyFileSync(join(ROOT, "pkg/cocobase_auth_bg.wasm"), join(out, "cocobase_auth_bg.wasm"));
    files.push(readFileSync(join(out, "cocobase_auth_bg.wasm")));
  }
  const sum = (f) => files.reduce((total, b) => total + f(b), 0);
  sizes[name] = { raw: sum((b) => b.length), gzip: sum(gz), brotli: sum(br) };
}
writeFileSync(
  join(out, "index.html"),
  `<!doctype html><meta charset="utf-8"><script type="module">
  const entry = new URLSearchParams(location.search).get("entry");
  const t0 = performance.now();
  const m = await import("./" + entry + ".js");
  await m.start(location.origin);
  window.result = performance.now() - t0;
</script>`,
);

const emulator = await startEmulator({ serve: out });
const browser = await launchBrowser();
const times = Object.fromEntries(ENTRIES.map(([n]) => [n, []]));
const order = ENTRIES.flatMap(([n]) => Array(LOADS).fill(n));
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
try {
  for (const name of order) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await page.goto(`${emulator.url}/?entry=${name}`);
    const ms = await page.waitForFunction(() => window.result, null, { timeout: 20_000 }).then((h) => h.jsonValue());
    times[name].push(ms);
    await context.close();
  }
} finally {
  await browser.close();
  await emulator.stop();
  rmSync(out, { recursive: true, force: true });
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ours = { ...sizes["cocobase-auth"], cold: median(times["cocobase-auth"]) };
const ratio = (a, b) => (a / b).toFixed(2);
console.log(`Chromium headless, ${LOADS} cold loads each, ${new Date().toISOString().slice(0, 10)}\n`);
console.log("| SDK | raw B | gzip -9 B | brotli B | cold start (median ms) | gzip vs ours | cold start vs ours |");
console.log("|---|---|---|---|---|---|---|");
for (const [name, label] of ENTRIES) {
  const s = sizes[name];
  const cold = median(times[name]);
  console.log(`| ${label} | ${s.raw} | ${s.gzip} | ${s.brotli} | ${cold.toFixed(1)} | ${ratio(s.gzip, ours.gzip)} | ${ratio(cold, ours.cold)} |`);
}
