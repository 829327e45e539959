//! Copies of read results kept for a while, each tagged with the count of
//! changes the store had seen when it was read ([`crate::Store::changes_seen`]).
//!
//! Invariants owned here:
//! - A copy is given back only while the count is the one it was read at
//!   and it is younger than the cache's time to live (zero: nothing is
//!   kept). No count (the node cannot hear the others) means no copy is
//!   given or kept. A caller whose copy stays good whatever is written
//!   passes the same count every time.
//! - Bounded: a cache that reaches [`CAPACITY`] entries starts over empty.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries per cache before it starts over.
pub const CAPACITY: usize = 16_384;

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

    /// The copy of `key`, if one was read when the store's count of changes
    /// was `writes_now` and is younger than the time to live.
    pub fn get(&self, key: &K, writes_now: Option<u64>) -> Option<V> {
        let writes_now = writes_now?;
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.writes == writes_now && entry.at.elapsed() < self.ttl).then(|| entry.value.clone())
    }

    /// Keeps `value` for `key`, read after the store's count of changes was
    /// `writes_before`.
    pub fn put(&self, key: K, writes_before: Option<u64>, value: V) {
        let Some(writes_before) = writes_before else {
            return;
        };
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
        cache.put(1, Some(7), "one");
        assert_eq!(cache.get(&1, Some(7)), Some("one"));
        assert_eq!(cache.get(&1, Some(8)), None, "a write since it was read");
        assert_eq!(cache.get(&1, None), None, "deaf to other nodes");
        assert_eq!(cache.get(&2, Some(7)), None, "never read");
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(cache.get(&1, Some(7)), None, "too old");
    }

    #[test]
    fn nothing_is_kept_while_deaf_to_other_nodes() {
        let cache: Recent<u32, u32> = Recent::new(Duration::from_secs(60));
        cache.put(1, None, 1);
        assert_eq!(cache.get(&1, Some(0)), None);
    }

    #[test]
    fn a_zero_time_to_live_keeps_nothing() {
        let cache: Recent<u32, u32> = Recent::new(Duration::ZERO);
        cache.put(1, Some(0), 1);
        assert_eq!(cache.get(&1, Some(0)), None);
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache: Recent<usize, usize> = Recent::new(Duration::from_secs(60));
        for i in 0..CAPACITY {
            cache.put(i, Some(0), i);
        }
        assert_eq!(cache.get(&0, Some(0)), Some(0));
        cache.put(CAPACITY, Some(0), CAPACITY);
        assert_eq!(cache.get(&0, Some(0)), None, "emptied when full");
        assert_eq!(cache.get(&CAPACITY, Some(0)), Some(CAPACITY));
    }
}
