-- The whole schema for PostgreSQL (several game nodes on one database): the same tables and
-- columns as SQLite's migrations 0001 to 0004 together, in PostgreSQL's types (times and numbers
-- BIGINT, flags BOOLEAN, JSON kept as TEXT so that stored bytes come back exactly).
-- Migrations are never edited once released: change the schema in a new file, for both databases.

-- Teachers. The key is shown once and only its SHA-256 is kept.
CREATE TABLE instructors (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL, -- unix milliseconds
    revoked_at  BIGINT           -- unix milliseconds, NULL while valid
);

-- The exact text of every scenario a session started with, by SHA-256 of the text.
CREATE TABLE scenario_texts (
    hash         TEXT PRIMARY KEY,
    scenario_id  TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- The source essay per (instructor, scenario).
CREATE TABLE instructor_sources (
    instructor_id  TEXT NOT NULL REFERENCES instructors(id),
    scenario_id    TEXT NOT NULL,
    text           TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (instructor_id, scenario_id)
);

-- Classes: one join code for a whole room, its students placed at tables (sessions).
CREATE TABLE classes (
    id             TEXT PRIMARY KEY,
    instructor_id  TEXT NOT NULL REFERENCES instructors(id),
    join_code      TEXT NOT NULL,
    scenario_id    TEXT NOT NULL,
    scenario_hash  TEXT NOT NULL REFERENCES scenario_texts(hash),
    settings       TEXT NOT NULL, -- JSON: seats_per_role, tables, deadline_secs, seed, bots
    status         TEXT NOT NULL CHECK (status IN ('open', 'finished')),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX classes_by_instructor ON classes (instructor_id, created_at);
CREATE INDEX classes_open ON classes (status) WHERE status <> 'finished';
CREATE INDEX classes_by_code ON classes (join_code) WHERE status <> 'finished';

-- One classroom game. `status` and `round` repeat what the event log says, for listing.
CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    instructor_id  TEXT NOT NULL REFERENCES instructors(id),
    join_code      TEXT NOT NULL,
    scenario_id    TEXT NOT NULL,
    scenario_hash  TEXT NOT NULL REFERENCES scenario_texts(hash),
    seed           TEXT NOT NULL, -- a u64 in decimal
    deadline_secs  BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('lobby', 'running', 'paused', 'finished')),
    round          BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    class_id       TEXT REFERENCES classes(id),
    class_table    BIGINT
);
CREATE INDEX sessions_listed ON sessions (instructor_id, created_at, scenario_id, status, join_code, round, id);
CREATE INDEX sessions_unfinished ON sessions (status) WHERE status <> 'finished';
CREATE INDEX sessions_by_class ON sessions (class_id, class_table) WHERE class_id IS NOT NULL;
-- A node that does not run a session finds it by its code (a student's `join` or `watch`).
CREATE INDEX sessions_by_code ON sessions (join_code) WHERE status <> 'finished';

-- A seat in a session: a student (with a hashed seat token) or a bot (no token). `n` keeps the
-- order of players who joined in the same millisecond (SQLite's rowid).
CREATE TABLE players (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    name        TEXT NOT NULL,
    role        TEXT,
    is_bot      BOOLEAN NOT NULL DEFAULT FALSE,
    token_hash  TEXT UNIQUE,
    kicked      BOOLEAN NOT NULL DEFAULT FALSE,
    joined_at   BIGINT NOT NULL,
    n           BIGSERIAL NOT NULL
);
CREATE INDEX players_by_session ON players (session_id);

-- Everything that happened in a session, in order. A session's state is the fold of its events.
CREATE TABLE events (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL, -- unix milliseconds
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,   -- JSON, exactly as written
    PRIMARY KEY (session_id, seq)
);

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_are_append_only BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

-- What `/healthz` writes to find out whether writes work (one row, overwritten).
CREATE TABLE writer_probe (
    id  BIGINT PRIMARY KEY,
    at  BIGINT NOT NULL
);
