//! The TypeScript shapes of JS-API.md, emitted into the package's `.d.ts`. Method
//! signatures refer to them through `unchecked_param_type` / `unchecked_return_type`;
//! `tests/types.ts` assigns every export to typed constants so drift fails `tsc`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
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
"#;
