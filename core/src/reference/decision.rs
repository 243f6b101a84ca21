//! One decision's criteria: its product groups, scoring parts, star bands and certificate validity.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::Date;

/// The decision file format this build reads. A file with a higher `schema` is refused with a clear error.
pub const SUPPORTED_SCHEMA: u32 = 1;

/// A decision setting the OCOP criteria, as read from its data file (`core/data/reference/*.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Version of the file format ([`SUPPORTED_SCHEMA`]).
    pub schema: u32,
    /// What the decision is and when it applies.
    pub decision: DecisionInfo,
    /// How long an OCOP certificate issued under this decision is valid, months.
    pub certificate_validity_months: u32,
    /// The lowest star rating that is certified as an OCOP product.
    pub certifiable_min_stars: u8,
    /// The scoring parts (A, B, C …) and their maximum points; they sum to 100.
    pub parts: Vec<Part>,
    /// Star bands, highest first: a total at or above `min_points` earns `stars`.
    pub star_bands: Vec<StarBand>,
    /// Product groups and their subgroups.
    pub product_groups: Vec<ProductGroup>,
    /// Free notes on sources and certainty.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A decision's identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionInfo {
    /// Stable id used in records, e.g. `qd-148-2023`.
    pub id: String,
    /// The official number, e.g. `148/QĐ-TTg`.
    pub number: String,
    /// Date of signing.
    pub date: Date,
    /// Official title, Vietnamese.
    pub title_vi: String,
    /// Title, English.
    pub title_en: String,
    /// First day the decision applies.
    pub in_force_from: Date,
    /// Ids of the decisions it replaces.
    #[serde(default)]
    pub replaces: Vec<String>,
    /// Notes on the decision (amendments, uncertainty).
    #[serde(default)]
    pub note: Option<String>,
}

/// A scoring part of the criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// `A`, `B`, `C` …
    pub code: String,
    /// Title, Vietnamese.
    pub title_vi: String,
    /// Title, English.
    pub title_en: String,
    /// Maximum points of the part.
    pub max_points: f64,
}

/// One star band: totals from `min_points` (inclusive) up to the next band's minimum earn `stars`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StarBand {
    /// Lowest total in the band.
    pub min_points: f64,
    /// Stars awarded, 1–5.
    pub stars: u8,
}

/// A product group ("nhóm sản phẩm").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductGroup {
    /// Stable code, e.g. `food`.
    pub code: String,
    /// Name, Vietnamese.
    pub name_vi: String,
    /// Name, English.
    pub name_en: String,
    /// How sure the data is, where it is not certain.
    #[serde(default)]
    pub note: Option<String>,
    /// Its subgroups ("bộ sản phẩm" / "phân nhóm").
    pub subgroups: Vec<Subgroup>,
}

/// A product subgroup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subgroup {
    /// Stable code, unique within the decision, e.g. `food.fresh_produce`.
    pub code: String,
    /// Name, Vietnamese.
    pub name_vi: String,
    /// Name, English.
    pub name_en: String,
    /// The intermediate category ("nhóm", e.g. "Thực phẩm tươi sống") when the decision has one, Vietnamese.
    #[serde(default)]
    pub category_vi: Option<String>,
    /// The intermediate category, English.
    #[serde(default)]
    pub category_en: Option<String>,
    /// How sure the data is, where it is not certain.
    #[serde(default)]
    pub note: Option<String>,
}

/// A validated score under one decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The decision it was scored under.
    pub decision_id: String,
    /// Points per part, in the decision's order.
    pub parts: Vec<PartScore>,
    /// Sum of the parts, rounded to 6 decimals (so 39.7 + 24.8 + 25.5 is 90, not 89.999…).
    pub total: f64,
    /// The star band the total falls in, certifiable or not.
    pub rating: Option<u8>,
    /// The certifiable star rating; `None` when the total is below the decision's certifiable threshold.
    pub stars: Option<u8>,
}

/// Points given for one part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartScore {
    /// The part's code.
    pub code: String,
    /// Points given.
    pub points: f64,
    /// The part's maximum.
    pub max_points: f64,
}

impl Decision {
    /// Parses and validates one decision file.
    pub fn from_json(json: &str) -> Result<Self> {
        let decision: Decision = serde_json::from_str(json).map_err(|e| Error::Invalid {
            field: "decision file".into(),
            reason: format!("not a valid OCOP decision file: {e}"),
        })?;
        decision.validate()?;
        Ok(decision)
    }

    /// The decision's stable id.
    pub fn id(&self) -> &str {
        &self.decision.id
    }

    /// The product group with this code.
    pub fn group(&self, code: &str) -> Option<&ProductGroup> {
        self.product_groups.iter().find(|g| g.code == code)
    }

    /// The subgroup `code` of group `group`.
    pub fn subgroup(&self, group: &str, code: &str) -> Option<&Subgroup> {
        self.group(group)?.subgroups.iter().find(|s| s.code == code)
    }

    /// The highest total the parts allow (100 for every decision so far).
    pub fn max_total(&self) -> f64 {
        self.parts.iter().map(|p| p.max_points).sum()
    }

    /// The star band a total falls in, certifiable or not; `None` for a total that is not a number, negative,
    /// above [`Decision::max_total`], or below every band.
    pub fn rating_for(&self, total: f64) -> Option<u8> {
        if !total.is_finite() || total < 0.0 || total > self.max_total() {
            return None;
        }
        self.star_bands
            .iter()
            .find(|b| total >= b.min_points)
            .map(|b| b.stars)
    }

    /// The certifiable star rating for a total: `Some(stars)` when the total's band reaches the decision's
    /// `certifiable_min_stars` (3★ for 148/QĐ-TTg: 50 points and above), `None` when the product cannot be
    /// certified.
    pub fn stars_for(&self, total: f64) -> Option<u8> {
        self.rating_for(total)
            .filter(|s| *s >= self.certifiable_min_stars)
    }

    /// Validates the points of parts A, B and C (each finite, between 0 and the part's maximum) and rates the total.
    /// Fails for a decision that does not have exactly three parts.
    pub fn score(&self, a: f64, b: f64, c: f64) -> Result<Score> {
        if self.parts.len() != 3 {
            return Err(Error::Invalid {
                field: "score".into(),
                reason: format!(
                    "decision {} has {} parts, not 3",
                    self.id(),
                    self.parts.len()
                ),
            });
        }
        self.score_parts(&[a, b, c])
    }

    /// Like [`Decision::score`] for any number of parts, given in the decision's order.
    pub fn score_parts(&self, points: &[f64]) -> Result<Score> {
        if points.len() != self.parts.len() {
            return Err(Error::Invalid {
                field: "score".into(),
                reason: format!("expected {} parts, got {}", self.parts.len(), points.len()),
            });
        }
        let mut parts = Vec::with_capacity(points.len());
        for (part, &p) in self.parts.iter().zip(points) {
            if !p.is_finite() || p < 0.0 || p > part.max_points {
                return Err(Error::Invalid {
                    field: format!("score part {}", part.code),
                    reason: format!("{p} is not between 0 and {}", part.max_points),
                });
            }
            parts.push(PartScore {
                code: part.code.clone(),
                points: p,
                max_points: part.max_points,
            });
        }
        let sum: f64 = points.iter().sum();
        let total = (sum * 1e6).round() / 1e6;
        Ok(Score {
            decision_id: self.id().to_string(),
            parts,
            total,
            rating: self.rating_for(total),
            stars: self.stars_for(total),
        })
    }

    /// The day a certificate issued on `issued` under this decision expires: `issued` plus the validity in
    /// calendar months (31 Jan + 1 month = 28/29 Feb).
    pub fn certificate_expiry(&self, issued: Date) -> Date {
        issued.plus_months(self.certificate_validity_months)
    }
}
