//! Reads, on the read pool. They never write and never hold a transaction.

use sqlx::Row;

use super::{Store, StoreError};
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
    pub status: String,
    pub created_at: i64,
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

fn class_row(row: &sqlx::sqlite::SqliteRow) -> Result<ClassRow, StoreError> {
    Ok(ClassRow {
        id: row.try_get("id")?,
        instructor_id: row.try_get("instructor_id")?,
        join_code: row.try_get("join_code")?,
        scenario_id: row.try_get("scenario_id")?,
        scenario_hash: row.try_get("scenario_hash")?,
        settings: row.try_get("settings")?,
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
    })
}

fn session_row(row: &sqlx::sqlite::SqliteRow) -> Result<SessionRow, StoreError> {
    let seed: String = row.try_get("seed")?;
    let deadline: i64 = row.try_get("deadline_secs")?;
    let round: i64 = row.try_get("round")?;
    Ok(SessionRow {
        id: row.try_get("id")?,
        instructor_id: row.try_get("instructor_id")?,
        join_code: row.try_get("join_code")?,
        scenario_id: row.try_get("scenario_id")?,
        scenario_hash: row.try_get("scenario_hash")?,
        seed: seed.parse().map_err(|_| StoreError::BadEvent(format!("bad seed `{seed}`")))?,
        deadline_secs: u64::try_from(deadline).unwrap_or(0),
        status: row.try_get("status")?,
        round: u32::try_from(round).unwrap_or(0),
        created_at: row.try_get("created_at")?,
        class: {
            let class_id: Option<String> = row.try_get("class_id")?;
            let table: Option<i64> = row.try_get("class_table")?;
            class_id.map(|id| (id, table.and_then(|t| u32::try_from(t).ok()).unwrap_or(0)))
        },
    })
}

fn player_row(row: &sqlx::sqlite::SqliteRow) -> Result<PlayerRow, StoreError> {
    Ok(PlayerRow {
        id: row.try_get("id")?,
        session_id: row.try_get("session_id")?,
        name: row.try_get("name")?,
        role: row.try_get("role")?,
        is_bot: row.try_get("is_bot")?,
        kicked: row.try_get("kicked")?,
    })
}

impl Store {
    pub async fn count_instructors(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM instructors").fetch_one(&self.reader).await?;
        Ok(row.try_get("n")?)
    }

    pub async fn instructor_by_key_hash(&self, key_hash: &str) -> Result<Option<InstructorRow>, StoreError> {
        let row = sqlx::query("SELECT id, name FROM instructors WHERE key_hash = ? AND revoked_at IS NULL")
            .bind(key_hash)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| Ok(InstructorRow { id: r.try_get("id")?, name: r.try_get("name")? })).transpose()
    }

    pub async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.reader).await?;
        row.as_ref().map(session_row).transpose()
    }

    /// An instructor's sessions, newest first, optionally only those with this status and/or of
    /// this scenario, as JSON built by SQLite in one statement:
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
             WHERE s.instructor_id = ?1 AND (?2 IS NULL OR s.status = ?2) AND (?3 IS NULL OR s.scenario_id = ?3)",
        )
        .bind(instructor_id)
        .bind(status)
        .bind(scenario_id)
        .bind(scenarios)
        .fetch_one(&self.reader)
        .await?;
        Ok(row.try_get("list")?)
    }

    /// Every session not finished and not a class's table, oldest first: what a restart loads
    /// (a class reads its own tables back).
    pub async fn unfinished_sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE status <> 'finished' AND class_id IS NULL ORDER BY created_at"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.reader).await?;
        rows.iter().map(session_row).collect()
    }

    pub async fn class(&self, id: &str) -> Result<Option<ClassRow>, StoreError> {
        let sql = format!("SELECT {CLASS_COLUMNS} FROM classes WHERE id = ?");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.reader).await?;
        row.as_ref().map(class_row).transpose()
    }

    /// Every class not finished, oldest first: what a restart loads.
    pub async fn open_classes(&self) -> Result<Vec<ClassRow>, StoreError> {
        let sql = format!("SELECT {CLASS_COLUMNS} FROM classes WHERE status <> 'finished' ORDER BY created_at");
        let rows = sqlx::query(&sql).fetch_all(&self.reader).await?;
        rows.iter().map(class_row).collect()
    }

    /// An instructor's classes, newest first.
    pub async fn classes_of(&self, instructor_id: &str) -> Result<Vec<ClassRow>, StoreError> {
        let sql = format!("SELECT {CLASS_COLUMNS} FROM classes WHERE instructor_id = ? ORDER BY created_at DESC, id");
        let rows = sqlx::query(&sql).bind(instructor_id).fetch_all(&self.reader).await?;
        rows.iter().map(class_row).collect()
    }

    /// A class's tables, by table number.
    pub async fn class_tables(&self, class_id: &str) -> Result<Vec<SessionRow>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE class_id = ? ORDER BY class_table, created_at");
        let rows = sqlx::query(&sql).bind(class_id).fetch_all(&self.reader).await?;
        rows.iter().map(session_row).collect()
    }

    pub async fn players_of(&self, session_id: &str) -> Result<Vec<PlayerRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, session_id, name, role, is_bot, kicked FROM players \
             WHERE session_id = ? ORDER BY joined_at, rowid",
        )
        .bind(session_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(player_row).collect()
    }

    pub async fn player_by_token_hash(&self, token_hash: &str) -> Result<Option<PlayerRow>, StoreError> {
        let row = sqlx::query("SELECT id, session_id, name, role, is_bot, kicked FROM players WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(player_row).transpose()
    }

    /// A session's whole log, in order. SQLite joins the stored bodies into one JSON array, so
    /// that a log of hundreds of events crosses sqlx's worker channel as one row.
    pub async fn events_of(&self, session_id: &str) -> Result<Vec<EventRow>, StoreError> {
        let row = sqlx::query(
            "SELECT '[' || coalesce(group_concat( \
                 '{\"seq\":' || seq || ',\"at\":' || at || ',\"event\":' || body || '}', ',' ORDER BY seq), '') \
                 || ']' AS log \
             FROM events WHERE session_id = ?",
        )
        .bind(session_id)
        .fetch_one(&self.reader)
        .await?;
        let log: String = row.try_get("log")?;
        serde_json::from_str(&log).map_err(|e| StoreError::BadEvent(format!("session {session_id}: {e}")))
    }

    /// A session's events after position `seq`, in order (what a failed commit may have left on
    /// disk after all).
    pub async fn events_after(&self, session_id: &str, seq: i64) -> Result<Vec<EventRow>, StoreError> {
        let rows = sqlx::query("SELECT seq, at, body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq")
            .bind(session_id)
            .bind(seq)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|row| {
                let body: String = row.try_get("body")?;
                let event = serde_json::from_str(&body)
                    .map_err(|e| StoreError::BadEvent(format!("session {session_id}: {e}")))?;
                Ok(EventRow { seq: row.try_get("seq")?, at: row.try_get("at")?, event })
            })
            .collect()
    }

    pub async fn scenario_text(&self, hash: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT text FROM scenario_texts WHERE hash = ?")
            .bind(hash)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| r.try_get("text").map_err(StoreError::from)).transpose()
    }

    /// Instructors with this name (names are not unique in older databases), revoked or not.
    pub async fn instructors_named(&self, name: &str) -> Result<Vec<(InstructorRow, bool)>, StoreError> {
        let rows = sqlx::query("SELECT id, name, revoked_at IS NOT NULL AS revoked FROM instructors WHERE name = ?")
            .bind(name)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| Ok((InstructorRow { id: r.try_get("id")?, name: r.try_get("name")? }, r.try_get("revoked")?)))
            .collect()
    }

    /// The source essay this instructor loaded for this scenario.
    pub async fn source(&self, instructor_id: &str, scenario_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT text FROM instructor_sources WHERE instructor_id = ? AND scenario_id = ?")
            .bind(instructor_id)
            .bind(scenario_id)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| r.try_get("text").map_err(StoreError::from)).transpose()
    }

    /// The scenarios this instructor loaded a source essay for: `(scenario id, text)`.
    pub async fn sources_of(&self, instructor_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT scenario_id, text FROM instructor_sources WHERE instructor_id = ? ORDER BY scenario_id",
        )
        .bind(instructor_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("scenario_id")?, r.try_get("text")?))).collect()
    }
}
