-- Classes: one join code for a whole room, its students placed at tables (sessions) by the server.
-- A class keeps only what is not in its tables' logs: who owns it, its code and its settings.

CREATE TABLE classes (
    id             TEXT PRIMARY KEY,
    instructor_id  TEXT NOT NULL REFERENCES instructors(id),
    join_code      TEXT NOT NULL,
    scenario_id    TEXT NOT NULL,
    scenario_hash  TEXT NOT NULL REFERENCES scenario_texts(hash),
    settings       TEXT NOT NULL, -- JSON: seats_per_role, tables, deadline_secs, seed, bots
    status         TEXT NOT NULL CHECK (status IN ('open', 'finished')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX classes_by_instructor ON classes (instructor_id, created_at);
CREATE INDEX classes_open ON classes (status) WHERE status <> 'finished';

-- A session may be a table of a class, numbered from 1 in the class.
ALTER TABLE sessions ADD COLUMN class_id TEXT REFERENCES classes(id);
ALTER TABLE sessions ADD COLUMN class_table INTEGER;
CREATE INDEX sessions_by_class ON sessions (class_id, class_table) WHERE class_id IS NOT NULL;
