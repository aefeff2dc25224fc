// The cocobase-auth demo: plain ES modules, no framework, no build step.
// Every capability of the package, wired to the page in index.html.
import init, { CocobaseAuth, validateEmail, validatePassword } from "./pkg/cocobase_auth.js";

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 5;
const OAUTH_PROVIDER_KEY = "cocobase.demo.oauthProvider";
const PROVIDER_LABEL = { google: "Google", apple: "Apple" };

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
      const m = /(Google|Apple) Sign-In/.exec(err.message ?? "");
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
  $("signed-in").hidden = !user;
  $("signed-out").hidden = !!user;
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
        showNotice("info", result.message);
        return;
      }
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
      const result = await auth.login({ email: $("login-email").value, password: $("login-password").value });
      if (result.requires2fa) {
        showNotice("info", result.message);
        return;
      }
      $("login-password").value = "";
      showSuccess(`Welcome back, ${result.session.user.email}.`);
      $("profile-title").focus();
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

// ---------------------------------------------------------------- start

async function main() {
  wire();
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
    $("oauth-note").textContent = "Google and Apple sign-in are not in this build of the package yet.";
  }

  try {
    await auth.initialize();
  } catch (err) {
    showError(err, "initialize");
  }

  if (oauthAvailable) {
    try {
      const result = await auth.handleRedirectCallback(location.href);
      if (result?.requires2fa) {
        showNotice("info", result.message);
      } else if (result?.session) {
        const p = result.session.user.oauthProvider ?? sessionStorage.getItem(OAUTH_PROVIDER_KEY);
        showSuccess(`Signed in with ${providerName(p)} as ${result.session.user.email}.`);
      }
    } catch (err) {
      showError(err, "oauth");
    } finally {
      // Leave the provider name in place only while a sign-in may still come back.
      if (!/[?&#](code|error|state)=/.test(location.href)) sessionStorage.removeItem(OAUTH_PROVIDER_KEY);
    }
  }
  render();
  setInterval(tick, 1000);
  document.body.dataset.ready = "true";
}

main();
