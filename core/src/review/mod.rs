//! Supervisor review: decisions on records, the review queue, and what goes back to collectors.
//!
//! ## The model
//!
//! A supervisor reviews a record (a visit, mostly; producers and products too) and decides: **approved**,
//! **returned** to its collector with comments (a general one and per field, e.g. `answers.main_product`), or
//! **rejected**. The decision is a [`Review`] document that names the record and the record document's exact
//! **heads** at the moment of the review ([`crate::records::review`]).
//!
//! **One document per review, written once.** Two supervisors reviewing the same visit offline write two
//! documents; sync merges them by simply keeping both — nothing in either is overwritten, there is no list to
//! merge and no field to conflict, and the hub's permission rule stays simple (a review is created by its
//! reviewer and never edited). The alternative, one document per record holding a list of reviews, would merge
//! too (automerge lists keep concurrent inserts), but every supervisor would then edit a shared document, which
//! the hub could not tell apart from editing someone else's decision. A changed mind is a new review that names
//! the reviews it **supersedes** (every review of the record the supervisor had seen).
//!
//! ## Where a record stands ([`ReviewStatus`])
//!
//! - `pending`: never reviewed;
//! - `approved` / `returned` / `rejected`: the reviews in force (not superseded) that still cover the record agree;
//! - `stale`: the record changed after its reviews in force — it has a change that is not among the reviewed heads
//!   or their ancestors (an edit after the review, or a concurrent edit the reviewer never saw). Heads that differ
//!   only because changes arrived in another order do not count, and reviews are separate documents, so writing a
//!   review never makes another stale;
//! - `conflicting`: two reviews in force, each covering the record, decide differently (two supervisors offline);
//!   the queue shows both, and a new review that supersedes them settles it.
//!
//! The state is a projection (`review_state`, with the reviews in `reviews`), updated whenever a record or one of
//! its reviews changes, by a local write or by sync, and rebuilt from the documents by
//! [`Store::rebuild_projections`].
//!
//! ## The cycle of a visit
//!
//! 1. The collector submits it ([`Store::submit_visit`]): it appears in [`Store::review_queue`] as `pending`.
//! 2. A supervisor returns it ([`Store::write_review`] with [`Decision::Returned`] and comments).
//! 3. After sync the collector finds it in [`Store::returned_to`] with the comments, reopens it
//!    ([`Store::reopen_visit`], back to draft), corrects it, and submits it again.
//! 4. It is back in the queue as `stale` (changed since its review) until a supervisor decides again.
//!
//! ## API (for apps and the hub's pages)
//!
//! | call | what |
//! |---|---|
//! | [`Store::write_review`]`(author, record, decision, comments)` | a new review of the record as this store has it now; supervisors only |
//! | [`Store::review`]`(id)` | one review |
//! | [`Store::reviews_of`]`(record)` | every review of a record, oldest first, each with `stale` / `in_force` |
//! | [`Store::review_status`]`(record)` | where the record stands, with the reviews in force |
//! | [`Store::review_queue`]`(&QueueFilter)` | submitted visits and reviewed records, by state, commune, product group, flags |
//! | [`Store::returned_to`]`(user_id)` | what was returned to a collector, with the comments |
//! | [`Store::reopen_visit`]`(author, visit)` | the collector takes a returned visit back to draft |
//!
//! Every write is checked by [`crate::permissions`]: only supervisors write reviews, in their scope.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::identity::Author;
use crate::ids::{Millis, RecordId, now_millis};
use crate::places::UnitRef;
use crate::records::{self, RecordKind, VisitState};
use crate::store::Store;
use crate::store::project::{REVIEW_COLUMNS, review_from_row, reviews_of};

pub use crate::records::review::{Coverage, Decision, Review, ReviewStatus};

/// Longest general comment, in characters.
pub const MAX_COMMENT: usize = 5000;
/// Most per-field comments on one review.
pub const MAX_FIELD_COMMENTS: usize = 200;

/// The comments of a review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comments {
    /// A general comment.
    pub general: String,
    /// Comments on single fields, by field path (`answers.<question>`, `phone`, `photos`, …).
    pub fields: BTreeMap<String, String>,
}

impl Comments {
    /// Only a general comment.
    pub fn general(text: impl Into<String>) -> Self {
        Self {
            general: text.into(),
            fields: BTreeMap::new(),
        }
    }

    /// Adds a comment on a field.
    pub fn on(mut self, field: impl Into<String>, text: impl Into<String>) -> Self {
        self.fields.insert(field.into(), text.into());
        self
    }

    fn is_empty(&self) -> bool {
        self.general.trim().is_empty() && self.fields.values().all(|c| c.trim().is_empty())
    }
}

/// A review as listed for a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewInfo {
    /// The review.
    pub review: Review,
    /// The record changed since this review.
    pub stale: bool,
    /// No later review supersedes it.
    pub in_force: bool,
}

/// Where a record stands, with its reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordReview {
    /// The record.
    pub record: RecordId,
    /// Its kind.
    pub kind: RecordKind,
    /// The state.
    pub status: ReviewStatus,
    /// Every review of the record, oldest first.
    pub reviews: Vec<ReviewInfo>,
}

impl RecordReview {
    /// The reviews in force that still cover the record (two or more with different decisions when
    /// [`ReviewStatus::Conflicting`]).
    pub fn deciding(&self) -> Vec<&Review> {
        self.reviews
            .iter()
            .filter(|r| r.in_force && !r.stale)
            .map(|r| &r.review)
            .collect()
    }
}

/// Which records the queue lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QueueFilter {
    /// Only this state.
    pub state: Option<ReviewStatus>,
    /// Only records needing a decision (pending, stale, conflicting); ignored when `state` is given.
    pub needs_review: bool,
    /// Only this commune.
    pub commune_code: Option<String>,
    /// Only visits of products of this OCOP product group (and products of it).
    pub product_group: Option<String>,
    /// `Some(true)`: only visits with GPS/photo quality flags; `Some(false)`: only visits without.
    pub flagged: Option<bool>,
    /// At most this many (0 = 100).
    pub limit: usize,
    /// Skip this many.
    pub offset: usize,
}

/// One line of the review queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    /// The record.
    pub record: RecordId,
    /// Its kind (`visit` for submitted visits; reviewed producers and products too).
    pub kind: RecordKind,
    /// Where it stands.
    pub status: ReviewStatus,
    /// Decision of the latest review in force (for `stale`: the decision that no longer applies).
    pub decision: Option<Decision>,
    /// Who decided (reviews in force).
    pub reviewers: Vec<String>,
    /// When the latest review in force was written.
    pub reviewed_at: Option<Millis>,
    /// Producer (of a visit or product; the record itself for a producer).
    pub producer_id: Option<RecordId>,
    /// Producer's name, when known here.
    pub producer_name: Option<String>,
    /// Product (of a visit; the record itself for a product).
    pub product_id: Option<RecordId>,
    /// Product's OCOP group, when known here.
    pub product_group: Option<String>,
    /// Province code.
    pub province_code: String,
    /// Commune code.
    pub commune_code: String,
    /// The collector (visits) or registrar (producers, products).
    pub owner: String,
    /// When the visit was submitted (visits).
    pub submitted_at: Option<Millis>,
    /// Quality flags (visits).
    pub flags: Vec<String>,
    /// Open conflicts on the record.
    pub open_conflicts: u32,
}

/// A record returned to its collector, with the review that returned it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Returned {
    /// The record.
    pub record: RecordId,
    /// Its kind.
    pub kind: RecordKind,
    /// The review that returned it (its comments).
    pub review: Review,
    /// For visits: its state now (`draft` once reopened; it leaves this list when submitted again).
    pub visit_state: Option<VisitState>,
}

fn check_comment(field: &str, text: &str) -> Result<()> {
    if text.chars().count() > MAX_COMMENT {
        return Err(Error::Invalid {
            field: field.into(),
            reason: format!("longer than {MAX_COMMENT} characters"),
        });
    }
    Ok(())
}

fn parse_id(s: &str) -> rusqlite::Result<RecordId> {
    s.parse::<RecordId>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl Store {
    /// Writes a supervisor's review of `record` as this store holds it now (its current heads). A returned or
    /// rejected record needs a comment (general or on a field); a visit must have been submitted. Reviews of the
    /// record already here are named as superseded. Supervisors only, in their scope ([`crate::permissions`]).
    pub fn write_review(
        &self,
        author: &Author,
        record: RecordId,
        decision: Decision,
        comments: Comments,
    ) -> Result<Review> {
        check_comment("comment", &comments.general)?;
        if comments.fields.len() > MAX_FIELD_COMMENTS {
            return Err(Error::Invalid {
                field: "field_comments".into(),
                reason: format!("more than {MAX_FIELD_COMMENTS} field comments"),
            });
        }
        for (path, text) in &comments.fields {
            if path.trim().is_empty() || path.chars().count() > 200 {
                return Err(Error::Invalid {
                    field: "field_comments".into(),
                    reason: "a field path must be 1 to 200 characters".into(),
                });
            }
            check_comment("field_comments", text)?;
        }
        if decision != Decision::Approved && comments.is_empty() {
            return Err(Error::Invalid {
                field: "comment".into(),
                reason: format!("a {} record needs a comment saying why", decision.as_str()),
            });
        }
        let (mut doc, kind) = self.read_doc(record)?;
        let (province, commune): (UnitRef, UnitRef) = match kind {
            RecordKind::Producer => {
                let p: records::Producer = records::read(&doc)?;
                (p.address.province, p.address.commune)
            }
            RecordKind::Product => {
                let p: records::Product = records::read(&doc)?;
                (p.province, p.commune)
            }
            RecordKind::Visit => {
                let v: records::Visit = records::read(&doc)?;
                if v.state != VisitState::Submitted {
                    return Err(Error::Invalid {
                        field: "record".into(),
                        reason: "the visit is a draft; it is reviewed once submitted".into(),
                    });
                }
                (v.province, v.commune)
            }
            RecordKind::Review | RecordKind::Form => {
                return Err(Error::Invalid {
                    field: "record".into(),
                    reason: format!("a {} record is not reviewed", kind.as_str()),
                });
            }
        };
        let supersedes: Vec<RecordId> = self
            .with_conn(|c| reviews_of(c, record))?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let review = Review {
            id: RecordId::new(),
            target: record,
            target_kind: kind.as_str().to_string(),
            heads: records::review::heads_of(&mut doc),
            decision,
            comment: comments.general.trim().to_string(),
            field_comments: comments
                .fields
                .into_iter()
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            supersedes,
            reviewer: author.user_id.clone(),
            reviewer_name: author.name.clone(),
            at: now_millis(),
            province,
            commune,
        };
        self.write_doc(review.id, RecordKind::Review, author, true, |d| {
            records::create(d, RecordKind::Review, &review)
        })?;
        Ok(review)
    }

    /// One review, read from its document.
    pub fn review(&self, id: RecordId) -> Result<Review> {
        let (doc, kind) = self.read_doc(id)?;
        if kind != RecordKind::Review {
            return Err(Error::NotFound {
                kind: "review",
                id: id.to_string(),
            });
        }
        records::read(&doc)
    }

    /// Every review of a record held here, oldest first, each marked stale or not and in force or superseded.
    pub fn reviews_of(&self, record: RecordId) -> Result<Vec<ReviewInfo>> {
        Ok(self.review_status(record)?.reviews)
    }

    /// Where a record stands with its reviewers.
    pub fn review_status(&self, record: RecordId) -> Result<RecordReview> {
        let (mut doc, kind) = self.read_doc(record)?;
        let reviews = self.with_conn(|c| reviews_of(c, record))?;
        let st = records::review::standing(&mut doc, &reviews);
        let reviews = reviews
            .into_iter()
            .enumerate()
            .map(|(i, review)| ReviewInfo {
                review,
                stale: st.stale[i],
                in_force: st.in_force.contains(&i),
            })
            .collect();
        Ok(RecordReview {
            record,
            kind,
            status: st.status,
            reviews,
        })
    }

    /// The review queue: every submitted visit (with its review state, `pending` when never reviewed) and every
    /// reviewed producer or product, oldest submission first. See [`QueueFilter`].
    pub fn review_queue(&self, f: &QueueFilter) -> Result<Vec<QueueItem>> {
        let state = f.state.map(ReviewStatus::as_str);
        let limit = if f.limit == 0 {
            100
        } else {
            f.limit.min(10_000)
        } as i64;
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT q.id, q.kind, q.state, rs.decision, rs.reviewers, rs.reviewed_at, q.producer_id,
                        pr.name, q.product_id, pd.group_code, q.province_code, q.commune_code, q.owner,
                        q.submitted_at, q.flags,
                        (SELECT COUNT(*) FROM conflicts c WHERE c.doc_id = q.id)
                 FROM (
                    SELECT v.id, 'visit' AS kind, COALESCE(rs.state, 'pending') AS state, v.producer_id,
                           v.product_id, v.province_code, v.commune_code, v.collector AS owner,
                           v.submitted_at, v.flags, COALESCE(v.submitted_at, v.started_at) AS sort_at
                    FROM visits v LEFT JOIN review_state rs ON rs.target_id = v.id
                    WHERE v.state = 'submitted'
                    UNION ALL
                    SELECT p.id, 'product', rs.state, p.producer_id, p.id, p.province_code, p.commune_code,
                           p.created_by, NULL, '', rs.reviewed_at
                    FROM review_state rs JOIN products p ON p.id = rs.target_id
                    UNION ALL
                    SELECT p.id, 'producer', rs.state, p.id, NULL, p.province_code, p.commune_code,
                           p.created_by, NULL, '', rs.reviewed_at
                    FROM review_state rs JOIN producers p ON p.id = rs.target_id
                 ) q
                 LEFT JOIN review_state rs ON rs.target_id = q.id
                 LEFT JOIN producers pr ON pr.id = q.producer_id
                 LEFT JOIN products pd ON pd.id = q.product_id
                 WHERE (?1 IS NULL OR q.state = ?1)
                   AND (?1 IS NOT NULL OR ?2 = 0 OR q.state IN ('pending', 'stale', 'conflicting'))
                   AND (?3 IS NULL OR q.commune_code = ?3)
                   AND (?4 IS NULL OR pd.group_code = ?4)
                   AND (?5 IS NULL OR (?5 = 1 AND q.flags != '') OR (?5 = 0 AND q.flags = ''))
                 ORDER BY q.sort_at, q.id
                 LIMIT ?6 OFFSET ?7",
            )?;
            let rows = stmt.query_map(
                params![
                    state,
                    f.needs_review,
                    f.commune_code,
                    f.product_group,
                    f.flagged,
                    limit,
                    f.offset as i64
                ],
                |r| {
                    let id: String = r.get(0)?;
                    let kind: String = r.get(1)?;
                    let state: String = r.get(2)?;
                    let decision: Option<String> = r.get(3)?;
                    let reviewers: Option<String> = r.get(4)?;
                    let producer: Option<String> = r.get(6)?;
                    let product: Option<String> = r.get(8)?;
                    let flags: String = r.get(14)?;
                    Ok(QueueItem {
                        record: parse_id(&id)?,
                        kind: RecordKind::parse(&kind).unwrap_or(RecordKind::Visit),
                        status: ReviewStatus::parse(&state).unwrap_or(ReviewStatus::Pending),
                        decision: decision.as_deref().and_then(Decision::parse),
                        reviewers: reviewers
                            .and_then(|j| serde_json::from_str(&j).ok())
                            .unwrap_or_default(),
                        reviewed_at: r.get(5)?,
                        producer_id: producer.as_deref().map(parse_id).transpose()?,
                        producer_name: r.get(7)?,
                        product_id: product.as_deref().map(parse_id).transpose()?,
                        product_group: r.get(9)?,
                        province_code: r.get(10)?,
                        commune_code: r.get(11)?,
                        owner: r.get(12)?,
                        submitted_at: r.get(13)?,
                        flags: flags
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                        open_conflicts: r.get::<_, i64>(15)? as u32,
                    })
                },
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// What was returned to `user_id` (the collector of a visit, the registrar of a producer or product) and
    /// still waits for them: the review that returned it, with its comments. A visit stays here while its
    /// collector corrects it (reopened as a draft) and leaves when it is submitted again.
    pub fn returned_to(&self, user_id: &str) -> Result<Vec<Returned>> {
        let rows: Vec<(String, String, Option<String>, Review)> = self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT rs.target_id, rs.target_kind, v.state, {cols}
                 FROM review_state rs
                 JOIN reviews r ON r.id = rs.review_id
                 LEFT JOIN visits v ON v.id = rs.target_id
                 LEFT JOIN producers p ON p.id = rs.target_id
                 LEFT JOIN products pd ON pd.id = rs.target_id
                 WHERE rs.decision = 'returned'
                   AND COALESCE(v.collector, p.created_by, pd.created_by) = ?1
                   AND (rs.state = 'returned' OR (rs.state = 'stale' AND v.state = 'draft'))
                 ORDER BY rs.reviewed_at, rs.target_id",
                cols = REVIEW_COLUMNS
                    .split(", ")
                    .map(|c| format!("r.{}", c.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))?;
            let rows = stmt.query_map([user_id], |r| {
                let review = crate::store::project::review_from_row_at(r, 3)?;
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, review))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        rows.into_iter()
            .map(|(id, kind, vstate, review)| {
                Ok(Returned {
                    record: id.parse()?,
                    kind: RecordKind::parse(&kind)?,
                    review,
                    visit_state: vstate.as_deref().map(|s| {
                        if s == "draft" {
                            VisitState::Draft
                        } else {
                            VisitState::Submitted
                        }
                    }),
                })
            })
            .collect()
    }

    /// Takes a submitted visit back to draft, so its collector can correct it after it was returned; submit it
    /// again with [`Store::submit_visit`]. Only the collector (or a supervisor) may.
    pub fn reopen_visit(&self, author: &Author, visit: RecordId) -> Result<()> {
        self.write_doc(
            visit,
            RecordKind::Visit,
            author,
            false,
            records::reopen_visit,
        )
    }

    /// Every review written by `reviewer` held here, newest first (a supervisor's own history).
    pub fn reviews_by(&self, reviewer: &str, limit: usize) -> Result<Vec<Review>> {
        let limit = if limit == 0 { 100 } else { limit.min(10_000) } as i64;
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {REVIEW_COLUMNS} FROM reviews WHERE reviewer = ?1 ORDER BY at DESC, id LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![reviewer, limit], review_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
