//! A small per-thread memo keyed by token text (or by a hash of it), tagged with the id
//! of the object that filled it.
//!
//! Checking repeats itself: a feed asks for the suggestions of the same damaged token
//! ("shelp" for every "said") and the real-word alternatives of the same common words
//! over and over. Each worker thread keeps its own map in a `thread_local!`, so look-ups
//! take no lock. Entries belong to one owner (a scorer, checker or detector, by id); a different
//! owner, or a full map, starts it over, so memory stays bounded and one model's answers
//! are never served for another's.

use std::borrow::Borrow;
use std::hash::Hash;

use rustc_hash::FxHashMap;

/// Source of owner ids for [`TokenCache`] users.
static NEXT_OWNER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A fresh owner id.
pub(crate) fn next_owner() -> u64 {
    NEXT_OWNER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Token (of type `K`) → value, for one owner at a time, holding at most `capacity`
/// entries.
#[derive(Debug)]
pub(crate) struct TokenCache<V, K = Box<str>> {
    owner: u64,
    capacity: usize,
    entries: FxHashMap<K, V>,
}

impl<V: Clone, K: Hash + Eq> TokenCache<V, K> {
    /// An empty cache (owner 0 is never handed out).
    pub(crate) fn new(capacity: usize) -> TokenCache<V, K> {
        TokenCache {
            owner: 0,
            capacity,
            entries: FxHashMap::default(),
        }
    }

    /// The value `owner` stored for `token`, if any.
    pub(crate) fn get<Q>(&self, owner: u64, token: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        (self.owner == owner).then(|| self.entries.get(token).cloned())?
    }

    /// Stores a value, starting over when the owner changes or the map is full.
    pub(crate) fn insert(&mut self, owner: u64, token: impl Into<K>, value: V) {
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
        let mut c: TokenCache<i32> = TokenCache::new(4);
        c.insert(1, "a", 10);
        assert_eq!(c.get(1, "a"), Some(10));
        assert_eq!(c.get(2, "a"), None);
        c.insert(2, "b", 20);
        assert_eq!(c.get(1, "a"), None, "a new owner starts over");
    }

    #[test]
    fn keys_may_be_hashes() {
        let mut c: TokenCache<&str, u64> = TokenCache::new(4);
        c.insert(1, 42u64, "a");
        assert_eq!(c.get(1, &42), Some("a"));
        assert_eq!(c.get(1, &43), None);
    }

    #[test]
    fn a_full_cache_starts_over() {
        let mut c: TokenCache<i32> = TokenCache::new(2);
        c.insert(1, "a", 1);
        c.insert(1, "b", 2);
        c.insert(1, "c", 3);
        assert_eq!(c.get(1, "a"), None);
        assert_eq!(c.get(1, "c"), Some(3));
    }
}
