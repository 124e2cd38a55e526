-- The whole schema of a classroom server: instructors, the scenario texts sessions started with,
-- sessions, their players and each session's append-only event log.
-- Migrations are never edited once released: change the schema in a new file.

-- Teachers. The key is shown once and only its SHA-256 is kept.
CREATE TABLE instructors (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL -- unix milliseconds
);

-- The exact text of every scenario a session started with, by SHA-256 of the text, so that a
-- stored game replays even after its file has changed.
CREATE TABLE scenario_texts (
    hash         TEXT PRIMARY KEY,
    scenario_id  TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);

-- The source essay a scenario's paragraph numbers refer to (not shipped; loaded by a teacher).
CREATE TABLE scenario_sources (
    scenario_id    TEXT PRIMARY KEY,
    text           TEXT NOT NULL,
    instructor_id  TEXT REFERENCES instructors(id),
    updated_at     INTEGER NOT NULL
);

-- One classroom game. `status` and `round` repeat what the event log says, for listing.
CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    instructor_id  TEXT NOT NULL REFERENCES instructors(id),
    join_code      TEXT NOT NULL,
    scenario_id    TEXT NOT NULL,
    scenario_hash  TEXT NOT NULL REFERENCES scenario_texts(hash),
    seed           TEXT NOT NULL, -- a u64 in decimal
    deadline_secs  INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('lobby', 'running', 'paused', 'finished')),
    round          INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX sessions_by_instructor ON sessions (instructor_id, created_at DESC);
CREATE INDEX sessions_unfinished ON sessions (status) WHERE status <> 'finished';

-- A seat in a session: a student (with a hashed seat token) or a bot (no token).
CREATE TABLE players (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    name        TEXT NOT NULL,
    role        TEXT,
    is_bot      INTEGER NOT NULL DEFAULT 0,
    token_hash  TEXT UNIQUE,
    kicked      INTEGER NOT NULL DEFAULT 0,
    joined_at   INTEGER NOT NULL
);
CREATE INDEX players_by_session ON players (session_id);

-- Everything that happened in a session, in order. A session's state is the fold of its events.
CREATE TABLE events (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL, -- unix milliseconds
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,    -- JSON
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

CREATE TRIGGER events_are_append_only BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
