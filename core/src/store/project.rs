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
use crate::records::{self, Producer, ProducerStatus, Product, RecordKind, Visit};
use crate::text::fold;

/// Projects `doc` (strict: a document that does not read as its record type is an error).
pub(crate) fn project(
    conn: &Connection,
    id: RecordId,
    kind: RecordKind,
    doc: &mut AutoCommit,
    now: Millis,
) -> Result<()> {
    let n: i64 = conn.query_row(
        "SELECT n FROM documents WHERE id = ?1",
        [id.to_string()],
        |r| r.get(0),
    )?;
    remove_rows(conn, id, n)?;
    let (province, commune) = match kind {
        RecordKind::Producer => {
            let p: Producer = records::read(doc)?;
            producer(conn, n, &p, now)?;
            (p.address.province.code, p.address.commune.code)
        }
        RecordKind::Product => {
            let p: Product = records::read(doc)?;
            product(conn, n, &p, now)?;
            (p.province.code, p.commune.code)
        }
        RecordKind::Visit => {
            let v: Visit = records::read(doc)?;
            visit(conn, n, &v, now)?;
            (v.province.code, v.commune.code)
        }
        RecordKind::Review | RecordKind::Form => (String::new(), String::new()),
    };
    conn.prepare_cached(
        "UPDATE documents SET problem = NULL, province_code = ?2, commune_code = ?3 WHERE n = ?1",
    )?
    .execute(params![n, province, commune])?;
    conflicts(conn, id, kind, doc, now)
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
         DELETE FROM conflicts; DELETE FROM search;",
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
