//! A small least-recently-used cache of loaded documents, so that a burst of changes to the same records does not
//! rebuild them from the log each time. Entries remember the log position and change count they reflect; the
//! backend checks both against the storage before using one, so a change appended by another hub process is
//! never missed.

use std::collections::{BTreeMap, HashMap};

use automerge::AutoCommit;
use uuid::Uuid;

/// A loaded document and what of the log it reflects.
pub(crate) struct Cached {
    pub doc: AutoCommit,
    pub last_seq: u64,
    pub changes: u64,
}

pub(crate) struct DocCache {
    capacity: usize,
    tick: u64,
    entries: HashMap<Uuid, (Cached, u64)>,
    order: BTreeMap<u64, Uuid>,
}

impl DocCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            tick: 0,
            entries: HashMap::new(),
            order: BTreeMap::new(),
        }
    }

    /// Removes and returns the entry for `id`.
    pub fn take(&mut self, id: Uuid) -> Option<Cached> {
        let (cached, tick) = self.entries.remove(&id)?;
        self.order.remove(&tick);
        Some(cached)
    }

    /// Stores `cached` as the most recently used entry, evicting the least recently used beyond capacity.
    pub fn put(&mut self, id: Uuid, cached: Cached) {
        if self.capacity == 0 {
            return;
        }
        self.take(id);
        self.tick += 1;
        self.entries.insert(id, (cached, self.tick));
        self.order.insert(self.tick, id);
        while self.entries.len() > self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> Cached {
        Cached {
            doc: AutoCommit::new(),
            last_seq: seq,
            changes: 1,
        }
    }

    #[test]
    fn evicts_the_least_recently_used() {
        let mut c = DocCache::new(2);
        let (a, b, d) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        c.put(a, entry(1));
        c.put(b, entry(2));
        let got = c.take(a).unwrap();
        c.put(a, got);
        c.put(d, entry(3));
        assert_eq!(c.len(), 2);
        assert!(c.take(b).is_none(), "b was the least recently used");
        assert_eq!(c.take(a).unwrap().last_seq, 1);
        assert_eq!(c.take(d).unwrap().last_seq, 3);
    }
}
