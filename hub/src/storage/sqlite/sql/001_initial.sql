-- Schema version 1 of the hub database.

-- Small facts about this hub (its node id).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The hub's log: every accepted change, append-only. `seq` is the position in the log (AUTOINCREMENT: never
-- reused). The place columns hold the document's province and commune just before (NULL when the change created
-- the document) and just after the change.
CREATE TABLE changes (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    doc             BLOB NOT NULL,
    hash            BLOB NOT NULL UNIQUE,
    bytes           BLOB NOT NULL,
    origin          BLOB,
    user_id         TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    before_province TEXT,
    before_commune  TEXT,
    after_province  TEXT NOT NULL,
    after_commune   TEXT NOT NULL
) STRICT;
CREATE INDEX changes_doc ON changes(doc, seq);

-- Derived metadata of each document (rebuildable from the log).
CREATE TABLE documents (
    doc      BLOB PRIMARY KEY,
    kind     TEXT NOT NULL,
    province TEXT NOT NULL,
    commune  TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    changes  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX documents_place ON documents(province, commune);

-- Photos referred to by visits (derived from the documents).
CREATE TABLE photo_refs (
    doc  BLOB NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (doc, hash)
) STRICT, WITHOUT ROWID;
CREATE INDEX photo_refs_hash ON photo_refs(hash);

-- Photos held completely and verified (the bytes live in the photo folder).
CREATE TABLE photos (
    hash      TEXT PRIMARY KEY,
    bytes     INTEGER NOT NULL,
    stored_at INTEGER NOT NULL
) STRICT;

-- How far into each peer's log the hub holds everything.
CREATE TABLE peers (
    node       BLOB PRIMARY KEY,
    received   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- One-time enrollment codes, by the SHA-256 of the code.
CREATE TABLE enrollments (
    code_hash    TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    device_id    TEXT
) STRICT;

-- Enrolled devices, with the SHA-256 of their bearer token (the token itself is never stored).
CREATE TABLE devices (
    device_id    TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    device_name  TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_seen_at INTEGER
) STRICT;
CREATE INDEX devices_user ON devices(user_id);
