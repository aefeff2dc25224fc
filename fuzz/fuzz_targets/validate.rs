//! The email and password validators: never panic, and their reports are coherent
//! (`valid` exactly when there is no error, each code at most once, score 0 to 4).
//!
//! Input: `<password>\n<email>` (without a newline: the whole input is the password
//! and is also tried as an email).
#![no_main]

use cocobase_auth::validate::{validate_email, validate_password, Issue, PasswordPolicy};
use libfuzzer_sys::fuzz_target;

fn distinct(errors: &[Issue]) -> bool {
    errors
        .iter()
        .enumerate()
        .all(|(i, e)| errors[..i].iter().all(|f| f.code() != e.code()))
}

fn check_email(email: &str) {
    let r = validate_email(email);
    assert_eq!(r.valid, r.errors.is_empty(), "{email:?}: {r:?}");
    assert!(distinct(&r.errors), "{email:?}: {r:?}");
    if email.is_empty() {
        assert_eq!(
            r.errors.iter().map(|e| e.code()).collect::<Vec<_>>(),
            ["empty"]
        );
    }
}

fn check_password(password: &str, policy: &PasswordPolicy, email: Option<&str>) {
    let r = validate_password(password, policy, email);
    assert_eq!(r.valid, r.errors.is_empty(), "{password:?}: {r:?}");
    assert!(r.score <= 4, "{password:?}: {r:?}");
    assert!(distinct(&r.errors), "{password:?}: {r:?}");
    if !r.valid {
        assert!(
            r.score <= 2,
            "a refused password scores at most 2: {password:?}: {r:?}"
        );
    }
    if password.is_empty() {
        assert_eq!(r.score, 0);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (password, email) = text.split_once('\n').unwrap_or((text, text));
    check_email(email);
    check_email(text);
    let default = PasswordPolicy::default();
    check_password(password, &default, Some(email));
    check_password(password, &default, None);
    let loose = PasswordPolicy {
        min_length: 0,
        max_length: usize::MAX,
        require_lowercase: false,
        require_uppercase: false,
        require_digit: false,
        require_symbol: true,
        reject_common: false,
    };
    check_password(password, &loose, Some(email));
});
