//! Form definitions as documents: how a hub admin publishes a new survey version to every device.
//!
//! The forms shipped with the app are embedded ([`crate::forms::FormRegistry::embedded`]); a newer version is
//! published as a `form` document holding the definition's JSON. Its id is derived from `(form id, version)`, so
//! the same version published twice (by two admins, or twice by one) is one document; two *different*
//! definitions under one version would be a conflict on `definition`, shown like any other. Form documents have no
//! place: they travel to every device.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::ids::{Millis, RecordId};

/// Namespace of form document ids (UUIDv5 of `form:<id>:<version>`).
const FORM_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f63_6f70_2d66_6f72_6d73_2d76_3100_0001);

/// A published form version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FormDoc {
    /// The form's id.
    pub form_id: String,
    /// The version.
    pub version: u32,
    /// The definition, as the JSON accepted by [`crate::forms::Form::from_json`].
    pub definition: String,
    /// User id of the hub admin who published it.
    pub published_by: String,
    /// When.
    pub published_at: Millis,
}

/// The document id of a form version: the same on every device and hub.
pub fn form_doc_id(form_id: &str, version: u32) -> RecordId {
    RecordId(uuid::Uuid::new_v5(
        &FORM_NAMESPACE,
        format!("form:{form_id}:{version}").as_bytes(),
    ))
}
