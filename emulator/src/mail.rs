//! The outbox: every mail the emulator would send (second-factor codes, reset and
//! verification links, password-changed notices) is kept in memory for
//! `GET /__emulator/outbox` and printed as one line on stderr.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

use crate::time;

/// The outbox keeps at most this many mails, dropping the oldest.
pub const MAX_MAILS: usize = 1000;

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// A 6-digit sign-in code.
    TwoFactorCode,
    /// A link to set a new password.
    PasswordReset,
    /// A link that confirms the address.
    EmailVerification,
    /// A notice that the password was changed or reset.
    PasswordChanged,
}

/// One mail, as `GET /__emulator/outbox` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mail {
    /// A number, as a string, increasing in sending order.
    pub id: String,
    /// The address, as the user gave it.
    pub to: String,
    /// What it is about.
    pub kind: MailKind,
    /// The subject line.
    pub subject: String,
    /// The plain text body, which holds the code or link.
    pub text: String,
    /// The second-factor code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The reset or verification token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The link holding the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// When it was sent, ISO-8601.
    pub sent_at: String,
}

/// A mail before it is sent: everything but its id and time.
#[derive(Debug, Clone)]
pub struct Draft {
    to: String,
    kind: MailKind,
    subject: String,
    text: String,
    code: Option<String>,
    token: Option<String>,
    link: Option<String>,
}

impl Draft {
    /// The second-factor code mail.
    pub fn two_factor_code(to: &str, code: &str) -> Self {
        Self {
            to: to.into(),
            kind: MailKind::TwoFactorCode,
            subject: "Your sign-in code".into(),
            text: format!(
                "Your sign-in code is {code}. It is valid for 10 minutes and works once. \
                 If you did not try to sign in, change your password."
            ),
            code: Some(code.into()),
            token: None,
            link: None,
        }
    }

    /// The password reset mail.
    pub fn password_reset(to: &str, token: &str, link: &str) -> Self {
        Self {
            to: to.into(),
            kind: MailKind::PasswordReset,
            subject: "Reset your password".into(),
            text: format!(
                "Set a new password here: {link} (valid for 1 hour, once). \
                 If you did not ask for this, ignore this mail."
            ),
            code: None,
            token: Some(token.into()),
            link: Some(link.into()),
        }
    }

    /// The address verification mail.
    pub fn email_verification(to: &str, token: &str, link: &str) -> Self {
        Self {
            to: to.into(),
            kind: MailKind::EmailVerification,
            subject: "Verify your email address".into(),
            text: format!("Confirm your email address here: {link} (valid for 24 hours)."),
            code: None,
            token: Some(token.into()),
            link: Some(link.into()),
        }
    }

    /// The notice after a password change or reset.
    pub fn password_changed(to: &str) -> Self {
        Self {
            to: to.into(),
            kind: MailKind::PasswordChanged,
            subject: "Your password was changed".into(),
            text: "The password of your account was just changed. If this was not you, \
                   reset your password now."
                .into(),
            code: None,
            token: None,
            link: None,
        }
    }
}

#[derive(Debug, Default)]
struct Sent {
    next_id: u64,
    mails: VecDeque<Mail>,
}

/// The mails sent so far.
#[derive(Debug, Default)]
pub struct Outbox {
    sent: Mutex<Sent>,
}

impl Outbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, Sent> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// "Sends" `draft` at `now_micros`: keeps it and prints it as one stderr line.
    pub fn send(&self, draft: Draft, now_micros: i64) -> Mail {
        let mut sent = self.lock();
        sent.next_id += 1;
        let mail = Mail {
            id: sent.next_id.to_string(),
            to: draft.to,
            kind: draft.kind,
            subject: draft.subject,
            text: draft.text,
            code: draft.code,
            token: draft.token,
            link: draft.link,
            sent_at: time::iso8601(now_micros),
        };
        eprintln!("{}", log_line(&mail));
        if sent.mails.len() >= MAX_MAILS {
            sent.mails.pop_front();
        }
        sent.mails.push_back(mail.clone());
        mail
    }

    /// The mails to `to` (without regard to case), or all of them, oldest first.
    pub fn list(&self, to: Option<&str>) -> Vec<Mail> {
        let to = to.map(|t| t.trim().to_lowercase());
        self.lock()
            .mails
            .iter()
            .filter(|m| match &to {
                Some(t) => m.to.to_lowercase() == *t,
                None => true,
            })
            .cloned()
            .collect()
    }

    /// Forgets every mail.
    pub fn clear(&self) {
        self.lock().mails.clear();
    }
}

/// `cocobase-emulator: mail 3 to a@b.co [two_factor_code] Your sign-in code: ...`, on one
/// line whatever the mail holds.
fn log_line(mail: &Mail) -> String {
    let kind = serde_json::to_value(mail.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let line = format!(
        "cocobase-emulator: mail {} to {} [{kind}] {}: {}",
        mail.id, mail.to, mail.subject, mail.text
    );
    line.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_filters_and_clears() {
        let outbox = Outbox::default();
        outbox.send(Draft::two_factor_code("A@b.co", "123456"), 0);
        outbox.send(Draft::password_changed("c@d.co"), 1);
        let all = outbox.list(None);
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].id.as_str(), all[1].id.as_str()), ("1", "2"));
        let mine = outbox.list(Some("a@B.CO"));
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].code.as_deref(), Some("123456"));
        assert!(mine[0].text.contains("123456"));
        let json = serde_json::to_value(&mine[0]).unwrap();
        assert_eq!(json["kind"], "two_factor_code");
        assert!(json.get("token").is_none());
        outbox.clear();
        assert!(outbox.list(None).is_empty());
    }

    #[test]
    fn log_line_is_one_line() {
        let mut d = Draft::password_changed("x@y.co");
        d.text = "a\nb\rc".into();
        let outbox = Outbox::default();
        let mail = outbox.send(d, 0);
        assert!(!log_line(&mail).contains(['\n', '\r']));
    }
}
