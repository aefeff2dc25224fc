// Compatibility with the official Cocobase JavaScript SDK (npm `cocobase` 1.6.x): the
// SDK registers, logs in, reads and updates the user, lists users and reads a profile
// against a real emulator process. Run with `node --test tests/compat/`.
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
