//! The PostgreSQL backend: several hub processes on one database, with no coordination beyond the database.
//!
//! ```text
//! ocop hub serve --database postgres://user@db-host/ocop          # any number of these, on any machines
//! ```
//!
//! Everything a hub knows lives in the database — the log, the documents' metadata, peers' cursors, enrollment
//! codes, devices and tokens, and the photos' bytes (complete and in progress) — so a device may reach any hub
//! process on each request. The hub's node id is a row of the database: every process on one database is the same
//! hub to the devices, and their sync cursors stay valid whichever process answers.
//!
//! ## Log positions under concurrent writers
//!
//! A device pages the log by position and keeps a cursor. If two processes appended at once with positions from a
//! sequence, the one with the smaller position could commit last, and a device reading in between would move its
//! cursor past a row it never saw — and skip it for ever. So every append first locks the single row of
//! `log_head` (`SELECT … FOR UPDATE`), takes its positions from it, and releases it by committing: appends run one
//! at a time across all processes, commit in position order, and leave no gaps. Readers take no lock; they read the
//! committed head and then the rows up to it. An append is a short transaction (the automerge work happens before
//! it), so the serialisation costs little; ADR-style alternatives (positions at commit time from a commit sequence,
//! or readers held back to the oldest in-flight transaction with `pg_snapshot_xmin`) were rejected as more moving
//! parts for the same guarantee.
//!
//! Each append also checks [`AppendBatch::expect`] under that lock: a batch computed from a document that another
//! process has written since is refused with [`HubError::Conflict`] and recomputed by the backend.
//!
//! ## Connections
//!
//! The storage trait is synchronous and is called from blocking threads (tokio's `spawn_blocking` in the HTTP
//! service). It uses the synchronous `postgres` client through an `r2d2` pool: `postgres` drives its connection
//! on a small private tokio runtime of its own, which is sound on a blocking thread but panics on an async worker —
//! the same rule [`super::HubStorage`] states for every backend. Each pooled connection keeps its prepared
//! statements, so a call costs one round trip. An async driver (`tokio-postgres` with `deadpool`)
//! would have meant an async trait or a `block_on` bridge at every call; the blocking pool keeps the trait and the
//! backend identical for SQLite and PostgreSQL.
//!
//! ## Migrations
//!
//! Numbered `.sql` files applied in order on start, each in one transaction with its row in `schema_migrations`,
//! under a session advisory lock so that hub processes starting together migrate once. A database migrated by a
//! newer hub is refused and left untouched.

mod auth;
mod photos;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use ocop_core::sync::message::PhotoNeed;
use ocop_core::sync::{NodeId, Scope};
use postgres::types::ToSql;
use postgres::{NoTls, Row, Statement};
use r2d2::PooledConnection;
use uuid::Uuid;

use super::{
    AppendBatch, DeviceRow, DocMeta, EnrollmentRow, HubStorage, LogPage, PhotoHeld, Place,
    Redeemed, StoredChange,
};
use crate::error::{HubError, Result};

const MIGRATIONS: &[&str] = &[include_str!("sql/001_initial.sql")];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

type Conn = PooledConnection<Manager>;
type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

/// Opens the pool's connections.
pub(crate) struct Manager {
    config: postgres::Config,
}

impl r2d2::ManageConnection for Manager {
    type Connection = PgConn;
    type Error = postgres::Error;

    fn connect(&self) -> std::result::Result<PgConn, postgres::Error> {
        Ok(PgConn {
            client: self.config.connect(NoTls)?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut PgConn) -> std::result::Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.client.is_closed()
    }
}

/// A pooled connection and its prepared statements: each statement is prepared once per connection, so that a
/// call afterwards costs one round trip instead of two (prepare, then run).
pub(crate) struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, Statement>,
}

fn cached(
    statements: &mut HashMap<String, Statement>,
    sql: &str,
    prepare: impl FnOnce(&str) -> std::result::Result<Statement, postgres::Error>,
) -> Result<Statement> {
    if let Some(s) = statements.get(sql) {
        return Ok(s.clone());
    }
    let s = prepare(sql)?;
    statements.insert(sql.to_string(), s.clone());
    Ok(s)
}

impl PgConn {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        let client = &mut self.client;
        cached(&mut self.statements, sql, |q| client.prepare(q))
    }

    /// Runs `sql` (prepared once per connection) and returns its rows.
    pub(crate) fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        let s = self.statement(sql)?;
        Ok(self.client.query(&s, params)?)
    }

    /// Runs `sql` and returns its one row.
    pub(crate) fn query_one(&mut self, sql: &str, params: Params<'_>) -> Result<Row> {
        let s = self.statement(sql)?;
        Ok(self.client.query_one(&s, params)?)
    }

    /// Runs `sql` and returns its row, if any.
    pub(crate) fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
        let s = self.statement(sql)?;
        Ok(self.client.query_opt(&s, params)?)
    }

    /// Runs `sql` and returns the number of rows it changed.
    pub(crate) fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64> {
        let s = self.statement(sql)?;
        Ok(self.client.execute(&s, params)?)
    }

    /// Runs statements without parameters (not cached).
    pub(crate) fn batch_execute(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(sql)?)
    }

    /// Starts a transaction (rolled back when dropped without [`Tx::commit`]).
    pub(crate) fn transaction(&mut self) -> Result<Tx<'_>> {
        let tx = self.client.transaction()?;
        Ok(Tx {
            tx,
            statements: &mut self.statements,
        })
    }
}

/// A transaction on a [`PgConn`], using its prepared statements.
pub(crate) struct Tx<'a> {
    tx: postgres::Transaction<'a>,
    statements: &'a mut HashMap<String, Statement>,
}

impl Tx<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        let tx = &mut self.tx;
        cached(self.statements, sql, |q| tx.prepare(q))
    }

    /// Runs `sql` and returns its rows.
    pub(crate) fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        let s = self.statement(sql)?;
        Ok(self.tx.query(&s, params)?)
    }

    /// Runs `sql` and returns its one row.
    pub(crate) fn query_one(&mut self, sql: &str, params: Params<'_>) -> Result<Row> {
        let s = self.statement(sql)?;
        Ok(self.tx.query_one(&s, params)?)
    }

    /// Runs `sql` and returns its row, if any.
    pub(crate) fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
        let s = self.statement(sql)?;
        Ok(self.tx.query_opt(&s, params)?)
    }

    /// Runs `sql` and returns the number of rows it changed.
    pub(crate) fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64> {
        let s = self.statement(sql)?;
        Ok(self.tx.execute(&s, params)?)
    }

    /// Runs statements without parameters (not cached).
    pub(crate) fn batch_execute(&mut self, sql: &str) -> Result<()> {
        Ok(self.tx.batch_execute(sql)?)
    }

    /// Commits.
    pub(crate) fn commit(self) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}

/// How the PostgreSQL storage connects.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Most connections this process opens (default 16: the HTTP service's blocking threads).
    pub max_connections: u32,
    /// How long a call waits for a free connection (or for the server) before failing.
    pub connect_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout: Duration::from_secs(15),
        }
    }
}

/// The hub's storage in a PostgreSQL database (the schema is the first of the connection's `search_path`; pass
/// `?options=-c%20search_path%3Dname` in the URL to use another than `public`).
pub struct PgStorage {
    pool: r2d2::Pool<Manager>,
    node: NodeId,
}

impl std::fmt::Debug for PgStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStorage")
            .field("node", &self.node.to_hex())
            .finish_non_exhaustive()
    }
}

pub(crate) fn now_millis() -> i64 {
    ocop_core::ids::now_millis()
}

fn pool_error(e: r2d2::Error) -> HubError {
    HubError::Storage(format!("no PostgreSQL connection: {e}"))
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// A scope as query parameters: everything, provinces, communes.
fn scope_params(scope: &Scope) -> (bool, Vec<String>, Vec<String>) {
    let all = scope.provinces.iter().any(|p| p == "*");
    (all, scope.provinces.clone(), scope.communes.clone())
}

fn node_from(bytes: Option<Vec<u8>>) -> Option<NodeId> {
    bytes.and_then(|b| <[u8; 16]>::try_from(b).ok()).map(NodeId)
}

const CHANGE_COLUMNS: &str =
    "seq, doc, bytes, origin, before_province, before_commune, after_province, after_commune";

fn change_row(r: &Row) -> Result<StoredChange> {
    let before_p: Option<String> = r.try_get(4)?;
    let before_c: Option<String> = r.try_get(5)?;
    Ok(StoredChange {
        seq: to_u64(r.try_get(0)?),
        doc: r.try_get(1)?,
        bytes: r.try_get(2)?,
        origin: node_from(r.try_get(3)?),
        before: match (before_p, before_c) {
            (Some(p), Some(c)) => Some(Place::new(p, c)),
            _ => None,
        },
        after: Place::new(r.try_get::<_, String>(6)?, r.try_get::<_, String>(7)?),
    })
}

fn migrate(conn: &mut Conn) -> Result<u32> {
    conn.batch_execute(
        "SELECT pg_advisory_lock(hashtext('ocop-hub-migrate:' || COALESCE(current_schema(), '')))",
    )?;
    let result = migrate_locked(conn);
    let unlocked = conn.batch_execute(
        "SELECT pg_advisory_unlock(hashtext('ocop-hub-migrate:' || COALESCE(current_schema(), '')))",
    );
    let found = result?;
    unlocked?;
    Ok(found)
}

fn migrate_locked(conn: &mut Conn) -> Result<u32> {
    conn.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )?;
    let found: i32 = conn
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    let found = u32::try_from(found).unwrap_or(0);
    if found > SCHEMA_VERSION {
        return Err(HubError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let mut tx = conn.transaction()?;
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&version],
        )?;
        tx.commit()?;
    }
    Ok(found)
}

fn load_or_create_node(conn: &mut Conn) -> Result<NodeId> {
    let candidate = NodeId::random().to_hex();
    // Several processes starting at once: the first insert wins, every process reads the same row.
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('node', $1) ON CONFLICT (key) DO NOTHING",
        &[&candidate],
    )?;
    let hex: String = conn
        .query_one("SELECT value FROM meta WHERE key = 'node'", &[])?
        .try_get(0)?;
    NodeId::from_hex(&hex)
        .ok_or_else(|| HubError::Storage("the hub's node id in the database is not valid".into()))
}

impl PgStorage {
    /// Connects to the database at `url` (`postgres://user@host:port/db`, any libpq-style key=value string too),
    /// migrating it to the current schema and creating the hub's node id on first use.
    pub fn open(url: &str, options: PgOptions) -> Result<Self> {
        let config: postgres::Config =
            url.parse()
                .map_err(|e: postgres::Error| HubError::Invalid {
                    field: "database".into(),
                    reason: format!("not a PostgreSQL connection URL: {e}"),
                })?;
        let manager = Manager { config };
        let pool = r2d2::Pool::builder()
            .max_size(options.max_connections.max(1))
            .min_idle(Some(1))
            // No test query on every checkout (a round trip per storage call): a connection that died is known
            // by its closed socket, and one that fails a call is dropped afterwards; the request fails and the
            // device retries.
            .test_on_check_out(false)
            .connection_timeout(options.connect_timeout)
            .error_handler(Box::new(r2d2::LoggingErrorHandler))
            .build_unchecked(manager);
        let mut conn = pool.get().map_err(pool_error)?;
        let from = migrate(&mut conn)?;
        if from < SCHEMA_VERSION {
            tracing::info!(
                from,
                to = SCHEMA_VERSION,
                "hub database migrated (PostgreSQL)"
            );
        }
        let node = load_or_create_node(&mut conn)?;
        drop(conn);
        Ok(Self { pool, node })
    }

    pub(crate) fn conn(&self) -> Result<Conn> {
        self.pool.get().map_err(pool_error)
    }
}

impl HubStorage for PgStorage {
    fn node_id(&self) -> Result<NodeId> {
        Ok(self.node)
    }

    fn append(&self, batch: &AppendBatch) -> Result<Vec<Option<u64>>> {
        let now = now_millis();
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        // The lock that orders every append of every process (see the module docs).
        let head: i64 = tx
            .query_one("SELECT seq FROM log_head WHERE id = 1 FOR UPDATE", &[])?
            .try_get(0)?;
        if !batch.expect.is_empty() {
            let ids: Vec<Uuid> = batch.expect.iter().map(|(d, _)| *d).collect();
            let held: HashMap<Uuid, i64> = tx
                .query(
                    "SELECT doc, changes FROM documents WHERE doc = ANY($1)",
                    &[&ids],
                )?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_>>()?;
            for (doc, expected) in &batch.expect {
                if to_u64(held.get(doc).copied().unwrap_or(0)) != *expected {
                    return Err(HubError::Conflict); // dropping the transaction rolls it back
                }
            }
        }
        let hashes: Vec<&[u8]> = batch.changes.iter().map(|c| c.hash.as_slice()).collect();
        let stored: HashSet<Vec<u8>> = if hashes.is_empty() {
            HashSet::new()
        } else {
            tx.query("SELECT hash FROM changes WHERE hash = ANY($1)", &[&hashes])?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, postgres::Error>>()?
        };
        let mut seen: HashSet<&[u8]> = HashSet::new();
        let mut seqs = Vec::with_capacity(batch.changes.len());
        let mut next = head;
        let (mut c_seq, mut c_doc, mut c_hash, mut c_bytes, mut c_origin, mut c_user) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut c_bp, mut c_bc, mut c_ap, mut c_ac) = (vec![], vec![], vec![], vec![]);
        for c in &batch.changes {
            if stored.contains(c.hash.as_slice()) || !seen.insert(c.hash.as_slice()) {
                seqs.push(None);
                continue;
            }
            next += 1;
            seqs.push(Some(to_u64(next)));
            c_seq.push(next);
            c_doc.push(c.doc);
            c_hash.push(c.hash.as_slice());
            c_bytes.push(c.bytes.as_slice());
            c_origin.push(c.origin.map(|o| o.0.to_vec()));
            c_user.push(c.user_id.as_str());
            c_bp.push(c.before.as_ref().map(|p| p.province.as_str()));
            c_bc.push(c.before.as_ref().map(|p| p.commune.as_str()));
            c_ap.push(c.after.province.as_str());
            c_ac.push(c.after.commune.as_str());
        }
        if !c_seq.is_empty() {
            tx.execute(
                "INSERT INTO changes (seq, doc, hash, bytes, origin, user_id, received_at, before_province,
                     before_commune, after_province, after_commune)
                 SELECT s, d, h, b, o, u, $7::bigint, bp, bc, ap, ac
                 FROM unnest($1::bigint[], $2::uuid[], $3::bytea[], $4::bytea[], $5::bytea[], $6::text[],
                             $8::text[], $9::text[], $10::text[], $11::text[])
                      AS x(s, d, h, b, o, u, bp, bc, ap, ac)",
                &[
                    &c_seq, &c_doc, &c_hash, &c_bytes, &c_origin, &c_user, &now, &c_bp, &c_bc, &c_ap,
                    &c_ac,
                ],
            )?;
        }
        // The documents' metadata, one row per document (the last update of a document wins).
        let mut docs: Vec<&super::DocUpdate> = Vec::new();
        for d in batch.docs.iter().rev() {
            if !docs.iter().any(|e| e.doc == d.doc) {
                docs.push(d);
            }
        }
        if !docs.is_empty() {
            let ids: Vec<Uuid> = docs.iter().map(|d| d.doc).collect();
            let kinds: Vec<&str> = docs.iter().map(|d| d.kind.as_str()).collect();
            let provinces: Vec<&str> = docs.iter().map(|d| d.place.province.as_str()).collect();
            let communes: Vec<&str> = docs.iter().map(|d| d.place.commune.as_str()).collect();
            tx.execute(
                "INSERT INTO documents (doc, kind, province, commune, last_seq, changes)
                 SELECT u.doc, u.kind, u.province, u.commune,
                        (SELECT COALESCE(MAX(c.seq), 0) FROM changes c WHERE c.doc = u.doc),
                        (SELECT COUNT(*) FROM changes c WHERE c.doc = u.doc)
                 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(doc, kind, province, commune)
                 ON CONFLICT (doc) DO UPDATE SET kind = excluded.kind, province = excluded.province,
                    commune = excluded.commune, last_seq = excluded.last_seq, changes = excluded.changes",
                &[&ids, &kinds, &provinces, &communes],
            )?;
            let with_photos: Vec<Uuid> = docs
                .iter()
                .filter(|d| d.photos.is_some())
                .map(|d| d.doc)
                .collect();
            if !with_photos.is_empty() {
                tx.execute(
                    "DELETE FROM photo_refs WHERE doc = ANY($1)",
                    &[&with_photos],
                )?;
                let (mut r_doc, mut r_hash) = (vec![], vec![]);
                for d in &docs {
                    for h in d.photos.iter().flatten() {
                        r_doc.push(d.doc);
                        r_hash.push(h.as_str());
                    }
                }
                if !r_doc.is_empty() {
                    tx.execute(
                        "INSERT INTO photo_refs (doc, hash) SELECT * FROM unnest($1::uuid[], $2::text[])
                         ON CONFLICT DO NOTHING",
                        &[&r_doc, &r_hash],
                    )?;
                }
            }
        }
        if let Some((peer, through)) = batch.peer {
            tx.execute(
                "INSERT INTO peers (node, received, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (node) DO UPDATE
                    SET received = GREATEST(peers.received, excluded.received), updated_at = excluded.updated_at",
                &[&peer.0.as_slice(), &to_i64(through), &now],
            )?;
        }
        if next != head {
            tx.execute("UPDATE log_head SET seq = $1 WHERE id = 1", &[&next])?;
        }
        tx.commit()?;
        Ok(seqs)
    }

    fn document(&self, doc: Uuid) -> Result<Option<DocMeta>> {
        let mut conn = self.conn()?;
        let row = conn.query_opt(
            "SELECT kind, province, commune, last_seq, changes FROM documents WHERE doc = $1",
            &[&doc],
        )?;
        row.map(|r| {
            Ok(DocMeta {
                kind: r.try_get(0)?,
                place: Place::new(r.try_get::<_, String>(1)?, r.try_get::<_, String>(2)?),
                last_seq: to_u64(r.try_get(3)?),
                changes: to_u64(r.try_get(4)?),
            })
        })
        .transpose()
    }

    fn document_changes(&self, doc: Uuid, after: u64) -> Result<Vec<StoredChange>> {
        let mut conn = self.conn()?;
        conn.query(
            &format!(
                "SELECT {CHANGE_COLUMNS} FROM changes WHERE doc = $1 AND seq > $2 ORDER BY seq"
            ),
            &[&doc, &to_i64(after)],
        )?
        .iter()
        .map(change_row)
        .collect()
    }

    fn log_page(
        &self,
        after: u64,
        scope: &Scope,
        exclude: Option<NodeId>,
        limit: usize,
    ) -> Result<LogPage> {
        let (all, provinces, communes) = scope_params(scope);
        let limit = limit.max(1);
        let mut conn = self.conn()?;
        // The committed head first: every row up to it is committed (appends commit in order), so the rows read
        // next, in a later snapshot, include all of them.
        let head: i64 = conn
            .query_one("SELECT seq FROM log_head WHERE id = 1", &[])?
            .try_get(0)?;
        let exclude = exclude.map(|n| n.0.to_vec());
        let rows = conn
            .query(
                &format!(
                    "SELECT {CHANGE_COLUMNS} FROM changes
                     WHERE seq > $1 AND seq <= $2 AND ($3::bytea IS NULL OR origin IS NULL OR origin <> $3)
                       AND ($4
                            OR (after_province = '' AND after_commune = '')
                            OR after_province = ANY($5) OR after_commune = ANY($6)
                            OR (before_province = '' AND before_commune = '')
                            OR before_province = ANY($5) OR before_commune = ANY($6))
                     ORDER BY seq LIMIT $7"
                ),
                &[
                    &to_i64(after),
                    &head,
                    &exclude,
                    &all,
                    &provinces,
                    &communes,
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )?
            .iter()
            .map(change_row)
            .collect::<Result<Vec<_>>>()?;
        let full = rows.len() >= limit;
        let through = match rows.last() {
            Some(last) if full => last.seq,
            _ => to_u64(head).max(after),
        };
        Ok(LogPage {
            rows,
            through,
            full,
        })
    }

    fn received_from(&self, peer: NodeId) -> Result<u64> {
        let mut conn = self.conn()?;
        let row = conn.query_opt(
            "SELECT received FROM peers WHERE node = $1",
            &[&peer.0.as_slice()],
        )?;
        Ok(match row {
            Some(r) => to_u64(r.try_get(0)?),
            None => 0,
        })
    }

    fn add_enrollment(&self, row: &EnrollmentRow) -> Result<()> {
        auth::add_enrollment(self, row)
    }

    fn redeem_enrollment(&self, code_hash: &str, now: i64, device: &DeviceRow) -> Result<Redeemed> {
        auth::redeem(self, code_hash, now, device)
    }

    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceRow>> {
        auth::device_by_token(self, token_hash)
    }

    fn devices(&self) -> Result<Vec<DeviceRow>> {
        auth::devices(self)
    }

    fn revoke_device(&self, device_id: &str, now: i64) -> Result<bool> {
        auth::revoke_device(self, device_id, now)
    }

    fn revoke_user(&self, user_id: &str, now: i64) -> Result<usize> {
        auth::revoke_user(self, user_id, now)
    }

    fn touch_device(&self, device_id: &str, now: i64) -> Result<()> {
        auth::touch(self, device_id, now)
    }

    fn photos_wanted(&self, scope: &Scope, max: usize) -> Result<Vec<PhotoNeed>> {
        photos::wanted(self, scope, max)
    }

    fn photo_places(&self, hash: &str) -> Result<Vec<Place>> {
        photos::places(self, hash)
    }

    fn photo_held(&self, hash: &str) -> Result<PhotoHeld> {
        photos::held(self, hash)
    }

    fn photo_append(&self, hash: &str, offset: u64, data: &[u8]) -> Result<u64> {
        photos::append(self, hash, offset, data)
    }

    fn photo_finish(&self, hash: &str, total: u64) -> Result<()> {
        photos::finish(self, hash, total)
    }

    fn photo_read(&self, hash: &str, offset: u64, max: usize) -> Result<(u64, Vec<u8>)> {
        photos::read(self, hash, offset, max)
    }
}
