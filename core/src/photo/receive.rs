//! Receiving a photo from a peer in resumable chunks.
//!
//! The receiving side keeps one partial file per hash (`root/partial/<hash>.part`). The protocol the sync layer
//! follows:
//!
//! 1. ask [`PhotoStore::receive_offset`]: 0 for a new photo, the bytes already held after an interruption, the
//!    full length when the photo is already stored (nothing to send);
//! 2. send chunks from that offset; each [`PhotoStore::receive_chunk`] appends, syncs to disk and returns the new
//!    offset, which is what the receiver acknowledges. A chunk that does not start at the held length is refused
//!    with [`PhotoError::OffsetMismatch`] carrying the offset to resume from;
//! 3. [`PhotoStore::finish_receive`] checks length and SHA-256 and moves the file into the store. A mismatch
//!    deletes the partial (the peer sent something else) and the transfer starts over.
//!
//! Every step is idempotent once the photo is stored: finishing again succeeds, and the offset is the full length.
//! After a crash during an append the partial may hold part of a chunk; the held length is still the truth to
//! resume from, and the final hash check catches anything a torn write left behind.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::sync::MutexGuard;

use super::store::{check_hash, create_dir_synced, hash_file, open_append};
use super::{MAX_RECEIVE_BYTES, PhotoError, PhotoStore};

impl PhotoStore {
    fn partial_path(&self, hash: &str) -> Result<PathBuf, PhotoError> {
        check_hash(hash)?;
        Ok(self.root().join("partial").join(format!("{hash}.part")))
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        // The guarded state is on disk; a panic elsewhere while holding the lock leaves nothing to poison.
        self.receive_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn partial_len(&self, hash: &str) -> Result<u64, PhotoError> {
        match fs::metadata(self.partial_path(hash)?) {
            Ok(meta) => Ok(meta.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(PhotoError::io("read a partial photo")(e)),
        }
    }

    /// How many bytes of photo `hash` are held: 0 when none, the partial's length after an interruption, the full
    /// length when the photo is completely stored.
    pub fn receive_offset(&self, hash: &str) -> Result<u64, PhotoError> {
        let _guard = self.lock();
        if self.contains(hash) {
            return self.len(hash);
        }
        self.partial_len(hash)
    }

    /// Appends `bytes` at `offset` to the partial photo `hash` and syncs it to disk; returns the new offset.
    ///
    /// `offset` must equal the bytes already held ([`PhotoError::OffsetMismatch`] otherwise, carrying the offset
    /// to resume from). A photo already completely stored accepts no chunk ([`PhotoError::AlreadyComplete`]),
    /// except an empty one at its end. A partial may not grow beyond [`MAX_RECEIVE_BYTES`].
    pub fn receive_chunk(&self, hash: &str, offset: u64, bytes: &[u8]) -> Result<u64, PhotoError> {
        let _guard = self.lock();
        let partial = self.partial_path(hash)?;
        if self.contains(hash) {
            let len = self.len(hash)?;
            return match (offset == len, bytes.is_empty()) {
                (true, true) => Ok(len),
                (true, false) => Err(PhotoError::AlreadyComplete),
                (false, _) => Err(PhotoError::OffsetMismatch {
                    expected: len,
                    got: offset,
                }),
            };
        }
        let held = self.partial_len(hash)?;
        if offset != held {
            return Err(PhotoError::OffsetMismatch {
                expected: held,
                got: offset,
            });
        }
        let chunk_len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let new_len = held.saturating_add(chunk_len);
        if new_len > MAX_RECEIVE_BYTES {
            return Err(PhotoError::TooLarge {
                bytes: new_len,
                max: MAX_RECEIVE_BYTES,
            });
        }
        if bytes.is_empty() {
            return Ok(held);
        }
        if let Some(dir) = partial.parent() {
            create_dir_synced(dir)?;
        }
        let mut file = open_append(&partial)?;
        file.write_all(bytes)
            .map_err(PhotoError::io("write a partial photo"))?;
        file.sync_data()
            .map_err(PhotoError::io("sync a partial photo"))?;
        Ok(new_len)
    }

    /// Completes the transfer of photo `hash` of `total_len` bytes: checks the length and the SHA-256 of what was
    /// received and moves it into the store.
    ///
    /// Fewer bytes than `total_len` gives [`PhotoError::LengthMismatch`] and keeps the partial (send the rest).
    /// More bytes, a wrong hash ([`PhotoError::HashMismatch`]) or content that is not a JPEG delete the partial.
    /// Finishing a photo that is already stored with the same length succeeds.
    pub fn finish_receive(&self, hash: &str, total_len: u64) -> Result<(), PhotoError> {
        let _guard = self.lock();
        let partial = self.partial_path(hash)?;
        if self.contains(hash) {
            let len = self.len(hash)?;
            // A leftover partial from a second sender is of no use any more.
            let _ = fs::remove_file(&partial);
            return if len == total_len {
                Ok(())
            } else {
                Err(PhotoError::LengthMismatch {
                    expected: total_len,
                    actual: len,
                })
            };
        }
        let held = self.partial_len(hash)?;
        if held < total_len || held == 0 {
            return Err(PhotoError::LengthMismatch {
                expected: total_len,
                actual: held,
            });
        }
        let discard = |err: PhotoError| {
            let _ = fs::remove_file(&partial);
            err
        };
        if held > total_len {
            return Err(discard(PhotoError::LengthMismatch {
                expected: total_len,
                actual: held,
            }));
        }
        let actual = hash_file(&partial)?;
        if actual != hash {
            return Err(discard(PhotoError::HashMismatch {
                expected: hash.to_owned(),
                actual,
            }));
        }
        let mut head = [0u8; 3];
        let head_ok = fs::File::open(&partial)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok();
        if !head_ok || head != [0xFF, 0xD8, 0xFF] {
            return Err(discard(PhotoError::UnsupportedFormat(
                "received photo is not a JPEG".into(),
            )));
        }
        self.move_into_place(&partial, hash)?;
        if let Some(dir) = partial.parent() {
            super::store::sync_dir(dir)?;
        }
        Ok(())
    }

    /// Drops whatever was received of photo `hash` (a transfer given up on). Stored photos are not touched.
    pub fn abandon_receive(&self, hash: &str) -> Result<(), PhotoError> {
        let _guard = self.lock();
        match fs::remove_file(self.partial_path(hash)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(PhotoError::io("remove a partial photo")(e)),
        }
    }
}
