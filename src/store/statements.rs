//! What each [`Op`] writes, as SQL with SQLite's `?` placeholders and the values to bind: one
//! list of statements for both databases. The PostgreSQL writer runs them through sqlx (each
//! placeholder turned into `$N`, events gathered into multi-row `INSERT`s); the SQLite writer
//! steps them on its own thread with prepared statements it keeps (see `sqlite_thread`).

use super::ops::Op;
use super::StoreError;
use crate::log::LogEvent;

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Param<'a> {
    Text(Option<&'a str>),
    /// Text made for the statement (an event's JSON body).
    Owned(String),
    Int(Option<i64>),
    Bool(bool),
}

/// One statement and its values, in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Statement<'a> {
    pub sql: &'static str,
    pub params: Vec<Param<'a>>,
}

/// Appends one event to its session's log.
pub(super) const INSERT_EVENT: &str = "INSERT INTO events (session_id, seq, at, kind, body) VALUES (?, ?, ?, ?, ?)";

/// The health probe's one-row write.
pub(super) const PROBE: &str =
    "INSERT INTO writer_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at";

fn text(s: &str) -> Param<'_> {
    Param::Text(Some(s))
}

fn int(i: i64) -> Param<'static> {
    Param::Int(Some(i))
}

fn one<'a>(sql: &'static str, params: Vec<Param<'a>>) -> Vec<Statement<'a>> {
    vec![Statement { sql, params }]
}

/// An event as it is stored: its JSON.
pub(super) fn event_body(event: &LogEvent) -> Result<String, StoreError> {
    serde_json::to_string(event).map_err(|e| StoreError::BadEvent(e.to_string()))
}

/// The statements that write `op`, in order; `now` is the time stamp of rows it creates or updates.
pub(super) fn statements_of(op: &Op, now: i64) -> Result<Vec<Statement<'_>>, StoreError> {
    Ok(match op {
        Op::Instructor { id, name, key_hash } => one(
            "INSERT INTO instructors (id, name, key_hash, created_at) VALUES (?, ?, ?, ?)",
            vec![text(id), text(name), text(key_hash), int(now)],
        ),
        Op::InstructorKey { id, key_hash } => {
            one("UPDATE instructors SET key_hash = ?, revoked_at = NULL WHERE id = ?", vec![text(key_hash), text(id)])
        }
        Op::RevokeInstructor { id } => {
            one("UPDATE instructors SET revoked_at = ? WHERE id = ?", vec![int(now), text(id)])
        }
        Op::ScenarioText { hash, scenario_id, text: body } => one(
            "INSERT INTO scenario_texts (hash, scenario_id, text, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (hash) DO NOTHING",
            vec![text(hash), text(scenario_id), text(body), int(now)],
        ),
        Op::Source { scenario_id, text: body, instructor_id } => one(
            "INSERT INTO instructor_sources (instructor_id, scenario_id, text, updated_at) \
             VALUES (?, ?, ?, ?) ON CONFLICT (instructor_id, scenario_id) DO UPDATE SET \
             text = excluded.text, updated_at = excluded.updated_at",
            vec![text(instructor_id), text(scenario_id), text(body), int(now)],
        ),
        Op::Session(s) => one(
            "INSERT INTO sessions (id, instructor_id, join_code, scenario_id, scenario_hash, seed, \
             deadline_secs, status, round, created_at, updated_at, class_id, class_table) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 'lobby', 1, ?, ?, ?, ?)",
            vec![
                text(&s.id),
                text(&s.instructor_id),
                text(&s.join_code),
                text(&s.scenario_id),
                text(&s.scenario_hash),
                Param::Owned(s.seed.to_string()),
                int(i64::try_from(s.deadline_secs).unwrap_or(i64::MAX)),
                int(now),
                int(now),
                Param::Text(s.class.as_ref().map(|(id, _)| id.as_str())),
                Param::Int(s.class.as_ref().map(|(_, table)| i64::from(*table))),
            ],
        ),
        Op::SessionStatus { id, status, round } => one(
            "UPDATE sessions SET status = ?, round = ?, updated_at = ? WHERE id = ?",
            vec![text(status), int(i64::from(*round)), int(now), text(id)],
        ),
        Op::Player(p) => one(
            "INSERT INTO players (id, session_id, name, role, is_bot, token_hash, kicked, joined_at) \
             VALUES (?, ?, ?, ?, ?, ?, FALSE, ?)",
            vec![
                text(&p.id),
                text(&p.session_id),
                text(&p.name),
                Param::Text(p.role.as_deref()),
                Param::Bool(p.is_bot),
                Param::Text(p.token_hash.as_deref()),
                int(now),
            ],
        ),
        Op::PlayerRole { id, role } => {
            one("UPDATE players SET role = ? WHERE id = ?", vec![Param::Text(role.as_deref()), text(id)])
        }
        Op::PlayerKicked { id } => one("UPDATE players SET kicked = TRUE, role = NULL WHERE id = ?", vec![text(id)]),
        Op::PlayerSession { id, session_id } => {
            one("UPDATE players SET session_id = ?, kicked = FALSE WHERE id = ?", vec![text(session_id), text(id)])
        }
        Op::Class(c) => one(
            "INSERT INTO classes (id, instructor_id, join_code, scenario_id, scenario_hash, settings, \
             status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            vec![
                text(&c.id),
                text(&c.instructor_id),
                text(&c.join_code),
                text(&c.scenario_id),
                text(&c.scenario_hash),
                text(&c.settings),
                int(now),
                int(now),
            ],
        ),
        Op::ClassFinished { id } => {
            let finished = text(super::ClassRow::FINISHED);
            one("UPDATE classes SET status = ?, updated_at = ? WHERE id = ?", vec![finished, int(now), text(id)])
        }
        Op::DeleteClass { id } => one("DELETE FROM classes WHERE id = ?", vec![text(id)]),
        Op::DeleteSession { id } => [
            "DELETE FROM events WHERE session_id = ?",
            "DELETE FROM players WHERE session_id = ?",
            "DELETE FROM sessions WHERE id = ?",
        ]
        .into_iter()
        .map(|sql| Statement { sql, params: vec![text(id)] })
        .collect(),
        Op::Event { session_id, seq, at, event } => one(
            INSERT_EVENT,
            vec![text(session_id), int(*seq), int(*at), text(event.kind()), Param::Owned(event_body(event)?)],
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every statement has as many placeholders as values, so a value can never land in
    /// another's column.
    #[test]
    fn every_statement_binds_one_value_per_placeholder() {
        let ops = [
            Op::Instructor { id: "i".into(), name: "n".into(), key_hash: "h".into() },
            Op::InstructorKey { id: "i".into(), key_hash: "h".into() },
            Op::RevokeInstructor { id: "i".into() },
            Op::ScenarioText { hash: "h".into(), scenario_id: "s".into(), text: "t".into() },
            Op::Source { scenario_id: "s".into(), text: "t".into(), instructor_id: "i".into() },
            Op::SessionStatus { id: "s".into(), status: "playing", round: 2 },
            Op::PlayerRole { id: "p".into(), role: None },
            Op::PlayerKicked { id: "p".into() },
            Op::PlayerSession { id: "p".into(), session_id: "s".into() },
            Op::ClassFinished { id: "c".into() },
            Op::DeleteClass { id: "c".into() },
            Op::DeleteSession { id: "s".into() },
            Op::Session(super::super::NewSession {
                id: "s".into(),
                instructor_id: "i".into(),
                join_code: "j".into(),
                scenario_id: "x".into(),
                scenario_hash: "h".into(),
                seed: 7,
                deadline_secs: 60,
                class: Some(("c".into(), 1)),
            }),
            Op::Player(super::super::NewPlayer {
                id: "p".into(),
                session_id: "s".into(),
                name: "n".into(),
                role: None,
                is_bot: false,
                token_hash: None,
            }),
            Op::Class(super::super::NewClass {
                id: "c".into(),
                instructor_id: "i".into(),
                join_code: "j".into(),
                scenario_id: "x".into(),
                scenario_hash: "h".into(),
                settings: "{}".into(),
            }),
        ];
        for op in &ops {
            for statement in statements_of(op, 1).expect("plain rows") {
                assert_eq!(statement.sql.matches('?').count(), statement.params.len(), "{}", statement.sql);
            }
        }
        assert_eq!(PROBE.matches('?').count(), 1);
        assert_eq!(INSERT_EVENT.matches('?').count(), 5);
    }
}
