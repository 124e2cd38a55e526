//! Taking a seat: a student joins (a new seat) or resumes one, a projector watches, the
//! instructor opens the console. Each connection then catches up: `welcome` (players), its
//! `state`, the last round's report, the recent messages it may read, `game_over` if the game is
//! over, and finally the `ack`.

use serde_json::Value;

use super::{Conn, Session, Viewer, Who};
use crate::protocol::{self, ErrorCode, ServerMsg, WireError};
use crate::server::outbox::{ConnId, Outbox};
use crate::store::{NewPlayer, Op};
use crate::table::{message_msg, Phase, HISTORY};

impl Session {
    pub(super) async fn attach(&mut self, outbox: Outbox, who: Who, re: Option<Value>) -> Result<(), WireError> {
        let conn = outbox.id();
        let viewer = match who {
            Who::Join { name, token, token_hash, device, role } => {
                self.ensure_current().await?;
                let player_id = uuid::Uuid::new_v4().to_string();
                let event = self.table.join(&name, player_id.clone(), device, self.deps.limits.max_players)?;
                let crate::log::LogEvent::PlayerJoined { name, .. } = &event else {
                    return Err(WireError::internal());
                };
                let role_id = role.and_then(|r| self.sc().roles.get(r)).map(|r| r.id.clone());
                let row = NewPlayer {
                    id: player_id.clone(),
                    session_id: self.id.to_string(),
                    name: name.clone(),
                    role: role_id.clone(),
                    is_bot: false,
                    token_hash: Some(token_hash),
                };
                let mut events = vec![event];
                if let Some(role) = role_id {
                    // Placed by its class: the instructor's rules, not a request.
                    let player_id = player_id.clone();
                    events.push(crate::log::LogEvent::RoleSet { player_id, role: Some(role), by_instructor: true });
                }
                self.commit_and_apply(events, vec![Op::Player(row)]).await?;
                outbox.string(protocol::welcome(&self.id, &player_id, Some(&token)));
                Viewer::Player(player_id)
            }
            Who::Resume { player_id } => {
                if self.table.seat(&player_id).is_none() {
                    return Err(WireError::new(ErrorCode::BadToken, "this seat is no longer in the game"));
                }
                outbox.string(protocol::welcome(&self.id, &player_id, None));
                Viewer::Player(player_id)
            }
            Who::Watch => Viewer::Spectator,
            Who::Instructor => Viewer::Instructor,
        };
        tracing::info!(session = %self.id, conn, seat = viewer_kind(&viewer), "seat taken");
        if let Viewer::Player(id) = &viewer {
            if !self.online(id) {
                self.presence.insert(id.clone());
            }
            self.limit_seat_connections(id);
        }
        self.conns.insert(conn, Conn { outbox, viewer: viewer.clone(), primed: false });
        self.catch_up(conn, &viewer);
        if let Some(re) = &re {
            self.send(conn, protocol::ack(re));
        }
        Ok(())
    }

    /// Everything a connection that just took its seat needs to see.
    fn catch_up(&mut self, conn: ConnId, viewer: &Viewer) {
        self.send_state(conn);
        let loaded = self.loaded.clone();
        let sc = &loaded.scenario;
        let audience = self.table.audience(viewer);
        if let Some(report) = self.table.report_msg(sc, audience, true) {
            let text = report.to_text();
            self.send(conn, text);
        }
        let history: Vec<String> =
            self.table.history_for(viewer, HISTORY).map(|m| message_msg(sc, m).to_text()).collect();
        for text in history {
            self.send(conn, text);
        }
        // A seat that comes back after the end sees the final scores again.
        if self.table.phase == Phase::Finished {
            let text = self.table.game_over_msg(sc).to_text();
            self.send(conn, text);
        }
    }

    /// A seat may have a few connections (a second tab, a phone); past the limit, the oldest is
    /// closed so that the newest (the device in the student's hands) keeps working.
    fn limit_seat_connections(&mut self, player_id: &str) {
        let max = self.deps.limits.max_seat_connections.max(1);
        let mine: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| matches!(&c.viewer, Viewer::Player(id) if id == player_id))
            .map(|(id, _)| *id)
            .collect();
        for conn in mine.iter().take((mine.len() + 1).saturating_sub(max)) {
            if let Some(c) = self.conns.remove(conn) {
                let text = ServerMsg::error(
                    None,
                    &WireError::new(ErrorCode::RateLimited, "this seat was opened on another device or tab"),
                )
                .to_text();
                c.outbox.string(text);
                c.outbox.close(4002, "seat opened elsewhere");
            }
        }
    }
}

fn viewer_kind(viewer: &Viewer) -> &'static str {
    match viewer {
        Viewer::Player(_) => "player",
        Viewer::Spectator => "spectator",
        Viewer::Instructor => "instructor",
    }
}
