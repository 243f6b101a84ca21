//! Projections: the plain tables and search index derived from documents.
//!
//! Every write projects the document it changed inside the same transaction, so lists, searches and reports
//! never disagree with the documents. Projections hold nothing that is not in a document: dropping them and
//! running [`crate::store::Store::rebuild_projections`] gives the same rows back.

use automerge::AutoCommit;
use rusqlite::{Connection, params};

use crate::doc;
use crate::error::{Error, Result};
use crate::ids::{Millis, RecordId};
use crate::records::review::standing;
use crate::records::{
    self, Decision, Producer, ProducerStatus, Product, RecordKind, Review, Visit,
};
use crate::text::fold;

/// Projects `doc` (strict: a document that does not read as its record type is an error).
pub(crate) fn project(
    conn: &Connection,
    id: RecordId,
    kind: RecordKind,
    doc: &mut AutoCommit,
    now: Millis,
) -> Result<()> {
    project_doc(conn, id, kind, doc, now, None)
}

/// A record this store is creating, as written into its new document (see [`project_created`]).
#[derive(Clone, Copy)]
pub(crate) enum Created<'a> {
    Producer(&'a Producer),
    Product(&'a Product),
    Visit(&'a Visit),
}

impl Created<'_> {
    pub(crate) fn id(self) -> RecordId {
        match self {
            Created::Producer(p) => p.id,
            Created::Product(p) => p.id,
            Created::Visit(v) => v.id,
        }
    }

    pub(crate) fn kind(self) -> RecordKind {
        match self {
            Created::Producer(_) => RecordKind::Producer,
            Created::Product(_) => RecordKind::Product,
            Created::Visit(_) => RecordKind::Visit,
        }
    }

    /// Writes the record into an empty document.
    pub(crate) fn write(self, doc: &mut AutoCommit) -> Result<()> {
        match self {
            Created::Producer(p) => records::create(doc, RecordKind::Producer, p),
            Created::Product(p) => records::create(doc, RecordKind::Product, p),
            Created::Visit(v) => records::create(doc, RecordKind::Visit, v),
        }
    }
}

/// [`project`] for a document this store has just created from `record`, in the same transaction, in one local
/// change: no projection row can exist for it yet, a single author's change cannot conflict, and the record need
/// not be read back from the document it was just written into — so the row deletions, the conflict scan and
/// the hydration are skipped (together about half of a visit capture's CPU time). The rows are the same as
/// [`project`] gives (tested: `created_records_project_as_rebuilt`).
pub(crate) fn project_created(
    conn: &Connection,
    record: Created<'_>,
    doc: &mut AutoCommit,
    now: Millis,
) -> Result<()> {
    project_doc(conn, record.id(), record.kind(), doc, now, Some(record))
}

fn project_doc(
    conn: &Connection,
    id: RecordId,
    kind: RecordKind,
    doc: &mut AutoCommit,
    now: Millis,
    created: Option<Created<'_>>,
) -> Result<()> {
    let n: i64 = conn
        .prepare_cached("SELECT n FROM documents WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))?;
    if created.is_none() {
        remove_rows(conn, id, n)?;
    }
    let (province, commune) = match (kind, created) {
        (RecordKind::Producer, Some(Created::Producer(p))) => {
            producer(conn, n, p, now)?;
            (p.address.province.code.clone(), p.address.commune.code.clone())
        }
        (RecordKind::Product, Some(Created::Product(p))) => {
            product(conn, n, p, now)?;
            (p.province.code.clone(), p.commune.code.clone())
        }
        (RecordKind::Visit, Some(Created::Visit(v))) => {
            visit(conn, n, v, now)?;
            (v.province.code.clone(), v.commune.code.clone())
        }
        (_, Some(_)) => {
            return Err(Error::Invalid {
                field: "kind".into(),
                reason: "created record does not match its document kind".into(),
            });
        }
        (RecordKind::Producer, None) => {
            let p: Producer = records::read(doc)?;
            producer(conn, n, &p, now)?;
            (p.address.province.code, p.address.commune.code)
        }
        (RecordKind::Product, None) => {
            let p: Product = records::read(doc)?;
            product(conn, n, &p, now)?;
            (p.province.code, p.commune.code)
        }
        (RecordKind::Visit, None) => {
            let v: Visit = records::read(doc)?;
            visit(conn, n, &v, now)?;
            (v.province.code, v.commune.code)
        }
        (RecordKind::Review, None) => {
            let r: Review = records::read(doc)?;
            review(conn, &r)?;
            (r.province.code.clone(), r.commune.code.clone())
        }
        (RecordKind::Form, None) => (String::new(), String::new()),
    };
    conn.prepare_cached(
        "UPDATE documents SET problem = NULL, province_code = ?2, commune_code = ?3 WHERE n = ?1",
    )?
    .execute(params![n, province, commune])?;
    if created.is_none() {
        conflicts(conn, id, kind, doc, now)?;
    }
    match kind {
        RecordKind::Producer | RecordKind::Product | RecordKind::Visit => {
            review_state(conn, id, Some(doc), now)
        }
        RecordKind::Review => {
            let target: RecordId = records::read::<Review>(doc)?.target;
            review_state(conn, target, None, now)
        }
        RecordKind::Form => Ok(()),
    }
}

/// Projects a document received from elsewhere: one that does not read as its record type (written by a newer
/// app, or damaged by a peer) is kept — nothing is lost — but flagged in `documents.problem` and left out of lists.
pub(crate) fn project_or_flag(
    conn: &Connection,
    id: RecordId,
    kind: RecordKind,
    doc: &mut AutoCommit,
    now: Millis,
) -> Result<()> {
    match project(conn, id, kind, doc, now) {
        Err(Error::Shape(reason)) => {
            let n: i64 = conn.query_row(
                "SELECT n FROM documents WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )?;
            remove_rows(conn, id, n)?;
            conn.execute(
                "UPDATE documents SET problem = ?2 WHERE n = ?1",
                params![n, reason],
            )?;
            tracing::warn!(%id, kind = kind.as_str(), "document could not be projected; kept and flagged");
            Ok(())
        }
        other => other,
    }
}

/// Empties every projection table.
pub(crate) fn clear_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM producers; DELETE FROM products; DELETE FROM visits; DELETE FROM visit_photos;
         DELETE FROM conflicts; DELETE FROM search; DELETE FROM reviews; DELETE FROM review_state;",
    )?;
    Ok(())
}

/// The conflicted paths of a document, sorted.
pub(crate) fn conflict_paths(conn: &Connection, id: RecordId) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT path FROM conflicts WHERE doc_id = ?1 ORDER BY path")?;
    let rows = stmt.query_map([id.to_string()], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn remove_rows(conn: &Connection, id: RecordId, n: i64) -> Result<()> {
    let id = id.to_string();
    for sql in [
        "DELETE FROM producers WHERE id = ?1",
        "DELETE FROM products WHERE id = ?1",
        "DELETE FROM visits WHERE id = ?1",
        "DELETE FROM visit_photos WHERE visit_id = ?1",
        "DELETE FROM reviews WHERE id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([&id])?;
    }
    conn.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([n])?;
    Ok(())
}

fn index(conn: &Connection, n: i64, kind: RecordKind, parts: &[&str]) -> Result<()> {
    let body = fold(
        &parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
    );
    conn.prepare_cached("INSERT INTO search (rowid, kind, body) VALUES (?1, ?2, ?3)")?
        .execute(params![n, kind.as_str(), body])?;
    Ok(())
}

fn producer(conn: &Connection, n: i64, p: &Producer, now: Millis) -> Result<()> {
    let (status, merged_into) = match p.status {
        ProducerStatus::Active => ("active", None),
        ProducerStatus::Archived => ("archived", None),
        ProducerStatus::MergedInto(other) => ("merged_into", Some(other.to_string())),
    };
    let gender = serde_json::to_value(p.representative.gender)?;
    conn.prepare_cached(
        "INSERT INTO producers (id, name, name_folded, owner_kind, registration_no, representative, gender, phone,
            province_code, commune_code, commune_name, lat, lon, members, women_members, women_owned, women_led,
            status, merged_into, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    )?
    .execute(params![
        p.id.to_string(),
        p.name,
        fold(&p.name),
        p.owner_kind.as_str(),
        p.registration_no,
        p.representative.name,
        gender.as_str().unwrap_or("unknown"),
        p.phone,
        p.address.province.code,
        p.address.commune.code,
        p.address.commune.name,
        p.location.as_ref().map(|f| f.lat),
        p.location.as_ref().map(|f| f.lon),
        p.members,
        p.women_members,
        p.women_owned,
        p.women_led,
        status,
        merged_into,
        p.created_by,
        p.created_at,
        now,
    ])?;
    index(
        conn,
        n,
        RecordKind::Producer,
        &[
            &p.name,
            p.registration_no.as_deref().unwrap_or(""),
            &p.representative.name,
            p.phone.as_deref().unwrap_or(""),
            &p.address.hamlet,
            &p.address.commune.name,
            &p.address.province.name,
        ],
    )
}

fn product(conn: &Connection, n: i64, p: &Product, now: Millis) -> Result<()> {
    let platforms: Vec<&str> = p.ecommerce.keys().map(String::as_str).collect();
    conn.prepare_cached(
        "INSERT INTO products (id, producer_id, name, name_folded, group_code, subgroup_code, province_code, commune_code,
            commune_name, stage, stars, score, certificate_no, issued, expires, ecommerce, ecommerce_count,
            traceability_stamp, zone_area_ha, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    )?
    .execute(params![
        p.id.to_string(),
        p.producer.to_string(),
        p.name,
        fold(&p.name),
        p.group,
        p.subgroup,
        p.province.code,
        p.commune.code,
        p.commune.name,
        p.ocop.stage.as_str(),
        p.ocop.stage.stars(),
        p.ocop.score,
        p.ocop.certificate_no,
        p.ocop.issued.map(|d| d.to_string()),
        p.ocop.expires.map(|d| d.to_string()),
        platforms.join(","),
        platforms.len() as i64,
        p.traceability_stamp,
        p.raw_material_zone.as_ref().map(|z| z.area_ha),
        p.created_by,
        p.created_at,
        now,
    ])?;
    index(
        conn,
        n,
        RecordKind::Product,
        &[
            &p.name,
            &p.description,
            p.ocop.certificate_no.as_deref().unwrap_or(""),
            p.trademark.as_ref().map_or("", |t| t.name.as_str()),
            &p.commune.name,
            &p.province.name,
        ],
    )
}

fn visit(conn: &Connection, n: i64, v: &Visit, now: Millis) -> Result<()> {
    let mut flags: Vec<String> = Vec::new();
    for f in v
        .fixes
        .iter()
        .flat_map(|f| f.flags.iter())
        .chain(v.photos.values().flat_map(|p| p.flags.iter()))
    {
        let name = flag_name(f);
        if !flags.contains(&name) {
            flags.push(name);
        }
    }
    let last_fix = v.fixes.last().map(|f| &f.fix);
    conn.prepare_cached(
        "INSERT INTO visits (id, producer_id, product_id, province_code, commune_code, form_id, form_version, state,
            collector, started_at, submitted_at, answer_count, photo_count, fix_count, lat, lon, flags, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        v.id.to_string(),
        v.producer.map(|p| p.to_string()),
        v.product.map(|p| p.to_string()),
        v.province.code,
        v.commune.code,
        v.form_id,
        v.form_version,
        v.state.as_str(),
        v.collector,
        v.started_at,
        v.submitted_at,
        v.answers.len() as i64,
        v.photos.len() as i64,
        v.fixes.len() as i64,
        last_fix.map(|f| f.lat),
        last_fix.map(|f| f.lon),
        flags.join(","),
        now,
    ])?;
    let mut photo = conn.prepare_cached(
        "INSERT INTO visit_photos (visit_id, hash, bytes, kind) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for p in v.photos.values() {
        let kind = serde_json::to_value(p.kind)?;
        photo.execute(params![
            v.id.to_string(),
            p.hash,
            p.bytes as i64,
            kind.as_str().unwrap_or("other")
        ])?;
    }
    let texts: Vec<&str> = v
        .answers
        .values()
        .filter_map(|a| match a {
            crate::forms::Answer::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let notes = v.notes.as_str().to_string();
    let mut parts: Vec<&str> = vec![&v.commune.name, &v.province.name, &notes];
    parts.extend(texts);
    parts.extend(v.photos.values().map(|p| p.caption.as_str()));
    index(conn, n, RecordKind::Visit, &parts)
}

/// The stable name of a quality flag (its serde tag), for the visits' `flags` column.
fn flag_name(flag: &crate::gps::GpsFlag) -> String {
    match serde_json::to_value(flag) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(map)) => map
            .get("kind")
            .and_then(|v| v.as_str().map(str::to_string))
            .or_else(|| map.keys().next().cloned())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn conflicts(
    conn: &Connection,
    id: RecordId,
    kind: RecordKind,
    doc: &mut AutoCommit,
    now: Millis,
) -> Result<()> {
    let found = doc::scan_conflicts(doc);
    let id_s = id.to_string();
    let existing: Vec<(String, i64)> = {
        let mut stmt =
            conn.prepare_cached("SELECT path, detected_at FROM conflicts WHERE doc_id = ?1")?;
        stmt.query_map([&id_s], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    conn.prepare_cached("DELETE FROM conflicts WHERE doc_id = ?1")?
        .execute([&id_s])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO conflicts (doc_id, path, kind, detail, detected_at) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for c in found {
        let detected = existing
            .iter()
            .find(|(p, _)| *p == c.path)
            .map_or(now, |(_, t)| *t);
        insert.execute(params![
            id_s,
            c.path,
            kind.as_str(),
            serde_json::to_string(&c.values)?,
            detected
        ])?;
    }
    Ok(())
}

fn review(conn: &Connection, r: &Review) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO reviews (id, target_id, target_kind, decision, reviewer, reviewer_name, at, heads, comment,
            field_comments, supersedes, province_code, commune_code, province, commune)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        r.id.to_string(),
        r.target.to_string(),
        r.target_kind,
        r.decision.as_str(),
        r.reviewer,
        r.reviewer_name,
        r.at,
        r.heads.join(","),
        r.comment,
        serde_json::to_string(&r.field_comments)?,
        serde_json::to_string(&r.supersedes)?,
        r.province.code,
        r.commune.code,
        serde_json::to_string(&r.province)?,
        serde_json::to_string(&r.commune)?,
    ])?;
    Ok(())
}

/// The columns [`review_from_row`] reads, in order.
pub(crate) const REVIEW_COLUMNS: &str = "id, target_id, target_kind, decision, reviewer, reviewer_name, at, heads, \
     comment, field_comments, supersedes, province, commune";

/// A review read back from its projection row (columns [`REVIEW_COLUMNS`]).
pub(crate) fn review_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Review> {
    review_from_row_at(row, 0)
}

/// [`review_from_row`] for columns starting at `base`.
pub(crate) fn review_from_row_at(row: &rusqlite::Row<'_>, base: usize) -> rusqlite::Result<Review> {
    fn bad<E: std::error::Error + Send + Sync + 'static>(i: usize, e: E) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    }
    let id: String = row.get(base)?;
    let target: String = row.get(base + 1)?;
    let decision: String = row.get(base + 3)?;
    let heads: String = row.get(base + 7)?;
    let field_comments: String = row.get(base + 9)?;
    let supersedes: String = row.get(base + 10)?;
    let province: String = row.get(base + 11)?;
    let commune: String = row.get(base + 12)?;
    Ok(Review {
        id: id.parse().map_err(|e| bad(base, e))?,
        target: target.parse().map_err(|e| bad(base + 1, e))?,
        target_kind: row.get(base + 2)?,
        heads: heads
            .split(',')
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect(),
        decision: Decision::parse(&decision).ok_or_else(|| {
            bad(
                base + 3,
                std::io::Error::new(std::io::ErrorKind::InvalidData, "unknown decision"),
            )
        })?,
        comment: row.get(base + 8)?,
        field_comments: serde_json::from_str(&field_comments).map_err(|e| bad(base + 9, e))?,
        supersedes: serde_json::from_str(&supersedes).map_err(|e| bad(base + 10, e))?,
        reviewer: row.get(base + 4)?,
        reviewer_name: row.get(base + 5)?,
        at: row.get(base + 6)?,
        province: serde_json::from_str(&province).map_err(|e| bad(base + 11, e))?,
        commune: serde_json::from_str(&commune).map_err(|e| bad(base + 12, e))?,
    })
}

/// The projected reviews of a record, oldest first.
pub(crate) fn reviews_of(conn: &Connection, target: RecordId) -> Result<Vec<Review>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REVIEW_COLUMNS} FROM reviews WHERE target_id = ?1 ORDER BY at, id"
    ))?;
    let rows = stmt.query_map([target.to_string()], review_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Recomputes where a record stands with its reviewers (the `review_state` row), from its reviews and its
/// document (loaded when not given). A record without reviews, or whose document is not here yet, has no row.
pub(crate) fn review_state(
    conn: &Connection,
    target: RecordId,
    doc: Option<&mut AutoCommit>,
    now: Millis,
) -> Result<()> {
    let reviews = reviews_of(conn, target)?;
    let clear = || -> Result<()> {
        conn.prepare_cached("DELETE FROM review_state WHERE target_id = ?1")?
            .execute([target.to_string()])?;
        Ok(())
    };
    if reviews.is_empty() {
        return clear();
    }
    let mut loaded = None;
    let doc = match doc {
        Some(d) => d,
        None => match super::docs::load(conn, target)? {
            Some(l) => &mut loaded.insert(l).doc,
            None => return clear(),
        },
    };
    let kind = records::kind_of(doc)?;
    let st = standing(doc, &reviews);
    let latest = st.latest.map(|i| &reviews[i]);
    let mut reviewers: Vec<&str> = st
        .in_force
        .iter()
        .filter(|&&i| !st.stale[i] || st.status == records::ReviewStatus::Stale)
        .map(|&i| reviews[i].reviewer.as_str())
        .collect();
    reviewers.sort_unstable();
    reviewers.dedup();
    conn.prepare_cached(
        "INSERT INTO review_state (target_id, target_kind, state, decision, review_id, reviewed_at, reviewers,
            review_count, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(target_id) DO UPDATE SET target_kind = ?2, state = ?3, decision = ?4, review_id = ?5,
            reviewed_at = ?6, reviewers = ?7, review_count = ?8, updated_at = ?9",
    )?
    .execute(params![
        target.to_string(),
        kind.as_str(),
        st.status.as_str(),
        latest.map(|r| r.decision.as_str()),
        latest.map(|r| r.id.to_string()),
        latest.map(|r| r.at),
        serde_json::to_string(&reviewers)?,
        reviews.len() as i64,
        now,
    ])?;
    Ok(())
}
