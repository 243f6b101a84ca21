//! The device store: one SQLite file holding every record document, the change log, and projections.
//!
//! - **Durable**: WAL with `synchronous = FULL`; every write is one `IMMEDIATE` transaction, and a capture call
//!   returns only after its transaction committed — a record the user saw saved survives `kill -9` and power loss.
//! - **Documents** are compacted snapshots plus appended incremental changes ([`docs`]); the change log doubles
//!   as the sync log.
//! - **Projections** ([`project`]) are plain tables (producers, products, visits, conflicts) and an FTS5 index,
//!   derived from the documents inside the same transaction, and rebuildable from them at any time
//!   ([`Store::rebuild_projections`]).
//! - **Opening is cheap**: it runs the pragmas and migrations and reads one meta row; no document is loaded until
//!   it is needed.
//! - **A damaged file is never deleted**: it is reported as [`Error::Corrupt`] and left for recovery.
//!
//! The store is `Send + Sync`: one connection behind a mutex held for one transaction at a time.

mod capture;
pub(crate) mod docs;
mod forms;
mod merge;
pub(crate) mod project;
mod query;
pub mod schema;
mod visit_capture;

pub use capture::{NewProducer, NewProduct};
pub use merge::{MergeReport, Stragglers};
pub use query::{
    ConflictInfo, LogEntry, ProducerFilter, ProducerSummary, ProductFilter, ProductSummary,
    SearchHit, VisitFilter, VisitSummary,
};
pub use visit_capture::{NewVisit, VisitCapture};

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use automerge::{ActorId, AutoCommit, Change};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::doc;
use crate::error::{Error, Result};
use crate::identity::{Author, Scope};
use crate::ids::{RecordId, now_millis};
use crate::photo::{PhotoOptions, PhotoStore};
use crate::records::{self, RecordKind};

/// How a store is opened.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Folder for photo files; default: `<database>.photos` beside the database.
    pub photo_dir: Option<PathBuf>,
    /// How photos are processed on attach.
    pub photo: PhotoOptions,
    /// Rewrite a document's snapshot after this many appended changes.
    pub compact_after: u32,
    /// How many recently edited documents to keep in memory.
    pub cached_documents: usize,
    /// Distance beyond which a visit's fix is flagged as far from the producer's registered point, metres.
    pub far_from_producer_m: f64,
    /// Every committed write is on disk before the call returns (`synchronous = FULL`). Turn off only for bulk
    /// loads that can be redone: writes stay crash-safe but the last ones may be lost on power loss.
    pub durable: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            photo_dir: None,
            photo: PhotoOptions::default(),
            compact_after: 32,
            cached_documents: 64,
            far_from_producer_m: 2000.0,
            durable: true,
        }
    }
}

struct Inner {
    conn: Connection,
    cache: docs::DocCache,
}

/// An open device store.
pub struct Store {
    path: PathBuf,
    inner: Mutex<Inner>,
    actor: ActorId,
    node: crate::sync::NodeId,
    scope: std::sync::RwLock<Option<Scope>>,
    forms_cache: std::sync::RwLock<Option<std::sync::Arc<crate::forms::FormRegistry>>>,
    photos: PhotoStore,
    options: StoreOptions,
}

/// Outcome of applying changes that came from elsewhere (another replica, the hub, a file bundle).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Documents that changed.
    pub documents: usize,
    /// Changes that were new here.
    pub applied: usize,
    /// Changes already known (repeats are harmless).
    pub duplicates: usize,
    /// Documents whose conflicts changed (appeared or disappeared).
    pub conflicted_documents: Vec<RecordId>,
    /// Documents whose changes could not be applied, and why (nothing of them was written).
    pub failed: Vec<(RecordId, String)>,
    /// New documents left out because they lie outside this store's scope (see [`Store::set_scope`]).
    pub out_of_scope: usize,
    /// A form document changed (the store's form registry is reloaded).
    pub forms_changed: bool,
}

impl Store {
    /// Opens (creating if needed) the store at `path`, migrating it to the current schema.
    pub fn open(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(classify_open_error)?;
        schema::prepare(&conn, options.durable).map_err(classify_error)?;
        let from = schema::migrate(&mut conn).map_err(classify_error)?;
        let actor = load_or_create_actor(&conn)?;
        let node = load_or_create_node(&conn)?;
        let scope = load_scope(&conn)?;
        if from > 0 && from < schema::SCHEMA_VERSION {
            tracing::info!(
                from,
                to = schema::SCHEMA_VERSION,
                "store migrated; rebuilding projections"
            );
        }
        let photo_dir = options.photo_dir.clone().unwrap_or_else(|| {
            let mut p = path.clone().into_os_string();
            p.push(".photos");
            PathBuf::from(p)
        });
        let store = Self {
            path,
            inner: Mutex::new(Inner {
                conn,
                cache: docs::DocCache::new(options.cached_documents),
            }),
            actor,
            node,
            scope: std::sync::RwLock::new(scope),
            forms_cache: std::sync::RwLock::new(None),
            photos: PhotoStore::new(photo_dir),
            options,
        };
        if from > 0 && from < schema::SCHEMA_VERSION {
            store.rebuild_projections()?;
        }
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This store's automerge actor id (one per device profile).
    pub fn actor(&self) -> &ActorId {
        &self.actor
    }

    /// The photo files beside the database.
    pub fn photos(&self) -> &PhotoStore {
        &self.photos
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-written transaction (rusqlite rolls back on drop), and
        // the cache only ever holds documents that match committed rows; recovering the guard is safe.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` with the connection (reads).
    pub(crate) fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let inner = self.lock();
        f(&inner.conn)
    }

    /// Runs `f` on a document without copying it (from the cache when it is there), for reads of a few fields.
    pub(crate) fn with_doc<T>(
        &self,
        id: RecordId,
        f: impl FnOnce(&AutoCommit, RecordKind) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.lock();
        let Inner { conn, cache } = &mut *inner;
        let last = docs::last_seq(conn, id)?.ok_or(Error::NotFound {
            kind: "record",
            id: id.to_string(),
        })?;
        let (doc, kind) = match cache.take(id, last) {
            Some(hit) => hit,
            None => {
                let loaded = docs::load(conn, id)?.ok_or(Error::NotFound {
                    kind: "record",
                    id: id.to_string(),
                })?;
                (loaded.doc, loaded.kind)
            }
        };
        let out = f(&doc, kind);
        cache.put(id, doc, kind, last);
        out
    }

    /// Loads a document for reading.
    pub(crate) fn read_doc(&self, id: RecordId) -> Result<(AutoCommit, RecordKind)> {
        let mut inner = self.lock();
        let Inner { conn, cache } = &mut *inner;
        let last = docs::last_seq(conn, id)?.ok_or(Error::NotFound {
            kind: "record",
            id: id.to_string(),
        })?;
        if let Some((doc, kind)) = cache.take(id, last) {
            let copy = doc.clone();
            cache.put(id, doc, kind, last);
            return Ok((copy, kind));
        }
        let loaded = docs::load(conn, id)?.ok_or(Error::NotFound {
            kind: "record",
            id: id.to_string(),
        })?;
        cache.put(id, loaded.doc.clone(), loaded.kind, loaded.last_seq);
        Ok((loaded.doc, loaded.kind))
    }

    /// Changes one document in one durable transaction: loads it (or starts an empty one when `create`), lets
    /// `f` edit it, checks that `author` may make that edit ([`crate::permissions::check`], with this store's
    /// scope), commits the edit as one change stamped with `author`, appends it to the log, updates the
    /// projections and commits. Nothing is written if `f` fails, the edit is forbidden, or it changes nothing.
    pub(crate) fn write_doc<T>(
        &self,
        id: RecordId,
        kind: RecordKind,
        author: &Author,
        create: bool,
        f: impl FnOnce(&mut AutoCommit) -> Result<T>,
    ) -> Result<T> {
        self.write_doc_impl(id, kind, author, create, None, f)
    }

    /// Creates the document of a new producer, product or visit ([`Store::write_doc`] with `create`), projecting
    /// it from `record` rather than reading it back ([`project::project_created`]).
    pub(crate) fn create_doc(&self, author: &Author, record: project::Created<'_>) -> Result<()> {
        self.write_doc_impl(
            record.id(),
            record.kind(),
            author,
            true,
            Some(record),
            |doc| record.write(doc),
        )
    }

    fn write_doc_impl<T>(
        &self,
        id: RecordId,
        kind: RecordKind,
        author: &Author,
        create: bool,
        created: Option<project::Created<'_>>,
        f: impl FnOnce(&mut AutoCommit) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.lock();
        let Inner { conn, cache } = &mut *inner;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing = docs::last_seq(&tx, id)?;
        let mut doc = match (create, existing) {
            (true, Some(_)) => {
                return Err(Error::Invalid {
                    field: "id".into(),
                    reason: "a record with this id exists".into(),
                });
            }
            (true, None) => AutoCommit::new().with_actor(self.actor.clone()),
            (false, None) => {
                return Err(Error::NotFound {
                    kind: kind.as_str(),
                    id: id.to_string(),
                });
            }
            (false, Some(last)) => {
                let (mut doc, found) = match cache.take(id, last) {
                    Some(hit) => hit,
                    None => {
                        let l = docs::load(&tx, id)?.ok_or(Error::NotFound {
                            kind: kind.as_str(),
                            id: id.to_string(),
                        })?;
                        (l.doc, l.kind)
                    }
                };
                if found != kind {
                    return Err(Error::Invalid {
                        field: "id".into(),
                        reason: format!("record is a {}, not a {}", found.as_str(), kind.as_str()),
                    });
                }
                doc.set_actor(self.actor.clone());
                doc
            }
        };
        let before = doc.get_heads();
        let facts_before = match existing {
            Some(_) => Some(crate::permissions::facts_of(&doc)?),
            None => None,
        };
        let out = f(&mut doc)?;
        let scope = self.scope();
        let actor = crate::permissions::Actor {
            user_id: &author.user_id,
            role: author.role,
            scope: scope.as_ref(),
        };
        // Checked on the document as the write left it, before anything is stored: a forbidden write leaves the
        // database and the cache as they were (the edited copy is dropped here).
        crate::permissions::check(
            &actor,
            facts_before.as_ref(),
            &crate::permissions::facts_of(&doc)?,
        )?;
        let now = now_millis();
        doc::commit(&mut doc, author, now);
        let mut changes = doc.get_changes(&before);
        if changes.is_empty() {
            if let Some(last) = existing {
                cache.put(id, doc, kind, last);
            }
            return Ok(out);
        }
        let last = docs::append(
            &tx,
            id,
            kind,
            &mut doc,
            &mut changes,
            None,
            now,
            i64::from(self.options.compact_after),
        )?;
        match created {
            Some(record) if existing.is_none() => {
                project::project_created(&tx, record, &mut doc, now)?;
            }
            _ => project::project(&tx, id, kind, &mut doc, now)?,
        }
        tx.commit()?;
        cache.put(id, doc, kind, last);
        Ok(out)
    }

    /// Applies changes received from elsewhere, grouped by document, in one durable transaction.
    ///
    /// Changes already known are skipped. A document whose changes cannot be applied (bytes that are not a
    /// change, or a change arriving before the changes it depends on) is left as it was and listed in
    /// [`ApplyReport::failed`]; the other documents of the batch are applied.
    pub fn apply_changes(&self, batch: Vec<(RecordId, Vec<Vec<u8>>)>) -> Result<ApplyReport> {
        self.apply_entries(batch, None, |_| Ok(()))
    }

    /// [`Store::apply_changes`] recording `origin` as where the changes came from, running `then` in the same
    /// transaction (to move a sync cursor together with the changes it covers).
    pub(crate) fn apply_entries(
        &self,
        batch: Vec<(RecordId, Vec<Vec<u8>>)>,
        origin: Option<&str>,
        then: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<ApplyReport> {
        let mut inner = self.lock();
        let Inner { conn, cache } = &mut *inner;
        let scope = self.scope();
        let result = apply_batch(
            conn,
            cache,
            batch,
            origin.unwrap_or("import"),
            scope.as_ref(),
            i64::from(self.options.compact_after),
            then,
        );
        if result.is_err() {
            cache.clear();
        }
        drop(inner);
        if result.as_ref().is_ok_and(|r| r.forms_changed) {
            self.forget_forms();
        }
        result
    }

    /// Runs `f` in one `IMMEDIATE` transaction.
    pub(crate) fn with_tx<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut inner = self.lock();
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The scope of the account using this store (`None`: everything). Documents new to this store that lie
    /// outside it are not taken in from other devices or bundles.
    pub fn scope(&self) -> Option<Scope> {
        self.scope
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Sets (and remembers) the account's scope, e.g. after enrollment at the hub.
    pub fn set_scope(&self, scope: Option<Scope>) -> Result<()> {
        self.with_tx(|c| {
            match &scope {
                Some(s) => c.execute(
                    "INSERT INTO meta (key, value) VALUES ('scope', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1",
                    [serde_json::to_string(s)?],
                )?,
                None => c.execute("DELETE FROM meta WHERE key = 'scope'", [])?,
            };
            Ok(())
        })?;
        match self.scope.write() {
            Ok(mut g) => *g = scope,
            Err(p) => *p.into_inner() = scope,
        }
        Ok(())
    }

    /// This store's node id in sync.
    pub fn node_id(&self) -> crate::sync::NodeId {
        self.node
    }

    /// Rebuilds every projection table and the search index from the documents.
    pub fn rebuild_projections(&self) -> Result<usize> {
        let mut inner = self.lock();
        let Inner { conn, cache } = &mut *inner;
        cache.clear();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        project::clear_all(&tx)?;
        let ids: Vec<String> = {
            let mut stmt = tx.prepare("SELECT id FROM documents ORDER BY n")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let now = now_millis();
        for id in &ids {
            let id: RecordId = id.parse()?;
            if let Some(mut loaded) = docs::load(&tx, id)? {
                project::project_or_flag(&tx, id, loaded.kind, &mut loaded.doc, now)?;
            }
        }
        tx.commit()?;
        Ok(ids.len())
    }

    /// Rewrites the snapshot of every document with pending changes.
    pub fn compact(&self) -> Result<usize> {
        let mut inner = self.lock();
        let Inner { conn, cache } = &mut *inner;
        cache.clear();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ids: Vec<String> = {
            let mut stmt = tx.prepare("SELECT id FROM documents WHERE pending > 0")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        for id in &ids {
            docs::compact(&tx, id.parse()?)?;
        }
        tx.commit()?;
        Ok(ids.len())
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<()> {
        self.with_conn(|conn| {
            let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if result == "ok" {
                Ok(())
            } else {
                Err(Error::Corrupt(result))
            }
        })
    }

    /// A document's full saved bytes (standard automerge format, readable by any automerge implementation).
    pub fn export_document(&self, id: RecordId) -> Result<Vec<u8>> {
        let (mut doc, _) = self.read_doc(id)?;
        Ok(doc.save())
    }

    /// A document's current heads (hex, sorted, comma-joined) — equal heads mean identical documents.
    pub fn heads(&self, id: RecordId) -> Result<String> {
        let (mut doc, _) = self.read_doc(id)?;
        Ok(docs::heads_string(&doc.get_heads()))
    }

    /// Merges everything `other` knows into this store (the in-process form of sync, e.g. two replicas in a
    /// test or a supervisor importing a colleague's database). Returns what was applied.
    pub fn merge_from(&self, other: &Store) -> Result<ApplyReport> {
        let entries = other.log_since(0, usize::MAX)?;
        let grouped: Vec<(RecordId, Vec<Vec<u8>>)> = entries
            .into_iter()
            .map(|e| (e.doc_id, vec![e.bytes]))
            .collect();
        self.apply_entries(grouped, Some(&other.node.to_hex()), |_| Ok(()))
    }
}

fn apply_batch(
    conn: &mut Connection,
    cache: &mut docs::DocCache,
    batch: Vec<(RecordId, Vec<Vec<u8>>)>,
    origin: &str,
    scope: Option<&Scope>,
    compact_after: i64,
    then: impl FnOnce(&Connection) -> Result<()>,
) -> Result<ApplyReport> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut report = ApplyReport::default();
    let now = now_millis();
    // Group by document, keeping first-seen order (the batch is in causal order per document).
    let mut order: Vec<RecordId> = Vec::new();
    let mut by_doc: std::collections::HashMap<RecordId, Vec<Vec<u8>>> =
        std::collections::HashMap::new();
    for (id, changes) in batch {
        by_doc
            .entry(id)
            .or_insert_with(|| {
                order.push(id);
                Vec::new()
            })
            .extend(changes);
    }
    for id in order {
        let raw = by_doc.remove(&id).unwrap_or_default();
        let mut sp = tx.savepoint()?;
        match apply_doc(
            &sp,
            cache,
            id,
            raw,
            origin,
            scope,
            now,
            compact_after,
            &mut report,
        ) {
            Ok(true) => sp.commit()?,
            Ok(false) => {
                sp.rollback()?;
                cache.forget(id);
                report.out_of_scope += 1;
            }
            Err(Error::Invalid { reason, .. } | Error::Shape(reason) | Error::Corrupt(reason)) => {
                sp.rollback()?;
                tracing::warn!(%id, %reason, "changes for a document could not be applied");
                report.failed.push((id, reason));
            }
            Err(Error::Automerge(e)) => {
                sp.rollback()?;
                report.failed.push((id, e.to_string()));
            }
            Err(e) => return Err(e),
        }
    }
    then(&tx)?;
    tx.commit()?;
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn apply_doc(
    tx: &Connection,
    cache: &mut docs::DocCache,
    id: RecordId,
    raw: Vec<Vec<u8>>,
    origin: &str,
    scope: Option<&Scope>,
    now: i64,
    compact_after: i64,
    report: &mut ApplyReport,
) -> Result<bool> {
    let existing = docs::last_seq(tx, id)?;
    let (mut doc, known_kind) = match existing {
        Some(last) => match cache.take(id, last) {
            Some((d, k)) => (d, Some(k)),
            None => {
                let l = docs::load(tx, id)?.ok_or(Error::NotFound {
                    kind: "record",
                    id: id.to_string(),
                })?;
                (l.doc, Some(l.kind))
            }
        },
        None => (AutoCommit::new(), None),
    };
    let mut fresh: Vec<Change> = Vec::new();
    for bytes in raw {
        let change = Change::from_bytes(bytes).map_err(|e| Error::Invalid {
            field: "change".into(),
            reason: format!("not an automerge change: {e}"),
        })?;
        if doc.get_change_by_hash(&change.hash()).is_some()
            || fresh.iter().any(|c| c.hash() == change.hash())
        {
            report.duplicates += 1;
        } else {
            fresh.push(change);
        }
    }
    if fresh.is_empty() {
        if let (Some(last), Some(kind)) = (existing, known_kind) {
            cache.put(id, doc, kind, last);
        }
        return Ok(true);
    }
    let before_conflicts = project::conflict_paths(tx, id)?;
    doc.apply_changes(fresh.clone())?;
    if let Some(missing) = fresh
        .iter()
        .find(|c| doc.get_change_meta_by_hash(&c.hash()).is_none())
    {
        return Err(Error::Invalid {
            field: "change".into(),
            reason: format!(
                "change {} arrived before the changes it depends on",
                missing.hash()
            ),
        });
    }
    let kind = match known_kind {
        Some(k) => k,
        None => records::kind_of(&doc)?,
    };
    let last = docs::append(
        tx,
        id,
        kind,
        &mut doc,
        &mut fresh,
        Some(origin),
        now,
        compact_after,
    )?;
    project::project_or_flag(tx, id, kind, &mut doc, now)?;
    if existing.is_none()
        && let Some(scope) = scope
    {
        // A document new here must lie in this store's scope; one already here keeps receiving its changes (so a
        // record moved out of the commune shows the move).
        let (province, commune): (String, String) = tx.query_row(
            "SELECT province_code, commune_code FROM documents WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if !province.is_empty() && !scope.contains(&province, &commune) {
            return Ok(false);
        }
    }
    if project::conflict_paths(tx, id)? != before_conflicts {
        report.conflicted_documents.push(id);
    }
    report.documents += 1;
    report.applied += fresh.len();
    report.forms_changed |= kind == RecordKind::Form;
    cache.put(id, doc, kind, last);
    Ok(true)
}

fn load_scope(conn: &Connection) -> Result<Option<Scope>> {
    use rusqlite::OptionalExtension;
    let json: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'scope'", [], |r| {
            r.get(0)
        })
        .optional()?;
    match json {
        None => Ok(None),
        Some(j) => serde_json::from_str(&j)
            .map_err(|e| Error::Corrupt(format!("stored scope unreadable: {e}"))),
    }
}

fn load_or_create_actor(conn: &Connection) -> Result<ActorId> {
    use rusqlite::OptionalExtension;
    let existing: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(hex_actor) = existing {
        let bytes = hex::decode(&hex_actor)
            .map_err(|_| Error::Corrupt("device actor id is not hex".into()))?;
        return Ok(ActorId::from(bytes));
    }
    let actor = ActorId::random();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('actor', ?1), ('created_at', ?2)",
        rusqlite::params![actor.to_hex_string(), now_millis().to_string()],
    )?;
    Ok(actor)
}

fn load_or_create_node(conn: &Connection) -> Result<crate::sync::NodeId> {
    use rusqlite::OptionalExtension;
    let existing: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'node'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(h) = existing {
        return crate::sync::NodeId::from_hex(&h)
            .ok_or_else(|| Error::Corrupt("node id is not 16 hex bytes".into()));
    }
    let node = crate::sync::NodeId::random();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('node', ?1)",
        [node.to_hex()],
    )?;
    Ok(node)
}

fn classify_open_error(e: rusqlite::Error) -> Error {
    classify_error(Error::Sqlite(e))
}

/// Turns SQLite's "not a database" / "malformed" into [`Error::Corrupt`], so the caller knows the file is damaged
/// (and that it was kept).
fn classify_error(e: Error) -> Error {
    if let Error::Sqlite(rusqlite::Error::SqliteFailure(f, msg)) = &e
        && matches!(
            f.code,
            rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
        )
    {
        return Error::Corrupt(msg.clone().unwrap_or_else(|| f.to_string()));
    }
    e
}

#[cfg(test)]
mod tests;
