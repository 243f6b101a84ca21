//! Merging duplicate producers: a supervisor merges B into A.
//!
//! A merge is nothing but ordinary document edits, so it syncs and converges like any other change:
//!
//! 1. every product of B gets `producer = A` (and A's province and commune, when they differ: a product lives
//!    where its producer does);
//! 2. every visit of B gets `producer = A`;
//! 3. last, B's `status` becomes `merged_into A`. B is never deleted: it stays readable by id, and lists, searches
//!    and duplicate searches leave it out.
//!
//! Each edit is its own durable transaction, in that order, so a merge cut short (a crash, a full disk) leaves B
//! active with some records already moved: running the same merge again finishes it.
//!
//! Edits made elsewhere while the merge travels still land on A: a concurrent edit of one of B's products
//! touches other fields than `producer`, so both edits merge. A product or visit *created* for B on another
//! device before it learnt of the merge still names B after sync; [`Store::merge_stragglers`] lists such records
//! and [`Store::repoint_stragglers`] moves them (the hub or a supervisor's device runs it after a sync), and
//! [`Store::effective_producer`] follows `merged_into` for readers that cannot wait (reports do).
//!
//! Only supervisors merge. Until the permission matrix (`crate::permissions`, issue 5 part 2) lands on this branch
//! the rule is checked here, on the author's role; the hub enforces roles on what it accepts.

use serde::{Deserialize, Serialize};

use super::{ProductFilter, Store, VisitFilter};
use crate::error::{Error, Result};
use crate::identity::{Author, Role};
use crate::ids::RecordId;
use crate::records::{ProducerPatch, ProducerStatus, ProductPatch, RecordKind, put_field};

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeReport {
    /// The producer kept.
    pub kept: RecordId,
    /// The producer merged into it.
    pub merged: RecordId,
    /// Products moved to the kept producer.
    pub products_moved: Vec<RecordId>,
    /// Visits moved to the kept producer.
    pub visits_moved: Vec<RecordId>,
}

/// Products and visits that still name a merged producer (created elsewhere before the merge reached them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stragglers {
    /// `(product, the producer it should name)`.
    pub products: Vec<(RecordId, RecordId)>,
    /// `(visit, the producer it should name)`.
    pub visits: Vec<(RecordId, RecordId)>,
}

impl Stragglers {
    /// True when nothing names a merged producer.
    pub fn is_empty(&self) -> bool {
        self.products.is_empty() && self.visits.is_empty()
    }
}

fn merge_error(reason: impl Into<String>) -> Error {
    Error::Invalid {
        field: "merge".into(),
        reason: reason.into(),
    }
}

impl Store {
    /// Merges producer `duplicate` (B) into `keep` (A): B's products and visits move to A, and B becomes
    /// "merged into A". Only supervisors may merge.
    ///
    /// Errors ([`Error::Invalid`] with field `merge`, unless noted): merging a producer into itself; B already
    /// merged (into A or another); A itself merged into another producer (merge into that one instead); either
    /// not found ([`Error::NotFound`]); the author not a supervisor ([`Error::Forbidden`]).
    pub fn merge_producers(
        &self,
        author: &Author,
        keep: RecordId,
        duplicate: RecordId,
    ) -> Result<MergeReport> {
        if author.role != Role::Supervisor {
            return Err(Error::Forbidden(
                "only supervisors may merge producers".into(),
            ));
        }
        if keep == duplicate {
            return Err(merge_error("a producer cannot be merged into itself"));
        }
        let a = self.producer(keep)?;
        let b = self.producer(duplicate)?;
        match a.status {
            ProducerStatus::MergedInto(other) => {
                return Err(merge_error(format!(
                    "the producer to keep is itself merged into {other}; merge into that one"
                )));
            }
            ProducerStatus::Active | ProducerStatus::Archived => {}
        }
        match b.status {
            ProducerStatus::MergedInto(other) if other == keep => {
                return Err(merge_error("already merged into this producer"));
            }
            ProducerStatus::MergedInto(other) => {
                return Err(merge_error(format!(
                    "already merged into another producer ({other})"
                )));
            }
            ProducerStatus::Active | ProducerStatus::Archived => {}
        }
        let place = (a.address.province.clone(), a.address.commune.clone());
        let mut report = MergeReport {
            kept: keep,
            merged: duplicate,
            ..Default::default()
        };
        for product in self.all_products_of(duplicate)? {
            self.repoint_product(author, product, keep, &place)?;
            report.products_moved.push(product);
        }
        for visit in self.all_visits_of(duplicate)? {
            self.repoint_visit(author, visit, keep)?;
            report.visits_moved.push(visit);
        }
        let patch = ProducerPatch {
            status: Some(ProducerStatus::MergedInto(keep)),
            ..Default::default()
        };
        self.write_doc(duplicate, RecordKind::Producer, author, false, |doc| {
            patch.write(doc)
        })?;
        Ok(report)
    }

    /// The producer a record should be filed under: `id` itself, or the producer it was merged into (followed
    /// to the end; a cycle left by two concurrent opposite merges stops at the first producer seen twice).
    pub fn effective_producer(&self, id: RecordId) -> Result<RecordId> {
        let mut current = id;
        let mut seen = vec![id];
        loop {
            let merged: Option<String> = self.with_conn(|conn| {
                use rusqlite::OptionalExtension;
                Ok(conn
                    .query_row(
                        "SELECT merged_into FROM producers WHERE id = ?1",
                        [current.to_string()],
                        |r| r.get::<_, Option<String>>(0),
                    )
                    .optional()?
                    .flatten())
            })?;
            match merged {
                Some(next) => {
                    let next: RecordId = next.parse()?;
                    if seen.contains(&next) {
                        return Ok(current);
                    }
                    seen.push(next);
                    current = next;
                }
                None => return Ok(current),
            }
        }
    }

    /// Products and visits naming a producer that has been merged (see the module docs).
    pub fn merge_stragglers(&self) -> Result<Stragglers> {
        let rows = |sql: &str| -> Result<Vec<(RecordId, RecordId)>> {
            let raw: Vec<(String, String)> = self.with_conn(|conn| {
                let mut stmt = conn.prepare(sql)?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })?;
            let mut out = Vec::new();
            for (record, producer) in raw {
                out.push((record.parse()?, self.effective_producer(producer.parse()?)?));
            }
            Ok(out)
        };
        Ok(Stragglers {
            products: rows(
                "SELECT pr.id, p.id FROM products pr JOIN producers p ON p.id = pr.producer_id
                 WHERE p.status = 'merged_into' ORDER BY pr.id",
            )?,
            visits: rows(
                "SELECT v.id, p.id FROM visits v JOIN producers p ON p.id = v.producer_id
                 WHERE p.status = 'merged_into' ORDER BY v.id",
            )?,
        })
    }

    /// Moves every straggler (see [`Store::merge_stragglers`]) to the producer it should name. Supervisors only.
    pub fn repoint_stragglers(&self, author: &Author) -> Result<Stragglers> {
        if author.role != Role::Supervisor {
            return Err(Error::Forbidden(
                "only supervisors may merge producers".into(),
            ));
        }
        let found = self.merge_stragglers()?;
        for (product, target) in &found.products {
            let a = self.producer(*target)?;
            let place = (a.address.province.clone(), a.address.commune.clone());
            self.repoint_product(author, *product, *target, &place)?;
        }
        for (visit, target) in &found.visits {
            self.repoint_visit(author, *visit, *target)?;
        }
        Ok(found)
    }

    fn all_products_of(&self, producer: RecordId) -> Result<Vec<RecordId>> {
        let mut out = Vec::new();
        loop {
            let page = self.list_products(&ProductFilter {
                producer_id: Some(producer),
                limit: 10_000,
                offset: out.len(),
                ..Default::default()
            })?;
            let done = page.len() < 10_000;
            out.extend(page.into_iter().map(|p| p.id));
            if done {
                return Ok(out);
            }
        }
    }

    fn all_visits_of(&self, producer: RecordId) -> Result<Vec<RecordId>> {
        let mut out = Vec::new();
        loop {
            let page = self.list_visits(&VisitFilter {
                producer_id: Some(producer),
                limit: 10_000,
                offset: out.len(),
                ..Default::default()
            })?;
            let done = page.len() < 10_000;
            out.extend(page.into_iter().map(|v| v.id));
            if done {
                return Ok(out);
            }
        }
    }

    fn repoint_product(
        &self,
        author: &Author,
        product: RecordId,
        to: RecordId,
        place: &(crate::places::UnitRef, crate::places::UnitRef),
    ) -> Result<()> {
        let current = self.product(product)?;
        let move_place = current.province != place.0 || current.commune != place.1;
        let patch = ProductPatch {
            place: move_place.then(|| place.clone()),
            ..Default::default()
        };
        self.write_doc(product, RecordKind::Product, author, false, |doc| {
            if current.producer != to {
                put_field(doc, "producer", &to)?;
            }
            patch.write(doc)
        })
    }

    fn repoint_visit(&self, author: &Author, visit: RecordId, to: RecordId) -> Result<()> {
        let current = self.visit(visit)?;
        if current.producer == Some(to) {
            return Ok(());
        }
        self.write_doc(visit, RecordKind::Visit, author, false, |doc| {
            put_field(doc, "producer", &Some(to))
        })
    }
}
