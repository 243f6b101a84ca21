//! Producers ("chủ thể" OCOP): cooperatives, cooperative groups, enterprises and household businesses.

use automerge::AutoCommit;
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{check_text, put_field, put_whole};
use crate::error::{Error, Result};
use crate::gps::GpsFix;
use crate::ids::{Millis, RecordId};
use crate::places::UnitRef;

/// The legal form of a producer, as OCOP offices report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    /// Hợp tác xã (HTX).
    #[autosurgeon(rename = "cooperative")]
    Cooperative,
    /// Tổ hợp tác (THT).
    #[autosurgeon(rename = "cooperative_group")]
    CooperativeGroup,
    /// Doanh nghiệp (enterprise, incl. DNTN and companies).
    #[autosurgeon(rename = "enterprise")]
    Enterprise,
    /// Hộ kinh doanh có đăng ký (registered household business).
    #[autosurgeon(rename = "household_business")]
    HouseholdBusiness,
}

impl OwnerKind {
    /// Stable name, as in documents and projections.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Cooperative => "cooperative",
            OwnerKind::CooperativeGroup => "cooperative_group",
            OwnerKind::Enterprise => "enterprise",
            OwnerKind::HouseholdBusiness => "household_business",
        }
    }
}

/// Gender, for the representative (OCOP reports count women-led producers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Nữ.
    #[autosurgeon(rename = "female")]
    Female,
    /// Nam.
    #[autosurgeon(rename = "male")]
    Male,
    /// Khác.
    #[autosurgeon(rename = "other")]
    Other,
    /// Not recorded.
    #[autosurgeon(rename = "unknown")]
    Unknown,
}

/// A person named on a record (the producer's legal representative).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Position, e.g. "Giám đốc HTX".
    #[autosurgeon(missing = "Default::default")]
    pub position: Option<String>,
}

/// Where a producer is: the commune and province (2025 units) plus the hamlet and street as written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    /// The province.
    pub province: UnitRef,
    /// The commune / ward / special zone.
    pub commune: UnitRef,
    /// Thôn / ấp / bản / tổ dân phố.
    pub hamlet: String,
    /// House number and street, when there is one.
    pub street: String,
}

/// A producer's lifecycle. Nothing is ever deleted: archiving and merging are states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "into")]
pub enum ProducerStatus {
    /// In use.
    Active,
    /// No longer followed (closed, left the programme).
    Archived,
    /// A duplicate registration, merged into the named producer.
    MergedInto(RecordId),
}

/// A producer record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Producer {
    /// The record's id.
    pub id: RecordId,
    /// Legal form.
    pub owner_kind: OwnerKind,
    /// Registered name, e.g. "Hợp tác xã Nông nghiệp Đồng Tâm".
    pub name: String,
    /// Business / cooperative registration number.
    #[autosurgeon(missing = "Default::default")]
    pub registration_no: Option<String>,
    /// Legal representative.
    pub representative: Person,
    /// Contact phone (national form, `0…`).
    #[autosurgeon(missing = "Default::default")]
    pub phone: Option<String>,
    /// Address.
    pub address: Address,
    /// The registered point of the facility.
    #[autosurgeon(missing = "Default::default")]
    pub location: Option<GpsFix>,
    /// Number of members (cooperatives, groups) or workers.
    #[autosurgeon(missing = "Default::default")]
    pub members: Option<u32>,
    /// Of which women.
    #[autosurgeon(missing = "Default::default")]
    pub women_members: Option<u32>,
    /// Owned (majority) by women; `None` when not recorded.
    #[autosurgeon(missing = "Default::default")]
    pub women_owned: Option<bool>,
    /// Led by a woman (director / chair / household head); `None` when not recorded.
    #[autosurgeon(missing = "Default::default")]
    pub women_led: Option<bool>,
    /// Lifecycle state.
    pub status: ProducerStatus,
    /// User id of who registered it.
    pub created_by: String,
    /// When it was registered.
    pub created_at: Millis,
}

impl Producer {
    /// Checks the fields a person typed.
    pub fn validate(&self) -> Result<()> {
        check_text("name", &self.name, 300)?;
        check_text("representative.name", &self.representative.name, 200)?;
        if self.address.commune.code.trim().is_empty() {
            return Err(Error::Invalid {
                field: "address.commune".into(),
                reason: "a commune is required".into(),
            });
        }
        if let Some(phone) = &self.phone
            && crate::forms::phone::normalize(phone).ok().as_deref() != Some(phone.as_str())
        {
            return Err(Error::Invalid {
                field: "phone".into(),
                reason: "not a Vietnamese phone number in national form (0…)".into(),
            });
        }
        if let (Some(m), Some(w)) = (self.members, self.women_members)
            && w > m
        {
            return Err(Error::Invalid {
                field: "women_members".into(),
                reason: "more women members than members".into(),
            });
        }
        Ok(())
    }
}

/// A field-by-field edit of a producer: each `Some` field is written, nothing else is touched.
/// `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[allow(clippy::option_option)]
pub struct ProducerPatch {
    /// New legal form.
    pub owner_kind: Option<OwnerKind>,
    /// New name.
    pub name: Option<String>,
    /// New registration number.
    pub registration_no: Option<Option<String>>,
    /// New representative (merged field by field: name and gender are independent).
    pub representative: Option<Person>,
    /// New phone.
    pub phone: Option<Option<String>>,
    /// New address (written whole; moving the commune moves the record between sync scopes).
    pub address: Option<Address>,
    /// New registered location (written whole).
    pub location: Option<Option<GpsFix>>,
    /// New member count.
    pub members: Option<Option<u32>>,
    /// New women member count.
    pub women_members: Option<Option<u32>>,
    /// New women-owned answer.
    pub women_owned: Option<Option<bool>>,
    /// New women-led answer.
    pub women_led: Option<Option<bool>>,
    /// New lifecycle state.
    pub status: Option<ProducerStatus>,
}

impl ProducerPatch {
    /// Applies the patch to `current` in memory (to validate the result before writing it).
    pub fn applied_to(&self, current: &Producer) -> Producer {
        let mut p = current.clone();
        if let Some(v) = self.owner_kind {
            p.owner_kind = v;
        }
        if let Some(v) = &self.name {
            p.name = v.clone();
        }
        if let Some(v) = &self.registration_no {
            p.registration_no = v.clone();
        }
        if let Some(v) = &self.representative {
            p.representative = v.clone();
        }
        if let Some(v) = &self.phone {
            p.phone = v.clone();
        }
        if let Some(v) = &self.address {
            p.address = v.clone();
        }
        if let Some(v) = &self.location {
            p.location = v.clone();
        }
        if let Some(v) = self.members {
            p.members = v;
        }
        if let Some(v) = self.women_members {
            p.women_members = v;
        }
        if let Some(v) = self.women_owned {
            p.women_owned = v;
        }
        if let Some(v) = self.women_led {
            p.women_led = v;
        }
        if let Some(v) = self.status {
            p.status = v;
        }
        p
    }

    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Writes the patch's fields into a producer document.
    pub(crate) fn write(&self, doc: &mut AutoCommit) -> Result<()> {
        let root = automerge::ROOT;
        if let Some(v) = self.owner_kind {
            put_field(doc, "owner_kind", &v)?;
        }
        if let Some(v) = &self.name {
            put_field(doc, "name", v)?;
        }
        if let Some(v) = &self.registration_no {
            put_field(doc, "registration_no", v)?;
        }
        if let Some(v) = &self.representative {
            put_field(doc, "representative", v)?;
        }
        if let Some(v) = &self.phone {
            put_field(doc, "phone", v)?;
        }
        if let Some(v) = &self.address {
            put_whole(doc, &root, "address", Some(v))?;
        }
        if let Some(v) = &self.location {
            put_whole(doc, &root, "location", v.as_ref())?;
        }
        if let Some(v) = self.members {
            put_field(doc, "members", &v)?;
        }
        if let Some(v) = self.women_members {
            put_field(doc, "women_members", &v)?;
        }
        if let Some(v) = self.women_owned {
            put_field(doc, "women_owned", &v)?;
        }
        if let Some(v) = self.women_led {
            put_field(doc, "women_led", &v)?;
        }
        if let Some(v) = self.status {
            put_whole(doc, &root, "status", Some(&v))?;
        }
        Ok(())
    }
}
