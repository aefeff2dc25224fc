// The cocobase-auth demo: plain ES modules, no framework, no build step.
// Every capability of the package, wired to the page in index.html.
import init, { CocobaseAuth, validateEmail, validatePassword } from "./pkg/cocobase_auth.js";

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 5;
const OAUTH_PROVIDER_KEY = "cocobase.demo.oauthProvider";
const PROVIDER_LABEL = { google: "Google", apple: "Apple", github: "GitHub" };
/** What this browser learnt about each account's two-step sign-in ("on"/"off"), by email. */
const TWO_FACTOR_KEY = "cocobase.demo.twoFactor";

// ---------------------------------------------------------------- words

const STRENGTH = ["Very weak", "Weak", "Fair", "Good", "Strong"];

/** The password rules, in words. `always` ones are shown as a checklist from the start. */
const PASSWORD_RULES = [
  { code: "too_short", text: "At least 8 characters", always: true },
  { code: "missing_lowercase", text: "A lowercase letter (a–z)", always: true },
  { code: "missing_uppercase", text: "An uppercase letter (A–Z)", always: true },
  { code: "missing_digit", text: "A digit (0–9)", always: true },
  { code: "missing_symbol", text: "A symbol such as ! or #" },
  { code: "too_long", text: "At most 128 characters" },
  { code: "common_password", text: "Not one of the passwords everybody tries" },
  { code: "contains_email", text: "Does not contain your email address" },
];

const EMAIL_WORDS = {
  empty: "Enter your email address.",
  missing_at: "An email address needs an @, as in name@example.com.",
  invalid_local_part: "The part before the @ has characters an address cannot have.",
  invalid_domain: "The part after the @ does not look like a domain (for example example.com).",
  too_long: "That address is too long.",
  whitespace: "Remove the spaces at the start or the end.",
};

function providerName(p) {
  return PROVIDER_LABEL[p] ?? "the provider";
}

/**
 * A sentence a person understands for each error code of JS-API.md "Errors".
 * `context` tunes a few of them: "login", "signup", "password", "lookup", "oauth".
 */
export function explain(err, context = "") {
  if (!err || err.name !== "CocobaseError") {
    return `Something unexpected went wrong: ${err?.message ?? err}.`;
  }
  const provider = providerName(sessionStorage.getItem(OAUTH_PROVIDER_KEY));
  switch (err.code) {
    case "config_invalid":
      return "The app is set up incorrectly (an option given to the client is not valid). The browser console has the details.";
    case "secret_key_in_browser":
      return "This page was given a secret key, which must never be used in a browser. Use a publishable key (pk_…).";
    case "validation_failed": {
      const lines = Object.entries(err.fieldErrors ?? {}).flatMap(([field, issues]) =>
        issues.map((i) => `${fieldLabel(field)}: ${i.message}`));
      return lines.length
        ? `Please fix the following, then try again. ${lines.join(" ")}`
        : `Please check what you entered: ${err.message}`;
    }
    case "invalid_credentials":
      return context === "password"
        ? "Your current password is not right, so your password was not changed."
        : "That email and password don't match an account. Check both and try again.";
    case "email_taken": {
      const m = /(Google|Apple|GitHub) Sign-In/.exec(err.message ?? "");
      if (m) return `An account with this email already exists and signs in with ${m[1]}. Use "Continue with ${m[1]}" instead.`;
      if (context === "oauth") return "An account with this email already exists with a password. Log in with your email and password instead.";
      return "An account with this email already exists. Log in instead, or use another email.";
    }
    case "unauthorized":
      return "The server did not accept your sign-in. Please log in again.";
    case "session_missing":
      return "You need to be signed in to do that.";
    case "session_expired":
      return "Your session has expired. Please log in again.";
    case "forbidden":
      return "You are not allowed to do that.";
    case "not_found":
      return context === "lookup" ? "No user has that id. Check it and try again." : "We could not find that.";
    case "rate_limited":
      return err.retryAfter
        ? `Too many attempts. Please wait ${err.retryAfter} seconds and try again.`
        : "Too many attempts. Please wait a moment and try again.";
    case "network_error":
      return "We can't reach the server. Check your connection and try again.";
    case "timeout":
      return "The server took too long to answer. Please try again.";
    case "server_error":
      return "Something went wrong on the server. Please try again in a moment.";
    case "bad_response":
      return "The server sent an answer we could not understand. Please try again later.";
    case "refresh_unsupported":
      return "This server cannot renew sessions, so you will need to log in again when this one ends.";
    case "oauth_denied": {
      // The provider's own words (error_description), when it gave some.
      const text = typeof err.detail === "string" && err.detail ? err.detail : err.message;
      const why = text && !/cancelled or denied|access_denied/i.test(text) ? `: “${text.replace(/\.$/, "")}”` : "";
      return `Sign-in with ${provider} was cancelled, so you were not signed in${why}. You can try again or use your email.`;
    }
    case "oauth_state_mismatch":
      return "This sign-in answer does not match a sign-in started in this tab (it may be forged, expired or already used), so it was ignored and nothing changed. Start again if you meant to sign in.";
    case "oauth_invalid_callback":
      return "The answer from the sign-in provider was incomplete or damaged, so you were not signed in. Please try again.";
    case "invalid_code":
      return "That code is wrong, has expired or was already used. Check the latest email, or ask for a new code.";
    case "invalid_token":
      return "This link is invalid, has expired or was already used. Ask for a new one.";
    case "two_factor_unavailable":
      return "Two-step sign-in is not available for this account or project.";
    default:
      return err.message || "Something went wrong. Please try again.";
  }
}

function fieldLabel(field) {
  const f = String(field).replace(/^body\./, "");
  return { email: "Email", password: "Password", new_password: "New password", newPassword: "New password",
    current_password: "Current password", currentPassword: "Current password", code: "Code", token: "Link" }[f] ?? f;
}

// ---------------------------------------------------------------- notices

const notice = $("notice");
function showNotice(kind, text, code = "") {
  notice.hidden = false;
  notice.dataset.kind = kind;
  notice.dataset.code = code;
  notice.setAttribute("role", kind === "error" ? "alert" : "status");
  notice.textContent = text;
}
function showError(err, context) {
  console.warn("cocobase-auth error", err?.code, err);
  showNotice("error", explain(err, context), err?.code ?? "unknown");
}
function showSuccess(text) {
  showNotice("success", text);
}
function clearNotice() {
  notice.hidden = true;
  notice.textContent = "";
  notice.dataset.kind = "";
  notice.dataset.code = "";
}

/** Runs `fn` with the form's submit button disabled; errors become sentences. */
async function busy(button, context, fn) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await fn();
  } catch (err) {
    showError(err, context);
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// ---------------------------------------------------------------- password and email feedback

function renderPasswordFeedback(password, email, meter, label, list) {
  if (!password) {
    meter.value = 0;
    label.textContent = "Type a password";
    label.dataset.score = "";
    list.replaceChildren();
    return null;
  }
  const report = validatePassword(password, undefined, email ? { email } : undefined);
  meter.value = report.score;
  label.textContent = `Strength: ${STRENGTH[report.score]}${report.valid ? "" : " — not accepted yet"}`;
  label.dataset.score = String(report.score);
  const failed = new Map(report.errors.map((e) => [e.code, e.message]));
  const items = [];
  for (const rule of PASSWORD_RULES) {
    if (!rule.always && !failed.has(rule.code)) continue;
    const ok = !failed.has(rule.code);
    const li = document.createElement("li");
    li.className = ok ? "ok" : "fail";
    li.dataset.code = rule.code;
    li.dataset.ok = String(ok);
    const mark = document.createElement("span");
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = ok ? "✓ " : "✗ ";
    const sr = document.createElement("span");
    sr.className = "sr-only";
    sr.textContent = ok ? "Met: " : "Missing: ";
    li.append(mark, sr, rule.text);
    items.push(li);
  }
  // Codes this page does not know yet still show, in the library's words.
  for (const [code, message] of failed) {
    if (PASSWORD_RULES.some((r) => r.code === code)) continue;
    const li = document.createElement("li");
    li.className = "fail";
    li.dataset.code = code;
    li.dataset.ok = "false";
    li.textContent = `✗ ${message}`;
    items.push(li);
  }
  list.replaceChildren(...items);
  return report;
}

function renderEmailFeedback(email, list) {
  if (!email) {
    list.replaceChildren();
    return null;
  }
  const report = validateEmail(email);
  const items = report.valid
    ? [Object.assign(document.createElement("li"), { className: "ok", textContent: "✓ Looks like an email address" })]
    : report.errors.map((e) => {
      const li = document.createElement("li");
      li.className = "fail";
      li.dataset.code = e.code;
      li.textContent = `✗ ${EMAIL_WORDS[e.code] ?? e.message}`;
      return li;
    });
  list.replaceChildren(...items);
  return report;
}

// ---------------------------------------------------------------- state

let auth = null;
let refreshCount = 0;
let shownUserId = null;
const people = { offset: 0, query: "", total: 0, hasMore: false, users: [] };
/** A sign-in waiting for its 2FA code: `{ email, via }`, or null. */
let pending2fa = null;
/** The token of a password-reset link this page was opened with (kept in memory, not the address bar). */
let resetToken = null;
/** True when the API answers `GET /__emulator/health` (the dev mailbox and the ID-token stand-in need it). */
let isEmulator = false;

// The server does not say whether a user has 2FA on, so the demo keeps what it saw:
// switching it here, a sign-in that asked for a code (on), a password sign-in that did not (off).
function twoFactorStates() {
  try {
    const v = JSON.parse(localStorage.getItem(TWO_FACTOR_KEY) ?? "{}");
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}
function twoFactorOf(email) {
  const v = email ? twoFactorStates()[email.toLowerCase()] : undefined;
  return v === "on" || v === "off" ? v : null;
}
function rememberTwoFactor(email, state) {
  if (!email) return;
  const all = twoFactorStates();
  all[email.toLowerCase()] = state;
  try {
    localStorage.setItem(TWO_FACTOR_KEY, JSON.stringify(all));
  } catch { /* storage full or blocked: the page still shows it until reload */ }
}

function followingIds() {
  const ids = auth?.user?.data?.following_ids;
  return Array.isArray(ids) ? ids : [];
}

function avatarOf(data) {
  const url = data?.avatar ?? data?.picture;
  return typeof url === "string" && url ? url : null;
}

function formatDuration(ms) {
  if (ms <= 0) return "expired";
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const parts = [];
  if (d) parts.push(`${d}d`);
  if (d || h) parts.push(`${h}h`);
  if (d || h || m) parts.push(`${m}m`);
  parts.push(`${String(s).padStart(parts.length ? 2 : 1, "0")}s`);
  return parts.join(" ");
}

function tick() {
  const el = $("session-expires");
  const at = auth?.expiresAt;
  if (!at) {
    el.textContent = "—";
    el.dataset.expiresAt = "";
    return;
  }
  el.dataset.expiresAt = String(at);
  el.textContent = `${formatDuration(at - Date.now())} (at ${new Date(at).toLocaleTimeString()})`;
}

function render() {
  const user = auth?.user ?? null;
  const status = $("status");
  const resetting = resetToken !== null;
  const coding = !user && !resetting && pending2fa !== null;
  $("reset-view").hidden = !resetting;
  $("two-factor-step").hidden = !coding;
  $("signed-in").hidden = !user || resetting;
  $("signed-out").hidden = !!user || resetting || coding;
  $("id-token-card").hidden = !isEmulator;
  if (coding) renderCodeStep();
  if (!user) {
    status.dataset.state = "signed-out";
    status.textContent = "Signed out";
    shownUserId = null;
    tick();
    return;
  }
  status.dataset.state = "signed-in";
  status.textContent = `Signed in as ${user.email}`;
  $("session-user").textContent = user.email;
  $("me-email").textContent = user.email;
  $("me-id").textContent = user.id;
  $("me-provider").textContent = user.oauthProvider ? providerName(user.oauthProvider) : "Email and password";
  $("me-following").textContent = String(followingIds().length);
  renderSecurity(user);
  const url = avatarOf(user.data);
  const img = $("avatar");
  if (url) {
    if (img.getAttribute("src") !== url) img.src = url;
    img.hidden = false;
    $("avatar-placeholder").hidden = true;
  } else {
    img.hidden = true;
    img.removeAttribute("src");
    $("avatar-placeholder").hidden = false;
    $("avatar-placeholder").textContent = (String(user.data?.name ?? user.email)[0] ?? "?").toUpperCase();
  }
  if (shownUserId !== user.id) {
    // A different person: fill the forms and load the people list afresh.
    shownUserId = user.id;
    $("profile-name").value = typeof user.data?.name === "string" ? user.data.name : "";
    $("profile-bio").value = typeof user.data?.bio === "string" ? user.data.bio : "";
    people.offset = 0;
    people.query = "";
    $("people-search").value = "";
    loadPeople();
  } else {
    renderPeople();
  }
  tick();
}

function logEvent(event, session, reason) {
  const li = document.createElement("li");
  li.dataset.event = event;
  if (reason) li.dataset.reason = reason;
  const time = document.createElement("time");
  time.dateTime = new Date().toISOString();
  time.textContent = new Date().toLocaleTimeString();
  const name = document.createElement("strong");
  name.textContent = event;
  const who = session?.user?.email ? ` — ${session.user.email}` : " — no session";
  const why = reason ? ` (reason: ${reason}${reason === "other_tab" ? ", signed out in another tab" : ""})` : "";
  li.append(time, " ", name, who + why);
  $("event-log").prepend(li);
}

function renderSecurity(user) {
  const verified = user.emailVerified === true;
  $("me-verified").textContent = verified ? "Yes" : "Not yet";
  $("me-verified").dataset.verified = String(verified);
  $("verify-state").textContent = verified
    ? "Your email address is verified."
    : "Your email address is not verified yet.";
  $("verify-email-btn").hidden = verified;

  const state = twoFactorOf(user.email);
  const sw = $("twofa-switch");
  sw.setAttribute("aria-checked", String(state === "on"));
  sw.dataset.known = String(state !== null);
  sw.dataset.state = state ?? "unknown";
  $("twofa-state").dataset.state = state ?? "unknown";
  $("twofa-state").textContent = state === "on" ? "On" : state === "off" ? "Off" : "Not known";
  $("twofa-note").textContent = state === null
    ? "The server does not tell a page whether two-step sign-in is on, and this browser has not seen it for this account yet. Switching sets it."
    : "As this browser last saw it (the server does not report it): switched here, or learnt at sign-in.";
}

function renderCodeStep() {
  const known = !!pending2fa.email;
  $("code-email-row").hidden = known;
  $("code-email").required = !known;
  $("code-intro").textContent = known
    ? `Two-step sign-in is on for ${pending2fa.email}. We mailed a 6-digit code to that address.`
    : "Two-step sign-in is on for this account. We mailed a 6-digit code to its address; enter that address and the code.";
}

/** A sign-in answered: either a session (done) or a request for the 2FA code. */
function afterSignIn(result, { email, via, success }) {
  if (result.requires2fa) {
    pending2fa = { email: result.email ?? email ?? null, via };
    rememberTwoFactor(pending2fa.email, "on");
    const to = pending2fa.email ?? "your address";
    showNotice("info", /already sent/i.test(result.message ?? "")
      ? `A code was mailed to ${to} a moment ago and still works. Enter it below to finish signing in.`
      : `We mailed a 6-digit code to ${to}. Enter it below to finish signing in.`, "requires_2fa");
    suggestMailboxFilter(pending2fa.email);
    render();
    $("code-input").value = "";
    $("code-title").focus();
    refreshMailbox();
    return false;
  }
  pending2fa = null;
  // Every sign-in of an account with 2FA on asks for a code, so this one has it off.
  rememberTwoFactor(result.session.user.email, "off");
  suggestMailboxFilter(result.session.user.email);
  showSuccess(success(result.session.user));
  render();
  return true;
}

// ---------------------------------------------------------------- dev mailbox (emulator only)

const MAIL_KIND = {
  two_factor_code: "Sign-in code",
  password_reset: "Password reset",
  email_verification: "Email verification",
  password_changed: "Password changed",
};

async function detectEmulator() {
  try {
    const res = await fetch(new URL("/__emulator/health", location.origin), { cache: "no-store" });
    return res.status === 200;
  } catch {
    return false;
  }
}

function mailboxFilter() {
  return $("mailbox-to").value.trim();
}

/** Points the mailbox filter at `email`, unless the person typed a filter of their own. */
function suggestMailboxFilter(email) {
  const input = $("mailbox-to");
  if (!email || (input.value.trim() && input.dataset.typed === "true")) return;
  input.value = email;
  input.dataset.typed = "false";
}

async function refreshMailbox() {
  if (!isEmulator) return;
  const to = mailboxFilter();
  const url = new URL("/__emulator/outbox", location.origin);
  if (to) url.searchParams.set("to", to);
  const summary = $("mailbox-summary");
  const button = $("mailbox-refresh");
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const res = await fetch(url, { cache: "no-store" });
    if (!res.ok) throw new Error(`the outbox answered ${res.status}`);
    const body = await res.json();
    const mails = Array.isArray(body?.messages) ? [...body.messages].reverse() : [];
    $("mailbox-list").replaceChildren(...mails.map(renderMail));
    summary.dataset.count = String(mails.length);
    const whom = to ? ` to ${to}` : "";
    summary.textContent = mails.length === 0
      ? `No mail${whom} yet.`
      : `${mails.length} mail${mails.length === 1 ? "" : "s"}${whom}, checked at ${new Date().toLocaleTimeString()}.`;
  } catch (err) {
    summary.dataset.count = "";
    summary.textContent = `The mailbox could not be read (${err?.message ?? err}).`;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

function renderMail(m) {
  const li = document.createElement("li");
  li.dataset.testid = "mail";
  li.dataset.kind = String(m.kind ?? "");
  li.dataset.to = String(m.to ?? "");
  const head = document.createElement("div");
  head.className = "mail-head";
  const kind = document.createElement("span");
  kind.className = "tag";
  kind.textContent = MAIL_KIND[m.kind] ?? String(m.kind ?? "mail");
  const subject = document.createElement("strong");
  subject.textContent = String(m.subject ?? "(no subject)");
  const meta = document.createElement("span");
  meta.className = "muted small";
  const sent = m.sent_at ? new Date(m.sent_at) : null;
  meta.textContent = `to ${m.to}${sent && !Number.isNaN(sent.getTime()) ? ` · ${sent.toLocaleTimeString()}` : ""}`;
  head.append(kind, subject, meta);
  li.append(head);
  if (typeof m.code === "string" && m.code) {
    const p = document.createElement("div");
    const code = document.createElement("code");
    code.className = "mail-code";
    code.dataset.testid = "mail-code";
    code.textContent = m.code;
    p.append("Code: ", code);
    li.append(p);
  }
  if (typeof m.link === "string" && m.link) {
    let href = null;
    try {
      const u = new URL(m.link);
      if (u.protocol === "http:" || u.protocol === "https:") href = u.href;
    } catch { /* not a URL: shown as text below */ }
    const p = document.createElement("div");
    if (href) {
      const a = document.createElement("a");
      a.href = href;
      a.dataset.testid = "mail-link";
      a.textContent = m.kind === "password_reset" ? "Open the reset link"
        : m.kind === "email_verification" ? "Open the verification link" : "Open the link";
      const raw = document.createElement("span");
      raw.className = "muted small";
      raw.textContent = ` ${href}`;
      p.append(a, raw);
    } else {
      p.textContent = `Link: ${m.link}`;
    }
    li.append(p);
  }
  if (!m.code && !m.link && typeof m.text === "string") {
    const p = document.createElement("div");
    p.className = "muted small";
    p.textContent = m.text;
    li.append(p);
  }
  return li;
}

// ---------------------------------------------------------------- people

async function loadPeople() {
  if (!auth?.isAuthenticated) return;
  try {
    const list = await auth.listUsers({
      limit: PAGE_SIZE,
      offset: people.offset,
      ...(people.query ? { emailContains: people.query } : {}),
    });
    people.users = list.users;
    people.total = list.total;
    people.hasMore = list.hasMore;
    people.offset = list.offset;
    renderPeople();
  } catch (err) {
    showError(err, "people");
  }
}

function renderPeople() {
  const me = auth?.user;
  const following = new Set(followingIds());
  const items = people.users.map((u) => {
    const li = document.createElement("li");
    li.dataset.userId = u.id;
    li.dataset.email = u.email;
    li.dataset.testid = "person";
    const who = document.createElement("div");
    who.className = "who";
    const name = document.createElement("strong");
    name.textContent = typeof u.data?.name === "string" && u.data.name ? u.data.name : u.email.split("@")[0];
    const mail = document.createElement("span");
    mail.className = "muted small";
    mail.textContent = u.email;
    who.append(name, mail);
    const actions = document.createElement("div");
    actions.className = "row";
    const view = document.createElement("button");
    view.type = "button";
    view.textContent = "View";
    view.dataset.testid = "person-view";
    view.setAttribute("aria-label", `View the profile of ${u.email}`);
    view.addEventListener("click", () => {
      $("lookup-id").value = u.id;
      lookup(u.id, view);
    });
    actions.append(view);
    if (me && u.id === me.id) {
      const you = document.createElement("span");
      you.className = "tag";
      you.textContent = "you";
      actions.append(you);
    } else {
      const isFollowing = following.has(u.id);
      const btn = document.createElement("button");
      btn.type = "button";
      btn.dataset.testid = "follow-toggle";
      btn.dataset.following = String(isFollowing);
      btn.className = isFollowing ? "" : "primary";
      btn.textContent = isFollowing ? "Unfollow" : "Follow";
      btn.setAttribute("aria-pressed", String(isFollowing));
      btn.setAttribute("aria-label", `${isFollowing ? "Unfollow" : "Follow"} ${u.email}`);
      btn.addEventListener("click", () =>
        busy(btn, "follow", async () => {
          await (isFollowing ? auth.unfollow(u.id) : auth.follow(u.id));
          showSuccess(isFollowing ? `You no longer follow ${u.email}.` : `You now follow ${u.email}.`);
          render();
          document.querySelector(`#people-list li[data-user-id="${u.id}"] [data-testid="follow-toggle"]`)?.focus();
        }));
      actions.append(btn);
    }
    li.append(who, actions);
    return li;
  });
  if (!items.length) {
    const li = document.createElement("li");
    li.className = "muted";
    li.dataset.testid = "people-empty";
    li.textContent = people.query ? `Nobody's email contains "${people.query}".` : "Nobody here yet.";
    items.push(li);
  }
  $("people-list").replaceChildren(...items);
  const first = people.total ? people.offset + 1 : 0;
  const last = people.offset + people.users.length;
  $("people-page").textContent = `${first}–${last} of ${people.total}`;
  $("people-prev").disabled = people.offset === 0;
  $("people-next").disabled = !people.hasMore;
}

async function lookup(id, button) {
  const view = $("profile-view");
  await busy(button, "lookup", async () => {
    const p = await auth.getUserById(id.trim());
    const name = typeof p.data?.name === "string" && p.data.name ? p.data.name : "(no name)";
    const parts = [];
    const head = document.createElement("div");
    head.className = "me";
    const url = avatarOf(p.data);
    if (url) {
      const img = document.createElement("img");
      img.className = "avatar";
      img.alt = `Avatar of ${name}`;
      img.src = url;
      head.append(img);
    }
    const dl = document.createElement("dl");
    dl.className = "facts";
    const rows = [
      ["Name", name, "view-name"],
      ["Bio", typeof p.data?.bio === "string" && p.data.bio ? p.data.bio : "—", "view-bio"],
      ["Roles", p.roles.length ? p.roles.join(", ") : "—", "view-roles"],
      ["Joined", p.createdAt ? new Date(p.createdAt).toLocaleString() : "—", "view-joined"],
      ["Follows", String(Array.isArray(p.data?.following_ids) ? p.data.following_ids.length : 0), "view-follows"],
      ["Id", p.id, "view-id"],
    ];
    for (const [k, v, testid] of rows) {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      dd.dataset.testid = testid;
      dl.append(dt, dd);
    }
    head.append(dl);
    parts.push(head);
    view.replaceChildren(...parts);
    view.hidden = false;
    view.focus();
  });
}

// ---------------------------------------------------------------- wiring

function wire() {
  // Sign up: live feedback while typing; the library itself refuses to send bad input.
  const suEmail = $("signup-email");
  const suPassword = $("signup-password");
  const updateSignupFeedback = () => {
    renderEmailFeedback(suEmail.value, $("signup-email-feedback"));
    renderPasswordFeedback(suPassword.value, suEmail.value, $("signup-strength-meter"),
      $("signup-strength-label"), $("signup-password-rules"));
  };
  suEmail.addEventListener("input", updateSignupFeedback);
  suPassword.addEventListener("input", updateSignupFeedback);

  $("signup-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    updateSignupFeedback();
    const button = e.submitter ?? $("signup-form").querySelector("button[type=submit]");
    const name = $("signup-name").value.trim();
    busy(button, "signup", async () => {
      const result = await auth.signup({
        email: suEmail.value,
        password: suPassword.value,
        ...(name ? { data: { name } } : {}),
      });
      if (result.requires2fa) {
        afterSignIn(result, { email: suEmail.value, via: "signup", success: () => "" });
        return;
      }
      rememberTwoFactor(result.session.user.email, "off");
      render();
      $("signup-form").reset();
      updateSignupFeedback();
      showSuccess(`Welcome! Your account ${result.session.user.email} is ready and you are signed in.`);
      $("profile-title").focus();
    });
  });

  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    const button = e.submitter ?? $("login-form").querySelector("button[type=submit]");
    busy(button, "login", async () => {
      const email = $("login-email").value;
      const result = await auth.login({ email, password: $("login-password").value });
      $("login-password").value = "";
      if (afterSignIn(result, { email, via: "login", success: (u) => `Welcome back, ${u.email}.` })) {
        $("profile-title").focus();
      }
    });
  });

  for (const btn of document.querySelectorAll(".oauth-btn")) {
    btn.addEventListener("click", () => {
      clearNotice();
      const provider = btn.dataset.provider;
      busy(btn, "oauth", async () => {
        sessionStorage.setItem(OAUTH_PROVIDER_KEY, provider);
        await auth.signInWithOAuth({ provider, redirectUri: location.origin + location.pathname });
      });
    });
  }

  // Forgot password: a neutral answer whether or not the address has an account.
  $("forgot-toggle").addEventListener("click", () => {
    const form = $("forgot-form");
    form.hidden = !form.hidden;
    $("forgot-toggle").setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) {
      if (!$("forgot-email").value) $("forgot-email").value = $("login-email").value;
      $("forgot-email").focus();
    }
  });
  $("forgot-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    const email = $("forgot-email").value.trim();
    const report = validateEmail(email);
    if (!report.valid) {
      showNotice("error", EMAIL_WORDS[report.errors[0]?.code] ?? "Enter your email address.", "invalid_email");
      $("forgot-email").focus();
      return;
    }
    busy(e.submitter ?? $("forgot-submit"), "forgot", async () => {
      await auth.requestPasswordReset(email);
      showNotice("success",
        `If an account uses ${email}, we have mailed it a link to set a new password. The link works once, for 1 hour.`,
        "reset_requested");
      suggestMailboxFilter(email);
      refreshMailbox();
    });
  });

  // The reset page (opened from the mail).
  const resetPassword = $("reset-password");
  resetPassword.addEventListener("input", () =>
    renderPasswordFeedback(resetPassword.value, "", $("reset-password-meter"),
      $("reset-password-label"), $("reset-password-rules")));
  $("reset-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    const report = renderPasswordFeedback(resetPassword.value, "", $("reset-password-meter"),
      $("reset-password-label"), $("reset-password-rules"));
    if (!report?.valid) {
      showNotice("error", "Choose a password that meets the rules listed under the field.", "weak_password");
      resetPassword.focus();
      return;
    }
    busy(e.submitter ?? $("reset-form").querySelector("button[type=submit]"), "reset", async () => {
      await auth.resetPassword({ token: resetToken, newPassword: resetPassword.value });
      // The reset ends the account's sessions; if this page holds one, ask the server whether it
      // still stands (a revoked one signs the page out by itself).
      if (auth.user) await auth.getCurrentUser().catch(() => {});
      leaveResetView();
      showNotice("success", "Your password was reset. Log in with your new password.", "password_reset");
      if (!auth.user) $("login-email").focus();
    });
  });
  $("reset-cancel").addEventListener("click", () => {
    clearNotice();
    leaveResetView();
  });

  // The 2FA code step.
  $("code-input").addEventListener("input", () => {
    const el = $("code-input");
    const digits = el.value.replace(/\D/g, "").slice(0, 6);
    if (digits !== el.value) el.value = digits;
  });
  $("code-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    const code = $("code-input").value.trim();
    const email = pending2fa?.email ?? $("code-email").value.trim();
    if (!/^\d{6}$/.test(code)) {
      showNotice("error", "The code has 6 digits. Copy it from the latest email.", "code_format");
      $("code-input").focus();
      return;
    }
    if (!email) {
      showNotice("error", "Enter the email address of your account.", "code_email");
      $("code-email").focus();
      return;
    }
    busy(e.submitter ?? $("code-form").querySelector("button[type=submit]"), "2fa", async () => {
      try {
        const session = await auth.verify2fa({ code, email });
        pending2fa = null;
        rememberTwoFactor(session.user.email, "on");
        showSuccess(`Code accepted. Welcome, ${session.user.email}.`);
        render();
        $("profile-title").focus();
      } catch (err) {
        $("code-input").value = "";
        $("code-input").focus();
        throw err;
      }
    });
  });
  $("code-resend").addEventListener("click", (e) => {
    clearNotice();
    const email = pending2fa?.email ?? $("code-email").value.trim();
    if (!email) {
      showNotice("error", "Enter the email address of your account first.", "code_email");
      $("code-email").focus();
      return;
    }
    busy(e.currentTarget, "2fa", async () => {
      await auth.send2faCode(email);
      showNotice("info", `A new code is on its way to ${email}. Older codes no longer work.`, "code_sent");
      suggestMailboxFilter(email);
      $("code-input").focus();
      refreshMailbox();
    });
  });
  $("code-cancel").addEventListener("click", () => {
    pending2fa = null;
    clearNotice();
    render();
    $("login-email").focus();
  });

  // Google ID token through the emulator's stand-in for Google's button.
  $("id-token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    const email = $("id-token-email").value.trim();
    const name = $("id-token-name").value.trim();
    busy(e.submitter ?? $("id-token-form").querySelector("button[type=submit]"), "oauth", async () => {
      const res = await fetch(new URL("/__emulator/google/id-token", location.origin), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, ...(name ? { name } : {}) }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok || typeof body?.id_token !== "string") {
        const why = typeof body?.detail === "string" ? body.detail : `status ${res.status}`;
        showNotice("error", `The emulator's stand-in did not make an ID token (${why}). Check the email.`, "id_token_stand_in");
        return;
      }
      sessionStorage.setItem(OAUTH_PROVIDER_KEY, "google");
      const result = await auth.signInWithIdToken({ provider: "google", idToken: body.id_token });
      if (afterSignIn(result, { email, via: "id-token", success: (u) => `Signed in with a Google ID token as ${u.email}.` })) {
        $("id-token-form").reset();
        $("profile-title").focus();
      }
    });
  });

  // Profile: email verification and the 2FA switch.
  $("verify-email-btn").addEventListener("click", (e) => {
    clearNotice();
    busy(e.currentTarget, "verify", async () => {
      await auth.requestEmailVerification();
      const email = auth.user?.email ?? "your address";
      suggestMailboxFilter(auth.user?.email);
      showNotice("success",
        `We mailed a verification link to ${email} (unless one went out in the last 5 minutes). Open it to confirm the address; it works for 24 hours.`,
        "verification_sent");
      refreshMailbox();
    });
  });
  $("twofa-switch").addEventListener("click", (e) => {
    clearNotice();
    const email = auth?.user?.email;
    const turnOn = twoFactorOf(email) !== "on";
    busy(e.currentTarget, "2fa", async () => {
      try {
        await (turnOn ? auth.enable2fa() : auth.disable2fa());
      } catch (err) {
        // Turning off what was never on: the server has no 2FA settings for the user.
        if (!turnOn && err?.code === "not_found") {
          rememberTwoFactor(email, "off");
          render();
          showNotice("info", "Two-step sign-in was not on for this account, so nothing changed.", "two_factor_was_off");
          return;
        }
        throw err;
      }
      rememberTwoFactor(email, turnOn ? "on" : "off");
      render();
      showSuccess(turnOn
        ? "Two-step sign-in is on: from now on, signing in asks for a code we mail you."
        : "Two-step sign-in is off: signing in needs only your password.");
      $("twofa-switch").focus();
    });
  });

  // The dev mailbox.
  $("mailbox-refresh").addEventListener("click", () => refreshMailbox());
  $("mailbox-to").addEventListener("input", () => { $("mailbox-to").dataset.typed = "true"; });
  $("mailbox-form").addEventListener("submit", (e) => {
    e.preventDefault();
    refreshMailbox();
  });
  $("mailbox-clear").addEventListener("click", async (e) => {
    const button = e.currentTarget;
    button.disabled = true;
    try {
      await fetch(new URL("/__emulator/outbox", location.origin), { method: "DELETE" });
    } catch { /* shown by the refresh below */ }
    button.disabled = false;
    refreshMailbox();
  });

  $("logout-btn").addEventListener("click", () => {
    clearNotice();
    auth.logout();
    showSuccess("You are signed out.");
    $("login-email").focus();
  });

  $("refresh-btn").addEventListener("click", (e) =>
    busy(e.currentTarget, "refresh", async () => {
      await auth.refreshSession();
      showSuccess("Your session was renewed.");
    }));

  $("profile-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    const button = e.submitter ?? $("profile-save");
    busy(button, "profile", async () => {
      await auth.updateUser({ data: { name: $("profile-name").value.trim(), bio: $("profile-bio").value.trim() } });
      showSuccess("Your profile was saved.");
    });
  });

  $("avatar-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    const file = $("avatar-input").files?.[0];
    if (!file) {
      showNotice("error", "Choose an image file first.", "no_file");
      $("avatar-input").focus();
      return;
    }
    const button = e.submitter ?? $("avatar-upload");
    busy(button, "avatar", async () => {
      await auth.updateUserWithFiles({}, { avatar: file });
      $("avatar-input").value = "";
      showSuccess("Your new avatar is up.");
    });
  });

  const newPassword = $("new-password");
  newPassword.addEventListener("input", () =>
    renderPasswordFeedback(newPassword.value, auth?.user?.email, $("new-password-meter"),
      $("new-password-label"), $("new-password-rules")));

  $("password-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    const button = e.submitter ?? $("password-submit");
    busy(button, "password", async () => {
      await auth.changePassword({ currentPassword: $("current-password").value, newPassword: newPassword.value });
      $("password-form").reset();
      renderPasswordFeedback("", "", $("new-password-meter"), $("new-password-label"), $("new-password-rules"));
      showSuccess("Your password was changed. Use the new one next time you log in.");
      refreshMailbox();
    });
  });

  $("people-form").addEventListener("submit", (e) => {
    e.preventDefault();
    people.query = $("people-search").value.trim();
    people.offset = 0;
    loadPeople();
  });
  $("people-prev").addEventListener("click", () => {
    people.offset = Math.max(0, people.offset - PAGE_SIZE);
    loadPeople();
  });
  $("people-next").addEventListener("click", () => {
    people.offset += PAGE_SIZE;
    loadPeople();
  });

  $("lookup-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearNotice();
    const id = $("lookup-id").value.trim();
    if (!id) {
      showNotice("error", "Enter a user id first.", "no_id");
      $("lookup-id").focus();
      return;
    }
    lookup(id, e.submitter ?? $("lookup-submit"));
  });

  $("clear-log").addEventListener("click", () => $("event-log").replaceChildren());
}

function leaveResetView() {
  resetToken = null;
  $("reset-form").reset();
  renderPasswordFeedback("", "", $("reset-password-meter"), $("reset-password-label"), $("reset-password-rules"));
  render();
}

/**
 * Mailed links land here: `?view=reset&token=...` (npm start passes
 * `--password-reset-url <origin>/?view=reset`) and `?view=verify&token=...`.
 * The token leaves the address bar at once (history, screenshots, Referer).
 */
function takeMailedLink() {
  const url = new URL(location.href);
  const view = url.searchParams.get("view");
  if (view !== "reset" && view !== "verify") return null;
  const token = url.searchParams.get("token");
  url.searchParams.delete("view");
  url.searchParams.delete("token");
  history.replaceState(history.state, "", url.pathname + (url.search === "?" ? "" : url.search) + url.hash);
  return { view, token };
}

async function handleMailedLink(link) {
  if (!link) return;
  if (!link.token) {
    showNotice("error", "This link has no token in it. Open the link from the email again, or ask for a new one.", "invalid_token");
    return;
  }
  if (link.view === "reset") {
    resetToken = link.token;
    return;
  }
  try {
    await auth.verifyEmail(link.token);
    // The answer does not say whose address it was (the link may be another account's).
    showNotice("success", auth.user
      ? "The email address this link was sent to is verified."
      : "Your email address is verified. Log in to see it on your profile.", "email_verified");
  } catch (err) {
    showError(err, "verify");
  }
}

// ---------------------------------------------------------------- start

async function main() {
  wire();
  const mailedLink = takeMailedLink();
  const emulatorCheck = detectEmulator();
  try {
    await init();
  } catch (err) {
    showNotice("error", "The cocobase-auth package could not be loaded (www/pkg/ is missing or broken). Start the demo with npm start.", "load_failed");
    $("status").textContent = "Not loaded";
    $("status").dataset.state = "error";
    throw err;
  }
  try {
    auth = new CocobaseAuth({ apiKey: "pk_test_emulator", baseUrl: location.origin });
  } catch (err) {
    showError(err, "config");
    throw err;
  }
  // For experiments from the console.
  window.cocobaseAuth = auth;

  auth.onAuthStateChange((event, session, reason) => {
    logEvent(event, session, reason);
    if (event === "TOKEN_REFRESHED") {
      refreshCount += 1;
      const el = $("refresh-count");
      el.textContent = `${refreshCount} (last at ${new Date().toLocaleTimeString()})`;
      el.dataset.count = String(refreshCount);
    }
    if (event === "SIGNED_OUT" && reason && reason !== "logout") {
      const why = {
        other_tab: "You were signed out in another tab.",
        expired: "Your session expired. Please log in again.",
        revoked: "Your session is no longer valid (it was ended elsewhere). Please log in again.",
      }[reason] ?? "You were signed out.";
      showNotice("info", why, `signed_out_${reason}`);
    }
    render();
  });

  const oauthAvailable = typeof auth.handleRedirectCallback === "function" &&
    typeof auth.signInWithOAuth === "function";
  if (!oauthAvailable) {
    for (const btn of document.querySelectorAll(".oauth-btn")) btn.disabled = true;
    $("oauth-note").hidden = false;
    $("oauth-note").textContent = "Google, Apple and GitHub sign-in are not in this build of the package yet.";
  }

  isEmulator = await emulatorCheck;
  $("mailbox").hidden = !isEmulator;

  try {
    await auth.initialize();
  } catch (err) {
    showError(err, "initialize");
  }

  if (oauthAvailable) {
    try {
      const result = await auth.handleRedirectCallback(location.href);
      if (result) {
        const started = sessionStorage.getItem(OAUTH_PROVIDER_KEY);
        afterSignIn(result, {
          via: "oauth",
          success: (u) => `Signed in with ${providerName(u.oauthProvider ?? started)} as ${u.email}.`,
        });
      }
    } catch (err) {
      showError(err, "oauth");
    } finally {
      // Leave the provider name in place only while a sign-in may still come back.
      if (!/[?&#](code|error|state)=/.test(location.href)) sessionStorage.removeItem(OAUTH_PROVIDER_KEY);
    }
  }
  await handleMailedLink(mailedLink);
  if (isEmulator) {
    suggestMailboxFilter(auth.user?.email);
    refreshMailbox();
  }
  render();
  if (resetToken) $("reset-title").focus();
  setInterval(tick, 1000);
  document.body.dataset.ready = "true";
}

main();
