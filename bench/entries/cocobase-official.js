import { Cocobase } from "cocobase";
export async function start(baseUrl) {
  const db = new Cocobase({ apiKey: "pk_test_emulator", baseURL: baseUrl });
  db.auth.onAuthEvent({ onAuthStateChange: () => {} });
  await db.auth.initAuth();
  globalThis.__keep = [db.auth.login, db.auth.getCurrentUser, db.auth.logout];
  return db;
}
