//! Records and enums of the FFI surface: mirrors of the core's types with `From` conversions both ways (and
//! `TryFrom` where a string from the app must be parsed: record ids, dates). No rule of the domain lives here.
//!
//! Conventions: record ids are UUID strings; times are milliseconds since the Unix epoch (`i64`); calendar dates
//! are `YYYY-MM-DD` strings; maps keyed by name are `HashMap`s.

pub mod gps;
pub mod producer;
pub mod product;
pub mod query;
pub mod sync;
pub mod visit;

use std::collections::{BTreeMap, HashMap};

use ocop_core::ids::{Date, RecordId};

use crate::error::{OcopError, Result};

/// Parses a record id given by the app.
pub(crate) fn record_id(field: &str, s: &str) -> Result<RecordId> {
    s.trim()
        .parse::<RecordId>()
        .map_err(|_| OcopError::invalid(field, "not a record id (a UUID)"))
}

/// Parses an optional record id given by the app.
pub(crate) fn opt_record_id(field: &str, s: Option<String>) -> Result<Option<RecordId>> {
    s.map(|s| record_id(field, &s)).transpose()
}

/// Parses an optional `YYYY-MM-DD` date given by the app.
pub(crate) fn opt_date(field: &str, s: Option<String>) -> Result<Option<Date>> {
    s.map(|s| {
        Date::parse(&s).map_err(|_| OcopError::invalid(field, "expected a date as YYYY-MM-DD"))
    })
    .transpose()
}

/// Converts every value of a map.
pub(crate) fn map_values<A, B>(m: BTreeMap<String, A>, f: impl Fn(A) -> B) -> HashMap<String, B> {
    m.into_iter().map(|(k, v)| (k, f(v))).collect()
}

/// Converts every value of a map, failing on the first refused one.
pub(crate) fn try_map_values<A, B>(
    m: HashMap<String, A>,
    f: impl Fn(A) -> Result<B>,
) -> Result<BTreeMap<String, B>> {
    m.into_iter().map(|(k, v)| Ok((k, f(v)?))).collect()
}

/// An administrative unit as referenced by a record: a code with the name it had when the record was made.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UnitRef {
    /// The coding scheme (`vn-2025` for the units in force since 1 July 2025).
    pub scheme: String,
    /// The unit's code.
    pub code: String,
    /// Its name when the reference was made.
    pub name: String,
}

impl From<ocop_core::places::UnitRef> for UnitRef {
    fn from(u: ocop_core::places::UnitRef) -> Self {
        Self {
            scheme: u.scheme,
            code: u.code,
            name: u.name,
        }
    }
}

/// The roles of OCOP Field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Role {
    /// An extension officer who registers producers and products and visits them.
    Officer,
    /// Women's Union staff who register their members' products.
    UnionStaff,
    /// A district or provincial OCOP office supervisor who reviews what was synced.
    Supervisor,
    /// A hub administrator.
    HubAdmin,
}

impl From<ocop_core::identity::Role> for Role {
    fn from(r: ocop_core::identity::Role) -> Self {
        use ocop_core::identity::Role as R;
        match r {
            R::Officer => Self::Officer,
            R::UnionStaff => Self::UnionStaff,
            R::Supervisor => Self::Supervisor,
            R::HubAdmin => Self::HubAdmin,
        }
    }
}

impl From<Role> for ocop_core::identity::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Officer => Self::Officer,
            Role::UnionStaff => Self::UnionStaff,
            Role::Supervisor => Self::Supervisor,
            Role::HubAdmin => Self::HubAdmin,
        }
    }
}

/// The person making changes, stamped into every change they write (that is how a conflict shows who wrote
/// each value).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Author {
    /// Stable user id, as given by the hub at enrollment.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
}

impl From<ocop_core::identity::Author> for Author {
    fn from(a: ocop_core::identity::Author) -> Self {
        Self {
            user_id: a.user_id,
            name: a.name,
            role: a.role.into(),
        }
    }
}

impl From<Author> for ocop_core::identity::Author {
    fn from(a: Author) -> Self {
        Self::new(a.user_id, a.name, a.role.into())
    }
}

/// What an account may see and write: whole provinces and single communes (2025 codes); the province `*` means
/// everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct Scope {
    /// Whole provinces.
    pub provinces: Vec<String>,
    /// Single communes.
    pub communes: Vec<String>,
}

impl From<ocop_core::identity::Scope> for Scope {
    fn from(s: ocop_core::identity::Scope) -> Self {
        Self {
            provinces: s.provinces,
            communes: s.communes,
        }
    }
}

impl From<Scope> for ocop_core::identity::Scope {
    fn from(s: Scope) -> Self {
        Self {
            provinces: s.provinces,
            communes: s.communes,
        }
    }
}

/// The kinds of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RecordKind {
    /// A producer.
    Producer,
    /// A product.
    Product,
    /// A survey visit.
    Visit,
    /// A supervisor's review.
    Review,
    /// A survey form definition.
    Form,
}

impl From<ocop_core::records::RecordKind> for RecordKind {
    fn from(k: ocop_core::records::RecordKind) -> Self {
        use ocop_core::records::RecordKind as K;
        match k {
            K::Producer => Self::Producer,
            K::Product => Self::Product,
            K::Visit => Self::Visit,
            K::Review => Self::Review,
            K::Form => Self::Form,
        }
    }
}
