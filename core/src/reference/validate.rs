//! Checks a decision file must pass before it is used: a malformed file is refused whole, with the field named.

use std::collections::HashSet;

use super::decision::{Decision, SUPPORTED_SCHEMA};
use crate::error::{Error, Result};

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    Ok(())
}

/// Every part total must reach exactly this many points.
const TOTAL_POINTS: f64 = 100.0;
/// Tolerance for comparing sums of points given as decimals.
const EPSILON: f64 = 1e-9;

impl Decision {
    /// Checks the decision's consistency: a supported schema; non-empty id, number and title; a positive
    /// certificate validity; parts with unique codes and positive maxima summing to 100; star bands strictly
    /// descending in points and in stars, within 0–100 and 1–5; a certifiable threshold that is one of the bands'
    /// stars; product groups and subgroups with unique, non-empty codes and names.
    pub fn validate(&self) -> Result<()> {
        if self.schema != SUPPORTED_SCHEMA {
            return Err(invalid(
                "schema",
                format!(
                    "file format {} is not supported (this app reads {SUPPORTED_SCHEMA})",
                    self.schema
                ),
            ));
        }
        let info = &self.decision;
        non_empty("decision.id", &info.id)?;
        non_empty("decision.number", &info.number)?;
        non_empty("decision.title_vi", &info.title_vi)?;
        if self.certificate_validity_months == 0 || self.certificate_validity_months > 120 {
            return Err(invalid(
                "certificate_validity_months",
                format!(
                    "{} is not between 1 and 120",
                    self.certificate_validity_months
                ),
            ));
        }
        self.validate_parts()?;
        self.validate_bands()?;
        self.validate_groups()
    }

    fn validate_parts(&self) -> Result<()> {
        if self.parts.is_empty() {
            return Err(invalid(
                "parts",
                "a decision needs at least one scoring part",
            ));
        }
        let mut codes = HashSet::new();
        for (i, part) in self.parts.iter().enumerate() {
            non_empty(&format!("parts[{i}].code"), &part.code)?;
            if !codes.insert(part.code.as_str()) {
                return Err(invalid(
                    format!("parts[{i}].code"),
                    format!("duplicate part code {}", part.code),
                ));
            }
            if !part.max_points.is_finite() || part.max_points <= 0.0 {
                return Err(invalid(
                    format!("parts[{i}].max_points"),
                    "must be a positive number",
                ));
            }
        }
        let sum = self.max_total();
        if (sum - TOTAL_POINTS).abs() > EPSILON {
            return Err(invalid(
                "parts",
                format!("maximum points sum to {sum}, not {TOTAL_POINTS}"),
            ));
        }
        Ok(())
    }

    fn validate_bands(&self) -> Result<()> {
        if self.star_bands.is_empty() {
            return Err(invalid(
                "star_bands",
                "a decision needs at least one star band",
            ));
        }
        for (i, band) in self.star_bands.iter().enumerate() {
            if !band.min_points.is_finite() || !(0.0..=TOTAL_POINTS).contains(&band.min_points) {
                return Err(invalid(
                    format!("star_bands[{i}].min_points"),
                    "must be between 0 and 100",
                ));
            }
            if !(1..=5).contains(&band.stars) {
                return Err(invalid(
                    format!("star_bands[{i}].stars"),
                    format!("{} is not 1–5", band.stars),
                ));
            }
        }
        for (i, pair) in self.star_bands.windows(2).enumerate() {
            if let [above, below] = pair {
                if below.min_points >= above.min_points {
                    return Err(invalid(
                        format!("star_bands[{}].min_points", i + 1),
                        format!(
                            "bands must descend: {} is not below {}",
                            below.min_points, above.min_points
                        ),
                    ));
                }
                if below.stars >= above.stars {
                    return Err(invalid(
                        format!("star_bands[{}].stars", i + 1),
                        format!(
                            "bands must descend: {} stars is not below {}",
                            below.stars, above.stars
                        ),
                    ));
                }
            }
        }
        if !self
            .star_bands
            .iter()
            .any(|b| b.stars == self.certifiable_min_stars)
        {
            return Err(invalid(
                "certifiable_min_stars",
                format!(
                    "{} stars is not one of the star bands",
                    self.certifiable_min_stars
                ),
            ));
        }
        Ok(())
    }

    fn validate_groups(&self) -> Result<()> {
        if self.product_groups.is_empty() {
            return Err(invalid(
                "product_groups",
                "a decision needs at least one product group",
            ));
        }
        let mut group_codes = HashSet::new();
        let mut subgroup_codes = HashSet::new();
        for (i, group) in self.product_groups.iter().enumerate() {
            non_empty(&format!("product_groups[{i}].code"), &group.code)?;
            non_empty(&format!("product_groups[{i}].name_vi"), &group.name_vi)?;
            if !group_codes.insert(group.code.as_str()) {
                return Err(invalid(
                    format!("product_groups[{i}].code"),
                    format!("duplicate group code {}", group.code),
                ));
            }
            for (j, sub) in group.subgroups.iter().enumerate() {
                let field = format!("product_groups[{i}].subgroups[{j}]");
                non_empty(&format!("{field}.code"), &sub.code)?;
                non_empty(&format!("{field}.name_vi"), &sub.name_vi)?;
                if !subgroup_codes.insert(sub.code.as_str()) {
                    return Err(invalid(
                        format!("{field}.code"),
                        format!("duplicate subgroup code {}", sub.code),
                    ));
                }
            }
        }
        Ok(())
    }
}
