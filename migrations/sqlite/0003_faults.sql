-- Keys can be revoked; source essays belong to the instructor who loaded them; the writer's
-- health probe has a one-row table to write to.

-- A revoked instructor's key no longer signs in (its games are kept, for the record).
ALTER TABLE instructors ADD COLUMN revoked_at INTEGER; -- unix milliseconds, NULL while valid

-- The source essay per (instructor, scenario): one instructor's text never replaces another's,
-- and it is read only with that instructor's key.
CREATE TABLE instructor_sources (
    instructor_id  TEXT NOT NULL REFERENCES instructors(id),
    scenario_id    TEXT NOT NULL,
    text           TEXT NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (instructor_id, scenario_id)
) WITHOUT ROWID;
INSERT INTO instructor_sources (instructor_id, scenario_id, text, updated_at)
    SELECT instructor_id, scenario_id, text, updated_at FROM scenario_sources WHERE instructor_id IS NOT NULL;
DROP TABLE scenario_sources;

-- What `/healthz` writes to find out whether writes work (one row, overwritten).
CREATE TABLE writer_probe (
    id  INTEGER PRIMARY KEY,
    at  INTEGER NOT NULL
);
