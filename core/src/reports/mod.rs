//! Reports: the OCOP summary a province sends upward, and its exports (XLSX, CSV, GeoJSON).
//!
//! [`Store::ocop_report`] computes an [`OcopReport`] from a store's projections — a device's store, or the hub's
//! read model (a core store following the hub's log), so the figures are the same wherever they are computed:
//!
//! - certified products (3★, 4★, 5★ and potential 5★) in total, by product group and by commune;
//! - of them, women-owned (the producer is recorded as women-owned) and present on e-commerce platforms (by
//!   platform);
//! - certificates expiring within 90 days of the report date ("as of"), and those already expired;
//! - visits pending review, from a pluggable [`ReviewQueue`] (default: submitted visits that no review document
//!   names, [`SubmittedWithoutReview`]).
//!
//! A product is counted under the producer it belongs to *now*: when its producer was merged into another, under
//! the producer kept ([`Store::effective_producer`]), so a merge never drops or double-counts a product.
//!
//! [`OcopReport::tables`] lays the report out as tables with Vietnamese and English headers; the writers in
//! [`export`] turn the tables into an XLSX workbook (a sheet per table), CSV files (one per table, UTF-8 with a
//! BOM so Excel reads the diacritics) and, from the store, GeoJSON ([`geojson`]).

pub mod export;
pub mod geojson;
pub mod sample;
mod tables;

pub use tables::{Cell, Table};

use std::collections::{BTreeMap, HashMap};

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{Date, Millis, RecordId};
use crate::records::{OcopStage, RecordKind};
use crate::reference::Catalog;
use crate::store::Store;

/// What to report on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Only this province (2025 code); `None`: everything in the store.
    pub province_code: Option<String>,
    /// The report date: certificates are "expiring" between this date and `expiring_within_days` after it.
    pub as_of: Date,
    /// The expiry window, days (90 in provincial reports).
    pub expiring_within_days: u32,
}

impl ReportOptions {
    /// Everything in the store, as of `as_of`, with the 90-day expiry window.
    pub fn as_of(as_of: Date) -> Self {
        Self {
            province_code: None,
            as_of,
            expiring_within_days: 90,
        }
    }
}

/// Counts of certified products by class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarCounts {
    /// 3★.
    pub three_star: u32,
    /// 4★.
    pub four_star: u32,
    /// 5★ (national).
    pub five_star: u32,
    /// Potential 5★ (5★ at province level, proposed for national rating).
    pub potential_five_star: u32,
}

impl StarCounts {
    /// All certified products.
    pub fn total(&self) -> u32 {
        self.three_star + self.four_star + self.five_star + self.potential_five_star
    }

    fn add(&mut self, stage: OcopStage) {
        match stage {
            OcopStage::ThreeStar => self.three_star += 1,
            OcopStage::FourStar => self.four_star += 1,
            OcopStage::FiveStar => self.five_star += 1,
            OcopStage::PotentialFiveStar => self.potential_five_star += 1,
            OcopStage::Candidate | OcopStage::Registered | OcopStage::NotCertified => {}
        }
    }
}

/// One product group's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLine {
    /// Group code (`food`).
    pub code: String,
    /// Group name in Vietnamese (from the criteria decision in force on the report date).
    pub name_vi: String,
    /// Group name in English.
    pub name_en: String,
    /// Certified products by class.
    pub stars: StarCounts,
}

/// One commune's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneLine {
    /// Commune code.
    pub code: String,
    /// Commune name (as recorded on the products).
    pub name: String,
    /// Certified products by class.
    pub stars: StarCounts,
    /// Of which women-owned.
    pub women_owned: u32,
    /// Of which on at least one e-commerce platform.
    pub on_ecommerce: u32,
}

/// A certified product whose certificate expires soon (or has expired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringCertificate {
    /// The product.
    pub product_id: RecordId,
    /// Product name.
    pub product: String,
    /// Producer name (the producer kept, after merges).
    pub producer: String,
    /// Commune name.
    pub commune: String,
    /// Class (stable stage name).
    pub stage: String,
    /// Certificate number.
    pub certificate_no: Option<String>,
    /// Expiry date.
    pub expires: Date,
    /// Days from the report date to expiry (negative when expired).
    pub days_left: i64,
}

/// A visit waiting for a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingVisit {
    /// The visit.
    pub visit_id: RecordId,
    /// Producer name, when the visit names one.
    pub producer: Option<String>,
    /// Commune code.
    pub commune_code: String,
    /// Collector's user id.
    pub collector: String,
    /// When it was submitted.
    pub submitted_at: Option<Millis>,
}

/// The OCOP summary report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcopReport {
    /// What it covers.
    pub options: ReportOptions,
    /// Certified products by class.
    pub stars: StarCounts,
    /// Certified products whose producer is women-owned.
    pub women_owned: u32,
    /// Certified products on at least one e-commerce platform.
    pub on_ecommerce: u32,
    /// Certified products by platform (a product on two platforms counts once on each).
    pub ecommerce_by_platform: BTreeMap<String, u32>,
    /// Products not (yet) certified: candidates and registered for evaluation.
    pub candidates: u32,
    /// By product group, in the decision's group order, then unknown codes.
    pub by_group: Vec<GroupLine>,
    /// By commune, by code.
    pub by_commune: Vec<CommuneLine>,
    /// Certificates expiring within the window, soonest first.
    pub expiring: Vec<ExpiringCertificate>,
    /// Certificates already expired on the report date (still rated in the records), soonest first.
    pub expired: Vec<ExpiringCertificate>,
    /// Visits pending review, oldest first.
    pub pending_review: Vec<PendingVisit>,
}

/// Decides which visits are pending review (the review workflow plugs its own queue in here).
pub trait ReviewQueue {
    /// The visits waiting for a supervisor, within `province` when given.
    fn pending_visits(&self, store: &Store, province: Option<&str>) -> Result<Vec<PendingVisit>>;
}

/// The simple queue: submitted visits that no review document names (its `target` field).
#[derive(Debug, Clone, Copy, Default)]
pub struct SubmittedWithoutReview;

impl ReviewQueue for SubmittedWithoutReview {
    fn pending_visits(&self, store: &Store, province: Option<&str>) -> Result<Vec<PendingVisit>> {
        let reviewed = store.reviewed_targets()?;
        // (visit id, producer name, commune code, collector, submitted at)
        type Row = (String, Option<String>, String, String, Option<Millis>);
        let rows: Vec<Row> =
            store.with_conn(|conn| {
                let mut stmt = conn.prepare(
                    "SELECT v.id, p.name, v.commune_code, v.collector, v.submitted_at
                     FROM visits v LEFT JOIN producers p ON p.id = v.producer_id
                     WHERE v.state = 'submitted' AND (?1 IS NULL OR v.province_code = ?1)
                     ORDER BY v.submitted_at, v.id",
                )?;
                let rows = stmt.query_map(params![province], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })?;
        let mut out = Vec::new();
        for (id, producer, commune_code, collector, submitted_at) in rows {
            let visit_id: RecordId = id.parse()?;
            if reviewed.contains(&visit_id) {
                continue;
            }
            out.push(PendingVisit {
                visit_id,
                producer,
                commune_code,
                collector,
                submitted_at,
            });
        }
        Ok(out)
    }
}

struct ProductRow {
    id: RecordId,
    producer: RecordId,
    name: String,
    group: String,
    commune_code: String,
    commune_name: String,
    stage: OcopStage,
    certificate_no: Option<String>,
    expires: Option<String>,
    ecommerce: Vec<String>,
}

struct ProducerRow {
    name: String,
    women_owned: bool,
    merged_into: Option<RecordId>,
}

fn parse_stage(s: &str) -> Option<OcopStage> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

impl Store {
    /// The OCOP summary report, with visits pending review from the simple queue ([`SubmittedWithoutReview`]).
    pub fn ocop_report(&self, options: &ReportOptions) -> Result<OcopReport> {
        self.ocop_report_with(options, &SubmittedWithoutReview)
    }

    /// The OCOP summary report, with visits pending review from `queue`.
    pub fn ocop_report_with(
        &self,
        options: &ReportOptions,
        queue: &dyn ReviewQueue,
    ) -> Result<OcopReport> {
        let province = options.province_code.as_deref();
        let producers = self.report_producers()?;
        let products = self.report_products(province)?;
        let effective = |mut id: RecordId| -> RecordId {
            let mut hops = 0;
            while let Some(next) = producers.get(&id).and_then(|p| p.merged_into) {
                id = next;
                hops += 1;
                if hops > 16 {
                    break; // a cycle from two concurrent opposite merges: stop anywhere stable
                }
            }
            id
        };
        let decision = Catalog::embedded().in_force(options.as_of);
        let mut stars = StarCounts::default();
        let mut women_owned = 0;
        let mut on_ecommerce = 0;
        let mut candidates = 0;
        let mut by_platform: BTreeMap<String, u32> = BTreeMap::new();
        let mut by_group: BTreeMap<String, StarCounts> = BTreeMap::new();
        let mut by_commune: BTreeMap<String, CommuneLine> = BTreeMap::new();
        let mut expiring = Vec::new();
        let mut expired = Vec::new();
        for p in &products {
            if matches!(p.stage, OcopStage::Candidate | OcopStage::Registered) {
                candidates += 1;
            }
            if !p.stage.is_certified() {
                continue;
            }
            let owner = producers.get(&effective(p.producer));
            let women = owner.is_some_and(|o| o.women_owned);
            stars.add(p.stage);
            by_group.entry(p.group.clone()).or_default().add(p.stage);
            let line = by_commune
                .entry(p.commune_code.clone())
                .or_insert_with(|| CommuneLine {
                    code: p.commune_code.clone(),
                    name: p.commune_name.clone(),
                    stars: StarCounts::default(),
                    women_owned: 0,
                    on_ecommerce: 0,
                });
            line.stars.add(p.stage);
            if women {
                women_owned += 1;
                line.women_owned += 1;
            }
            if !p.ecommerce.is_empty() {
                on_ecommerce += 1;
                line.on_ecommerce += 1;
            }
            for platform in &p.ecommerce {
                *by_platform.entry(platform.clone()).or_default() += 1;
            }
            if let Some(expires) = p.expires.as_deref().and_then(|e| Date::parse(e).ok()) {
                let days_left = (expires.0 - options.as_of.0).num_days();
                let entry = ExpiringCertificate {
                    product_id: p.id,
                    product: p.name.clone(),
                    producer: owner.map(|o| o.name.clone()).unwrap_or_default(),
                    commune: p.commune_name.clone(),
                    stage: p.stage.as_str().to_string(),
                    certificate_no: p.certificate_no.clone(),
                    expires,
                    days_left,
                };
                if days_left < 0 {
                    expired.push(entry);
                } else if days_left <= i64::from(options.expiring_within_days) {
                    expiring.push(entry);
                }
            }
        }
        let sort = |v: &mut Vec<ExpiringCertificate>| {
            v.sort_by(|a, b| a.expires.cmp(&b.expires).then(a.product_id.cmp(&b.product_id)));
        };
        sort(&mut expiring);
        sort(&mut expired);
        let mut groups = Vec::new();
        if let Some(d) = decision {
            for g in &d.product_groups {
                if let Some(counts) = by_group.remove(&g.code) {
                    groups.push(GroupLine {
                        code: g.code.clone(),
                        name_vi: g.name_vi.clone(),
                        name_en: g.name_en.clone(),
                        stars: counts,
                    });
                }
            }
        }
        for (code, counts) in by_group {
            groups.push(GroupLine {
                name_vi: code.clone(),
                name_en: code.clone(),
                code,
                stars: counts,
            });
        }
        Ok(OcopReport {
            options: options.clone(),
            stars,
            women_owned,
            on_ecommerce,
            ecommerce_by_platform: by_platform,
            candidates,
            by_group: groups,
            by_commune: by_commune.into_values().collect(),
            expiring,
            expired,
            pending_review: queue.pending_visits(self, province)?,
        })
    }

    /// Ids of the records that some review document names (its `target` field), read from the documents so it
    /// works whatever the review projection looks like.
    pub fn reviewed_targets(&self) -> Result<std::collections::HashSet<RecordId>> {
        let ids: Vec<String> = self.with_conn(|conn| {
            let mut stmt = conn.prepare("SELECT id FROM documents WHERE kind = ?1")?;
            let rows = stmt.query_map([RecordKind::Review.as_str()], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut out = std::collections::HashSet::new();
        for id in ids {
            let (doc, _) = self.read_doc(id.parse()?)?;
            if let Ok(target) = autosurgeon::hydrate_prop::<_, String, _, _>(&doc, automerge::ROOT, "target")
                && let Ok(t) = target.parse::<RecordId>()
            {
                out.insert(t);
            }
        }
        Ok(out)
    }

    fn report_producers(&self) -> Result<HashMap<RecordId, ProducerRow>> {
        let rows: Vec<(String, String, Option<bool>, Option<String>)> = self.with_conn(|conn| {
            let mut stmt =
                conn.prepare("SELECT id, name, women_owned, merged_into FROM producers")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut out = HashMap::with_capacity(rows.len());
        for (id, name, women, merged) in rows {
            out.insert(
                id.parse()?,
                ProducerRow {
                    name,
                    women_owned: women == Some(true),
                    merged_into: merged.map(|m| m.parse()).transpose()?,
                },
            );
        }
        Ok(out)
    }

    fn report_products(&self, province: Option<&str>) -> Result<Vec<ProductRow>> {
        type Raw = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
        );
        let rows: Vec<Raw> = self.with_conn(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, producer_id, name, group_code, commune_code, commune_name, stage, certificate_no,
                        expires, ecommerce
                 FROM products WHERE (?1 IS NULL OR province_code = ?1) ORDER BY id",
            )?;
            let rows = stmt.query_map(params![province], |r| <_>::try_from(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, producer, name, group, commune_code, commune_name, stage, cert, expires, ecom) in rows
        {
            let Some(stage) = parse_stage(&stage) else {
                // A stage written by a newer app: not one this report knows how to count.
                continue;
            };
            out.push(ProductRow {
                id: id.parse()?,
                producer: producer.parse()?,
                name,
                group,
                commune_code,
                commune_name,
                stage,
                certificate_no: cert,
                expires,
                ecommerce: ecom
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
        }
        Ok(out)
    }
}
