// Assigns every export of the package to a constant of the type JS-API.md promises:
// `tsc --noEmit` fails when the shipped .d.ts drifts from the contract.
import init, { CocobaseAuth, validateEmail, validatePassword } from "../pkg/cocobase_auth.js";
import type {
  AuthChangeEvent,
  AuthResult,
  AuthStateListener,
  CocobaseAuthOptions,
  CocobaseError,
  CocobaseErrorCode,
  EmailValidation,
  PasswordPolicy,
  PasswordValidation,
  PublicUser,
  Session,
  SignOutReason,
  User,
  UserList,
} from "../pkg/cocobase_auth.js";

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const exact = <T extends true>(_: T) => {};

const load: () => Promise<unknown> = () => init();
const Ctor: new (options: CocobaseAuthOptions) => CocobaseAuth = CocobaseAuth;

declare const auth: CocobaseAuth;
const initialize: () => Promise<Session | null> = () => auth.initialize();
const signup: (p: { email: string; password: string; data?: Record<string, unknown>; roles?: string[] }) => Promise<AuthResult> =
  (p) => auth.signup(p);
const signupWithFiles: (p: { email: string; password: string; data?: Record<string, unknown> }, f: { [k: string]: Blob | Blob[] }) => Promise<AuthResult> =
  (p, f) => auth.signupWithFiles(p, f);
const login: (p: { email: string; password: string }) => Promise<AuthResult> = (p) => auth.login(p);
const logout: () => void = () => auth.logout();
const getCurrentUser: () => Promise<User> = () => auth.getCurrentUser();
const updateUser: (u: { data?: Record<string, unknown>; email?: string; append?: Record<string, unknown>; remove?: Record<string, unknown> }) => Promise<User> =
  (u) => auth.updateUser(u);
const updateUserWithFiles: (u: { data?: Record<string, unknown> }, f: { [k: string]: Blob | Blob[] }) => Promise<User> =
  (u, f) => auth.updateUserWithFiles(u, f);
const follow: (id: string) => Promise<User> = (id) => auth.follow(id);
const unfollow: (id: string) => Promise<User> = (id) => auth.unfollow(id);
const changePassword: (p: { currentPassword: string; newPassword: string }) => Promise<void> = (p) => auth.changePassword(p);
const listUsers: (q: { limit?: number; offset?: number; role?: string; emailContains?: string }) => Promise<UserList> =
  (q) => auth.listUsers(q);
const getUserById: (id: string) => Promise<PublicUser> = (id) => auth.getUserById(id);
const getOAuthUrl: (p: { provider: "google" | "apple" | "github"; redirectUri: string }) => Promise<string> = (p) => auth.getOAuthUrl(p);
const signInWithOAuth: (p: { provider: "google" | "apple" | "github"; redirectUri: string }) => Promise<void> = (p) => auth.signInWithOAuth(p);
const handleRedirectCallback: (url?: string) => Promise<AuthResult | null> = (url) => auth.handleRedirectCallback(url);
const refreshSession: () => Promise<Session> = () => auth.refreshSession();
// Optional arguments may be left out.
const callbackHere: () => Promise<AuthResult | null> = () => auth.handleRedirectCallback();
const everyone: () => Promise<UserList> = () => auth.listUsers();
const resend: () => Promise<void> = () => auth.send2faCode();
const verify2fa: (p: { code: string; email?: string }) => Promise<Session> = (p) => auth.verify2fa(p);
const send2faCode: (email?: string) => Promise<void> = (email) => auth.send2faCode(email);
const enable2fa: () => Promise<void> = () => auth.enable2fa();
const disable2fa: () => Promise<void> = () => auth.disable2fa();
const requestPasswordReset: (email: string) => Promise<void> = (email) => auth.requestPasswordReset(email);
const resetPassword: (p: { token: string; newPassword: string }) => Promise<void> = (p) => auth.resetPassword(p);
const requestEmailVerification: () => Promise<void> = () => auth.requestEmailVerification();
const verifyEmail: (token: string) => Promise<void> = (token) => auth.verifyEmail(token);
const signInWithIdToken: (p: { provider: "google"; idToken: string }) => Promise<AuthResult> = (p) => auth.signInWithIdToken(p);
const withGithub: CocobaseAuthOptions = { apiKey: "pk", github: { clientId: "Iv1.abc", authorizeUrl: "http://127.0.0.1/authorize" } };
const onAuthStateChange: (cb: AuthStateListener) => () => void = (cb) => auth.onAuthStateChange(cb);
const dispose: () => void = () => auth.dispose();

const user: User | null = auth.user;
const accessToken: string | null = auth.accessToken;
const expiresAt: number | null = auth.expiresAt;
const isAuthenticated: boolean = auth.isAuthenticated;

const checkEmail: (email: string) => EmailValidation = validateEmail;
const checkPassword: (password: string, policy?: Partial<PasswordPolicy>, context?: { email?: string }) => PasswordValidation =
  validatePassword;

// Shapes.
exact<Exact<Session, { user: User; accessToken: string; expiresAt: number }>>(true);
exact<Exact<PublicUser, { id: string; data: Record<string, unknown>; roles: string[]; createdAt: string }>>(true);
exact<Exact<UserList, { users: User[]; total: number; limit: number; offset: number; hasMore: boolean }>>(true);
exact<Exact<AuthChangeEvent, "INITIAL_SESSION" | "SIGNED_IN" | "SIGNED_OUT" | "TOKEN_REFRESHED" | "USER_UPDATED">>(true);
exact<Exact<SignOutReason, "logout" | "expired" | "revoked" | "other_tab">>(true);

// A listener narrows on the event; an AuthResult on requires2fa.
auth.onAuthStateChange((event, session, reason) => {
  if (event === "SIGNED_OUT") {
    const r: SignOutReason | undefined = reason;
    const s: null | Session = session;
  }
});
async function narrow(r: AuthResult) {
  if (r.requires2fa) {
    const m: string = r.message;
    const email: string | null = r.email;
  } else {
    const s: Session = r.session;
  }
}
function onError(e: unknown) {
  const err = e as CocobaseError;
  const code: CocobaseErrorCode = err.code;
  const status: number = err.status;
  const retryable: boolean = err.retryable;
  const after: number | undefined = err.retryAfter;
  const fields: { [field: string]: { code: string; message: string }[] } | undefined = err.fieldErrors;
  const isError: Error = err;
}

// Wrong uses must not compile.
// @ts-expect-error apiKey is required
new CocobaseAuth({ baseUrl: "http://127.0.0.1:8787" });
// @ts-expect-error storage is one of three words
new CocobaseAuth({ apiKey: "pk", storage: "cookies" });
// @ts-expect-error only google, apple and github
auth.getOAuthUrl({ provider: "facebook", redirectUri: "http://127.0.0.1/cb" });
// @ts-expect-error ID tokens from Google only
auth.signInWithIdToken({ provider: "apple", idToken: "x" });
// @ts-expect-error follow takes an id
auth.follow(5);
