-- Schema version 1: documents, their change log, and the projections derived from them.

-- Small key/value facts about this store: the device actor id, creation time.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per record document. A document is its compacted snapshot plus every change appended after
-- `snapshot_seq` (rows of `changes` for the same doc with a greater seq).
CREATE TABLE documents (
    n            INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    snapshot     BLOB,
    snapshot_seq INTEGER NOT NULL DEFAULT 0,
    last_seq     INTEGER NOT NULL,
    pending      INTEGER NOT NULL DEFAULT 0,
    heads        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    -- Why the document could not be projected (e.g. written by a newer app), NULL when fine.
    problem      TEXT
) STRICT;
CREATE INDEX documents_kind ON documents(kind, updated_at);

-- Every change this store knows, in the order it learnt them. It is both the documents' incremental storage
-- and the log that sync reads from (seq is this store's log position). Append-only.
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id      TEXT NOT NULL,
    hash        BLOB NOT NULL UNIQUE,
    bytes       BLOB NOT NULL,
    local       INTEGER NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX changes_doc ON changes(doc_id, seq);

-- Projections: plain tables derived from the documents, rebuildable at any time.
CREATE TABLE producers (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    name_folded     TEXT NOT NULL,
    owner_kind      TEXT NOT NULL,
    registration_no TEXT,
    representative  TEXT NOT NULL,
    gender          TEXT NOT NULL,
    phone           TEXT,
    province_code   TEXT NOT NULL,
    commune_code    TEXT NOT NULL,
    commune_name    TEXT NOT NULL,
    lat             REAL,
    lon             REAL,
    members         INTEGER,
    women_members   INTEGER,
    women_owned     INTEGER,
    women_led       INTEGER,
    status          TEXT NOT NULL,
    merged_into     TEXT,
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX producers_commune ON producers(commune_code, name_folded);
CREATE INDEX producers_province ON producers(province_code);
CREATE INDEX producers_updated ON producers(updated_at);

CREATE TABLE products (
    id                 TEXT PRIMARY KEY,
    producer_id        TEXT NOT NULL,
    name               TEXT NOT NULL,
    name_folded        TEXT NOT NULL,
    group_code         TEXT NOT NULL,
    subgroup_code      TEXT,
    province_code      TEXT NOT NULL,
    commune_code       TEXT NOT NULL,
    commune_name       TEXT NOT NULL,
    stage              TEXT NOT NULL,
    stars              INTEGER,
    score              REAL,
    certificate_no     TEXT,
    issued             TEXT,
    expires            TEXT,
    ecommerce          TEXT NOT NULL,
    ecommerce_count    INTEGER NOT NULL,
    traceability_stamp INTEGER NOT NULL,
    zone_area_ha       REAL,
    created_by         TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX products_producer ON products(producer_id);
CREATE INDEX products_commune ON products(commune_code);
CREATE INDEX products_stage ON products(stage, group_code);
CREATE INDEX products_expires ON products(expires);

CREATE TABLE visits (
    id            TEXT PRIMARY KEY,
    producer_id   TEXT,
    product_id    TEXT,
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    form_id       TEXT NOT NULL,
    form_version  INTEGER NOT NULL,
    state         TEXT NOT NULL,
    collector     TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    submitted_at  INTEGER,
    answer_count  INTEGER NOT NULL,
    photo_count   INTEGER NOT NULL,
    fix_count     INTEGER NOT NULL,
    lat           REAL,
    lon           REAL,
    flags         TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX visits_producer ON visits(producer_id);
CREATE INDEX visits_state ON visits(state, commune_code);
CREATE INDEX visits_started ON visits(started_at DESC);

-- Photo references of visits (a photo may be referenced by several visits).
CREATE TABLE visit_photos (
    visit_id TEXT NOT NULL,
    hash     TEXT NOT NULL,
    bytes    INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    PRIMARY KEY (visit_id, hash)
) STRICT;
CREATE INDEX visit_photos_hash ON visit_photos(hash);

-- Fields holding several distinct values after concurrent edits, waiting for a person.
CREATE TABLE conflicts (
    doc_id      TEXT NOT NULL,
    path        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    detected_at INTEGER NOT NULL,
    PRIMARY KEY (doc_id, path)
) STRICT;

-- Full-text search over folded (diacritic-free, lower-case) text of every record; rowid = documents.n.
CREATE VIRTUAL TABLE search USING fts5(
    kind UNINDEXED,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
