//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane),
//! always off the async threads, and at most one hash per CPU at a time: a burst of
//! logins then queues instead of allocating 19 MiB per request all at once.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;

/// Memory cost in KiB (OWASP's argon2id recommendation).
pub const M_COST_KIB: u32 = 19_456;
/// Number of passes.
pub const T_COST: u32 = 2;
/// Degree of parallelism.
pub const P_COST: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::encode_b64(&crate::random::bytes::<16>())
        .map_err(|_| ApiError::Internal("password salt"))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ApiError::Internal("password hashing"))
}

fn hashing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// Runs `work` on the blocking pool once a hashing slot is free.
async fn run_hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|_| ApiError::Internal("password hashing slots"))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::Internal("password hashing task"))
}

/// The PHC string of a fresh argon2id hash of `password`.
pub async fn hash(password: String) -> Result<String, ApiError> {
    run_hashing(move || hash_now(&password)).await?
}

/// Whether `password` matches `stored`. With `stored == None` (unknown email, or an
/// account without a password) it verifies against a dummy hash anyway and answers
/// false, so the time taken does not tell whether the account exists.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    run_hashing(move || {
        let (phc, real) = match &stored {
            Some(s) => (s.as_str(), true),
            None => (dummy_hash(), false),
        };
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && real
    })
    .await
    .map_err(|_| ApiError::Internal("password verification task"))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = crate::random::hex(&crate::random::bytes::<16>());
        hash_now(&random).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_verifies() {
        let h = hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong".into(), Some(h)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }
}
