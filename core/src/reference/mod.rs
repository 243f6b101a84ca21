//! OCOP reference data (product groups, scoring parts, star bands) as versioned data tied to its decision.
//!
//! The OCOP criteria are set by decisions of the Prime Minister: 1048/QĐ-TTg (2019), replaced on 24 February 2023
//! by 148/QĐ-TTg, and whatever comes next. Each decision is one JSON file in `core/data/reference/` (its format is
//! [`Decision`]; `core/data/reference/README.md` describes it): its identity and the date it applies from, the
//! product groups and subgroups, the scoring parts A/B/C with their maximum points, the star bands, the lowest
//! certifiable star rating and the certificate's validity in months. Code never hard-codes any of these numbers.
//!
//! A [`Catalog`] holds every known decision. The files shipped with the app are embedded and parsed once
//! ([`Catalog::embedded`]); a hub admin can load a newer decision at run time ([`Catalog::add_json`]) and
//! [`Catalog::in_force`] picks it from its `in_force_from` date on. Every file is validated before use (bands
//! descending, parts summing to 100, unique codes …) and a malformed one is refused with the field named, as
//! [`crate::Error::Invalid`].
//!
//! A product's record names the decision it was rated under together with its group and subgroup codes: codes are
//! stable identifiers of this project, reused across decisions where the meaning is the same, but only the pair
//! (decision, code) is unambiguous.

mod decision;
mod validate;

use std::sync::OnceLock;

pub use decision::{
    Decision, DecisionInfo, Part, PartScore, ProductGroup, SUPPORTED_SCHEMA, Score, StarBand,
    Subgroup,
};

use crate::error::{Error, Result};
use crate::ids::Date;

/// The decision files shipped with the app, oldest first. Adding a decision to the app is adding its file to
/// `core/data/reference/` and its name here (a test fails if a file in that folder is missing from this list).
const EMBEDDED: &[(&str, &str)] = &[
    (
        "qd-1048-2019.json",
        include_str!("../../data/reference/qd-1048-2019.json"),
    ),
    (
        "qd-148-2023.json",
        include_str!("../../data/reference/qd-148-2023.json"),
    ),
];

/// Every known decision, ordered by the date it applies from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    decisions: Vec<Decision>,
}

impl Catalog {
    /// The decisions shipped with the app, parsed and validated once.
    ///
    /// A shipped file that fails validation (a build defect the tests guard against) is left out and logged; the
    /// others are still available.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let mut catalog = Catalog::default();
            for (name, json) in EMBEDDED {
                if let Err(e) = Decision::from_json(json).and_then(|d| catalog.add(d)) {
                    tracing::error!(file = name, error = %e, "embedded OCOP decision refused");
                }
            }
            catalog
        })
    }

    /// A catalog from a JSON array of decision objects, each validated; a duplicate id is refused.
    pub fn from_json(json: &str) -> Result<Self> {
        let values: Vec<serde_json::Value> =
            serde_json::from_str(json).map_err(|e| Error::Invalid {
                field: "catalog".into(),
                reason: format!("expected a JSON array of OCOP decisions: {e}"),
            })?;
        let mut catalog = Catalog::default();
        for value in values {
            let decision: Decision = serde_json::from_value(value).map_err(|e| Error::Invalid {
                field: "decision file".into(),
                reason: format!("not a valid OCOP decision file: {e}"),
            })?;
            catalog.add(decision)?;
        }
        Ok(catalog)
    }

    /// Adds a decision after validating it. Refused when a decision with the same id is already present.
    pub fn add(&mut self, decision: Decision) -> Result<()> {
        decision.validate()?;
        if self.decision(decision.id()).is_some() {
            return Err(Error::Invalid {
                field: "decision.id".into(),
                reason: format!("decision {} is already in the catalog", decision.id()),
            });
        }
        self.decisions.push(decision);
        self.decisions.sort_by(|a, b| {
            (a.decision.in_force_from, a.decision.date, a.id()).cmp(&(
                b.decision.in_force_from,
                b.decision.date,
                b.id(),
            ))
        });
        Ok(())
    }

    /// Parses, validates and adds one decision file; returns the added decision.
    pub fn add_json(&mut self, json: &str) -> Result<&Decision> {
        let decision = Decision::from_json(json)?;
        let id = decision.id().to_string();
        self.add(decision)?;
        self.decision(&id).ok_or(Error::NotFound {
            kind: "OCOP decision",
            id,
        })
    }

    /// The decision with this id.
    pub fn decision(&self, id: &str) -> Option<&Decision> {
        self.decisions.iter().find(|d| d.id() == id)
    }

    /// Every decision, ordered by the date it applies from.
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// The decision in force on `date`: the one with the latest `in_force_from` on or before it. `None` before the
    /// first decision.
    pub fn in_force(&self, date: Date) -> Option<&Decision> {
        self.decisions
            .iter()
            .rev()
            .find(|d| d.decision.in_force_from <= date)
    }
}

#[cfg(test)]
mod tests;
