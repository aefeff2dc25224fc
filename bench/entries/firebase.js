import { initializeApp } from "firebase/app";
import { getAuth, onAuthStateChanged, signInWithEmailAndPassword, signOut, signInWithRedirect, getRedirectResult, GoogleAuthProvider } from "firebase/auth";
export async function start() {
  const app = initializeApp({ apiKey: "bench-key", authDomain: "127.0.0.1", projectId: "bench" });
  const auth = getAuth(app);
  onAuthStateChanged(auth, () => {});
  await auth.authStateReady();
  globalThis.__keep = [signInWithEmailAndPassword, signOut, signInWithRedirect, getRedirectResult, GoogleAuthProvider, auth.currentUser];
  return auth;
}
