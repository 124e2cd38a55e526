-- The instructor's list of stored games reads every column it shows from this index (a covering
-- index), newest first, without touching the table: a list of 10,000 games stays fast.
CREATE INDEX sessions_listed ON sessions (instructor_id, created_at, scenario_id, status, join_code, round, id);
DROP INDEX sessions_by_instructor;
