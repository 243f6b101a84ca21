//! Review documents: a supervisor's decision on a record, naming the exact version it was made on.
//!
//! One review is one document, written once and never edited (see [`crate::review`] for why). It names the
//! record, the record document's **heads** at the moment of the review, the decision, comments (general and per
//! field), the reviewer and the time, the reviews of the same record it supersedes, and the record's place (so it
//! travels to exactly the devices that see the record).
//!
//! Whether a review still applies is decided by comparing its heads with the record document
//! ([`coverage`]): the review is **stale** when the record holds a change that is not among the reviewed heads or
//! their ancestors — an edit made after the review, or a concurrent edit the reviewer never saw. A change merely
//! arriving in a different order, or the review documents themselves, never make a review stale.

use std::collections::BTreeMap;

use automerge::{AutoCommit, ChangeHash};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::ids::{Millis, RecordId};
use crate::places::UnitRef;

/// A supervisor's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Accepted as it is.
    #[autosurgeon(rename = "approved")]
    Approved,
    /// Sent back to its collector with comments, to be corrected and resubmitted.
    #[autosurgeon(rename = "returned")]
    Returned,
    /// Refused (not an OCOP candidate, a fake visit …); it stays on record.
    #[autosurgeon(rename = "rejected")]
    Rejected,
}

impl Decision {
    /// Stable name (`approved`, `returned`, `rejected`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Returned => "returned",
            Decision::Rejected => "rejected",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Decision> {
        Some(match s {
            "approved" => Decision::Approved,
            "returned" => Decision::Returned,
            "rejected" => Decision::Rejected,
            _ => return None,
        })
    }
}

/// A review record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Review {
    /// The review's own id.
    pub id: RecordId,
    /// The record reviewed.
    pub target: RecordId,
    /// Its kind (`producer`, `product`, `visit`).
    pub target_kind: String,
    /// The record document's heads when it was reviewed (hex change hashes, sorted).
    pub heads: Vec<String>,
    /// The decision.
    pub decision: Decision,
    /// General comment.
    #[autosurgeon(missing = "Default::default")]
    pub comment: String,
    /// Comments on single fields, by field path (e.g. `answers.main_product`, `phone`).
    #[autosurgeon(missing = "Default::default")]
    pub field_comments: BTreeMap<String, String>,
    /// Reviews of the same record the reviewer had seen when writing this one (this one replaces them).
    #[autosurgeon(missing = "Default::default")]
    pub supersedes: Vec<RecordId>,
    /// User id of the reviewer.
    pub reviewer: String,
    /// Display name of the reviewer.
    #[autosurgeon(missing = "Default::default")]
    pub reviewer_name: String,
    /// When it was written.
    pub at: Millis,
    /// The record's province (decides who receives the review).
    pub province: UnitRef,
    /// The record's commune.
    pub commune: UnitRef,
}

/// How a review's heads relate to a record document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// The record is exactly what the reviewer saw, or less (nothing changed since).
    Current,
    /// The record holds changes the reviewer did not see.
    Stale,
    /// The reviewer saw changes this device does not have yet; the review is taken as current until they arrive.
    Ahead,
}

/// Parses stored heads (hex hashes); `None` when one is not a change hash.
pub fn parse_heads(heads: &[String]) -> Option<Vec<ChangeHash>> {
    heads.iter().map(|h| h.parse::<ChangeHash>().ok()).collect()
}

/// The heads of a document as a review stores them (hex, sorted).
pub fn heads_of(doc: &mut AutoCommit) -> Vec<String> {
    let mut hs: Vec<String> = doc.get_heads().iter().map(|h| h.to_string()).collect();
    hs.sort();
    hs
}

/// Whether a review made at `heads` still covers `doc` (see the module docs). Malformed heads count as stale.
pub fn coverage(doc: &mut AutoCommit, heads: &[String]) -> Coverage {
    let Some(hashes) = parse_heads(heads) else {
        return Coverage::Stale;
    };
    if hashes.is_empty() {
        return Coverage::Stale;
    }
    if hashes
        .iter()
        .any(|h| doc.get_change_meta_by_hash(h).is_none())
    {
        return Coverage::Ahead;
    }
    let mut current = doc.get_heads();
    current.sort();
    let mut reviewed = hashes.clone();
    reviewed.sort();
    if current == reviewed {
        return Coverage::Current;
    }
    if doc.get_changes_meta(&hashes).is_empty() {
        Coverage::Current
    } else {
        Coverage::Stale
    }
}

/// Where a record stands with its reviewers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Never reviewed.
    Pending,
    /// Approved, and unchanged since.
    Approved,
    /// Returned to its collector, and unchanged since.
    Returned,
    /// Rejected, and unchanged since.
    Rejected,
    /// Changed since its last review: back in the queue.
    Stale,
    /// Reviews in force disagree (two supervisors decided differently without seeing each other's review).
    Conflicting,
}

impl ReviewStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Returned => "returned",
            ReviewStatus::Rejected => "rejected",
            ReviewStatus::Stale => "stale",
            ReviewStatus::Conflicting => "conflicting",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<ReviewStatus> {
        Some(match s {
            "pending" => ReviewStatus::Pending,
            "approved" => ReviewStatus::Approved,
            "returned" => ReviewStatus::Returned,
            "rejected" => ReviewStatus::Rejected,
            "stale" => ReviewStatus::Stale,
            "conflicting" => ReviewStatus::Conflicting,
            _ => return None,
        })
    }

    /// True for the states that put a record in a supervisor's queue: pending, stale, conflicting.
    pub fn needs_review(self) -> bool {
        matches!(
            self,
            ReviewStatus::Pending | ReviewStatus::Stale | ReviewStatus::Conflicting
        )
    }
}

impl From<Decision> for ReviewStatus {
    fn from(d: Decision) -> Self {
        match d {
            Decision::Approved => ReviewStatus::Approved,
            Decision::Returned => ReviewStatus::Returned,
            Decision::Rejected => ReviewStatus::Rejected,
        }
    }
}

/// The standing of a record computed from its reviews ([`standing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The state.
    pub status: ReviewStatus,
    /// Indices (into the reviews given) of the reviews in force: not superseded by another review of the set.
    pub in_force: Vec<usize>,
    /// Index of the latest review in force (among those still covering the record, when there are any).
    pub latest: Option<usize>,
    /// Per review given: true when it no longer covers the record.
    pub stale: Vec<bool>,
}

/// Where a record stands given all its reviews.
///
/// - The reviews **in force** are those no other review of the record supersedes (a supervisor who writes a new
///   review after seeing earlier ones replaces them; two supervisors reviewing offline replace nothing).
/// - Among the reviews in force, those that still cover the record ([`coverage`]) decide: all the same decision →
///   that decision; different decisions → [`ReviewStatus::Conflicting`].
/// - When every review in force is stale, the record is [`ReviewStatus::Stale`]; with no reviews it is pending.
pub fn standing(doc: &mut AutoCommit, reviews: &[Review]) -> Standing {
    let stale: Vec<bool> = reviews
        .iter()
        .map(|r| coverage(doc, &r.heads) == Coverage::Stale)
        .collect();
    let in_force: Vec<usize> = (0..reviews.len())
        .filter(|&i| {
            !reviews
                .iter()
                .any(|other| other.id != reviews[i].id && other.supersedes.contains(&reviews[i].id))
        })
        .collect();
    let live: Vec<usize> = in_force.iter().copied().filter(|&i| !stale[i]).collect();
    let latest = if live.is_empty() { &in_force } else { &live }
        .iter()
        .copied()
        .max_by_key(|&i| (reviews[i].at, reviews[i].id));
    let status = if reviews.is_empty() {
        ReviewStatus::Pending
    } else if live.is_empty() {
        ReviewStatus::Stale
    } else {
        let first = reviews[live[0]].decision;
        if live.iter().all(|&i| reviews[i].decision == first) {
            first.into()
        } else {
            ReviewStatus::Conflicting
        }
    };
    Standing {
        status,
        in_force,
        latest,
        stale,
    }
}
