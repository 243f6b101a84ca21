//! Lists, search results, conflicts and their resolution.

use ocop_core::store as core;

use super::{Author, RecordKind, opt_record_id};
use crate::error::{OcopError, Result};

/// Which producers to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ProducerFilter {
    /// Only this province.
    #[uniffi(default = None)]
    pub province_code: Option<String>,
    /// Only this commune.
    #[uniffi(default = None)]
    pub commune_code: Option<String>,
    /// Include archived and merged producers.
    #[uniffi(default = false)]
    pub include_inactive: bool,
    /// At most this many (0 = 100).
    #[uniffi(default = 0)]
    pub limit: u32,
    /// Skip this many.
    #[uniffi(default = 0)]
    pub offset: u32,
}

impl From<ProducerFilter> for core::ProducerFilter {
    fn from(f: ProducerFilter) -> Self {
        Self {
            province_code: f.province_code,
            commune_code: f.commune_code,
            include_inactive: f.include_inactive,
            limit: f.limit as usize,
            offset: f.offset as usize,
        }
    }
}

/// A producer as it appears in lists.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProducerSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Legal form (stable name, e.g. `cooperative`).
    pub owner_kind: String,
    /// Representative's name.
    pub representative: String,
    /// Phone.
    pub phone: Option<String>,
    /// Province code.
    pub province_code: String,
    /// Commune code.
    pub commune_code: String,
    /// Commune name.
    pub commune_name: String,
    /// Women-owned, when recorded.
    pub women_owned: Option<bool>,
    /// Women-led, when recorded.
    pub women_led: Option<bool>,
    /// `active`, `archived` or `merged_into`.
    pub status: String,
    /// The producer it was merged into.
    pub merged_into: Option<String>,
    /// Registered latitude.
    pub lat: Option<f64>,
    /// Registered longitude.
    pub lon: Option<f64>,
    /// Last change, ms since the epoch.
    pub updated_at: i64,
}

impl From<core::ProducerSummary> for ProducerSummary {
    fn from(s: core::ProducerSummary) -> Self {
        Self {
            id: s.id.to_string(),
            name: s.name,
            owner_kind: s.owner_kind,
            representative: s.representative,
            phone: s.phone,
            province_code: s.province_code,
            commune_code: s.commune_code,
            commune_name: s.commune_name,
            women_owned: s.women_owned,
            women_led: s.women_led,
            status: s.status,
            merged_into: s.merged_into.map(|m| m.to_string()),
            lat: s.lat,
            lon: s.lon,
            updated_at: s.updated_at,
        }
    }
}

/// Which products to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ProductFilter {
    /// Only this producer's.
    #[uniffi(default = None)]
    pub producer_id: Option<String>,
    /// Only this commune.
    #[uniffi(default = None)]
    pub commune_code: Option<String>,
    /// Only this stage (stable name, e.g. `four_star`).
    #[uniffi(default = None)]
    pub stage: Option<String>,
    /// Only this product group.
    #[uniffi(default = None)]
    pub group_code: Option<String>,
    /// At most this many (0 = 100).
    #[uniffi(default = 0)]
    pub limit: u32,
    /// Skip this many.
    #[uniffi(default = 0)]
    pub offset: u32,
}

impl TryFrom<ProductFilter> for core::ProductFilter {
    type Error = OcopError;
    fn try_from(f: ProductFilter) -> Result<Self> {
        Ok(Self {
            producer_id: opt_record_id("producer_id", f.producer_id)?,
            commune_code: f.commune_code,
            stage: f.stage,
            group_code: f.group_code,
            limit: f.limit as usize,
            offset: f.offset as usize,
        })
    }
}

/// A product as it appears in lists.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProductSummary {
    /// Id.
    pub id: String,
    /// Producer.
    pub producer_id: String,
    /// Name.
    pub name: String,
    /// Product group code.
    pub group_code: String,
    /// Subgroup code.
    pub subgroup_code: Option<String>,
    /// Commune code.
    pub commune_code: String,
    /// Commune name.
    pub commune_name: String,
    /// OCOP stage (stable name).
    pub stage: String,
    /// Stars when certified.
    pub stars: Option<u8>,
    /// Certificate number.
    pub certificate_no: Option<String>,
    /// Certificate expiry (`YYYY-MM-DD`).
    pub expires: Option<String>,
    /// E-commerce platforms.
    pub ecommerce: Vec<String>,
    /// Last change, ms since the epoch.
    pub updated_at: i64,
}

impl From<core::ProductSummary> for ProductSummary {
    fn from(s: core::ProductSummary) -> Self {
        Self {
            id: s.id.to_string(),
            producer_id: s.producer_id.to_string(),
            name: s.name,
            group_code: s.group_code,
            subgroup_code: s.subgroup_code,
            commune_code: s.commune_code,
            commune_name: s.commune_name,
            stage: s.stage,
            stars: s.stars,
            certificate_no: s.certificate_no,
            expires: s.expires,
            ecommerce: s.ecommerce,
            updated_at: s.updated_at,
        }
    }
}

/// Which visits to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct VisitFilter {
    /// Only visits of this producer.
    #[uniffi(default = None)]
    pub producer_id: Option<String>,
    /// Only this state (`draft`, `submitted`).
    #[uniffi(default = None)]
    pub state: Option<String>,
    /// Only this collector.
    #[uniffi(default = None)]
    pub collector: Option<String>,
    /// Only this commune.
    #[uniffi(default = None)]
    pub commune_code: Option<String>,
    /// At most this many (0 = 100).
    #[uniffi(default = 0)]
    pub limit: u32,
    /// Skip this many.
    #[uniffi(default = 0)]
    pub offset: u32,
}

impl TryFrom<VisitFilter> for core::VisitFilter {
    type Error = OcopError;
    fn try_from(f: VisitFilter) -> Result<Self> {
        Ok(Self {
            producer_id: opt_record_id("producer_id", f.producer_id)?,
            state: f.state,
            collector: f.collector,
            commune_code: f.commune_code,
            limit: f.limit as usize,
            offset: f.offset as usize,
        })
    }
}

/// A visit as it appears in lists.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VisitSummary {
    /// Id.
    pub id: String,
    /// Producer visited.
    pub producer_id: Option<String>,
    /// Product assessed.
    pub product_id: Option<String>,
    /// Commune code.
    pub commune_code: String,
    /// Form id.
    pub form_id: String,
    /// Form version.
    pub form_version: u32,
    /// `draft` or `submitted`.
    pub state: String,
    /// Collector's user id.
    pub collector: String,
    /// Started, ms since the epoch.
    pub started_at: i64,
    /// Submitted, ms since the epoch.
    pub submitted_at: Option<i64>,
    /// Number of answers.
    pub answer_count: u32,
    /// Number of photos.
    pub photo_count: u32,
    /// Quality flags raised by its fixes and photos (stable names).
    pub flags: Vec<String>,
}

impl From<core::VisitSummary> for VisitSummary {
    fn from(s: core::VisitSummary) -> Self {
        Self {
            id: s.id.to_string(),
            producer_id: s.producer_id.map(|p| p.to_string()),
            product_id: s.product_id.map(|p| p.to_string()),
            commune_code: s.commune_code,
            form_id: s.form_id,
            form_version: s.form_version,
            state: s.state,
            collector: s.collector,
            started_at: s.started_at,
            submitted_at: s.submitted_at,
            answer_count: s.answer_count,
            photo_count: s.photo_count,
            flags: s.flags,
        }
    }
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchHit {
    /// The record's id.
    pub id: String,
    /// Its kind.
    pub kind: RecordKind,
    /// Its display title.
    pub title: String,
}

impl From<core::SearchHit> for SearchHit {
    fn from(h: core::SearchHit) -> Self {
        Self {
            id: h.id.to_string(),
            kind: h.kind.into(),
            title: h.title,
        }
    }
}

/// One of the competing values of a conflicted field.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConflictValue {
    /// The value, as JSON.
    pub value_json: String,
    /// Who wrote it, when known.
    pub author: Option<Author>,
    /// When it was written, ms since the epoch.
    pub at: Option<i64>,
    /// Opaque id of the write; pass it to `Resolution.Keep` to keep this value.
    pub op: String,
}

impl From<ocop_core::doc::ConflictValue> for ConflictValue {
    fn from(v: ocop_core::doc::ConflictValue) -> Self {
        Self {
            value_json: v.value.to_string(),
            author: v.author.map(Into::into),
            at: v.at,
            op: v.op,
        }
    }
}

/// A field edited concurrently on two devices, waiting for a person to choose.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Conflict {
    /// The record's id.
    pub doc_id: String,
    /// Its kind.
    pub kind: RecordKind,
    /// The field (dotted path, e.g. `phone`, `answers.main_product_name`).
    pub path: String,
    /// The competing values, who wrote them and when.
    pub values: Vec<ConflictValue>,
    /// When this device first saw the conflict, ms since the epoch.
    pub detected_at: i64,
}

impl From<core::ConflictInfo> for Conflict {
    fn from(c: core::ConflictInfo) -> Self {
        Self {
            doc_id: c.doc_id.to_string(),
            kind: c.kind.into(),
            path: c.path,
            values: c.values.into_iter().map(Into::into).collect(),
            detected_at: c.detected_at,
        }
    }
}

/// How a person resolves a conflict.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Resolution {
    /// Keep one of the competing values.
    Keep {
        /// Its `ConflictValue.op`.
        op: String,
    },
    /// Enter a new value, as JSON (e.g. `"0912345678"` with the quotes for a string).
    Value {
        /// The value as JSON.
        json: String,
    },
}

impl TryFrom<Resolution> for ocop_core::doc::Resolution {
    type Error = OcopError;
    fn try_from(r: Resolution) -> Result<Self> {
        Ok(match r {
            Resolution::Keep { op } => Self::Keep(op),
            Resolution::Value { json } => Self::Value(
                serde_json::from_str(&json)
                    .map_err(|e| OcopError::invalid("resolution", format!("not JSON: {e}")))?,
            ),
        })
    }
}
