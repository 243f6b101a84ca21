//! Products: OCOP status, trademarks, certifications, listings, raw-material zones; registration and edits.

use std::collections::HashMap;

use ocop_core::records as core;
use ocop_core::store::NewProduct as CoreNewProduct;

use super::gps::LatLon;
use super::{UnitRef, map_values, opt_date, record_id, try_map_values};
use crate::error::{OcopError, Result};

/// OCOP stage or star class of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OcopStage {
    /// Found on a visit, not yet registered for evaluation.
    Candidate,
    /// Registered for evaluation.
    Registered,
    /// Certified 3 stars.
    ThreeStar,
    /// Certified 4 stars.
    FourStar,
    /// Certified 5 stars (national level).
    FiveStar,
    /// Scored 5 stars at province level, proposed for national rating.
    PotentialFiveStar,
    /// Evaluated and not certifiable.
    NotCertified,
}

impl From<core::OcopStage> for OcopStage {
    fn from(s: core::OcopStage) -> Self {
        use core::OcopStage as S;
        match s {
            S::Candidate => Self::Candidate,
            S::Registered => Self::Registered,
            S::ThreeStar => Self::ThreeStar,
            S::FourStar => Self::FourStar,
            S::FiveStar => Self::FiveStar,
            S::PotentialFiveStar => Self::PotentialFiveStar,
            S::NotCertified => Self::NotCertified,
        }
    }
}

impl From<OcopStage> for core::OcopStage {
    fn from(s: OcopStage) -> Self {
        match s {
            OcopStage::Candidate => Self::Candidate,
            OcopStage::Registered => Self::Registered,
            OcopStage::ThreeStar => Self::ThreeStar,
            OcopStage::FourStar => Self::FourStar,
            OcopStage::FiveStar => Self::FiveStar,
            OcopStage::PotentialFiveStar => Self::PotentialFiveStar,
            OcopStage::NotCertified => Self::NotCertified,
        }
    }
}

/// The OCOP rating of a product (one decision with its certificate). A certified stage with an issue date and
/// no expiry gets the expiry of its criteria (36 months).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OcopStatus {
    /// Stage or star class.
    pub stage: OcopStage,
    /// Total score (0–100) when evaluated.
    #[uniffi(default = None)]
    pub score: Option<f64>,
    /// The criteria decision applied, e.g. `qd-148-2023`.
    #[uniffi(default = None)]
    pub criteria: Option<String>,
    /// Certificate number.
    #[uniffi(default = None)]
    pub certificate_no: Option<String>,
    /// Issue date, `YYYY-MM-DD`.
    #[uniffi(default = None)]
    pub issued: Option<String>,
    /// Expiry date, `YYYY-MM-DD`.
    #[uniffi(default = None)]
    pub expires: Option<String>,
    /// Rating authority.
    #[uniffi(default = None)]
    pub authority: Option<String>,
}

impl From<core::OcopStatus> for OcopStatus {
    fn from(s: core::OcopStatus) -> Self {
        Self {
            stage: s.stage.into(),
            score: s.score,
            criteria: s.criteria,
            certificate_no: s.certificate_no,
            issued: s.issued.map(|d| d.to_string()),
            expires: s.expires.map(|d| d.to_string()),
            authority: s.authority,
        }
    }
}

impl TryFrom<OcopStatus> for core::OcopStatus {
    type Error = OcopError;
    fn try_from(s: OcopStatus) -> Result<Self> {
        Ok(Self {
            stage: s.stage.into(),
            score: s.score,
            criteria: s.criteria,
            certificate_no: s.certificate_no,
            issued: opt_date("ocop.issued", s.issued)?,
            expires: opt_date("ocop.expires", s.expires)?,
            authority: s.authority,
        })
    }
}

/// Trademark registration state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TrademarkStatus {
    /// Application filed.
    Pending,
    /// Registered.
    Registered,
    /// A collective or certification mark.
    Collective,
}

/// A trademark.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Trademark {
    /// The mark.
    pub name: String,
    /// Registration or application number.
    pub number: Option<String>,
    /// State.
    pub status: TrademarkStatus,
}

impl From<core::Trademark> for Trademark {
    fn from(t: core::Trademark) -> Self {
        Self {
            name: t.name,
            number: t.number,
            status: match t.status {
                core::TrademarkStatus::Pending => TrademarkStatus::Pending,
                core::TrademarkStatus::Registered => TrademarkStatus::Registered,
                core::TrademarkStatus::Collective => TrademarkStatus::Collective,
            },
        }
    }
}

impl From<Trademark> for core::Trademark {
    fn from(t: Trademark) -> Self {
        Self {
            name: t.name,
            number: t.number,
            status: match t.status {
                TrademarkStatus::Pending => core::TrademarkStatus::Pending,
                TrademarkStatus::Registered => core::TrademarkStatus::Registered,
                TrademarkStatus::Collective => core::TrademarkStatus::Collective,
            },
        }
    }
}

/// A certification held (VietGAP, HACCP …), keyed by its name in a product.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Certification {
    /// Certificate number.
    pub number: Option<String>,
    /// Expiry date, `YYYY-MM-DD`.
    pub expires: Option<String>,
}

impl From<core::Certification> for Certification {
    fn from(c: core::Certification) -> Self {
        Self {
            number: c.number,
            expires: c.expires.map(|d| d.to_string()),
        }
    }
}

impl TryFrom<Certification> for core::Certification {
    type Error = OcopError;
    fn try_from(c: Certification) -> Result<Self> {
        Ok(Self {
            number: c.number,
            expires: opt_date("certifications.expires", c.expires)?,
        })
    }
}

/// A listing on an e-commerce platform, keyed by platform in a product.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EcommerceListing {
    /// The listing's address.
    pub url: Option<String>,
}

/// A raw-material zone: its outline and geodesic area.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RawMaterialZone {
    /// The outer ring.
    pub ring: Vec<LatLon>,
    /// Area in hectares.
    pub area_ha: f64,
}

impl From<core::RawMaterialZone> for RawMaterialZone {
    fn from(z: core::RawMaterialZone) -> Self {
        Self {
            ring: z.ring.into_iter().map(Into::into).collect(),
            area_ha: z.area_ha,
        }
    }
}

/// What a person enters to register a product of an existing producer.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewProduct {
    /// The producer's id.
    pub producer_id: String,
    /// Name.
    pub name: String,
    /// Product group code of the criteria in force (e.g. `1` for food under Decision 148/2023).
    pub group: String,
    /// Subgroup code.
    #[uniffi(default = None)]
    pub subgroup: Option<String>,
    /// Description.
    #[uniffi(default = "")]
    pub description: String,
    /// Raw-material zone outline (its area is computed).
    #[uniffi(default = None)]
    pub raw_material_zone: Option<Vec<LatLon>>,
    /// Packaging.
    #[uniffi(default = None)]
    pub packaging: Option<String>,
    /// Trademark.
    #[uniffi(default = None)]
    pub trademark: Option<Trademark>,
    /// Has a traceability stamp.
    #[uniffi(default = false)]
    pub traceability_stamp: bool,
    /// Certifications by name.
    pub certifications: HashMap<String, Certification>,
    /// E-commerce listings by platform.
    pub ecommerce: HashMap<String, EcommerceListing>,
    /// OCOP status (default: candidate).
    #[uniffi(default = None)]
    pub ocop: Option<OcopStatus>,
}

impl TryFrom<NewProduct> for CoreNewProduct {
    type Error = OcopError;
    fn try_from(n: NewProduct) -> Result<Self> {
        Ok(Self {
            producer: record_id("producer_id", &n.producer_id)?,
            name: n.name,
            group: n.group,
            subgroup: n.subgroup,
            description: n.description,
            raw_material_zone: n
                .raw_material_zone
                .map(|r| r.into_iter().map(Into::into).collect()),
            packaging: n.packaging,
            trademark: n.trademark.map(Into::into),
            traceability_stamp: n.traceability_stamp,
            certifications: try_map_values(n.certifications, TryInto::try_into)?,
            ecommerce: try_map_values(n.ecommerce, |l| {
                Ok(core::EcommerceListing { url: l.url })
            })?,
            ocop: n.ocop.map(TryInto::try_into).transpose()?,
        })
    }
}

/// A product record.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Product {
    /// Id.
    pub id: String,
    /// The producer's id.
    pub producer_id: String,
    /// Name.
    pub name: String,
    /// Product group code.
    pub group: String,
    /// Subgroup code.
    pub subgroup: Option<String>,
    /// Description.
    pub description: String,
    /// Province (the producer's).
    pub province: UnitRef,
    /// Commune (the producer's).
    pub commune: UnitRef,
    /// Raw-material zone.
    pub raw_material_zone: Option<RawMaterialZone>,
    /// Packaging.
    pub packaging: Option<String>,
    /// Trademark.
    pub trademark: Option<Trademark>,
    /// Has a traceability stamp.
    pub traceability_stamp: bool,
    /// Certifications by name.
    pub certifications: HashMap<String, Certification>,
    /// E-commerce listings by platform.
    pub ecommerce: HashMap<String, EcommerceListing>,
    /// OCOP status.
    pub ocop: OcopStatus,
    /// Who registered it.
    pub created_by: String,
    /// When, ms since the epoch.
    pub created_at: i64,
}

impl From<core::Product> for Product {
    fn from(p: core::Product) -> Self {
        Self {
            id: p.id.to_string(),
            producer_id: p.producer.to_string(),
            name: p.name,
            group: p.group,
            subgroup: p.subgroup,
            description: p.description,
            province: p.province.into(),
            commune: p.commune.into(),
            raw_material_zone: p.raw_material_zone.map(Into::into),
            packaging: p.packaging,
            trademark: p.trademark.map(Into::into),
            traceability_stamp: p.traceability_stamp,
            certifications: map_values(p.certifications, Into::into),
            ecommerce: map_values(p.ecommerce, |l| EcommerceListing { url: l.url }),
            ocop: p.ocop.into(),
            created_by: p.created_by,
            created_at: p.created_at,
        }
    }
}

/// One field of a product to change (see `ProducerEdit` for how edits merge). `None` values clear the field.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ProductEdit {
    /// Name.
    Name {
        /// New value.
        value: String,
    },
    /// Product group.
    Group {
        /// New value.
        value: String,
    },
    /// Subgroup.
    Subgroup {
        /// New value, or `None` to clear.
        value: Option<String>,
    },
    /// Description.
    Description {
        /// New value.
        value: String,
    },
    /// Raw-material zone outline (its area is recomputed).
    RawMaterialZone {
        /// New outline, or `None` to clear.
        ring: Option<Vec<LatLon>>,
    },
    /// Packaging.
    Packaging {
        /// New value, or `None` to clear.
        value: Option<String>,
    },
    /// Trademark.
    Trademark {
        /// New value, or `None` to clear.
        value: Option<Trademark>,
    },
    /// Traceability stamp.
    TraceabilityStamp {
        /// New value.
        value: bool,
    },
    /// Adds, replaces (`Some`) or removes (`None`) one certification.
    Certification {
        /// Its name (VietGAP, HACCP …).
        name: String,
        /// The certification, or `None` to remove it.
        value: Option<Certification>,
    },
    /// Adds, replaces (`Some`) or removes (`None`) one e-commerce listing.
    Ecommerce {
        /// The platform.
        platform: String,
        /// The listing, or `None` to remove it.
        value: Option<EcommerceListing>,
    },
    /// OCOP rating.
    Ocop {
        /// New value.
        value: OcopStatus,
    },
}

/// Folds edits into the core's patch (later edits of the same field win).
pub(crate) fn product_patch(edits: Vec<ProductEdit>) -> Result<core::ProductPatch> {
    let mut p = core::ProductPatch::default();
    for e in edits {
        match e {
            ProductEdit::Name { value } => p.name = Some(value),
            ProductEdit::Group { value } => p.group = Some(value),
            ProductEdit::Subgroup { value } => p.subgroup = Some(value),
            ProductEdit::Description { value } => p.description = Some(value),
            ProductEdit::RawMaterialZone { ring } => {
                // The core computes the area of a zone it is given; 0 is a placeholder it overwrites.
                p.raw_material_zone = Some(ring.map(|r| core::RawMaterialZone {
                    ring: r.into_iter().map(Into::into).collect(),
                    area_ha: 0.0,
                }));
            }
            ProductEdit::Packaging { value } => p.packaging = Some(value),
            ProductEdit::Trademark { value } => p.trademark = Some(value.map(Into::into)),
            ProductEdit::TraceabilityStamp { value } => p.traceability_stamp = Some(value),
            ProductEdit::Certification { name, value } => {
                p.certifications
                    .insert(name, value.map(TryInto::try_into).transpose()?);
            }
            ProductEdit::Ecommerce { platform, value } => {
                p.ecommerce.insert(
                    platform,
                    value.map(|l| core::EcommerceListing { url: l.url }),
                );
            }
            ProductEdit::Ocop { value } => p.ocop = Some(value.try_into()?),
        }
    }
    Ok(p)
}
