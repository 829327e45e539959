//! Rate limits per client address and per account: a token bucket per key,
//! in this node's memory (the real lockout — failed attempts and locks — is
//! domain state in the database, shared by every node). A refused request is
//! answered 429 with `Retry-After`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// A budget: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Requests allowed in a burst.
    pub burst: u32,
    /// Requests regained per minute.
    pub per_minute: u32,
}

/// The budgets of the portal's unauthenticated calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Per client address: register, sign in, resend, forgot/reset password.
    pub per_ip: Budget,
    /// Per login ID or address: sign-in attempts and mails asked for.
    pub per_account: Budget,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            per_ip: Budget {
                burst: 30,
                per_minute: 30,
            },
            per_account: Budget {
                burst: 10,
                per_minute: 6,
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets by key (a reader-writer lock: looking, the common case at the
/// OpenID endpoints, does not wait for other lookers).
#[derive(Debug, Clone, Default)]
pub struct Limiter {
    buckets: Arc<RwLock<HashMap<String, Bucket>>>,
}

/// Buckets kept before idle full ones are dropped.
const SWEEP_AT: usize = 100_000;

impl Limiter {
    /// Whether the key's bucket is empty, without taking from it:
    /// `Err(seconds)` to wait until it holds one again.
    pub fn spent(&self, key: &str, budget: Budget) -> Result<(), u64> {
        let Ok(buckets) = self.buckets.read() else {
            return Ok(());
        };
        match buckets.get(key) {
            Some(bucket) => wait_for_one(refilled(bucket, budget, Instant::now()), budget),
            None => Ok(()),
        }
    }

    /// Takes one request from the key's bucket; `Err(seconds)` to wait when empty.
    pub fn check(&self, key: &str, budget: Budget) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.write() else {
            return Ok(());
        };
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, b| refilled(b, budget, now) < f64::from(budget.burst.max(1)));
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: f64::from(budget.burst.max(1)),
            at: now,
        });
        bucket.tokens = refilled(bucket, budget, now);
        bucket.at = now;
        wait_for_one(bucket.tokens, budget)?;
        bucket.tokens -= 1.0;
        Ok(())
    }
}

/// What a bucket holds at `now`: what it held, refilled at the budget's
/// rate since, up to its burst.
fn refilled(bucket: &Bucket, budget: Budget, now: Instant) -> f64 {
    let rate = f64::from(budget.per_minute.max(1)) / 60.0;
    (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate)
        .min(f64::from(budget.burst.max(1)))
}

/// `Ok` when a bucket holding `tokens` has one to give; else the whole
/// seconds until it will.
fn wait_for_one(tokens: f64, budget: Budget) -> Result<(), u64> {
    if tokens >= 1.0 {
        return Ok(());
    }
    let rate = f64::from(budget.per_minute.max(1)) / 60.0;
    let wait = Duration::from_secs_f64((1.0 - tokens) / rate);
    Err(wait.as_secs().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_says_how_long_to_wait() {
        let l = Limiter::default();
        let b = Budget {
            burst: 3,
            per_minute: 6,
        };
        for _ in 0..3 {
            assert!(l.check("k", b).is_ok());
        }
        let wait = l.check("k", b).unwrap_err();
        assert!((1..=10).contains(&wait), "{wait}");
        assert!(l.check("other", b).is_ok(), "keys are independent");
    }

    #[test]
    fn looking_at_a_bucket_takes_nothing() {
        let l = Limiter::default();
        let b = Budget {
            burst: 2,
            per_minute: 1,
        };
        assert!(l.spent("k", b).is_ok(), "never used");
        l.check("k", b).unwrap();
        for _ in 0..5 {
            assert!(l.spent("k", b).is_ok(), "one left");
        }
        l.check("k", b).unwrap();
        assert!(l.spent("k", b).is_err(), "empty now");
    }
}
