//! Reading the store: lists and searches over projections, records read whole from their documents, conflicts,
//! and the change log that sync reads.

use rusqlite::{Row, params};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::doc::ConflictValue;
use crate::error::{Error, Result};
use crate::ids::{Millis, RecordId};
use crate::records::{self, Producer, Product, RecordKind, Visit};
use crate::text::fold;

/// One entry of a store's change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Position in this store's log.
    pub seq: i64,
    /// The document the change belongs to.
    pub doc_id: RecordId,
    /// The automerge change bytes.
    pub bytes: Vec<u8>,
}

/// Which producers to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProducerFilter {
    /// Only this province.
    pub province_code: Option<String>,
    /// Only this commune.
    pub commune_code: Option<String>,
    /// Include archived and merged producers (default: active only).
    pub include_inactive: bool,
    /// At most this many (0 = 100).
    pub limit: usize,
    /// Skip this many.
    pub offset: usize,
}

/// A producer as it appears in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProducerSummary {
    /// Id.
    pub id: RecordId,
    /// Name.
    pub name: String,
    /// Legal form (stable name).
    pub owner_kind: String,
    /// Representative's name.
    pub representative: String,
    /// Phone.
    pub phone: Option<String>,
    /// Province code.
    pub province_code: String,
    /// Commune code.
    pub commune_code: String,
    /// Commune name snapshot.
    pub commune_name: String,
    /// Women-owned, when recorded.
    pub women_owned: Option<bool>,
    /// Women-led, when recorded.
    pub women_led: Option<bool>,
    /// `active`, `archived` or `merged_into`.
    pub status: String,
    /// The producer it was merged into.
    pub merged_into: Option<RecordId>,
    /// Registered latitude.
    pub lat: Option<f64>,
    /// Registered longitude.
    pub lon: Option<f64>,
    /// Last change.
    pub updated_at: Millis,
}

/// Which products to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProductFilter {
    /// Only this producer's.
    pub producer_id: Option<RecordId>,
    /// Only this commune.
    pub commune_code: Option<String>,
    /// Only this stage (stable name, e.g. `four_star`).
    pub stage: Option<String>,
    /// Only this product group.
    pub group_code: Option<String>,
    /// At most this many (0 = 100).
    pub limit: usize,
    /// Skip this many.
    pub offset: usize,
}

/// A product as it appears in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSummary {
    /// Id.
    pub id: RecordId,
    /// Producer.
    pub producer_id: RecordId,
    /// Name.
    pub name: String,
    /// Product group code.
    pub group_code: String,
    /// Subgroup code.
    pub subgroup_code: Option<String>,
    /// Commune code.
    pub commune_code: String,
    /// Commune name snapshot.
    pub commune_name: String,
    /// OCOP stage (stable name).
    pub stage: String,
    /// Stars when certified.
    pub stars: Option<u8>,
    /// Certificate number.
    pub certificate_no: Option<String>,
    /// Certificate expiry (YYYY-MM-DD).
    pub expires: Option<String>,
    /// E-commerce platforms.
    pub ecommerce: Vec<String>,
    /// Last change.
    pub updated_at: Millis,
}

/// Which visits to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VisitFilter {
    /// Only visits of this producer.
    pub producer_id: Option<RecordId>,
    /// Only this state (`draft`, `submitted`).
    pub state: Option<String>,
    /// Only this collector.
    pub collector: Option<String>,
    /// Only this commune.
    pub commune_code: Option<String>,
    /// At most this many (0 = 100).
    pub limit: usize,
    /// Skip this many.
    pub offset: usize,
}

/// A visit as it appears in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitSummary {
    /// Id.
    pub id: RecordId,
    /// Producer visited.
    pub producer_id: Option<RecordId>,
    /// Product assessed.
    pub product_id: Option<RecordId>,
    /// Commune code.
    pub commune_code: String,
    /// Form id.
    pub form_id: String,
    /// Form version.
    pub form_version: u32,
    /// `draft` or `submitted`.
    pub state: String,
    /// Collector's user id.
    pub collector: String,
    /// Started.
    pub started_at: Millis,
    /// Submitted.
    pub submitted_at: Option<Millis>,
    /// Number of answers.
    pub answer_count: u32,
    /// Number of photos.
    pub photo_count: u32,
    /// Quality flags raised by its fixes and photos.
    pub flags: Vec<String>,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The record.
    pub id: RecordId,
    /// Its kind.
    pub kind: RecordKind,
    /// Its display title.
    pub title: String,
}

/// An open conflict, for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictInfo {
    /// The record.
    pub doc_id: RecordId,
    /// Its kind.
    pub kind: RecordKind,
    /// The field (dotted path).
    pub path: String,
    /// The competing values, who wrote them and when.
    pub values: Vec<ConflictValue>,
    /// When this store first saw the conflict.
    pub detected_at: Millis,
}

fn limit(n: usize) -> i64 {
    if n == 0 { 100 } else { n.min(10_000) as i64 }
}

fn parse_id(s: String) -> rusqlite::Result<RecordId> {
    s.parse::<RecordId>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn split_list(s: String) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Builds an FTS5 query from what a person typed: folded words, each a quoted prefix, all required.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let folded = fold(input);
    let words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Store {
    /// Reads a producer whole from its document.
    pub fn producer(&self, id: RecordId) -> Result<Producer> {
        self.read_record(id, RecordKind::Producer)
    }

    /// Reads a product whole from its document.
    pub fn product(&self, id: RecordId) -> Result<Product> {
        self.read_record(id, RecordKind::Product)
    }

    /// Reads a visit whole from its document.
    pub fn visit(&self, id: RecordId) -> Result<Visit> {
        self.read_record(id, RecordKind::Visit)
    }

    fn read_record<T: autosurgeon::Hydrate>(&self, id: RecordId, kind: RecordKind) -> Result<T> {
        self.with_doc(id, |doc, found| {
            if found != kind {
                return Err(Error::NotFound {
                    kind: kind.as_str(),
                    id: id.to_string(),
                });
            }
            records::read(doc)
        })
    }

    /// Lists producers, by name.
    pub fn list_producers(&self, f: &ProducerFilter) -> Result<Vec<ProducerSummary>> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, name, owner_kind, representative, phone, province_code, commune_code, commune_name,
                        women_owned, women_led, status, merged_into, lat, lon, updated_at
                 FROM producers
                 WHERE (?1 IS NULL OR province_code = ?1) AND (?2 IS NULL OR commune_code = ?2)
                   AND (?3 OR status = 'active')
                 ORDER BY name_folded, id LIMIT ?4 OFFSET ?5",
            )?;
            let rows = stmt.query_map(
                params![f.province_code, f.commune_code, f.include_inactive, limit(f.limit), f.offset as i64],
                |r: &Row<'_>| {
                    Ok(ProducerSummary {
                        id: parse_id(r.get(0)?)?,
                        name: r.get(1)?,
                        owner_kind: r.get(2)?,
                        representative: r.get(3)?,
                        phone: r.get(4)?,
                        province_code: r.get(5)?,
                        commune_code: r.get(6)?,
                        commune_name: r.get(7)?,
                        women_owned: r.get(8)?,
                        women_led: r.get(9)?,
                        status: r.get(10)?,
                        merged_into: r.get::<_, Option<String>>(11)?.map(parse_id).transpose()?,
                        lat: r.get(12)?,
                        lon: r.get(13)?,
                        updated_at: r.get(14)?,
                    })
                },
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Lists products, by name.
    pub fn list_products(&self, f: &ProductFilter) -> Result<Vec<ProductSummary>> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, producer_id, name, group_code, subgroup_code, commune_code, commune_name, stage, stars,
                        certificate_no, expires, ecommerce, updated_at
                 FROM products
                 WHERE (?1 IS NULL OR producer_id = ?1) AND (?2 IS NULL OR commune_code = ?2)
                   AND (?3 IS NULL OR stage = ?3) AND (?4 IS NULL OR group_code = ?4)
                 ORDER BY name_folded, id LIMIT ?5 OFFSET ?6",
            )?;
            let rows = stmt.query_map(
                params![
                    f.producer_id.map(|p| p.to_string()),
                    f.commune_code,
                    f.stage,
                    f.group_code,
                    limit(f.limit),
                    f.offset as i64
                ],
                |r| {
                    Ok(ProductSummary {
                        id: parse_id(r.get(0)?)?,
                        producer_id: parse_id(r.get(1)?)?,
                        name: r.get(2)?,
                        group_code: r.get(3)?,
                        subgroup_code: r.get(4)?,
                        commune_code: r.get(5)?,
                        commune_name: r.get(6)?,
                        stage: r.get(7)?,
                        stars: r.get(8)?,
                        certificate_no: r.get(9)?,
                        expires: r.get(10)?,
                        ecommerce: split_list(r.get(11)?),
                        updated_at: r.get(12)?,
                    })
                },
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Lists visits, newest first.
    pub fn list_visits(&self, f: &VisitFilter) -> Result<Vec<VisitSummary>> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, producer_id, product_id, commune_code, form_id, form_version, state, collector, started_at,
                        submitted_at, answer_count, photo_count, flags
                 FROM visits
                 WHERE (?1 IS NULL OR producer_id = ?1) AND (?2 IS NULL OR state = ?2)
                   AND (?3 IS NULL OR collector = ?3) AND (?4 IS NULL OR commune_code = ?4)
                 ORDER BY started_at DESC, id LIMIT ?5 OFFSET ?6",
            )?;
            let rows = stmt.query_map(
                params![
                    f.producer_id.map(|p| p.to_string()),
                    f.state,
                    f.collector,
                    f.commune_code,
                    limit(f.limit),
                    f.offset as i64
                ],
                |r| {
                    Ok(VisitSummary {
                        id: parse_id(r.get(0)?)?,
                        producer_id: r.get::<_, Option<String>>(1)?.map(parse_id).transpose()?,
                        product_id: r.get::<_, Option<String>>(2)?.map(parse_id).transpose()?,
                        commune_code: r.get(3)?,
                        form_id: r.get(4)?,
                        form_version: r.get(5)?,
                        state: r.get(6)?,
                        collector: r.get(7)?,
                        started_at: r.get(8)?,
                        submitted_at: r.get(9)?,
                        answer_count: r.get(10)?,
                        photo_count: r.get(11)?,
                        flags: split_list(r.get(12)?),
                    })
                },
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Full-text search over every record, ignoring diacritics and case ("dong tam" finds "Đồng Tâm"); each word
    /// matches as a prefix, and all words must match. Producers merged into another are left out (they stay
    /// readable by id).
    pub fn search(&self, query: &str, max: usize) -> Result<Vec<SearchHit>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT d.id, s.kind, COALESCE(p.name, pr.name, v.form_id, d.id)
                 FROM search s JOIN documents d ON d.n = s.rowid
                 LEFT JOIN producers p ON p.id = d.id
                 LEFT JOIN products pr ON pr.id = d.id
                 LEFT JOIN visits v ON v.id = d.id
                 WHERE search MATCH ?1 AND (p.status IS NULL OR p.status != 'merged_into')
                 ORDER BY rank LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![q, limit(max)], |r| {
                let kind: String = r.get(1)?;
                Ok((parse_id(r.get(0)?)?, kind, r.get::<_, String>(2)?))
            })?;
            let mut hits = Vec::new();
            for row in rows {
                let (id, kind, title) = row?;
                hits.push(SearchHit {
                    id,
                    kind: RecordKind::parse(&kind)?,
                    title,
                });
            }
            Ok(hits)
        })
    }

    /// Open conflicts, for one record or all.
    pub fn conflicts(&self, doc: Option<RecordId>) -> Result<Vec<ConflictInfo>> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT doc_id, kind, path, detail, detected_at FROM conflicts
                 WHERE (?1 IS NULL OR doc_id = ?1) ORDER BY detected_at, doc_id, path",
            )?;
            let rows = stmt.query_map([doc.map(|d| d.to_string())], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get(4)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, kind, path, detail, detected_at) = row?;
                out.push(ConflictInfo {
                    doc_id: id.parse()?,
                    kind: RecordKind::parse(&kind)?,
                    path,
                    values: serde_json::from_str(&detail)?,
                    detected_at,
                });
            }
            Ok(out)
        })
    }

    /// Who changed what and when in one record, oldest change first (see [`crate::history`]).
    pub fn history(&self, id: RecordId) -> Result<Vec<crate::history::HistoryEntry>> {
        let (mut doc, _) = self.read_doc(id)?;
        Ok(crate::history::history(&mut doc))
    }

    /// Number of documents of a kind.
    pub fn count(&self, kind: RecordKind) -> Result<u64> {
        self.with_conn(|conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) FROM documents WHERE kind = ?1",
                [kind.as_str()],
                |r| r.get::<_, i64>(0),
            )? as u64)
        })
    }

    /// Log entries after position `after`, at most `max`, in log order.
    pub fn log_since(&self, after: i64, max: usize) -> Result<Vec<LogEntry>> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, doc_id, bytes FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after, max.min(i64::MAX as usize) as i64], |r| {
                Ok(LogEntry {
                    seq: r.get(0)?,
                    doc_id: parse_id(r.get(1)?)?,
                    bytes: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Every document's id and heads, by id (equal lists mean two stores hold identical documents).
    pub fn document_heads(&self) -> Result<Vec<(RecordId, String)>> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached("SELECT id, heads FROM documents ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((parse_id(r.get(0)?)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Ids of documents that could not be projected (kept, flagged), with the reason.
    pub fn problem_documents(&self) -> Result<Vec<(RecordId, String)>> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, problem FROM documents WHERE problem IS NOT NULL ORDER BY n",
            )?;
            let rows = stmt.query_map([], |r| Ok((parse_id(r.get(0)?)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
