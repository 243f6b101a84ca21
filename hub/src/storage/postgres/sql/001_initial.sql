-- Schema version 1 of the hub database on PostgreSQL (the tables of the SQLite backend, plus the log head and the
-- photo bytes, which live in the database so that every hub process sees the same photos).

-- Small facts about this hub (its node id: the hub's identity belongs to the database, not to a process).
CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- The log's head: the last position handed out. Every append locks this one row (SELECT … FOR UPDATE) for the
-- length of its transaction, so appends from every hub process run one at a time and commit in log order: a reader
-- that sees position n sees every position below n, and positions have no gaps.
CREATE TABLE log_head (
    id  smallint PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL
);
INSERT INTO log_head (id, seq) VALUES (1, 0);

-- The hub's log: every accepted change, append-only. `seq` is the position in the log.
CREATE TABLE changes (
    seq             bigint PRIMARY KEY,
    doc             uuid NOT NULL,
    hash            bytea NOT NULL UNIQUE,
    bytes           bytea NOT NULL,
    origin          bytea,
    user_id         text NOT NULL,
    received_at     bigint NOT NULL,
    before_province text,
    before_commune  text,
    after_province  text NOT NULL,
    after_commune   text NOT NULL
);
CREATE INDEX changes_doc ON changes (doc, seq);

-- Derived metadata of each document (rebuildable from the log).
CREATE TABLE documents (
    doc      uuid PRIMARY KEY,
    kind     text NOT NULL,
    province text NOT NULL,
    commune  text NOT NULL,
    last_seq bigint NOT NULL,
    changes  bigint NOT NULL
);
CREATE INDEX documents_place ON documents (province, commune);

-- Photos referred to by visits (derived from the documents).
CREATE TABLE photo_refs (
    doc  uuid NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (doc, hash)
);
CREATE INDEX photo_refs_hash ON photo_refs (hash);

-- Photos held completely and verified, with their bytes (JPEG: stored uncompressed out of line, so that reading
-- a chunk reads only that chunk).
CREATE TABLE photos (
    hash      text PRIMARY KEY,
    length    bigint NOT NULL,
    data      bytea NOT NULL,
    stored_at bigint NOT NULL
);
ALTER TABLE photos ALTER COLUMN data SET STORAGE EXTERNAL;

-- Uploads in progress: how many bytes are held, and the chunks. Any hub process may receive the next chunk.
CREATE TABLE photo_uploads (
    hash       text PRIMARY KEY,
    held       bigint NOT NULL,
    updated_at bigint NOT NULL
);
CREATE TABLE photo_chunks (
    hash      text NOT NULL,
    at_offset bigint NOT NULL,
    data      bytea NOT NULL,
    PRIMARY KEY (hash, at_offset)
);
ALTER TABLE photo_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- How far into each peer's log the hub holds everything.
CREATE TABLE peers (
    node       bytea PRIMARY KEY,
    received   bigint NOT NULL,
    updated_at bigint NOT NULL
);

-- One-time enrollment codes, by the SHA-256 of the code.
CREATE TABLE enrollments (
    code_hash    text PRIMARY KEY,
    user_id      text NOT NULL,
    display_name text NOT NULL,
    role         text NOT NULL,
    scope        text NOT NULL,
    created_at   bigint NOT NULL,
    expires_at   bigint NOT NULL,
    used_at      bigint,
    device_id    text
);

-- Enrolled devices, with the SHA-256 of their bearer token (the token itself is never stored).
CREATE TABLE devices (
    device_id    text PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE,
    device_name  text NOT NULL,
    user_id      text NOT NULL,
    display_name text NOT NULL,
    role         text NOT NULL,
    scope        text NOT NULL,
    created_at   bigint NOT NULL,
    revoked_at   bigint,
    last_seen_at bigint
);
CREATE INDEX devices_user ON devices (user_id);
