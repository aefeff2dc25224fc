// Types of cocobase-auth (JS-API.md). Hand-written: the class is js/index.js, the rules are the Rust core.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type User = {
    id: string; email: string; data: Record<string, unknown>; roles: string[];
    createdAt: string; emailVerified?: boolean; oauthProvider?: string | null;
};
export type PublicUser = { id: string; data: Record<string, unknown>; roles: string[]; createdAt: string };
export type Session = { user: User; accessToken: string; expiresAt: number };
export type AuthResult = { requires2fa: false; session: Session } | { requires2fa: true; message: string };
export type UserList = { users: User[]; total: number; limit: number; offset: number; hasMore: boolean };

export type PasswordPolicy = {
    minLength: number; maxLength: number; requireLowercase: boolean; requireUppercase: boolean;
    requireDigit: boolean; requireSymbol: boolean; rejectCommon: boolean;
};
export type CocobaseAuthOptions = {
    apiKey: string;
    baseUrl?: string;
    storage?: "local" | "session" | "memory";
    storageKey?: string;
    autoRefresh?: boolean;
    refreshMarginSeconds?: number;
    requestTimeoutMs?: number;
    passwordPolicy?: Partial<PasswordPolicy>;
    allowSecretKey?: boolean;
};

export type SignupParams = { email: string; password: string; data?: Record<string, unknown>; roles?: string[] };
export type SignupWithFilesParams = { email: string; password: string; data?: Record<string, unknown> };
export type LoginParams = { email: string; password: string };
export type FileMap = { [field: string]: Blob | Blob[] };
export type UserUpdate = {
    data?: Record<string, unknown>; email?: string;
    append?: Record<string, unknown>; remove?: Record<string, unknown>;
};
export type ChangePasswordParams = { currentPassword: string; newPassword: string };
export type OAuthProvider = "google" | "apple";
export type OAuthParams = { provider: OAuthProvider; redirectUri: string };
export type ListUsersParams = { limit?: number; offset?: number; role?: string; emailContains?: string };

export type AuthChangeEvent = "INITIAL_SESSION" | "SIGNED_IN" | "SIGNED_OUT" | "TOKEN_REFRESHED" | "USER_UPDATED";
export type SignOutReason = "logout" | "expired" | "revoked" | "other_tab";
export type AuthStateListener = (event: AuthChangeEvent, session: Session | null, reason?: SignOutReason) => void;

export type CocobaseErrorCode =
| "config_invalid" | "secret_key_in_browser" | "validation_failed" | "invalid_credentials"
| "email_taken" | "unauthorized" | "session_missing" | "session_expired" | "forbidden"
| "not_found" | "rate_limited" | "network_error" | "timeout" | "server_error" | "bad_response"
| "refresh_unsupported" | "oauth_denied" | "oauth_state_mismatch" | "oauth_invalid_callback";
export type ValidationIssue = { code: string; message: string };
/** What every method rejects with (and the constructor throws). */
export interface CocobaseError extends Error {
    name: "CocobaseError";
    code: CocobaseErrorCode;
    status: number;
    detail?: string | JsonValue[] | JsonValue;
    retryable: boolean;
    retryAfter?: number;
    fieldErrors?: { [field: string]: ValidationIssue[] };
}

export type EmailErrorCode = "empty" | "missing_at" | "invalid_local_part" | "invalid_domain" | "too_long" | "whitespace";
export type PasswordErrorCode =
| "too_short" | "too_long" | "missing_lowercase" | "missing_uppercase" | "missing_digit"
| "missing_symbol" | "common_password" | "contains_email";
export type EmailValidation = { valid: boolean; errors: Array<{ code: EmailErrorCode; message: string }> };
export type PasswordValidation = {
    valid: boolean; score: 0 | 1 | 2 | 3 | 4; errors: Array<{ code: PasswordErrorCode; message: string }>;
};
/** Checks a password locally; `policy` is merged with the defaults. Throws `config_invalid` for a malformed policy. */
export function validatePassword(password: string, policy?: Partial<PasswordPolicy>, context?: { email?: string }): PasswordValidation;



/**
 * The Cocobase auth client (see JS-API.md).
 */
export class CocobaseAuth {
    /**
     * The same as `dispose()` (kept from the wasm-bindgen class of earlier versions).
     */
    free(): void;
    changePassword(params: ChangePasswordParams): Promise<void>;
    /**
     * Stops timers and listeners; the client then makes no request by itself.
     */
    dispose(): void;
    /**
     * Adds `userId` to `data.following_ids` (atomically, on the server).
     */
    follow(userId: string): Promise<User>;
    getCurrentUser(): Promise<User>;
    /**
     * The provider's sign-in URL, carrying a fresh `state` remembered in this tab.
     */
    getOAuthUrl(params: OAuthParams): Promise<string>;
    getUserById(id: string): Promise<PublicUser>;
    /**
     * On the callback page: verifies the provider's answer (`url` defaults to the
     * address bar), then removes `code`, `state`, `error` and `error_description`
     * from the address bar, whatever the outcome. `null` when there is no answer.
     */
    handleRedirectCallback(url?: string | null): Promise<AuthResult | null>;
    /**
     * Restores the stored session (refreshing it if due) and emits `INITIAL_SESSION` once.
     */
    initialize(): Promise<Session | null>;
    listUsers(params: ListUsersParams): Promise<UserList>;
    login(params: LoginParams): Promise<AuthResult>;
    /**
     * Signs out here and in the other tabs.
     */
    logout(): void;
    /**
     * Checks the options and opens the storage; nothing is fetched until `initialize`.
     */
    constructor(options: CocobaseAuthOptions);
    /**
     * Subscribes to auth events; returns the function that unsubscribes.
     *
     * A listener added after `initialize` settled receives `INITIAL_SESSION` with the
     * current session on the next microtask.
     */
    onAuthStateChange(callback: AuthStateListener): () => void;
    /**
     * Refreshes the token now: one request however many callers wait on it.
     */
    refreshSession(): Promise<Session>;
    /**
     * Sends the browser to the provider (the promise settles only on failure, or
     * just before the page unloads).
     */
    signInWithOAuth(params: OAuthParams): Promise<void>;
    /**
     * Creates an account with files, sent as `multipart/form-data`.
     */
    signupWithFiles(params: SignupWithFilesParams, files: FileMap): Promise<AuthResult>;
    /**
     * Creates an account; the email and password are checked locally first.
     */
    signup(params: SignupParams): Promise<AuthResult>;
    unfollow(userId: string): Promise<User>;
    updateUserWithFiles(update: UserUpdate, files: FileMap): Promise<User>;
    updateUser(update: UserUpdate): Promise<User>;
    /**
     * The current token, or `null`.
     */
    readonly accessToken: string | null;
    /**
     * Epoch milliseconds (local clock) when the token expires, or `null`.
     */
    readonly expiresAt: number | null;
    /**
     * A session is held and its token has not expired.
     */
    readonly isAuthenticated: boolean;
    /**
     * The signed-in user, or `null`.
     */
    readonly user: User | null;
}

/**
 * Checks an email address: `{ valid, errors: [{ code, message }] }`.
 */
export function validateEmail(email: string): EmailValidation;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** The loaded module's exports (for the curious: the package's functions wrap them). */
export interface InitOutput {
    readonly memory: WebAssembly.Memory;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Loads the email and password rules from `module` (bytes or a compiled
 * `WebAssembly.Module`) at once, without `await`: for workers and Node, where the bytes
 * are at hand. In a page, prefer `init()`.
 *
 * @param module - `{ module }`; passing the `SyncInitInput` directly also works.
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * Loads the email and password rules (a 12 KB WebAssembly module). Call it once, and
 * await it, before `validateEmail`, `validatePassword` or a method that validates
 * (`signup`, `signupWithFiles`, `changePassword`, `updateUser` with an `email`). Without
 * an argument it unpacks the copy inside the package: no request is made. A second call
 * returns the same exports.
 *
 * @param module_or_path - another copy of the module to load instead: bytes, a compiled
 * module, a `Response`, or a URL to fetch; as `{ module_or_path }` or directly.
 */
export default function init(module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
