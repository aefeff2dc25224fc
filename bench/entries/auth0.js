import { Auth0Client } from "@auth0/auth0-spa-js";
export async function start(baseUrl) {
  // Constructed without checkSession(): that would need a reachable tenant.
  const auth = new Auth0Client({ domain: new URL(baseUrl).host, clientId: "bench", cacheLocation: "localstorage" });
  globalThis.__keep = [auth.loginWithRedirect, auth.handleRedirectCallback, auth.getUser, auth.logout, auth.isAuthenticated];
  return auth;
}
