-- Schema version 2: sync state.

-- The node a change came from (hex node id); NULL for changes written on this device.
ALTER TABLE changes ADD COLUMN origin TEXT;

-- Where a document belongs (decides who receives it), and the log position of its last local change.
ALTER TABLE documents ADD COLUMN province_code TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN commune_code TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN last_local_seq INTEGER NOT NULL DEFAULT 0;
UPDATE documents SET last_local_seq =
    COALESCE((SELECT MAX(seq) FROM changes c WHERE c.doc_id = documents.id AND c.local = 1), 0);
CREATE INDEX documents_scope ON documents(province_code, commune_code);

-- Peers this store syncs with, and the two cursors per peer.
CREATE TABLE peers (
    label        TEXT PRIMARY KEY,
    node         TEXT,
    their_cursor INTEGER NOT NULL DEFAULT 0,
    acked        INTEGER NOT NULL DEFAULT 0,
    interrupted  INTEGER NOT NULL DEFAULT 0,
    last_sync_at INTEGER
) STRICT;

-- Changes a peer refused, kept visible (nothing is silently dropped).
CREATE TABLE rejections (
    doc_id      TEXT NOT NULL,
    change_hash TEXT NOT NULL,
    peer        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (doc_id, change_hash)
) STRICT;
