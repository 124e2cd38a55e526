//! Reads, on the read pool. They never write and never hold a transaction. Most statements are
//! written once with SQLite's `?` placeholders and run on either database ([`read!`]); those that
//! build JSON inside the database (one row for a whole list or log) are written for each.

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{pg_sql, Pool, Store, StoreError};
use crate::log::EventRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructorRow {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub instructor_id: String,
    pub join_code: String,
    pub scenario_id: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub deadline_secs: u64,
    pub status: String,
    pub round: u32,
    pub created_at: i64,
    /// The class it is a table of, and its number there.
    pub class: Option<(String, u32)>,
}

/// A class: one join code for a room of tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRow {
    pub id: String,
    pub instructor_id: String,
    pub join_code: String,
    pub scenario_id: String,
    pub scenario_hash: String,
    /// Its settings, as JSON.
    pub settings: String,
    /// `open`, or `finished` once its last table has finished (`Op::ClassFinished`).
    pub status: String,
    pub created_at: i64,
}

impl ClassRow {
    /// The status `Op::ClassFinished` writes.
    pub const FINISHED: &'static str = "finished";

    pub fn is_finished(&self) -> bool {
        self.status == Self::FINISHED
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerRow {
    pub id: String,
    pub session_id: String,
    pub name: String,
    pub role: Option<String>,
    pub is_bot: bool,
    pub kicked: bool,
}

const SESSION_COLUMNS: &str = "id, instructor_id, join_code, scenario_id, scenario_hash, seed, deadline_secs, status, \
     round, created_at, class_id, class_table";

const CLASS_COLUMNS: &str = "id, instructor_id, join_code, scenario_id, scenario_hash, settings, status, created_at";

/// Typed columns of a row of either database.
trait Cols {
    fn text(&self, column: &str) -> Result<String, sqlx::Error>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error>;
    fn int(&self, column: &str) -> Result<i64, sqlx::Error>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>, sqlx::Error>;
    fn flag(&self, column: &str) -> Result<bool, sqlx::Error>;
}

macro_rules! cols_for {
    ($row:ty) => {
        impl Cols for $row {
            fn text(&self, column: &str) -> Result<String, sqlx::Error> {
                self.try_get(column)
            }
            fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
                self.try_get(column)
            }
            fn int(&self, column: &str) -> Result<i64, sqlx::Error> {
                self.try_get(column)
            }
            fn opt_int(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
                self.try_get(column)
            }
            fn flag(&self, column: &str) -> Result<bool, sqlx::Error> {
                self.try_get(column)
            }
        }
    };
}
cols_for!(SqliteRow);
cols_for!(PgRow);

/// Runs one statement (written with `?` placeholders) on the read pool of either database:
/// `read!(store, sql, |query, pool| body)` where `body` binds, fetches from `pool` and maps the
/// rows (through [`Cols`]) to the same type for both.
macro_rules! read {
    ($store:expr, $sql:expr, |$query:ident, $pool:ident| $body:expr) => {
        match &$store.reader {
            Pool::Sqlite($pool) => {
                let $query = sqlx::query::<sqlx::Sqlite>($sql);
                $body
            }
            Pool::Postgres($pool) => {
                let sql = pg_sql($sql);
                let $query = sqlx::query::<sqlx::Postgres>(&sql);
                $body
            }
        }
    };
}

fn class_row(row: &impl Cols) -> Result<ClassRow, StoreError> {
    Ok(ClassRow {
        id: row.text("id")?,
        instructor_id: row.text("instructor_id")?,
        join_code: row.text("join_code")?,
        scenario_id: row.text("scenario_id")?,
        scenario_hash: row.text("scenario_hash")?,
        settings: row.text("settings")?,
        status: row.text("status")?,
        created_at: row.int("created_at")?,
    })
}

fn session_row(row: &impl Cols) -> Result<SessionRow, StoreError> {
    let seed = row.text("seed")?;
    let deadline = row.int("deadline_secs")?;
    let round = row.int("round")?;
    Ok(SessionRow {
        id: row.text("id")?,
        instructor_id: row.text("instructor_id")?,
        join_code: row.text("join_code")?,
        scenario_id: row.text("scenario_id")?,
        scenario_hash: row.text("scenario_hash")?,
        seed: seed.parse().map_err(|_| StoreError::BadEvent(format!("bad seed `{seed}`")))?,
        deadline_secs: u64::try_from(deadline).unwrap_or(0),
        status: row.text("status")?,
        round: u32::try_from(round).unwrap_or(0),
        created_at: row.int("created_at")?,
        class: {
            let class_id = row.opt_text("class_id")?;
            let table = row.opt_int("class_table")?;
            class_id.map(|id| (id, table.and_then(|t| u32::try_from(t).ok()).unwrap_or(0)))
        },
    })
}

fn player_row(row: &impl Cols) -> Result<PlayerRow, StoreError> {
    Ok(PlayerRow {
        id: row.text("id")?,
        session_id: row.text("session_id")?,
        name: row.text("name")?,
        role: row.opt_text("role")?,
        is_bot: row.flag("is_bot")?,
        kicked: row.flag("kicked")?,
    })
}

fn instructor_row(row: &impl Cols) -> Result<InstructorRow, StoreError> {
    Ok(InstructorRow { id: row.text("id")?, name: row.text("name")? })
}

/// A session's log as one JSON array, parsed.
fn parse_log(session_id: &str, log: &str) -> Result<Vec<EventRow>, StoreError> {
    serde_json::from_str(log).map_err(|e| StoreError::BadEvent(format!("session {session_id}: {e}")))
}

impl Store {
    pub async fn count_instructors(&self) -> Result<i64, StoreError> {
        read!(self, "SELECT COUNT(*) AS n FROM instructors", |q, pool| Ok(q.fetch_one(pool).await?.int("n")?))
    }

    pub async fn instructor_by_key_hash(&self, key_hash: &str) -> Result<Option<InstructorRow>, StoreError> {
        read!(self, "SELECT id, name FROM instructors WHERE key_hash = ? AND revoked_at IS NULL", |q, pool| {
            q.bind(key_hash).fetch_optional(pool).await?.as_ref().map(instructor_row).transpose()
        })
    }

    pub async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?");
        read!(self, &sql, |q, pool| q.bind(id).fetch_optional(pool).await?.as_ref().map(session_row).transpose())
    }

    /// An instructor's sessions, newest first, optionally only those with this status and/or of
    /// this scenario, as JSON built by the database in one statement:
    /// `[{session_id, join_code, scenario, title, status, round, rounds, created_at}]`.
    /// `scenarios` is `[{id, title, rounds}]` for the scenarios the server knows (others are
    /// listed with their id as title). One row crosses sqlx's worker channel instead of one per
    /// game, which keeps a list of 10,000 games fast.
    pub async fn session_list_json(
        &self,
        instructor_id: &str,
        status: Option<&str>,
        scenario_id: Option<&str>,
        scenarios: &str,
    ) -> Result<String, StoreError> {
        match &self.reader {
            Pool::Sqlite(pool) => {
                let row = sqlx::query(
                    "WITH known AS MATERIALIZED ( \
                         SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.title') AS title, \
                                json_extract(value, '$.rounds') AS rounds \
                         FROM json_each(?4)) \
                     SELECT json_group_array(json_object( \
                         'session_id', s.id, 'join_code', s.join_code, 'scenario', s.scenario_id, \
                         'title', coalesce(k.title, s.scenario_id), 'status', s.status, 'round', s.round, \
                         'rounds', k.rounds, 'created_at', s.created_at, 'class_id', s.class_id, \
                         'class_table', s.class_table) \
                         ORDER BY s.created_at DESC) AS list \
                     FROM sessions s LEFT JOIN known k ON k.id = s.scenario_id \
                     WHERE s.instructor_id = ?1 AND (?2 IS NULL OR s.status = ?2) \
                     AND (?3 IS NULL OR s.scenario_id = ?3)",
                )
                .bind(instructor_id)
                .bind(status)
                .bind(scenario_id)
                .bind(scenarios)
                .fetch_one(pool)
                .await?;
                Ok(row.try_get("list")?)
            }
            Pool::Postgres(pool) => {
                let row = sqlx::query(
                    "WITH known AS MATERIALIZED ( \
                         SELECT value->>'id' AS id, value->'title' AS title, value->'rounds' AS rounds \
                         FROM json_array_elements($4::json)) \
                     SELECT coalesce(json_agg(json_build_object( \
                         'session_id', s.id, 'join_code', s.join_code, 'scenario', s.scenario_id, \
                         'title', coalesce(k.title, to_json(s.scenario_id)), 'status', s.status, 'round', s.round, \
                         'rounds', k.rounds, 'created_at', s.created_at, 'class_id', s.class_id, \
                         'class_table', s.class_table) \
                         ORDER BY s.created_at DESC), '[]'::json)::text AS list \
                     FROM sessions s LEFT JOIN known k ON k.id = s.scenario_id \
                     WHERE s.instructor_id = $1 AND ($2::text IS NULL OR s.status = $2) \
                     AND ($3::text IS NULL OR s.scenario_id = $3)",
                )
                .bind(instructor_id)
                .bind(status)
                .bind(scenario_id)
                .bind(scenarios)
                .fetch_one(pool)
                .await?;
                Ok(row.try_get("list")?)
            }
        }
    }

    /// Every session not finished and not a class's table, oldest first: what a restart loads
    /// (a class reads its own tables back).
    /// The unfinished sessions (not a class's tables) created or changed at `since` (unix ms)
    /// or later: the ones a start reads back (`i64::MIN` for all; older ones are left dormant).
    pub async fn unfinished_sessions(&self, since: i64) -> Result<Vec<SessionRow>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE status <> 'finished' AND class_id IS NULL \
             AND (created_at >= ? OR EXISTS (SELECT 1 FROM events WHERE events.session_id = sessions.id AND events.at >= ?)) \
             ORDER BY created_at"
        );
        read!(self, &sql, |q, pool| q.bind(since).bind(since).fetch_all(pool).await?.iter().map(session_row).collect())
    }

    /// The live (unfinished) session or class with this join code: `(id, is_class)`. What a node
    /// that does not run it finds it by: a dormant session (left unread at the start), or one that
    /// no live node runs (PostgreSQL: several nodes).
    pub async fn live_code(&self, code: &str) -> Result<Option<(String, bool)>, StoreError> {
        let sql = "SELECT id, FALSE AS is_class, created_at FROM sessions \
                   WHERE join_code = ? AND status <> 'finished' AND class_id IS NULL \
                   UNION ALL SELECT id, TRUE AS is_class, created_at FROM classes \
                   WHERE join_code = ? AND status <> 'finished' ORDER BY created_at DESC LIMIT 1";
        read!(self, sql, |q, pool| {
            let row = q.bind(code).bind(code).fetch_optional(pool).await?;
            row.map(|r| Ok((r.text("id")?, r.flag("is_class")?))).transpose()
        })
    }

    pub async fn class(&self, id: &str) -> Result<Option<ClassRow>, StoreError> {
        let sql = format!("SELECT {CLASS_COLUMNS} FROM classes WHERE id = ?");
        read!(self, &sql, |q, pool| q.bind(id).fetch_optional(pool).await?.as_ref().map(class_row).transpose())
    }

    /// Every class not finished, oldest first: what a restart loads.
    pub async fn open_classes(&self) -> Result<Vec<ClassRow>, StoreError> {
        let sql = format!("SELECT {CLASS_COLUMNS} FROM classes WHERE status <> 'finished' ORDER BY created_at");
        read!(self, &sql, |q, pool| q.fetch_all(pool).await?.iter().map(class_row).collect())
    }

    /// An instructor's classes, newest first.
    pub async fn classes_of(&self, instructor_id: &str) -> Result<Vec<ClassRow>, StoreError> {
        let sql = format!("SELECT {CLASS_COLUMNS} FROM classes WHERE instructor_id = ? ORDER BY created_at DESC, id");
        read!(self, &sql, |q, pool| q.bind(instructor_id).fetch_all(pool).await?.iter().map(class_row).collect())
    }

    /// A class's tables, by table number.
    pub async fn class_tables(&self, class_id: &str) -> Result<Vec<SessionRow>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE class_id = ? ORDER BY class_table, created_at");
        read!(self, &sql, |q, pool| q.bind(class_id).fetch_all(pool).await?.iter().map(session_row).collect())
    }

    pub async fn players_of(&self, session_id: &str) -> Result<Vec<PlayerRow>, StoreError> {
        // Players who joined in the same millisecond keep their order: SQLite's rowid,
        // PostgreSQL's `n` (a sequence).
        let order = match self.reader {
            Pool::Sqlite(_) => "rowid",
            Pool::Postgres(_) => "n",
        };
        let sql = format!(
            "SELECT id, session_id, name, role, is_bot, kicked FROM players WHERE session_id = ? ORDER BY joined_at, {order}"
        );
        read!(self, &sql, |q, pool| q.bind(session_id).fetch_all(pool).await?.iter().map(player_row).collect())
    }

    pub async fn player_by_token_hash(&self, token_hash: &str) -> Result<Option<PlayerRow>, StoreError> {
        read!(self, "SELECT id, session_id, name, role, is_bot, kicked FROM players WHERE token_hash = ?", |q, pool| q
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(player_row)
            .transpose())
    }

    /// A session's whole log, in order. The database joins the stored bodies into one JSON
    /// array, so that a log of hundreds of events crosses sqlx's worker channel as one row.
    pub async fn events_of(&self, session_id: &str) -> Result<Vec<EventRow>, StoreError> {
        let log: String = match &self.reader {
            Pool::Sqlite(pool) => sqlx::query(
                "SELECT '[' || coalesce(group_concat( \
                     '{\"seq\":' || seq || ',\"at\":' || at || ',\"event\":' || body || '}', ',' ORDER BY seq), '') \
                     || ']' AS log \
                 FROM events WHERE session_id = ?",
            )
            .bind(session_id)
            .fetch_one(pool)
            .await?
            .try_get("log")?,
            Pool::Postgres(pool) => sqlx::query(
                "SELECT '[' || coalesce(string_agg( \
                     '{\"seq\":' || seq || ',\"at\":' || at || ',\"event\":' || body || '}', ',' ORDER BY seq), '') \
                     || ']' AS log \
                 FROM events WHERE session_id = $1",
            )
            .bind(session_id)
            .fetch_one(pool)
            .await?
            .try_get("log")?,
        };
        parse_log(session_id, &log)
    }

    /// A session's events after position `seq`, in order (what a failed commit may have left on
    /// disk after all).
    pub async fn events_after(&self, session_id: &str, seq: i64) -> Result<Vec<EventRow>, StoreError> {
        read!(self, "SELECT seq, at, body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq", |q, pool| {
            q.bind(session_id)
                .bind(seq)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    let body = row.text("body")?;
                    let event = serde_json::from_str(&body)
                        .map_err(|e| StoreError::BadEvent(format!("session {session_id}: {e}")))?;
                    Ok(EventRow { seq: row.int("seq")?, at: row.int("at")?, event })
                })
                .collect()
        })
    }

    pub async fn scenario_text(&self, hash: &str) -> Result<Option<String>, StoreError> {
        read!(self, "SELECT text FROM scenario_texts WHERE hash = ?", |q, pool| {
            q.bind(hash).fetch_optional(pool).await?.map(|r| r.text("text").map_err(StoreError::from)).transpose()
        })
    }

    /// Instructors with this name (names are not unique in older databases), revoked or not.
    pub async fn instructors_named(&self, name: &str) -> Result<Vec<(InstructorRow, bool)>, StoreError> {
        read!(self, "SELECT id, name, revoked_at IS NOT NULL AS revoked FROM instructors WHERE name = ?", |q, pool| {
            q.bind(name).fetch_all(pool).await?.iter().map(|r| Ok((instructor_row(r)?, r.flag("revoked")?))).collect()
        })
    }

    /// The source essay this instructor loaded for this scenario.
    pub async fn source(&self, instructor_id: &str, scenario_id: &str) -> Result<Option<String>, StoreError> {
        read!(self, "SELECT text FROM instructor_sources WHERE instructor_id = ? AND scenario_id = ?", |q, pool| {
            q.bind(instructor_id)
                .bind(scenario_id)
                .fetch_optional(pool)
                .await?
                .map(|r| r.text("text").map_err(StoreError::from))
                .transpose()
        })
    }

    /// The scenarios this instructor loaded a source essay for: `(scenario id, text)`.
    pub async fn sources_of(&self, instructor_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        read!(
            self,
            "SELECT scenario_id, text FROM instructor_sources WHERE instructor_id = ? ORDER BY scenario_id",
            |q, pool| {
                q.bind(instructor_id)
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(|r| Ok((r.text("scenario_id")?, r.text("text")?)))
                    .collect()
            }
        )
    }
}
