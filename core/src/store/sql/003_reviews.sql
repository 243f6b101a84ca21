-- Schema version 3: reviews and the review state of every reviewed record (projections, rebuildable from the
-- documents like every other projection).

-- One row per review document.
CREATE TABLE reviews (
    id             TEXT PRIMARY KEY,
    target_id      TEXT NOT NULL,
    target_kind    TEXT NOT NULL,
    decision       TEXT NOT NULL,
    reviewer       TEXT NOT NULL,
    reviewer_name  TEXT NOT NULL,
    at             INTEGER NOT NULL,
    -- The reviewed heads, hex, sorted, comma-joined.
    heads          TEXT NOT NULL,
    comment        TEXT NOT NULL,
    -- JSON object: field path → comment.
    field_comments TEXT NOT NULL,
    -- JSON array of review ids this one supersedes.
    supersedes     TEXT NOT NULL,
    province_code  TEXT NOT NULL,
    commune_code   TEXT NOT NULL,
    -- The record's province and commune as the review names them (JSON unit references).
    province       TEXT NOT NULL,
    commune        TEXT NOT NULL
) STRICT;
CREATE INDEX reviews_target ON reviews(target_id, at);
CREATE INDEX reviews_reviewer ON reviews(reviewer, at);

-- Where each reviewed record stands: derived from its reviews and its document's heads. A record without a row
-- has never been reviewed (pending).
CREATE TABLE review_state (
    target_id    TEXT PRIMARY KEY,
    target_kind  TEXT NOT NULL,
    -- approved | returned | rejected | stale | conflicting
    state        TEXT NOT NULL,
    -- Decision of the latest review in force (for stale: the decision that no longer applies).
    decision     TEXT,
    -- The review in force (the latest when several).
    review_id    TEXT,
    reviewed_at  INTEGER,
    -- JSON array of the reviewers whose reviews are in force.
    reviewers    TEXT NOT NULL,
    review_count INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX review_state_state ON review_state(state, target_kind);
