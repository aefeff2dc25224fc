// A minimal app that imports the package by its name, as an npm user would. The Vite
// test builds it for production and runs the bundle in Chromium against the emulator.
import init, { CocobaseAuth, validateEmail, validatePassword } from "cocobase-auth";

const out = document.getElementById("result");

async function run() {
  await init();
  const events = [];
  const auth = new CocobaseAuth({ apiKey: "pk_test_emulator", baseUrl: location.origin, storage: "memory" });
  auth.onAuthStateChange((event) => events.push(event));
  const initial = await auth.initialize();

  const goodEmail = validateEmail("ada@example.com");
  const badEmail = validateEmail("ada.example.com");
  const weak = validatePassword("abc");

  // One real round trip through the bundled client.
  const email = `vite-${Date.now().toString(36)}@example.com`;
  const signup = await auth.signup({ email, password: "Tropical-Coconut-42" });
  let wrongKind = null;
  try {
    new CocobaseAuth({ apiKey: "sk_test_emulator", baseUrl: location.origin });
  } catch (err) {
    wrongKind = { name: err.name, code: err.code };
  }
  return {
    ok: true,
    initial,
    events,
    goodEmail,
    badEmail: badEmail.errors.map((e) => e.code),
    weak: { valid: weak.valid, score: weak.score, codes: weak.errors.map((e) => e.code).sort() },
    signedUpAs: signup.requires2fa ? null : signup.session.user.email,
    email,
    isAuthenticated: auth.isAuthenticated,
    secretKey: wrongKind,
  };
}

run().then(
  (result) => {
    out.textContent = JSON.stringify(result, null, 2);
    out.dataset.state = "done";
  },
  (err) => {
    out.textContent = JSON.stringify({ ok: false, name: err?.name, code: err?.code, message: String(err?.message ?? err) });
    out.dataset.state = "done";
  },
);
