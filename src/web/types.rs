//! The TypeScript shapes of JS-API.md, written next to the Rust that produces them
//! (`core::session`, `core::answer`, `core::error`, `web::validate`) and emitted into
//! the package's `.d.ts` by wasm-bindgen. The methods name them through
//! `unchecked_param_type` / `unchecked_return_type`; `tests/types.ts` checks them
//! with `tsc`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const SHAPES: &'static str = r#"
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** `core::session::User`. */
export type User = {
    id: string; email: string; data: Record<string, unknown>; roles: string[];
    createdAt: string; emailVerified?: boolean; oauthProvider?: string | null;
};
/** `core::session::PublicUser`: never an email. */
export type PublicUser = { id: string; data: Record<string, unknown>; roles: string[]; createdAt: string };
/** `core::session::SessionView`; `expiresAt` in epoch milliseconds of the local clock. */
export type Session = { user: User; accessToken: string; expiresAt: number };
/** `web::auth::AuthResult`. */
export type AuthResult =
    | { requires2fa: false; session: Session }
    | { requires2fa: true; message: string; email: string | null };
/** `core::answer::UserList`. */
export type UserList = { users: User[]; total: number; limit: number; offset: number; hasMore: boolean };

export type PasswordPolicy = {
    minLength: number; maxLength: number; requireLowercase: boolean; requireUppercase: boolean;
    requireDigit: boolean; requireSymbol: boolean; rejectCommon: boolean;
};
/** `core::options::config` reads these. */
export type CocobaseAuthOptions = {
    apiKey: string;
    baseUrl?: string;
    storage?: "local" | "session" | "memory";
    storageKey?: string;
    autoRefresh?: boolean;
    refreshMarginSeconds?: number;
    requestTimeoutMs?: number;
    passwordPolicy?: Partial<PasswordPolicy>;
    github?: { clientId: string; authorizeUrl?: string };
    allowSecretKey?: boolean;
};

export type SignupParams = { email: string; password: string; data?: Record<string, unknown>; roles?: string[] };
export type SignupWithFilesParams = { email: string; password: string; data?: Record<string, unknown> };
export type LoginParams = { email: string; password: string };
export type Files = { [field: string]: Blob | Blob[] };
export type UserUpdate = {
    data?: Record<string, unknown>; email?: string;
    append?: Record<string, unknown>; remove?: Record<string, unknown>;
};
export type ChangePasswordParams = { currentPassword: string; newPassword: string };
export type OAuthProvider = "google" | "apple" | "github";
export type OAuthParams = { provider: OAuthProvider; redirectUri: string };
export type ListUsersParams = { limit?: number; offset?: number; role?: string; emailContains?: string };
export type Verify2faParams = { code: string; email?: string };
export type ResetPasswordParams = { token: string; newPassword: string };
export type IdTokenParams = { provider: "google"; idToken: string };

export type AuthChangeEvent = "INITIAL_SESSION" | "SIGNED_IN" | "SIGNED_OUT" | "TOKEN_REFRESHED" | "USER_UPDATED";
export type SignOutReason = "logout" | "expired" | "revoked" | "other_tab";
export type AuthStateListener = (event: AuthChangeEvent, session: Session | null, reason?: SignOutReason) => void;

/** `core::error::ErrorCode`. */
export type CocobaseErrorCode =
    | "config_invalid" | "secret_key_in_browser" | "validation_failed" | "invalid_credentials"
    | "email_taken" | "unauthorized" | "session_missing" | "session_expired" | "forbidden"
    | "not_found" | "rate_limited" | "network_error" | "timeout" | "server_error" | "bad_response"
    | "refresh_unsupported" | "oauth_denied" | "oauth_state_mismatch" | "oauth_invalid_callback"
    | "invalid_code" | "invalid_token" | "two_factor_unavailable";
export type ValidationIssue = { code: string; message: string };
/** What every method rejects with (and the constructor throws): `web::convert::js_error`. */
export interface CocobaseError extends Error {
    name: "CocobaseError";
    code: CocobaseErrorCode;
    status: number;
    detail?: JsonValue;
    retryable: boolean;
    retryAfter?: number;
    fieldErrors?: { [field: string]: ValidationIssue[] };
}

export type EmailErrorCode = "empty" | "missing_at" | "invalid_local_part" | "invalid_domain" | "too_long" | "whitespace";
export type PasswordErrorCode =
    | "too_short" | "too_long" | "missing_lowercase" | "missing_uppercase" | "missing_digit"
    | "missing_symbol" | "common_password" | "contains_email";
/** `web::validate::Report` of an email. */
export type EmailValidation = { valid: boolean; errors: Array<{ code: EmailErrorCode; message: string }> };
/** `web::validate::Report` of a password. */
export type PasswordValidation = {
    valid: boolean; score: 0 | 1 | 2 | 3 | 4; errors: Array<{ code: PasswordErrorCode; message: string }>;
};
"#;
