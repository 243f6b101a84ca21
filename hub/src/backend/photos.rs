//! Photos at the hub: receiving uploads in resumable chunks, and serving them to supervisors.
//!
//! An upload is accepted only for a photo that a record in the uploader's scope refers to (so a device cannot
//! fill the hub's disk with anything else), from exactly the offset the hub holds: a device that is behind or
//! ahead is simply told where to resume. When the last byte arrives the storage verifies the length and SHA-256;
//! a damaged upload is discarded and reported, and the next attempt starts over.

use ocop_core::identity::Role;
use ocop_core::photo::{MAX_RECEIVE_BYTES, is_valid_hash};
use ocop_core::sync::Principal;

use super::HubBackend;
use crate::error::{HubError, Result};
use crate::storage::PhotoHeld;

fn check_hash(hash: &str) -> Result<()> {
    if is_valid_hash(hash) {
        Ok(())
    } else {
        Err(HubError::Invalid {
            field: "photo hash".into(),
            reason: "must be 64 lowercase hex digits".into(),
        })
    }
}

impl HubBackend {
    /// True when some record referring to photo `hash` is in `who`'s scope.
    fn photo_in_scope(&self, who: &Principal, hash: &str) -> Result<bool> {
        Ok(self
            .storage
            .photo_places(hash)?
            .iter()
            .any(|p| who.role == Role::HubAdmin || p.visible_in(&who.scope)))
    }

    pub(super) fn receive_photo(
        &self,
        who: &Principal,
        hash: &str,
        offset: u64,
        total: u64,
        data: &[u8],
    ) -> Result<(u64, bool)> {
        check_hash(hash)?;
        if total > MAX_RECEIVE_BYTES {
            return Err(HubError::Invalid {
                field: "photo".into(),
                reason: format!("larger than {MAX_RECEIVE_BYTES} bytes"),
            });
        }
        if !self.photo_in_scope(who, hash)? {
            return Err(HubError::Forbidden(
                "no record in your scope refers to this photo".into(),
            ));
        }
        let held = match self.storage.photo_held(hash)? {
            PhotoHeld::Complete(len) => return Ok((len, true)),
            PhotoHeld::Partial(held) => held,
        };
        if offset != held {
            return Ok((held, false));
        }
        let now = self.storage.photo_append(hash, offset, data)?;
        if now >= total {
            self.storage.photo_finish(hash, total)?;
            tracing::info!(bytes = total, "photo received and verified");
            return Ok((total, true));
        }
        Ok((now, false))
    }

    pub(super) fn send_photo(
        &self,
        who: &Principal,
        hash: &str,
        offset: u64,
        max: u32,
    ) -> Result<(u64, Vec<u8>)> {
        check_hash(hash)?;
        if !matches!(who.role, Role::Supervisor | Role::HubAdmin) {
            return Err(HubError::Forbidden(
                "only supervisors may fetch photos from the hub".into(),
            ));
        }
        if !self.photo_in_scope(who, hash)? {
            return Err(HubError::Forbidden(
                "this photo belongs to no record in your scope".into(),
            ));
        }
        match self.storage.photo_held(hash)? {
            PhotoHeld::Complete(_) => self.storage.photo_read(hash, offset, max as usize),
            PhotoHeld::Partial(_) => Err(HubError::NotFound("photo")),
        }
    }
}

impl HubBackend {
    /// A whole photo for `who` (a supervisor or hub admin with a record referring to it in scope), e.g. for the
    /// review pages.
    pub fn read_photo(&self, who: &Principal, hash: &str) -> Result<Vec<u8>> {
        let (_, bytes) = self.send_photo(who, hash, 0, u32::MAX)?;
        Ok(bytes)
    }
}
