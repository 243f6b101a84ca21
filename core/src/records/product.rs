//! Products: candidate and certified OCOP products, with their rating history kept as one whole status.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{check_text, put_field, put_whole};
use crate::error::{Error, Result};
use crate::gps::LatLon;
use crate::ids::{Date, Millis, RecordId};
use crate::places::UnitRef;

/// Where a product stands in the OCOP programme.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Reconcile,
    Hydrate,
)]
#[serde(rename_all = "snake_case")]
pub enum OcopStage {
    /// Found on a visit, not yet registered for evaluation.
    #[autosurgeon(rename = "candidate")]
    Candidate,
    /// Registered for evaluation (đăng ký tham gia).
    #[autosurgeon(rename = "registered")]
    Registered,
    /// Rated and certified 3 stars.
    #[autosurgeon(rename = "three_star")]
    ThreeStar,
    /// Rated and certified 4 stars.
    #[autosurgeon(rename = "four_star")]
    FourStar,
    /// Rated and certified 5 stars (national level).
    #[autosurgeon(rename = "five_star")]
    FiveStar,
    /// Scored 5 stars at province level, proposed for national rating (tiềm năng 5 sao).
    #[autosurgeon(rename = "potential_five_star")]
    PotentialFiveStar,
    /// Evaluated and not certifiable (below the lowest star band).
    #[autosurgeon(rename = "not_certified")]
    NotCertified,
}

impl OcopStage {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            OcopStage::Candidate => "candidate",
            OcopStage::Registered => "registered",
            OcopStage::ThreeStar => "three_star",
            OcopStage::FourStar => "four_star",
            OcopStage::FiveStar => "five_star",
            OcopStage::PotentialFiveStar => "potential_five_star",
            OcopStage::NotCertified => "not_certified",
        }
    }

    /// Stars certified (3, 4, 5), or `None`. Potential 5★ is reported as its own class, so it gives `None`.
    pub fn stars(self) -> Option<u8> {
        match self {
            OcopStage::ThreeStar => Some(3),
            OcopStage::FourStar => Some(4),
            OcopStage::FiveStar => Some(5),
            _ => None,
        }
    }

    /// True for stages that carry a certificate.
    pub fn is_certified(self) -> bool {
        matches!(
            self,
            OcopStage::ThreeStar
                | OcopStage::FourStar
                | OcopStage::FiveStar
                | OcopStage::PotentialFiveStar
        )
    }
}

/// The OCOP rating of a product. Written whole: a rating is one decision with its certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcopStatus {
    /// Stage / star class.
    pub stage: OcopStage,
    /// Total score (0–100) when evaluated.
    pub score: Option<f64>,
    /// The decision whose criteria were applied, e.g. `qd-148-2023`.
    pub criteria: Option<String>,
    /// Certificate number.
    pub certificate_no: Option<String>,
    /// Date the certificate was issued.
    pub issued: Option<Date>,
    /// Date it expires (issued + the decision's validity, 36 months).
    pub expires: Option<Date>,
    /// The rating authority, e.g. "UBND tỉnh Thái Nguyên".
    pub authority: Option<String>,
}

impl OcopStatus {
    /// A candidate, not yet evaluated.
    pub fn candidate() -> Self {
        Self {
            stage: OcopStage::Candidate,
            score: None,
            criteria: None,
            certificate_no: None,
            issued: None,
            expires: None,
            authority: None,
        }
    }
}

/// Trademark registration state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case")]
pub enum TrademarkStatus {
    /// Application filed.
    #[autosurgeon(rename = "pending")]
    Pending,
    /// Registered (granted).
    #[autosurgeon(rename = "registered")]
    Registered,
    /// Collective or certification mark used by the producer.
    #[autosurgeon(rename = "collective")]
    Collective,
}

/// A trademark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trademark {
    /// The mark.
    pub name: String,
    /// Registration or application number.
    pub number: Option<String>,
    /// State.
    pub status: TrademarkStatus,
}

/// A certification held (VietGAP, HACCP, ISO 22000, organic …), keyed by its name in the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    /// Certificate number.
    pub number: Option<String>,
    /// Expiry date.
    pub expires: Option<Date>,
}

/// A listing on an e-commerce platform, keyed by platform in the product (`shopee`, `lazada`, `tiktok_shop` …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcommerceListing {
    /// The listing's address, when known.
    pub url: Option<String>,
}

/// A raw-material zone (vùng nguyên liệu): a polygon and its geodesic area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawMaterialZone {
    /// The outer ring.
    pub ring: Vec<LatLon>,
    /// Geodesic area in hectares, computed when the ring was captured.
    pub area_ha: f64,
}

/// A product record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Product {
    /// The record's id.
    pub id: RecordId,
    /// The producer that makes it.
    pub producer: RecordId,
    /// Product name, e.g. "Chè Tân Cương".
    pub name: String,
    /// OCOP product group code (of the criteria decision), e.g. `food`.
    pub group: String,
    /// Subgroup code ("bộ sản phẩm").
    #[autosurgeon(missing = "Default::default")]
    pub subgroup: Option<String>,
    /// Free description.
    #[autosurgeon(missing = "Default::default")]
    pub description: String,
    /// Province of the producer (copied: it decides the sync scope).
    pub province: UnitRef,
    /// Commune of the producer (copied: it decides the sync scope).
    pub commune: UnitRef,
    /// Raw-material zone.
    #[autosurgeon(missing = "Default::default")]
    pub raw_material_zone: Option<RawMaterialZone>,
    /// Packaging description.
    #[autosurgeon(missing = "Default::default")]
    pub packaging: Option<String>,
    /// Trademark.
    #[autosurgeon(missing = "Default::default")]
    pub trademark: Option<Trademark>,
    /// Has a traceability stamp (tem truy xuất nguồn gốc).
    #[autosurgeon(missing = "Default::default")]
    pub traceability_stamp: bool,
    /// Certifications by name; concurrent additions of different ones merge.
    #[autosurgeon(missing = "Default::default")]
    pub certifications: BTreeMap<String, Certification>,
    /// E-commerce listings by platform; concurrent additions merge.
    #[autosurgeon(missing = "Default::default")]
    pub ecommerce: BTreeMap<String, EcommerceListing>,
    /// OCOP rating.
    pub ocop: OcopStatus,
    /// User id of who registered it.
    pub created_by: String,
    /// When it was registered.
    pub created_at: Millis,
}

impl Product {
    /// Checks the fields a person typed.
    pub fn validate(&self) -> Result<()> {
        check_text("name", &self.name, 300)?;
        check_text("group", &self.group, 64)?;
        if let Some(z) = &self.raw_material_zone
            && !(z.area_ha.is_finite() && z.area_ha >= 0.0)
        {
            return Err(Error::Invalid {
                field: "raw_material_zone".into(),
                reason: "area is not a finite positive number".into(),
            });
        }
        if let (Some(i), Some(e)) = (self.ocop.issued, self.ocop.expires)
            && e < i
        {
            return Err(Error::Invalid {
                field: "ocop.expires".into(),
                reason: "expires before it was issued".into(),
            });
        }
        if let Some(s) = self.ocop.score
            && !(0.0..=100.0).contains(&s)
        {
            return Err(Error::Invalid {
                field: "ocop.score".into(),
                reason: "score must be between 0 and 100".into(),
            });
        }
        Ok(())
    }
}

/// A field-by-field edit of a product. `Some(None)` clears an optional field. Certifications and e-commerce
/// listings are edited per key: `Some(entry)` adds or replaces one, `None` removes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[allow(clippy::option_option)]
pub struct ProductPatch {
    /// New name.
    pub name: Option<String>,
    /// New group.
    pub group: Option<String>,
    /// New subgroup.
    pub subgroup: Option<Option<String>>,
    /// New description.
    pub description: Option<String>,
    /// New place (written whole; moves the record between sync scopes).
    pub place: Option<(UnitRef, UnitRef)>,
    /// New raw-material zone (written whole).
    pub raw_material_zone: Option<Option<RawMaterialZone>>,
    /// New packaging.
    pub packaging: Option<Option<String>>,
    /// New trademark (written whole).
    pub trademark: Option<Option<Trademark>>,
    /// New traceability stamp answer.
    pub traceability_stamp: Option<bool>,
    /// Certifications to add/replace (`Some`) or remove (`None`).
    pub certifications: BTreeMap<String, Option<Certification>>,
    /// Listings to add/replace (`Some`) or remove (`None`).
    pub ecommerce: BTreeMap<String, Option<EcommerceListing>>,
    /// New OCOP rating (written whole).
    pub ocop: Option<OcopStatus>,
}

impl ProductPatch {
    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Applies the patch to `current` in memory.
    pub fn applied_to(&self, current: &Product) -> Product {
        let mut p = current.clone();
        if let Some(v) = &self.name {
            p.name = v.clone();
        }
        if let Some(v) = &self.group {
            p.group = v.clone();
        }
        if let Some(v) = &self.subgroup {
            p.subgroup = v.clone();
        }
        if let Some(v) = &self.description {
            p.description = v.clone();
        }
        if let Some((prov, com)) = &self.place {
            p.province = prov.clone();
            p.commune = com.clone();
        }
        if let Some(v) = &self.raw_material_zone {
            p.raw_material_zone = v.clone();
        }
        if let Some(v) = &self.packaging {
            p.packaging = v.clone();
        }
        if let Some(v) = &self.trademark {
            p.trademark = v.clone();
        }
        if let Some(v) = self.traceability_stamp {
            p.traceability_stamp = v;
        }
        for (k, v) in &self.certifications {
            match v {
                Some(c) => {
                    p.certifications.insert(k.clone(), c.clone());
                }
                None => {
                    p.certifications.remove(k);
                }
            }
        }
        for (k, v) in &self.ecommerce {
            match v {
                Some(c) => {
                    p.ecommerce.insert(k.clone(), c.clone());
                }
                None => {
                    p.ecommerce.remove(k);
                }
            }
        }
        if let Some(v) = &self.ocop {
            p.ocop = v.clone();
        }
        p
    }

    /// Writes the patch's fields into a product document.
    pub(crate) fn write(&self, doc: &mut AutoCommit) -> Result<()> {
        let root = automerge::ROOT;
        if let Some(v) = &self.name {
            put_field(doc, "name", v)?;
        }
        if let Some(v) = &self.group {
            put_field(doc, "group", v)?;
        }
        if let Some(v) = &self.subgroup {
            put_field(doc, "subgroup", v)?;
        }
        if let Some(v) = &self.description {
            put_field(doc, "description", v)?;
        }
        if let Some((prov, com)) = &self.place {
            put_whole(doc, &root, "province", Some(prov))?;
            put_whole(doc, &root, "commune", Some(com))?;
        }
        if let Some(v) = &self.raw_material_zone {
            put_whole(doc, &root, "raw_material_zone", v.as_ref())?;
        }
        if let Some(v) = &self.packaging {
            put_field(doc, "packaging", v)?;
        }
        if let Some(v) = &self.trademark {
            put_whole(doc, &root, "trademark", v.as_ref())?;
        }
        if let Some(v) = self.traceability_stamp {
            put_field(doc, "traceability_stamp", &v)?;
        }
        write_keyed(doc, "certifications", &self.certifications)?;
        write_keyed(doc, "ecommerce", &self.ecommerce)?;
        if let Some(v) = &self.ocop {
            put_whole(doc, &root, "ocop", Some(v))?;
        }
        Ok(())
    }
}

/// Adds, replaces or removes entries of a map-valued field, one key at a time.
fn write_keyed<T: Reconcile>(
    doc: &mut AutoCommit,
    field: &str,
    entries: &BTreeMap<String, Option<T>>,
) -> Result<()> {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ReadDoc, Value};
    if entries.is_empty() {
        return Ok(());
    }
    let map = match doc.get(automerge::ROOT, field)? {
        Some((Value::Object(ObjType::Map), id)) => id,
        _ => doc.put_object(automerge::ROOT, field, ObjType::Map)?,
    };
    for (key, value) in entries {
        match value {
            Some(v) => put_whole(doc, &map, key, Some(v))?,
            None => doc.delete(&map, key.as_str())?,
        }
    }
    Ok(())
}
