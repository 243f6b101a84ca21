//! Vietnam's administrative units (the 2025 two-level scheme) and the mapping from the old codes.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// A reference to an administrative unit: a `(scheme, code)` pair plus the name as it was when recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct UnitRef {
    /// The coding scheme, e.g. `vn-2025` for the units in force since 1 July 2025.
    pub scheme: String,
    /// The unit's code within the scheme.
    pub code: String,
    /// The unit's name when the reference was made (a snapshot; names change).
    pub name: String,
}
