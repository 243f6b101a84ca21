//! Sync records: progress, the session report, enrollment.

use ocop_core::sync as core;

use super::{Role, Scope};

/// Progress of a sync session, reported as it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SyncProgress {
    /// What is happening: `documents`, `photos`, `done`.
    pub phase: String,
    /// Round trips so far.
    pub round_trips: u32,
    /// Changes sent so far.
    pub changes_sent: u64,
    /// Changes received so far.
    pub changes_received: u64,
    /// Documents changed here so far.
    pub documents_received: u64,
    /// Photo bytes uploaded so far.
    pub photo_bytes_sent: u64,
    /// Photo bytes to upload in all.
    pub photo_bytes_total: u64,
}

impl From<&core::SyncProgress> for SyncProgress {
    fn from(p: &core::SyncProgress) -> Self {
        Self {
            phase: p.phase.clone(),
            round_trips: p.round_trips,
            changes_sent: p.changes_sent,
            changes_received: p.changes_received,
            documents_received: p.documents_received,
            photo_bytes_sent: p.photo_bytes_sent,
            photo_bytes_total: p.photo_bytes_total,
        }
    }
}

/// What a sync session did.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// The peer's node id.
    pub peer: Option<String>,
    /// Round trips made (photo chunks included).
    pub round_trips: u32,
    /// Round trips for documents only.
    pub document_round_trips: u32,
    /// Bytes sent.
    pub bytes_up: u64,
    /// Bytes received.
    pub bytes_down: u64,
    /// Changes sent.
    pub changes_sent: u64,
    /// Documents those changes belong to.
    pub documents_sent: u64,
    /// Changes received and new here.
    pub changes_received: u64,
    /// Documents changed here.
    pub documents_received: u64,
    /// Photos uploaded completely.
    pub photos_sent: u64,
    /// Photo bytes uploaded.
    pub photo_bytes_sent: u64,
    /// Records whose conflicts appeared or changed here (see `OcopStore.conflicts`).
    pub conflicts_surfaced: Vec<String>,
    /// Changes the peer refused (kept here, shown as rejected).
    pub rejected: u64,
    /// Wall time, milliseconds.
    pub millis: u64,
    /// Progress reports the app's listener failed on (thrown or panicked); the session went on regardless.
    pub listener_failures: u32,
}

impl From<core::SyncReport> for SyncReport {
    fn from(r: core::SyncReport) -> Self {
        Self {
            peer: r.peer,
            round_trips: r.round_trips,
            document_round_trips: r.document_round_trips,
            bytes_up: r.bytes_up,
            bytes_down: r.bytes_down,
            changes_sent: r.changes_sent,
            documents_sent: r.documents_sent,
            changes_received: r.changes_received,
            documents_received: r.documents_received,
            photos_sent: r.photos_sent,
            photo_bytes_sent: r.photo_bytes_sent,
            conflicts_surfaced: r
                .conflicts_surfaced
                .into_iter()
                .map(|id| id.to_string())
                .collect(),
            rejected: r.rejected,
            millis: r.millis,
            listener_failures: 0,
        }
    }
}

/// A device's credentials and account, as the hub gave them at enrollment. Keep `token` in the platform's
/// secure storage (Android Keystore, iOS Keychain).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct Enrollment {
    /// The bearer token for every sync request (a secret).
    pub token: String,
    /// The device's id at the hub.
    pub device_id: String,
    /// The user's stable id (use it as `Author.user_id`).
    pub user_id: String,
    /// The user's display name.
    pub display_name: String,
    /// The user's role.
    pub role: Role,
    /// What the user may receive and write.
    pub scope: Scope,
    /// The hub's node id (hex).
    pub hub_node: String,
}

impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a credential: never print it.
        f.debug_struct("Enrollment")
            .field("device_id", &self.device_id)
            .field("user_id", &self.user_id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl From<core::http::Enrollment> for Enrollment {
    fn from(e: core::http::Enrollment) -> Self {
        Self {
            token: e.token,
            device_id: e.device_id,
            user_id: e.user_id,
            display_name: e.display_name,
            role: e.role.into(),
            scope: e.scope.into(),
            hub_node: e.hub_node,
        }
    }
}
