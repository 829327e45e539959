//! Copies of read results kept for a while, each tagged with the count of
//! changes the store had seen when it was read ([`crate::Store::changes_seen`])
//! and, for copies of what changes by account, the subjects it holds.
//!
//! Invariants owned here:
//! - A counted copy ([`Recent::get`]) is given back only while the count is
//!   the one it was read at; a copy about subjects ([`Recent::get_unchanged`])
//!   only while the store has seen no change about any of them, nor of
//!   everything, since it was read. Either only while younger than the
//!   cache's time to live (zero: nothing is kept). No count (the node
//!   cannot hear the others) means no copy is given or kept. A caller whose
//!   copy stays good whatever is written passes the same count every time.
//! - Bounded: a cache that reaches [`CAPACITY`] entries starts over empty.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

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
    subjects: Box<[Uuid]>,
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
        self.get_if(key, |writes, _| writes == writes_now)
    }

    /// The copy of `key`, if `store` has seen nothing change about the
    /// subjects it was kept with since it was read, and it is younger than
    /// the time to live.
    pub fn get_unchanged(&self, key: &K, store: &dyn crate::Store) -> Option<V> {
        self.get_if(key, |writes, subjects| {
            store.unchanged_since(writes, subjects)
        })
    }

    /// The copy of `key`, if young enough and `good` says so of the count it
    /// was read at and its subjects.
    fn get_if(&self, key: &K, good: impl FnOnce(u64, &[Uuid]) -> bool) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.at.elapsed() < self.ttl && good(entry.writes, &entry.subjects))
            .then(|| entry.value.clone())
    }

    /// Keeps `value` for `key`, read after the store's count of changes was
    /// `writes_before`.
    pub fn put(&self, key: K, writes_before: Option<u64>, value: V) {
        self.put_about(key, writes_before, Vec::new(), value);
    }

    /// Keeps `value` for `key`, read after the store's count of changes was
    /// `writes_before`, as holding what the store knows as `subjects`.
    pub fn put_about(&self, key: K, writes_before: Option<u64>, subjects: Vec<Uuid>, value: V) {
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
                    subjects: subjects.into_boxed_slice(),
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
    fn a_copy_about_subjects_serves_while_they_are_unchanged() {
        let cache: Recent<u32, &str> = Recent::new(Duration::from_secs(60));
        let (ada, bob) = (Uuid::now_v7(), Uuid::now_v7());
        cache.put_about(1, Some(7), vec![ada], "ada's");
        let changed =
            |who: Uuid| move |at: u64, subjects: &[Uuid]| at == 7 && !subjects.contains(&who);
        assert_eq!(
            cache.get_if(&1, changed(bob)),
            Some("ada's"),
            "another's change"
        );
        assert_eq!(
            cache.get_if(&1, changed(ada)),
            None,
            "its own subject changed"
        );
        assert_eq!(cache.get(&1, Some(7)), Some("ada's"));
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
