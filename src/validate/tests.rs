use super::common::{hash, CommonSet, HASH_BITS, MAX_ENTRY_LEN, RICE_BITS, SET};

fn is_common(password: &str) -> bool {
    CommonSet::decode().contains(password)
}

/// The source of the shipped set (`common.rs`); only the tests read it.
const LIST: &str = include_str!("common-passwords.txt");

/// Encodes the list as `common.rs` decodes it.
fn encode_set(list: &str) -> Vec<u8> {
    let mut hashes: Vec<u32> = list.lines().map(|e| hash(e.as_bytes())).collect();
    hashes.sort_unstable();
    hashes.dedup();
    let mut bits = Vec::new();
    let mut prev = 0;
    for h in hashes {
        let gap = h - prev;
        prev = h;
        bits.extend(std::iter::repeat(1u8).take((gap >> RICE_BITS) as usize));
        bits.push(0);
        bits.extend((0..RICE_BITS).rev().map(|i| ((gap >> i) & 1) as u8));
    }
    while bits.len() % 8 != 0 {
        bits.push(1);
    }
    bits.chunks(8)
        .map(|c| c.iter().fold(0u8, |acc, b| (acc << 1) | b))
        .collect()
}

#[test]
fn the_shipped_set_is_the_list() {
    assert_eq!(
        SET,
        encode_set(LIST).as_slice(),
        "src/validate/common-passwords.gcs is stale: rebuild it from common-passwords.txt"
    );
    // No two entries share a hash, so the set holds all 1,000.
    let mut hashes: Vec<u32> = LIST.lines().map(|e| hash(e.as_bytes())).collect();
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(hashes.len(), LIST.lines().count());
}

#[test]
fn passwords_not_listed_are_rarely_taken_for_common_ones() {
    // Random ASCII passwords of 8 to 16 characters (a fixed xorshift stream). A password
    // is found exactly when its hash is one of the entries' hashes: checked through
    // `is_common` on the first 2,000, then counted by hash over 200,000, where the
    // expected rate is 1,000 / 2^24 (about 12); allow three times that.
    let listed: std::collections::HashSet<u32> = LIST.lines().map(|e| hash(e.as_bytes())).collect();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut hits = 0;
    for n in 0..200_000 {
        let len = 8 + (next() % 9) as usize;
        let p: String = (0..len)
            .map(|_| (b'!' + (next() % 94) as u8) as char)
            .collect();
        let found = listed.contains(&hash(p.as_bytes()));
        if n < 2_000 {
            assert_eq!(is_common(&p), found, "{p}");
        }
        if found && !LIST.lines().any(|e| e == p.to_ascii_lowercase()) {
            hits += 1;
        }
    }
    let expected = 200_000.0 * 1000.0 / f64::from(1u32 << HASH_BITS);
    assert!(
        f64::from(hits) <= 3.0 * expected,
        "{hits} false positives, expected about {expected:.0}"
    );
}
use super::password::{is_decimal_digit, DECIMAL_DIGIT_TABLE};
use super::{validate_email, validate_password, PasswordPolicy};

fn email_codes(email: &str) -> Vec<&'static str> {
    let report = validate_email(email);
    assert_eq!(report.valid, report.errors.is_empty(), "{email:?}");
    report.errors.iter().map(|issue| issue.code()).collect()
}

#[test]
fn email_table() {
    let local64 = "a".repeat(64);
    let local65 = "a".repeat(65);
    // 63 + 1 + 63 + 1 + 61 = 189 characters; 64 + 1 + 189 = 254.
    let domain189 = format!("{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(61));
    let domain190 = format!("{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(62));
    let cases: Vec<(String, &[&str])> = vec![
        // Valid.
        ("ada@example.com".into(), &[]),
        ("ada.lovelace@example.com".into(), &[]),
        ("ada+newsletter@example.com".into(), &[]),
        ("ada+@example.com".into(), &[]),
        ("ada@mail.eu.example.co.uk".into(), &[]),
        ("ADA@EXAMPLE.COM".into(), &[]),
        ("a@b.co".into(), &[]),
        ("1234@example.com".into(), &[]),
        ("ada@123.example.com".into(), &[]),
        ("ada@example.c0m".into(), &[]),
        ("ada@my-host.example.com".into(), &[]),
        ("ada@x--y.example.com".into(), &[]),
        ("o'reilly@example.com".into(), &[]),
        ("!#$%&'*+/=?^_`{|}~-@example.com".into(), &[]),
        ("用户@例子.广告".into(), &[]),
        ("josé@bücher.de".into(), &[]),
        ("jose\u{301}@example.com".into(), &[]),
        ("Δοκιμή@παράδειγμα.δοκιμή".into(), &[]),
        ("ada@xn--bcher-kva.de".into(), &[]),
        ("ada@bücher.xn--p1ai".into(), &[]),
        // Empty, or only the separator.
        ("".into(), &["empty"]),
        ("@".into(), &["invalid_local_part", "invalid_domain"]),
        (".@.".into(), &["invalid_local_part", "invalid_domain"]),
        // White space: reported once, never trimmed, not double-reported.
        (" ada@example.com".into(), &["whitespace"]),
        ("ada@example.com ".into(), &["whitespace"]),
        ("\tada@example.com".into(), &["whitespace"]),
        ("ada@example.com\n".into(), &["whitespace"]),
        ("ada @example.com".into(), &["whitespace"]),
        ("ada@exa mple.com".into(), &["whitespace"]),
        ("ada lovelace@example.com".into(), &["whitespace"]),
        ("ada\u{a0}@example.com".into(), &["whitespace"]),
        ("   ".into(), &["whitespace", "missing_at"]),
        (
            " @ ".into(),
            &["whitespace", "invalid_local_part", "invalid_domain"],
        ),
        ("ada example.com".into(), &["whitespace", "missing_at"]),
        // Missing or extra @.
        ("ada.example.com".into(), &["missing_at"]),
        ("ada".into(), &["missing_at"]),
        ("a@b@c.com".into(), &["invalid_local_part"]),
        ("ada@@example.com".into(), &["invalid_local_part"]),
        ("@example.com".into(), &["invalid_local_part"]),
        ("ada@".into(), &["invalid_domain"]),
        // Local part.
        (".ada@example.com".into(), &["invalid_local_part"]),
        ("ada.@example.com".into(), &["invalid_local_part"]),
        ("ada..lovelace@example.com".into(), &["invalid_local_part"]),
        ("\"ada\"@example.com".into(), &["invalid_local_part"]),
        (
            "\"ada lovelace\"@example.com".into(),
            &["whitespace", "invalid_local_part"],
        ),
        ("a(b)@example.com".into(), &["invalid_local_part"]),
        ("ada,lovelace@example.com".into(), &["invalid_local_part"]),
        ("ada\\x@example.com".into(), &["invalid_local_part"]),
        ("😀@example.com".into(), &["invalid_local_part"]),
        // Domain.
        ("ada@[127.0.0.1]".into(), &["invalid_domain"]),
        ("ada@[IPv6:::1]".into(), &["invalid_domain"]),
        ("ada@-example.com".into(), &["invalid_domain"]),
        ("ada@example-.com".into(), &["invalid_domain"]),
        ("ada@example.-com".into(), &["invalid_domain"]),
        ("ada@example.com-".into(), &["invalid_domain"]),
        ("ada@example.123".into(), &["invalid_domain"]),
        ("ada@1.2.3.4".into(), &["invalid_domain"]),
        ("ada@localhost".into(), &["invalid_domain"]),
        ("ada@example.com.".into(), &["invalid_domain"]),
        ("ada@.example.com".into(), &["invalid_domain"]),
        ("ada@example..com".into(), &["invalid_domain"]),
        ("ada@exam_ple.com".into(), &["invalid_domain"]),
        ("ada@exa\u{200b}mple.com".into(), &["invalid_domain"]),
        ("ada@例子。广告".into(), &["invalid_domain"]),
        (format!("ada@{}.com", "a".repeat(63)), &[]),
        (format!("ada@{}.com", "a".repeat(64)), &["invalid_domain"]),
        // Lengths: 64/65-byte local parts, 254/255-byte addresses.
        (format!("{local64}@example.com"), &[]),
        (format!("{local65}@example.com"), &["too_long"]),
        (format!("{}@example.com", "é".repeat(32)), &[]),
        (format!("{}@example.com", "é".repeat(33)), &["too_long"]),
        (format!("{local64}@{domain189}"), &[]),
        (format!("{local64}@{domain190}"), &["too_long"]),
        (format!("{local65}@{domain189}"), &["too_long"]),
        (
            format!("{local65}@localhost"),
            &["invalid_domain", "too_long"],
        ),
        (
            format!(" {local65}@{domain189}"),
            &["whitespace", "too_long"],
        ),
        ("a".repeat(300), &["missing_at", "too_long"]),
    ];
    assert!(cases.len() >= 45);
    for (email, expected) in &cases {
        assert_eq!(email_codes(email), *expected, "email {email:?}");
    }
    assert_eq!(format!("{local64}@{domain189}").len(), 254);
}

#[test]
fn email_messages_are_sentences() {
    for email in ["", " a@b", "ab", "a..b@-"] {
        for issue in validate_email(email).errors {
            assert!(issue.message().ends_with('.'), "{issue:?}");
            assert!(issue
                .message()
                .chars()
                .next()
                .is_some_and(char::is_uppercase));
        }
    }
    assert_eq!(
        validate_email("").errors[0].message(),
        "Enter an email address."
    );
    assert_eq!(
        validate_email("ada").errors[0].message(),
        "The email address needs an @."
    );
}

#[test]
fn email_never_panics_on_odd_input() {
    for email in [
        "@@@@",
        "\u{0}@\u{0}.\u{0}",
        "a@\u{10FFFF}.com",
        "é@",
        "@é",
        ".",
        "..@..",
        "-@-.-",
        "a@b.c\u{301}",
    ] {
        let report = validate_email(email);
        assert!(!report.valid || email == "a@b.c\u{301}", "{email:?}");
    }
    let long = "x@".repeat(5_000);
    assert!(!validate_email(&long).valid);
}

fn pw(password: &str) -> (Vec<&'static str>, u8) {
    pw_with(password, &PasswordPolicy::default(), None)
}

fn pw_with(
    password: &str,
    policy: &PasswordPolicy,
    email: Option<&str>,
) -> (Vec<&'static str>, u8) {
    let report = validate_password(password, policy, email);
    assert_eq!(report.valid, report.errors.is_empty(), "{password:?}");
    assert!(report.score <= 4);
    if !report.valid {
        assert!(report.score <= 2, "{password:?} fails a rule");
    }
    (
        report.errors.iter().map(|i| i.code()).collect(),
        report.score,
    )
}

#[test]
fn password_defaults() {
    let policy = PasswordPolicy::default();
    assert_eq!(
        policy,
        PasswordPolicy {
            min_length: 8,
            max_length: 128,
            require_lowercase: true,
            require_uppercase: true,
            require_digit: true,
            require_symbol: false,
            reject_common: true,
        }
    );
}

#[test]
fn password_table() {
    let d = PasswordPolicy::default();
    let short4 = PasswordPolicy {
        min_length: 4,
        ..PasswordPolicy::default()
    };
    let symbol = PasswordPolicy {
        require_symbol: true,
        ..PasswordPolicy::default()
    };
    let lax = PasswordPolicy {
        min_length: 1,
        require_lowercase: false,
        require_uppercase: false,
        require_digit: false,
        reject_common: false,
        ..PasswordPolicy::default()
    };
    let no_upper = PasswordPolicy {
        require_uppercase: false,
        ..PasswordPolicy::default()
    };
    let keep_common = PasswordPolicy {
        reject_common: false,
        ..PasswordPolicy::default()
    };
    let max10 = PasswordPolicy {
        max_length: 10,
        ..PasswordPolicy::default()
    };
    let ada = Some("ada.lovelace@example.com");
    let x128 = format!("Aa1{}", "x".repeat(125));
    let x129 = format!("Aa1{}", "x".repeat(126));
    let cases: Vec<(&str, &PasswordPolicy, Option<&str>, &[&str])> = vec![
        ("Tr0ub4dor&3x", &d, None, &[]),
        (
            "",
            &d,
            None,
            &[
                "too_short",
                "missing_lowercase",
                "missing_uppercase",
                "missing_digit",
            ],
        ),
        ("Ab1", &d, None, &["too_short"]),
        ("Abcdx1y", &d, None, &["too_short"]),
        ("Abcdx1yz", &d, None, &[]),
        (&x128, &d, None, &[]),
        (&x129, &d, None, &["too_long"]),
        ("alllowercase1", &d, None, &["missing_uppercase"]),
        ("ALLUPPERCASE1", &d, None, &["missing_lowercase"]),
        ("NoDigitsHere", &d, None, &["missing_digit"]),
        (
            "12345098765",
            &d,
            None,
            &["missing_lowercase", "missing_uppercase"],
        ),
        // Unicode case.
        ("ÜBERGRÖSSE1", &d, None, &["missing_lowercase"]),
        ("übergrösse1", &d, None, &["missing_uppercase"]),
        ("Übergröße1", &d, None, &[]),
        ("STRASSE12ß", &d, None, &[]),
        ("Καλημέρα123", &d, None, &[]),
        ("καλημέρα123", &d, None, &["missing_uppercase"]),
        ("ΚΑΛΗΜΈΡΑ123", &d, None, &["missing_lowercase"]),
        (
            "密码密码密码密码1",
            &d,
            None,
            &["missing_lowercase", "missing_uppercase"],
        ),
        // Length counts characters, not bytes.
        ("Ünïcødé", &d, None, &["too_short", "missing_digit"]),
        ("ÄÖÜäöü12", &d, None, &[]),
        ("Ab1😀😀😀😀", &d, None, &["too_short"]),
        ("Ab1😀😀😀😀😀", &d, None, &[]),
        ("Ab1😀😀😀😀😀😀😀😀", &max10, None, &["too_long"]),
        // Digits: Unicode decimal digits yes, superscripts no.
        ("Abcdxyz٣", &d, None, &[]),
        ("Abcdxyz१", &d, None, &[]),
        ("Abcdxyz²", &d, None, &["missing_digit"]),
        // Symbols.
        ("Abcdxyz1", &symbol, None, &["missing_symbol"]),
        ("Abcdxyz1!", &symbol, None, &[]),
        ("Abcdxyz1 ", &symbol, None, &["missing_symbol"]),
        ("Abcdxyz1€", &symbol, None, &[]),
        ("Abcdxyz1½", &symbol, None, &[]),
        ("Abcdxyz1😀", &symbol, None, &[]),
        // Partial policies.
        ("Ab1x", &short4, None, &[]),
        ("Ab1", &short4, None, &["too_short"]),
        ("lowercase123", &no_upper, None, &[]),
        ("a", &lax, None, &[]),
        ("password", &lax, None, &[]),
        ("", &lax, None, &["too_short"]),
        // Common passwords, in any case.
        (
            "password",
            &d,
            None,
            &["missing_uppercase", "missing_digit", "common_password"],
        ),
        (
            "PASSWORD",
            &d,
            None,
            &["missing_lowercase", "missing_digit", "common_password"],
        ),
        ("PassWord", &d, None, &["missing_digit", "common_password"]),
        ("Password1", &d, None, &["common_password"]),
        ("Password1", &keep_common, None, &[]),
        ("Trustno1", &d, None, &["common_password"]),
        ("1qaz2WSX", &d, None, &["common_password"]),
        ("Password1!", &d, None, &[]),
        // The email.
        ("Ada.Lovelace99", &d, ada, &["contains_email"]),
        ("xADA.LOVELACE@Example.comX1", &d, ada, &["contains_email"]),
        ("MyLovelace99", &d, ada, &[]),
        ("Always123x", &d, Some("al@example.com"), &[]),
        (
            "MyBob2024x",
            &d,
            Some("bob@example.com"),
            &["contains_email"],
        ),
        ("xxAlxxEx1", &d, Some("al@ex.co"), &[]),
        ("xxAL@EX.COXX1", &d, Some("al@ex.co"), &["contains_email"]),
        ("Ada.Lovelace99", &d, Some(""), &[]),
        ("Ada.Lovelace99", &d, Some("  "), &[]),
        (
            "Ada.Lovelace99",
            &d,
            Some(" ada.lovelace@example.com "),
            &["contains_email"],
        ),
        ("MyBob2024x", &d, Some("bob"), &["contains_email"]),
        ("MyBob2024x", &d, Some("b@"), &[]),
        (
            "ÜserÖne2024",
            &d,
            Some("üseröne@example.com"),
            &["contains_email"],
        ),
    ];
    assert!(cases.len() >= 35);
    for (password, policy, email, expected) in &cases {
        let (codes, _) = pw_with(password, policy, *email);
        assert_eq!(codes, *expected, "password {password:?} email {email:?}");
    }
}

#[test]
fn password_messages_are_sentences() {
    let policy = PasswordPolicy {
        require_symbol: true,
        ..PasswordPolicy::default()
    };
    let report = validate_password("", &policy, None);
    assert_eq!(report.errors.len(), 5);
    for issue in report.errors {
        assert!(issue.message().ends_with('.'), "{issue:?}");
    }
}

#[test]
fn password_scores() {
    let lax = PasswordPolicy {
        min_length: 1,
        require_lowercase: false,
        require_uppercase: false,
        require_digit: false,
        reject_common: false,
        ..PasswordPolicy::default()
    };
    let score = |p: &str| pw_with(p, &lax, None).1;
    // Trivial.
    assert_eq!(score(""), 0);
    assert_eq!(score("a"), 0);
    assert_eq!(score("aaaaaaaaaaaaaaaa"), 0);
    assert_eq!(score("abcdefghijklmnop"), 0);
    assert_eq!(score("1234567890987654"), 0);
    assert_eq!(score("qwertyuiopasdfgh"), 0);
    assert_eq!(score("abababababababab"), 0);
    assert_eq!(score("1qaz2wsx3edc4rfv"), 0);
    // Common, whatever the policy: 0.
    assert_eq!(score("password"), 0);
    assert_eq!(score("PaSsWoRd"), 0);
    assert_eq!(pw("Password1").1, 0);
    // A common core with decorations stays weak.
    assert!(pw("Password1!").1 <= 1);
    assert!(pw("Iloveyou2024!").1 <= 2);
    assert!(pw("Iloveyou2024!").1 < pw("Tr0ub4dor&3x").1);
    assert_eq!(score("zz1qaz2wsxyy"), 0);
    // Rising strength.
    let ladder = [
        "aaaaaaaa",
        "Aa1aaaaa",
        "kitten42",
        "Tr0ub4dor&3x",
        "Xk9#mP2$vL7!qR8@",
    ];
    let scores: Vec<u8> = ladder.iter().map(|p| score(p)).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    assert_eq!(scores, [0, 1, 2, 3, 4]);
    // Longer is never weaker.
    let mut last = 0;
    for n in 1..=24 {
        let p: String = "Xk9#mP2$vL7!qR8@zW4^nB6&".chars().take(n).collect();
        let s = score(&p);
        assert!(s >= last, "{p}");
        last = s;
    }
    assert_eq!(last, 4);
    // Long passphrases are strong; failing a rule caps the score at 2.
    assert_eq!(score("correct horse battery staple"), 4);
    assert_eq!(
        pw("correct horse battery staple"),
        (vec!["missing_uppercase", "missing_digit"], 2)
    );
    // Non-Latin scripts have a large pool.
    assert!(score("密码是一只猫和一条狗") >= 3);
    // Containing the email costs its characters.
    let email = Some("ada.lovelace@example.com");
    let with = pw_with("Ada.Lovelace99!Qz", &lax, email);
    let without = pw_with("Ada.Lovelace99!Qz", &lax, None);
    assert_eq!(with.0, ["contains_email"]);
    assert!(with.1 < without.1, "{with:?} {without:?}");
    // A valid, strong password.
    let report = validate_password("Tr0ub4dor&3x", &PasswordPolicy::default(), email);
    assert!(report.valid);
    assert_eq!(report.score, 3);
}

#[test]
fn password_huge_inputs_do_not_panic() {
    let huge = "a".repeat(10_000);
    assert_eq!(
        pw(&huge),
        (vec!["too_long", "missing_uppercase", "missing_digit"], 0)
    );
    let mixed = "Aa1!".repeat(2_500);
    assert_eq!(mixed.chars().count(), 10_000);
    assert_eq!(pw(&mixed).0, ["too_long"]);
    let emoji = "😀ß".repeat(5_000);
    let report = validate_password(&emoji, &PasswordPolicy::default(), Some(&emoji));
    assert!(!report.valid);
    let email = format!("{}@example.com", "a".repeat(240));
    let report = validate_password(&huge, &PasswordPolicy::default(), Some(&email));
    assert_eq!(
        report.errors.iter().map(|i| i.code()).collect::<Vec<_>>(),
        [
            "too_long",
            "missing_uppercase",
            "missing_digit",
            "contains_email"
        ]
    );
    for odd in [
        "\u{0}\u{0}\u{0}",
        "\u{10FFFF}",
        "İİİİİİİİ",
        "\u{301}\u{301}",
    ] {
        let _ = pw_with(odd, &PasswordPolicy::default(), Some(odd));
    }
}

#[test]
fn common_list_is_well_formed() {
    let entries: Vec<&str> = LIST.lines().collect();
    assert!(!entries.is_empty() && entries.len() <= 1000);
    assert!(LIST.ends_with('\n') && !LIST.contains("\n\n") && !LIST.contains('\r'));
    assert!(entries.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
    for entry in &entries {
        assert!(entry.is_ascii(), "{entry}");
        assert_eq!(entry.to_lowercase(), *entry);
        assert!(entry.len() >= 8 && entry.len() <= MAX_ENTRY_LEN, "{entry}");
        assert!(is_common(entry), "{entry}");
        assert!(is_common(&entry.to_uppercase()), "{entry}");
        let longer = format!("{entry}~");
        assert!(!is_common(&longer), "{entry}");
        assert!(
            !is_common(&entry[..entry.len() - 1]) || entries.contains(&&entry[..entry.len() - 1])
        );
    }
    assert!(is_common("password"));
    assert!(is_common("PassWord"));
    assert!(is_common("12345678"));
    assert!(!is_common(""));
    assert!(!is_common("Tr0ub4dor&3x"));
    assert!(!is_common("zzzzzzzzzzzzzzzzzzzzz"));
    assert!(!is_common(&"a".repeat(10_000)));
}

#[test]
fn decimal_digit_table() {
    assert!(DECIMAL_DIGIT_TABLE.windows(2).all(|w| w[0] + 10 <= w[1]));
    for &start in DECIMAL_DIGIT_TABLE {
        for code in start..start + 10 {
            let c = char::from_u32(code).expect("a scalar value");
            assert!(c.is_numeric() && is_decimal_digit(c), "{code:#x}");
        }
        let before = char::from_u32(start - 1).expect("a scalar value");
        let after = char::from_u32(start + 10).expect("a scalar value");
        assert!(DECIMAL_DIGIT_TABLE.contains(&(start - 10)) || !is_decimal_digit(before));
        assert!(DECIMAL_DIGIT_TABLE.contains(&(start + 10)) || !is_decimal_digit(after));
    }
    assert!(('0'..='9').all(is_decimal_digit));
    for c in ['a', '²', '½', 'Ⅻ', '①', ' ', '/', ':'] {
        assert!(!is_decimal_digit(c), "{c}");
    }
}
