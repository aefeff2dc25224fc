//! When to refresh, and how long to wait after a refresh failed.

/// How long before expiry a session is refreshed, and whether it is at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    pub auto_refresh: bool,
    pub margin_ms: i64,
    /// The server answered 404/405 on refresh: the session lasts until it expires.
    pub unsupported: bool,
    /// Never due before this (epoch ms): see [`RefreshPolicy::not_before_of`].
    /// `i64::MIN` for a token restored at start-up, refreshed as soon as it is due.
    pub not_before: i64,
}

impl RefreshPolicy {
    /// `not_before` of a token expiring at `expires_at` that arrived at `now`: one due
    /// at once by the margin (a margin as long as the token's life) waits for half its
    /// life, so fresh tokens are not refreshed in a loop; any other is due a margin
    /// before expiry, as always.
    pub fn not_before_of(&self, expires_at: i64, now: i64) -> i64 {
        if expires_at.saturating_sub(self.margin_ms) > now {
            return i64::MIN;
        }
        now.saturating_add(expires_at.saturating_sub(now) / 2)
    }

    /// When a session expiring at `expires_at` is due (never without auto-refresh or a
    /// server that can).
    pub fn refresh_at(&self, expires_at: i64) -> Option<i64> {
        (self.auto_refresh && !self.unsupported).then(|| {
            expires_at
                .saturating_sub(self.margin_ms)
                .max(self.not_before)
        })
    }

    pub fn due(&self, expires_at: i64, now: i64) -> bool {
        self.refresh_at(expires_at).is_some_and(|at| now >= at)
    }

    /// How long until the timer should wake: to refresh, or at expiry to sign out.
    pub fn wake_in(&self, expires_at: i64, now: i64) -> i64 {
        let at = self
            .refresh_at(expires_at)
            .map_or(expires_at, |r| r.min(expires_at));
        at.saturating_sub(now).max(0)
    }
}

/// The wait before retrying the `failures`-th failed refresh (0 for the first):
/// exponential from 1 s to 60 s, jittered by `random` (0..1), never before the server's
/// `Retry-After` (seconds), never past `until_expiry_ms`.
pub fn backoff_ms(
    failures: u32,
    random: f64,
    retry_after: Option<f64>,
    until_expiry_ms: i64,
) -> f64 {
    let base = (1000.0 * f64::from(1u32 << failures.min(6))).min(60_000.0);
    let jittered = base / 2.0 + base / 2.0 * random.clamp(0.0, 1.0);
    let delay = jittered.max(retry_after.unwrap_or(0.0) * 1000.0);
    delay.min(until_expiry_ms.max(0) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: RefreshPolicy = RefreshPolicy {
        auto_refresh: true,
        margin_ms: 60_000,
        unsupported: false,
        not_before: i64::MIN,
    };

    #[test]
    fn due_a_margin_before_expiry() {
        assert_eq!(ON.refresh_at(1_000_000), Some(940_000));
        assert!(!ON.due(1_000_000, 939_999));
        assert!(ON.due(1_000_000, 940_000));
        assert_eq!(ON.wake_in(1_000_000, 900_000), 40_000);
        assert_eq!(ON.wake_in(1_000_000, 990_000), 0);
    }

    #[test]
    fn never_due_without_auto_refresh_or_a_server_that_can() {
        for policy in [
            RefreshPolicy {
                auto_refresh: false,
                ..ON
            },
            RefreshPolicy {
                unsupported: true,
                ..ON
            },
        ] {
            assert_eq!(policy.refresh_at(1_000_000), None);
            assert!(!policy.due(1_000_000, 999_999));
            // The timer still wakes at expiry, to sign out.
            assert_eq!(policy.wake_in(1_000_000, 900_000), 100_000);
        }
    }

    #[test]
    fn a_token_due_as_soon_as_it_arrives_waits_for_half_its_life() {
        // A token of 30 s that arrived at 1_000_000, with a margin of 60 s: due at
        // once by the margin, so at half its life instead.
        let fresh = RefreshPolicy {
            not_before: ON.not_before_of(1_030_000, 1_000_000),
            ..ON
        };
        assert_eq!(fresh.refresh_at(1_030_000), Some(1_015_000));
        assert!(!fresh.due(1_030_000, 1_000_000));
        assert_eq!(fresh.wake_in(1_030_000, 1_000_000), 15_000);
        assert!(fresh.due(1_030_000, 1_015_000));
        // A token of 66 s: refreshed a margin before expiry (6 s on), as always.
        assert_eq!(ON.not_before_of(1_066_000, 1_000_000), i64::MIN);
        // Exactly the margin: due at once, so half its life.
        assert_eq!(ON.not_before_of(1_060_000, 1_000_000), 1_030_000);
        // Extreme clocks saturate.
        assert_eq!(ON.not_before_of(i64::MIN, i64::MAX), i64::MAX / 2);
        assert_eq!(ON.not_before_of(i64::MIN + 5, i64::MIN), i64::MIN + 2);
    }

    #[test]
    fn backoff_doubles_to_a_minute_and_honours_retry_after() {
        assert_eq!(backoff_ms(0, 0.0, None, i64::MAX), 500.0);
        assert_eq!(backoff_ms(0, 1.0, None, i64::MAX), 1000.0);
        assert_eq!(backoff_ms(3, 1.0, None, i64::MAX), 8000.0);
        assert_eq!(backoff_ms(6, 1.0, None, i64::MAX), 60_000.0);
        assert_eq!(backoff_ms(40, 1.0, None, i64::MAX), 60_000.0);
        assert_eq!(backoff_ms(0, 0.5, Some(30.0), i64::MAX), 30_000.0);
        assert_eq!(backoff_ms(6, 1.0, Some(30.0), 5_000), 5_000.0);
    }
}
