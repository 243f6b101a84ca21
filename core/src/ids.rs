//! Identifiers and timestamps shared by every record.
//!
//! Records are identified by UUIDv7 ([`RecordId`]): time-ordered, so ids created on a phone sort by creation time,
//! and unique without coordination, so two phones offline never collide. Times are milliseconds since the Unix
//! epoch in UTC ([`Millis`]); calendar dates (a certificate's issue date) are ISO `YYYY-MM-DD` strings ([`Date`]).

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// The current time in [`Millis`].
pub fn now_millis() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// A record's identifier: a UUIDv7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordId(pub uuid::Uuid);

impl RecordId {
    /// A fresh, time-ordered id.
    pub fn new() -> Self {
        Self(uuid::Uuid::now_v7())
    }
}

impl Default for RecordId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for RecordId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s)
            .map(Self)
            .map_err(|e| Error::Invalid {
                field: "id".into(),
                reason: e.to_string(),
            })
    }
}

impl Reconcile for RecordId {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
        self.to_string().reconcile(reconciler)
    }
}

impl Hydrate for RecordId {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        uuid::Uuid::parse_str(s)
            .map(Self)
            .map_err(|_| HydrateError::unexpected("a UUID", s.to_string()))
    }
}

/// A calendar date, stored as ISO `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Date(pub chrono::NaiveDate);

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> crate::Result<Self> {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Self)
            .map_err(|e| Error::Invalid {
                field: "date".into(),
                reason: format!("expected YYYY-MM-DD: {e}"),
            })
    }

    /// This date plus `months` calendar months (clamped to the month's last day: 31 Jan + 1 month = 28/29 Feb).
    pub fn plus_months(self, months: u32) -> Self {
        Self(
            self.0
                .checked_add_months(chrono::Months::new(months))
                .unwrap_or(chrono::NaiveDate::MAX),
        )
    }

    /// Today's date in Vietnam (UTC+7).
    pub fn today_vn() -> Self {
        let now = chrono::Utc::now();
        Self(
            chrono::FixedOffset::east_opt(7 * 3600)
                .map_or(now.date_naive(), |vn| now.with_timezone(&vn).date_naive()),
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.format("%Y-%m-%d").fmt(f)
    }
}

impl Reconcile for Date {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
        self.to_string().reconcile(reconciler)
    }
}

impl Hydrate for Date {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Self)
            .map_err(|_| HydrateError::unexpected("a YYYY-MM-DD date", s.to_string()))
    }
}
