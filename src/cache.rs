//! A small per-thread memo keyed by token text, tagged with the id of the object that
//! filled it.
//!
//! Checking repeats itself: a feed asks for the suggestions of the same damaged token
//! ("shelp" for every "said") and the real-word alternatives of the same common words
//! over and over. Each worker thread keeps its own map in a `thread_local!`, so look-ups
//! take no lock. Entries belong to one owner (a scorer, checker or detector, by id); a different
//! owner, or a full map, starts it over, so memory stays bounded and one model's answers
//! are never served for another's.

use rustc_hash::FxHashMap;

/// Source of owner ids for [`TokenCache`] users.
static NEXT_OWNER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A fresh owner id.
pub(crate) fn next_owner() -> u64 {
    NEXT_OWNER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Token → value, for one owner at a time, holding at most `capacity` entries.
#[derive(Debug)]
pub(crate) struct TokenCache<V> {
    owner: u64,
    capacity: usize,
    entries: FxHashMap<Box<str>, V>,
}

impl<V: Clone> TokenCache<V> {
    /// An empty cache (owner 0 is never handed out).
    pub(crate) fn new(capacity: usize) -> TokenCache<V> {
        TokenCache {
            owner: 0,
            capacity,
            entries: FxHashMap::default(),
        }
    }

    /// The value `owner` stored for `token`, if any.
    pub(crate) fn get(&self, owner: u64, token: &str) -> Option<V> {
        (self.owner == owner).then(|| self.entries.get(token).cloned())?
    }

    /// Stores a value, starting over when the owner changes or the map is full.
    pub(crate) fn insert(&mut self, owner: u64, token: &str, value: V) {
        if self.owner != owner || self.entries.len() >= self.capacity {
            self.entries.clear();
            self.owner = owner;
        }
        self.entries.insert(token.into(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_do_not_share_entries() {
        let mut c = TokenCache::new(4);
        c.insert(1, "a", 10);
        assert_eq!(c.get(1, "a"), Some(10));
        assert_eq!(c.get(2, "a"), None);
        c.insert(2, "b", 20);
        assert_eq!(c.get(1, "a"), None, "a new owner starts over");
    }

    #[test]
    fn a_full_cache_starts_over() {
        let mut c = TokenCache::new(2);
        c.insert(1, "a", 1);
        c.insert(1, "b", 2);
        c.insert(1, "c", 3);
        assert_eq!(c.get(1, "a"), None);
        assert_eq!(c.get(1, "c"), Some(3));
    }
}
