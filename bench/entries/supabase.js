import { GoTrueClient } from "@supabase/auth-js";
export async function start(baseUrl) {
  const auth = new GoTrueClient({ url: `${baseUrl}/auth/v1`, autoRefreshToken: true, persistSession: true, detectSessionInUrl: false });
  auth.onAuthStateChange(() => {});
  await auth.initialize();
  globalThis.__keep = [auth.signInWithPassword, auth.getUser, auth.signOut, auth.signInWithOAuth];
  return auth;
}
