//! Taking a seat: a student joins (a new seat) or resumes one, a projector watches, the
//! instructor opens the console. Each connection then catches up: `welcome` (players), its
//! `state`, the last round's report, the recent messages it may read, `game_over` if the game is
//! over, and finally the `ack`.

use serde_json::Value;

use super::{Conn, Session, Viewer, Who};
use crate::engine::Lookup;
use crate::i18n::Lang;
use crate::protocol::{self, ErrorCode, ServerMsg, WireError};
use crate::server::outbox::{ConnId, Outbox};
use crate::server::Metrics;
use crate::store::{NewPlayer, Op};
use crate::table::{message_msg, Phase, HISTORY};

impl Session {
    pub(super) async fn attach(
        &mut self,
        outbox: Outbox,
        who: Who,
        lang: Lang,
        re: Option<Value>,
    ) -> Result<(), WireError> {
        let conn = outbox.id();
        let viewer = match who {
            Who::Join { name, token, token_hash, device, role } => {
                self.ensure_current().await?;
                let player_id = uuid::Uuid::new_v4().to_string();
                let event = self.table.join(&name, player_id.clone(), device, self.deps.limits.max_players)?;
                let crate::log::LogEvent::PlayerJoined { name, .. } = &event else {
                    return Err(WireError::internal());
                };
                let role_id = role.and_then(|r| self.sc().roles.lookup(r)).map(|r| r.id.clone());
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
                self.arriving = Some(player_id.clone());
                if let Err(e) = self.commit_and_apply(events, vec![Op::Player(row)]).await {
                    self.arriving = None;
                    return Err(e);
                }
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
        self.conns.insert(conn, Conn { outbox, viewer: viewer.clone(), primed: false, lang });
        self.arriving = None;
        self.catch_up(conn, &viewer);
        if let Some(re) = &re {
            self.send(conn, protocol::ack(re));
        }
        Ok(())
    }

    /// Everything a connection that just took its seat needs to see.
    fn catch_up(&mut self, conn: ConnId, viewer: &Viewer) {
        self.send_state(conn);
        self.send_last_report(conn, viewer);
        let loaded = self.loaded.clone();
        let history: Vec<String> =
            self.table.history_for(viewer, HISTORY).map(|m| message_msg(&loaded.scenario, m).to_text()).collect();
        for text in history {
            self.send(conn, text);
        }
        self.send_game_over(conn);
    }

    /// The last round's report again (`replay: true`), in the connection's language.
    fn send_last_report(&mut self, conn: ConnId, viewer: &Viewer) {
        let Some(lang) = self.conns.get(&conn).map(|c| c.lang) else { return };
        let texts = self.texts.clone();
        let audience = self.table.audience(viewer);
        if let Some(report) = self.table.report_msg(texts.get(lang), lang, audience, true) {
            Metrics::count(&self.deps.metrics.reports_built);
            let text = report.to_text();
            self.send(conn, text);
        }
    }

    /// A seat that comes back after the end sees the final scores again.
    fn send_game_over(&mut self, conn: ConnId) {
        let Some(lang) = self.conns.get(&conn).map(|c| c.lang) else { return };
        if self.table.phase == Phase::Finished {
            Metrics::count(&self.deps.metrics.game_overs_built);
            let text = self.table.game_over_msg(self.texts.get(lang), lang).to_text();
            self.send(conn, text);
        }
    }

    /// `set_lang`: the connection's frames are in `lang` from now on. It gets the `ack`, then
    /// its whole view again in the new language: a full `state`, the last round's report and
    /// the final scores, if there are.
    pub(super) fn set_lang(&mut self, conn: ConnId, lang: Lang, re: Option<&Value>) {
        let Some(c) = self.conns.get_mut(&conn) else { return };
        c.lang = lang;
        // Its static texts (track names, move summaries, the memo) come again, in the new language.
        c.primed = false;
        let viewer = c.viewer.clone();
        tracing::debug!(session = %self.id, conn, %lang, "language set");
        if let Some(re) = re {
            self.send(conn, protocol::ack(re));
        }
        self.send_state(conn);
        self.send_last_report(conn, &viewer);
        self.send_game_over(conn);
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
