//! Producers: what is entered to register one, the record, and field-by-field edits.

use ocop_core::records as core;
use ocop_core::store::NewProducer as CoreNewProducer;

use super::gps::GpsFix;
use super::{UnitRef, record_id};
use crate::error::Result;

/// A producer's legal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OwnerKind {
    /// Cooperative (hợp tác xã, HTX).
    Cooperative,
    /// Cooperative group (tổ hợp tác, THT).
    CooperativeGroup,
    /// Enterprise (doanh nghiệp).
    Enterprise,
    /// Registered household business (hộ kinh doanh).
    HouseholdBusiness,
}

impl From<core::OwnerKind> for OwnerKind {
    fn from(k: core::OwnerKind) -> Self {
        match k {
            core::OwnerKind::Cooperative => Self::Cooperative,
            core::OwnerKind::CooperativeGroup => Self::CooperativeGroup,
            core::OwnerKind::Enterprise => Self::Enterprise,
            core::OwnerKind::HouseholdBusiness => Self::HouseholdBusiness,
        }
    }
}

impl From<OwnerKind> for core::OwnerKind {
    fn from(k: OwnerKind) -> Self {
        match k {
            OwnerKind::Cooperative => Self::Cooperative,
            OwnerKind::CooperativeGroup => Self::CooperativeGroup,
            OwnerKind::Enterprise => Self::Enterprise,
            OwnerKind::HouseholdBusiness => Self::HouseholdBusiness,
        }
    }
}

/// Gender, as recorded for a representative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Other.
    Other,
    /// Not recorded.
    Unknown,
}

impl From<core::Gender> for Gender {
    fn from(g: core::Gender) -> Self {
        match g {
            core::Gender::Female => Self::Female,
            core::Gender::Male => Self::Male,
            core::Gender::Other => Self::Other,
            core::Gender::Unknown => Self::Unknown,
        }
    }
}

impl From<Gender> for core::Gender {
    fn from(g: Gender) -> Self {
        match g {
            Gender::Female => Self::Female,
            Gender::Male => Self::Male,
            Gender::Other => Self::Other,
            Gender::Unknown => Self::Unknown,
        }
    }
}

/// A person (a producer's legal representative).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Position (chairwoman, director …).
    #[uniffi(default = None)]
    pub position: Option<String>,
}

impl From<core::Person> for Person {
    fn from(p: core::Person) -> Self {
        Self {
            name: p.name,
            gender: p.gender.into(),
            position: p.position,
        }
    }
}

impl From<Person> for core::Person {
    fn from(p: Person) -> Self {
        Self {
            name: p.name,
            gender: p.gender.into(),
            position: p.position,
        }
    }
}

/// An address: the province and commune (with names as they were when entered), hamlet and street.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Address {
    /// Province.
    pub province: UnitRef,
    /// Commune.
    pub commune: UnitRef,
    /// Hamlet (thôn, bản, ấp).
    pub hamlet: String,
    /// Street address.
    pub street: String,
}

impl From<core::Address> for Address {
    fn from(a: core::Address) -> Self {
        Self {
            province: a.province.into(),
            commune: a.commune.into(),
            hamlet: a.hamlet,
            street: a.street,
        }
    }
}

/// A producer's lifecycle; nothing is ever deleted.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ProducerStatus {
    /// In use.
    Active,
    /// No longer followed.
    Archived,
    /// A duplicate, merged into another producer.
    MergedInto {
        /// The producer it was merged into.
        into: String,
    },
}

impl From<core::ProducerStatus> for ProducerStatus {
    fn from(s: core::ProducerStatus) -> Self {
        match s {
            core::ProducerStatus::Active => Self::Active,
            core::ProducerStatus::Archived => Self::Archived,
            core::ProducerStatus::MergedInto(id) => Self::MergedInto {
                into: id.to_string(),
            },
        }
    }
}

impl TryFrom<ProducerStatus> for core::ProducerStatus {
    type Error = crate::OcopError;
    fn try_from(s: ProducerStatus) -> Result<Self> {
        Ok(match s {
            ProducerStatus::Active => Self::Active,
            ProducerStatus::Archived => Self::Archived,
            ProducerStatus::MergedInto { into } => Self::MergedInto(record_id("status", &into)?),
        })
    }
}

/// What a person enters to register a producer.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewProducer {
    /// Legal form.
    pub owner_kind: OwnerKind,
    /// Name.
    pub name: String,
    /// Legal representative.
    pub representative: Person,
    /// Commune code (2025 scheme), e.g. `05503` for Xã Tân Cương.
    pub commune_code: String,
    /// Hamlet.
    #[uniffi(default = "")]
    pub hamlet: String,
    /// Street address.
    #[uniffi(default = "")]
    pub street: String,
    /// Registration number.
    #[uniffi(default = None)]
    pub registration_no: Option<String>,
    /// Phone, in any common Vietnamese format (stored normalized).
    #[uniffi(default = None)]
    pub phone: Option<String>,
    /// Registered location.
    #[uniffi(default = None)]
    pub location: Option<GpsFix>,
    /// Members or workers.
    #[uniffi(default = None)]
    pub members: Option<u32>,
    /// Of which women.
    #[uniffi(default = None)]
    pub women_members: Option<u32>,
    /// Women-owned.
    #[uniffi(default = None)]
    pub women_owned: Option<bool>,
    /// Women-led; when not given, a female representative means women-led.
    #[uniffi(default = None)]
    pub women_led: Option<bool>,
}

impl From<NewProducer> for CoreNewProducer {
    fn from(n: NewProducer) -> Self {
        Self {
            owner_kind: n.owner_kind.into(),
            name: n.name,
            registration_no: n.registration_no,
            representative: n.representative.into(),
            phone: n.phone,
            commune_code: n.commune_code,
            hamlet: n.hamlet,
            street: n.street,
            location: n.location.map(Into::into),
            members: n.members,
            women_members: n.women_members,
            women_owned: n.women_owned,
            women_led: n.women_led,
        }
    }
}

/// A producer record.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Producer {
    /// Id.
    pub id: String,
    /// Legal form.
    pub owner_kind: OwnerKind,
    /// Name.
    pub name: String,
    /// Registration number.
    pub registration_no: Option<String>,
    /// Legal representative.
    pub representative: Person,
    /// Phone (normalized, national form `0…`).
    pub phone: Option<String>,
    /// Address.
    pub address: Address,
    /// Registered location.
    pub location: Option<GpsFix>,
    /// Members or workers.
    pub members: Option<u32>,
    /// Of which women.
    pub women_members: Option<u32>,
    /// Women-owned.
    pub women_owned: Option<bool>,
    /// Women-led.
    pub women_led: Option<bool>,
    /// Lifecycle state.
    pub status: ProducerStatus,
    /// Who registered it (user id).
    pub created_by: String,
    /// When, ms since the epoch.
    pub created_at: i64,
}

impl From<core::Producer> for Producer {
    fn from(p: core::Producer) -> Self {
        Self {
            id: p.id.to_string(),
            owner_kind: p.owner_kind.into(),
            name: p.name,
            registration_no: p.registration_no,
            representative: p.representative.into(),
            phone: p.phone,
            address: p.address.into(),
            location: p.location.map(Into::into),
            members: p.members,
            women_members: p.women_members,
            women_owned: p.women_owned,
            women_led: p.women_led,
            status: p.status.into(),
            created_by: p.created_by,
            created_at: p.created_at,
        }
    }
}

/// One field of a producer to change. An edit writes that field and nothing else, so concurrent edits of
/// different fields merge; the same field edited on two devices becomes a conflict for a person to resolve.
/// `None` values clear the field.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ProducerEdit {
    /// Legal form.
    OwnerKind {
        /// New value.
        value: OwnerKind,
    },
    /// Name.
    Name {
        /// New value.
        value: String,
    },
    /// Registration number.
    RegistrationNo {
        /// New value, or `None` to clear.
        value: Option<String>,
    },
    /// Legal representative.
    Representative {
        /// New value.
        value: Person,
    },
    /// Phone.
    Phone {
        /// New value (any common Vietnamese format), or `None` to clear.
        value: Option<String>,
    },
    /// Address (moving the producer moves its products with it).
    Address {
        /// Commune code (2025 scheme).
        commune_code: String,
        /// Hamlet.
        hamlet: String,
        /// Street address.
        street: String,
    },
    /// Registered location.
    Location {
        /// New value, or `None` to clear.
        value: Option<GpsFix>,
    },
    /// Members or workers.
    Members {
        /// New value, or `None` to clear.
        value: Option<u32>,
    },
    /// Of which women.
    WomenMembers {
        /// New value, or `None` to clear.
        value: Option<u32>,
    },
    /// Women-owned.
    WomenOwned {
        /// New value, or `None` to clear.
        value: Option<bool>,
    },
    /// Women-led.
    WomenLed {
        /// New value, or `None` to clear.
        value: Option<bool>,
    },
    /// Lifecycle state (archive, merge into another producer).
    Status {
        /// New value.
        value: ProducerStatus,
    },
}
