// This package: password sign-in, current user, sign-out, a listener, OAuth redirect.
import init, { CocobaseAuth } from "cocobase-auth";
export async function start(baseUrl) {
  await init();
  const auth = new CocobaseAuth({ apiKey: "pk_test_emulator", baseUrl });
  auth.onAuthStateChange(() => {});
  await auth.initialize();
  globalThis.__keep = [auth.login, auth.getCurrentUser, auth.logout, auth.signInWithOAuth, auth.handleRedirectCallback];
  return auth;
}
