//! Short-lived copies of what every signed-in portal request reads (its
//! session with the account and site, the customer's profile fields), so
//! that a busy portal does not go to the database on every request.
//!
//! Invariants owned here:
//! - A copy is used only while no write transaction has committed through
//!   this process's store since it was read ([`gatehouse_store::Store::writes`]),
//!   and for at most its time to live: a change made through this node
//!   (sign-out, block, delete, password change, profile edit, settings) is
//!   seen by the very next request; a change made by another node or
//!   process (several nodes on PostgreSQL, the CLI) within the time to live.
//! - Bounded: a cache that reaches its capacity starts over empty.
//! - A time to live of zero turns it off.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gatehouse_store::{Account, CustomerFields, Session, Site};
use uuid::Uuid;

/// How long a copy may be used at most, by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(1);

/// Entries per cache before it starts over.
pub const CAPACITY: usize = 16_384;

/// A signed-in session as read together from the store (shared, so that a
/// request borrows it instead of copying it).
#[derive(Debug, Clone)]
pub struct SessionRead {
    /// The account's site.
    pub site: Arc<Site>,
    /// The session.
    pub session: Arc<Session>,
    /// Its account.
    pub account: Arc<Account>,
}

/// The caches of the portal's hot reads.
#[derive(Debug)]
pub struct RecentReads {
    /// Sessions by the hash of their token.
    pub sessions: Recent<Vec<u8>, Arc<SessionRead>>,
    /// Customers' profile fields by customer ID.
    pub fields: Recent<Uuid, Arc<CustomerFields>>,
}

impl RecentReads {
    /// Caches whose copies live at most `ttl`.
    pub fn new(ttl: Duration) -> RecentReads {
        RecentReads {
            sessions: Recent::new(ttl),
            fields: Recent::new(ttl),
        }
    }
}

impl Default for RecentReads {
    fn default() -> Self {
        RecentReads::new(DEFAULT_TTL)
    }
}

/// One cache: values by key, each with the store's write count before it
/// was read and when.
#[derive(Debug)]
pub struct Recent<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, Entry<V>>>,
}

#[derive(Debug)]
struct Entry<V> {
    writes: u64,
    at: Instant,
    value: V,
}

impl<K: Hash + Eq, V: Clone> Recent<K, V> {
    /// An empty cache whose copies live at most `ttl`.
    pub fn new(ttl: Duration) -> Recent<K, V> {
        Recent {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The copy of `key`, if one was read when the store's write count was
    /// `writes_now` and is younger than the time to live.
    pub fn get(&self, key: &K, writes_now: u64) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.writes == writes_now && entry.at.elapsed() < self.ttl).then(|| entry.value.clone())
    }

    /// Keeps `value` for `key`, read after the store's write count was
    /// `writes_before`.
    pub fn put(&self, key: K, writes_before: u64, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    writes: writes_before,
                    at: Instant::now(),
                    value,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_serves_until_a_write_or_its_time_is_up() {
        let cache: Recent<u32, &str> = Recent::new(Duration::from_millis(200));
        cache.put(1, 7, "one");
        assert_eq!(cache.get(&1, 7), Some("one"));
        assert_eq!(cache.get(&1, 8), None, "a write since it was read");
        assert_eq!(cache.get(&2, 7), None, "never read");
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(cache.get(&1, 7), None, "too old");
    }

    #[test]
    fn a_zero_time_to_live_keeps_nothing() {
        let cache: Recent<u32, u32> = Recent::new(Duration::ZERO);
        cache.put(1, 0, 1);
        assert_eq!(cache.get(&1, 0), None);
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache: Recent<usize, usize> = Recent::new(Duration::from_secs(60));
        for i in 0..CAPACITY {
            cache.put(i, 0, i);
        }
        assert_eq!(cache.get(&0, 0), Some(0));
        cache.put(CAPACITY, 0, CAPACITY);
        assert_eq!(cache.get(&0, 0), None, "emptied when full");
        assert_eq!(cache.get(&CAPACITY, 0), Some(CAPACITY));
    }
}
