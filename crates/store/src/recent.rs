//! Copies of read results kept for a while, each tagged with the store's
//! count of committed writes when it was read ([`crate::Store::writes`]).
//!
//! Invariants owned here:
//! - A copy is given back only while the write count is the one it was read
//!   at and it is younger than the cache's time to live (zero: nothing is
//!   kept). A caller whose copy stays good whatever is written passes the
//!   same count every time.
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
