// The JavaScript shell of cocobase-auth: every byte of I/O (fetch, Web Storage,
// timers, Web Locks, IndexedDB, events) and nothing else. The rules are decided by the
// pure core (core.js: options, requests, answers and errors, the stored record, the
// OAuth callback) and, for emails and passwords, by the Rust crate compiled to
// WebAssembly (src/validate), which the emulator shares.
//
// scripts/build-pkg.sh bundles this file with core.js, wasm.js and the packed module
// into pkg/cocobase_auth.js (esbuild, minified).

import * as core from "./core.js";
import { emailMask, passwordMask } from "./wasm.js";

export { default, initSync } from "./wasm.js";

const str = (v) => (typeof v == "string" ? v : "");
// Callers get copies: nothing they hold can change the client's state.
const copy = (v) => (v == null ? null : JSON.parse(JSON.stringify(v)));
const G = globalThis;

/** A rejected promise's value: a real `Error` carrying the core's error fields. */
function fail(e) {
  const x = new Error(e.message);
  x.name = "CocobaseError";
  return Object.assign(x, e);
}
const err = (code, message) => fail(core.error(code, message));
const call = (f, ...a) => {
  try {
    f(...a);
  } catch (e) {
    console.error("cocobase-auth: an onAuthStateChange listener threw", e);
  }
};

/**
 * Web Storage with an in-memory fall-back for what it refuses (private mode, quota, SSR,
 * a sandbox that throws on access). Nothing is written to probe it: a write at start-up
 * costs milliseconds in a fresh profile, and a refused write falls back by itself.
 */
function store(kind) {
  let b = null;
  try {
    if (kind != "memory") b = G[kind + "Storage"] || null;
  } catch {}
  const m = new Map();
  return {
    p: !!b,
    get(k) {
      if (m.has(k)) return m.get(k);
      try {
        return b ? b.getItem(k) : null;
      } catch {
        return null;
      }
    },
    set(k, v) {
      m.delete(k);
      try {
        b.setItem(k, v);
      } catch {
        m.set(k, v);
      }
    },
    del(k) {
      m.delete(k);
      try {
        b && b.removeItem(k);
      } catch {}
    },
  };
}

/** The cross-tab refresh lock: resolves to its release function, or null (no Web Locks, or waited too long). */
function lock(name, ms) {
  return new Promise((resolve) => {
    const locks = G.navigator && navigator.locks;
    if (!locks) return resolve(null);
    const c = new AbortController();
    const t = setTimeout(() => c.abort(), ms);
    locks
      .request(name, { signal: c.signal }, () => {
        clearTimeout(t);
        return new Promise(resolve);
      })
      .catch(() => resolve(null));
  });
}

/** The refreshed record, handed over through IndexedDB (ordered with the lock, unlike `storage` events). */
function shared(key, value) {
  return new Promise((resolve) => {
    let open;
    try {
      open = indexedDB.open("cocobase-auth", 1);
    } catch {
      return resolve(null);
    }
    open.onupgradeneeded = () => open.result.createObjectStore("kv");
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const db = open.result;
      try {
        const tx = db.transaction("kv", value ? "readwrite" : "readonly");
        const kv = tx.objectStore("kv");
        const req = value ? kv.put(value, key) : kv.get(key);
        tx.oncomplete = () => {
          db.close();
          resolve(value ? null : req.result ?? null);
        };
        tx.onerror = tx.onabort = () => {
          db.close();
          resolve(null);
        };
      } catch {
        db.close();
        resolve(null);
      }
    };
  });
}

// Pending sign-ins by redirect (sessionStorage: per tab, gone with it), and where the
// official Cocobase JS SDK keeps its session (adopted once, then removed).
const FLOWS = "cocobase.auth.oauth";
const LEGACY_TOKEN = "cocobase-token";
const LEGACY_USER = "cocobase-user";

export class CocobaseAuth {
  #c; // options, checked and completed by the core
  #st; // where the session lives
  #fl; // pending sign-ins by redirect (sessionStorage), opened on first use
  #s = null; // the session: { r: record text, t: token, e: expiry (ms), u: user id, js: Session }
  #l = new Map(); // listeners
  #n = 0;
  #ready = false;
  #init; // the promise of initialize()
  #unsup = false; // the server cannot refresh: the session lasts until it expires
  #flight; // the refresh in progress
  #fails = 0;
  #timer;
  #off = []; // window and document listeners
  #gone = false;

  constructor(options) {
    const c = core.options(options);
    if (c.error) throw fail(c.error);
    this.#c = c;
    this.#st = store(c.storage);
    const wake = () => G.document && document.hidden || this.#wake();
    const on = (target, name, f) => {
      if (target && target.addEventListener) {
        target.addEventListener(name, f);
        this.#off.push(() => target.removeEventListener(name, f));
      }
    };
    on(G.window, "focus", wake);
    on(G.window, "online", wake);
    on(G.document, "visibilitychange", wake);
    if (c.storage == "local" && this.#st.p)
      on(G.window, "storage", (e) => {
        if (e.key === c.storageKey) this.#follow(e.newValue);
        else if (e.key === null) this.#follow(null);
      });
  }

  // ----- state and events ------------------------------------------------------

  #emit(event, s, reason) {
    const js = s ? s.js : null;
    for (const f of [...this.#l.values()]) call(f, event, copy(js), reason);
    if (event == "SIGNED_IN" || event == "TOKEN_REFRESHED") this.#fails = 0;
    this.#arm();
  }

  #save(s, event) {
    this.#st.set(this.#c.storageKey, s.r);
    this.#s = s;
    this.#emit(event, s);
    return s;
  }

  #end(reason) {
    if (!this.#s) return;
    this.#s = null;
    this.#unsup = false;
    if (reason != "other_tab") this.#st.del(this.#c.storageKey);
    this.#emit("SIGNED_OUT", null, reason);
  }

  #endIf(token, reason) {
    if (this.#s && this.#s.t === token) this.#end(reason);
  }

  /** When the held session is to be refreshed (never, without auto-refresh or a server that can). */
  #refreshAt() {
    return this.#c.autoRefresh && !this.#unsup ? this.#s.e - this.#c.marginMs : Infinity;
  }

  #due(now) {
    return !!this.#s && now >= this.#refreshAt();
  }

  /** Another tab wrote (or removed) the session: follow it, writing nothing. */
  #follow(text) {
    if (text == null) return this.#end("other_tab");
    const theirs = core.restore(text);
    if (!theirs) return;
    const mine = this.#s;
    if (mine && mine.r === theirs.r) return;
    this.#s = theirs;
    this.#emit(
      !mine || mine.u !== theirs.u ? "SIGNED_IN" : mine.t === theirs.t ? "USER_UPDATED" : "TOKEN_REFRESHED",
      theirs,
    );
  }

  // ----- the refresh timer -----------------------------------------------------

  #set(delay) {
    clearTimeout(this.#timer);
    if (!this.#gone) this.#timer = setTimeout(() => this.#wake(), Math.min(Math.max(delay, 0), 2147483647));
  }

  #arm() {
    const s = this.#s;
    if (!s) return clearTimeout(this.#timer);
    // Wake to refresh, or at expiry to sign out. After a failure, the retry is already scheduled.
    if (!this.#fails) this.#set(Math.min(this.#refreshAt(), s.e) - Date.now());
  }

  /** Timer, focus, `online`: refresh when due; end a session that has run out. */
  async #wake() {
    const s = this.#s;
    if (this.#gone || !s) return;
    if (Date.now() >= s.e) return this.#end("expired");
    if (!this.#due(Date.now())) return this.#arm();
    try {
      // The event that stores the new session also resets the failures and re-arms.
      await this.#refresh();
    } catch (e) {
      const now = this.#s;
      if (!now || this.#unsup) return this.#arm();
      // Exponential from 1 s to 60 s, jittered, never before Retry-After nor after expiry.
      const base = Math.min(1000 * 2 ** Math.min(this.#fails++, 6), 60000);
      const delay = Math.max(base / 2 + (base / 2) * Math.random(), (e.retryAfter || 0) * 1000);
      this.#set(Math.min(delay, now.e - Date.now()));
    }
  }

  // ----- requests ---------------------------------------------------------------

  /** Local checks and the request, from the core: throws the core's error. */
  #build(op, params, email = "") {
    const q = core.build(op, params, this.#c.policy, email);
    if (q.error) throw fail(q.error);
    return q;
  }

  async #send(op, q, token, files) {
    const c = this.#c;
    const headers = { "x-api-key": c.apiKey };
    if (token) headers.Authorization = "Bearer " + token;
    let body = q.b;
    if (files) {
      body = new FormData();
      body.append("data", q.b);
      for (const [field, v] of Object.entries(files))
        for (const f of Array.isArray(v) ? v : [v]) body.append(field, f instanceof Blob ? f : str(f));
    } else if (body != null) headers["Content-Type"] = "application/json";
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), c.timeoutMs);
    let res, text;
    try {
      res = await fetch(c.baseUrl + "/auth-collections" + q.p, { method: q.m, headers, body, signal: abort.signal });
      text = await res.text();
    } catch {
      throw err(abort.signal.aborted ? "timeout" : "network_error");
    } finally {
      clearTimeout(timer);
    }
    const h = (k) => res.headers.get(k);
    const out = core.answer(op, res.status, text, h("retry-after") || "", Date.parse(h("date")), Date.now(), this.#s ? this.#s.r : "");
    if (out.error) throw fail(out.error);
    return out;
  }

  /** A request as the signed-in user: refreshes first when due; a dead token ends the session. */
  async #asUser(op, q, files) {
    const token = await this.#token();
    try {
      return await this.#send(op, q, token, files);
    } catch (e) {
      if (e.status == 401) this.#endIf(token, e.code == "session_expired" ? "expired" : "revoked");
      throw e;
    }
  }

  async #token() {
    const s = this.#s;
    if (!s) throw err("session_missing");
    if (Date.now() >= s.e) {
      this.#end("expired");
      throw err("session_expired");
    }
    if (this.#due(Date.now())) {
      try {
        return (await this.#refresh()).t;
      } catch {
        // A failed refresh leaves a session that is still valid in place.
        const now = this.#s;
        if (now && Date.now() < now.e) return now.t;
        throw err("session_expired");
      }
    }
    return s.t;
  }

  #auth(out) {
    if (out.m != null) return { requires2fa: true, message: out.m };
    return { requires2fa: false, session: copy(this.#save(out.s, "SIGNED_IN").js) };
  }

  #user(out, always) {
    const s = out.s;
    if (s && (always || !this.#s || s.r !== this.#s.r)) this.#save(s, "USER_UPDATED");
    // `v` shares its members with the session just saved: the caller gets a copy.
    return copy(out.v);
  }

  // ----- refresh ----------------------------------------------------------------

  /** One refresh per token: shared by the callers in this tab, locked across tabs. */
  #refresh() {
    if (!this.#s) return Promise.reject(err("session_missing"));
    if (this.#unsup) return Promise.reject(err("refresh_unsupported"));
    return (this.#flight ||= this.#refreshOnce().finally(() => (this.#flight = null)));
  }

  async #refreshOnce() {
    const s = this.#s;
    const name = "cocobase-auth:refresh:" + this.#c.storageKey;
    const release = await lock(name, this.#c.timeoutMs + 5000);
    try {
      // While we waited, another tab may have refreshed this token: its hand-over is our answer.
      const text = await shared(name);
      const now = this.#s;
      if (!now) throw err("session_missing");
      if (now.t !== s.t) return now;
      const theirs = core.restore(text);
      if (theirs && theirs.u === s.u && theirs.t !== s.t && theirs.e > s.e && Date.now() < theirs.e)
        return this.#save(theirs, "TOKEN_REFRESHED");
      let out;
      try {
        out = await this.#send("refresh", this.#build("refresh"), s.t);
      } catch (e) {
        if (e.code == "refresh_unsupported") this.#unsup = true;
        else if (e.code == "session_expired") this.#endIf(s.t, "expired");
        else if (e.status == 401) this.#endIf(s.t, "revoked");
        throw e;
      }
      // The session may have ended or changed hands meanwhile.
      const cur = this.#s;
      if (!cur || cur.u !== s.u) {
        if (cur) return cur;
        throw err("session_missing");
      }
      // Handed over before the lock is released, for the tabs waiting on it.
      await shared(name, out.s.r);
      return this.#save(out.s, "TOKEN_REFRESHED");
    } finally {
      release && release();
    }
  }

  // ----- the API ----------------------------------------------------------------

  initialize() {
    return (this.#init ||= this.#start());
  }

  async #start() {
    const key = this.#c.storageKey;
    const st = this.#st;
    let s = null;
    const text = st.get(key);
    if (text != null) {
      s = core.restore(text);
      // Anything unreadable under our key means "signed out".
      if (!s) st.del(key);
    } else {
      const token = st.get(LEGACY_TOKEN);
      s = token != null ? core.adopt(token, st.get(LEGACY_USER) || "") : null;
      if (s) {
        st.set(key, s.r);
        st.del(LEGACY_TOKEN);
        st.del(LEGACY_USER);
      }
    }
    this.#s = s;
    if (s && Date.now() >= s.e) this.#end("expired");
    else if (this.#due(Date.now())) await this.#refresh().catch(() => {});
    this.#ready = true;
    this.#emit("INITIAL_SESSION", this.#s);
    return copy(this.#s && this.#s.js);
  }

  async signup(params) {
    return this.#auth(await this.#send("signup", this.#build("signup", params)));
  }

  async signupWithFiles(params, files) {
    return this.#auth(await this.#send("signupFiles", this.#build("signupFiles", params), null, files || {}));
  }

  async login(params) {
    return this.#auth(await this.#send("login", this.#build("login", params)));
  }

  logout() {
    this.#st.del(this.#c.storageKey);
    this.#end("logout");
  }

  async getCurrentUser() {
    return this.#user(await this.#asUser("me", this.#build("me")), false);
  }

  async updateUser(update) {
    return this.#user(await this.#asUser("update", this.#build("update", update)), true);
  }

  async updateUserWithFiles(update, files) {
    return this.#user(await this.#asUser("update", this.#build("update", update), files || {}), true);
  }

  async follow(userId) {
    return this.#user(await this.#asUser("follow", this.#build("follow", userId)), true);
  }

  async unfollow(userId) {
    return this.#user(await this.#asUser("unfollow", this.#build("unfollow", userId)), true);
  }

  async changePassword(params) {
    if (!this.#s) throw err("session_missing");
    const email = this.#s.js.user.email;
    const q = (op) => this.#build(op, params, email);
    let out;
    try {
      out = await this.#asUser("changePassword", q("changePassword"));
    } catch (e) {
      if (e.status != 404 && e.status != 405) throw e;
      // A server without change-password: check the current password, then set the new one.
      out = await this.#send("changePasswordLogin", q("changePasswordLogin"));
      await this.#send("changePasswordPatch", q("changePasswordPatch"), out.s.t);
    }
    this.#save(out.s, "TOKEN_REFRESHED");
  }

  async listUsers(params) {
    return (await this.#send("list", this.#build("list", params || {}))).v;
  }

  async getUserById(id) {
    return (await this.#send("user", this.#build("user", id))).v;
  }

  async #oauthUrl(params) {
    const c = G.crypto;
    if (!c || !c.getRandomValues) throw err("config_invalid", "crypto.getRandomValues is needed for sign-in by redirect.");
    const state = Array.from(c.getRandomValues(new Uint8Array(32)), (b) => (b | 256).toString(16).slice(1)).join("");
    const out = await this.#send("oauthUrl", this.#build("oauthUrl", params));
    const fl = (this.#fl ||= store("session"));
    const p = params || {};
    const r = core.oauthStart(fl.get(FLOWS) || "", state, str(p.provider), str(p.redirectUri), Date.now(), out.v);
    fl.set(FLOWS, r.f);
    return r.v;
  }

  getOAuthUrl(params) {
    return this.#oauthUrl(params);
  }

  async signInWithOAuth(params) {
    const url = await this.#oauthUrl(params);
    try {
      location.assign(url);
    } catch {
      throw err("config_invalid", "No page to redirect.");
    }
  }

  async handleRedirectCallback(url) {
    await this.initialize();
    const here = G.location ? location.href : null;
    url = url ?? here ?? "";
    const fl = (this.#fl ||= store("session"));
    const cb = core.oauthCallback(url, fl.get(FLOWS) || "", Date.now());
    if (!cb) return null;
    // Cleaned first: a reload can never verify the same code twice.
    if (url === here)
      try {
        history.replaceState(null, "", cb.c);
      } catch {}
    if (cb.f) fl.set(FLOWS, cb.f);
    else fl.del(FLOWS);
    if (cb.error) throw fail(cb.error);
    return this.#auth(await this.#send("verify", cb.q));
  }

  async refreshSession() {
    return copy((await this.#refresh()).js);
  }

  onAuthStateChange(callback) {
    const id = this.#n++;
    this.#l.set(id, callback);
    // A late listener still learns the starting state, once.
    if (this.#ready) queueMicrotask(() => this.#l.has(id) && call(callback, "INITIAL_SESSION", copy(this.#s && this.#s.js)));
    return () => this.#l.delete(id);
  }

  get user() {
    return copy(this.#s && this.#s.js.user);
  }

  get accessToken() {
    return this.#s ? this.#s.t : null;
  }

  get expiresAt() {
    return this.#s ? this.#s.e : null;
  }

  get isAuthenticated() {
    return !!this.#s && Date.now() < this.#s.e;
  }

  dispose() {
    this.#gone = true;
    clearTimeout(this.#timer);
    this.#off.forEach((f) => f());
    this.#off = [];
    this.#l.clear();
  }

  free() {
    this.dispose();
  }
}

// The sentences of the Rust rules (src/validate/mod.rs `ISSUES`, in its order: a Rust
// test compares): the wasm answers with a bit per broken rule.
const ISSUES = [
  ["empty", "Enter an email address."],
  ["whitespace", "The email address must not contain spaces."],
  ["missing_at", "The email address needs an @."],
  ["invalid_local_part", "The part before the @ is not valid."],
  ["invalid_domain", "The part after the @ is not a valid domain."],
  ["too_long", "The email address is too long."],
  ["too_short", "The password is too short."],
  ["too_long", "The password is too long."],
  ["missing_lowercase", "Add a lowercase letter."],
  ["missing_uppercase", "Add an uppercase letter."],
  ["missing_digit", "Add a digit."],
  ["missing_symbol", "Add a symbol, such as ! or #."],
  ["common_password", "This password is too common."],
  ["contains_email", "The password must not contain your email address."],
];

const report = (bits) => {
  const errors = ISSUES.filter((_, i) => (bits >> i) & 1).map(([code, message]) => ({ code, message }));
  return { valid: !errors.length, errors };
};

export function validateEmail(email) {
  return report(emailMask(str(email)));
}

export function validatePassword(password, policy, context) {
  const p = core.policyOf(policy);
  if (p.error) throw fail(p.error);
  const flags = core.FLAGS.reduce((f, k, i) => f | (p[k] << i), 0);
  const bits = passwordMask(str(password), str(context && context.email), p.minLength, p.maxLength, flags);
  return { ...report(bits & 0xffff), score: bits >>> 16 };
}

core.use({ email: validateEmail, password: (pw, policy, email) => validatePassword(pw, policy, { email }) });
