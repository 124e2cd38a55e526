//! Who is told what after a commit: the delivery policy of the session.
//!
//! A change that reshapes everyone's view — the phase, a new round, an event brought into play —
//! sends every seat a whole new `state`. Anything else travels as a small frame to the seats whose
//! view it changes: a draft to its role and the instructor, a lock, a seat or the clock to
//! everyone, a message to its readers. Each frame is serialized once for all the seats that share
//! its view: a frame with scenario texts (a round's report, `game_over`, a bot's `player`) once
//! per view and language among the connections, a frame with none (a draft, a lock, the clock, a
//! message) once for all. The frames of one commit go out in this order: removals, messages,
//! round reports, then either the whole `state`s or the small frames, then `game_over` if the
//! game just ended.

use std::sync::Arc;

use super::{Session, Viewer};
use crate::i18n::Lang;
use crate::protocol::{Audience, Detail, ReportView, ServerMsg};
use crate::server::outbox::{ConnId, Out, SharedText};
use crate::server::Metrics;
use crate::table::{message_msg, Change, Phase};

impl Session {
    /// Tells every seat what one commit's changes mean for its view.
    pub(super) fn publish(&mut self, changes: &[Change]) {
        let loaded = self.loaded.clone();
        let sc = &loaded.scenario;

        // Removed seats: their connections are told and closed.
        for change in changes {
            if let Change::Seat(i) = change {
                let seat = &self.table.seats[*i];
                if seat.kicked {
                    let (id, moved_to) = (seat.id.clone(), seat.moved_to.clone());
                    self.remove_player_conns(&id, moved_to.as_deref());
                }
            }
        }

        // Messages, to their readers.
        let said = changes.iter().filter(|c| matches!(c, Change::Said)).count();
        let first = self.table.messages.len().saturating_sub(said);
        for index in first..self.table.messages.len() {
            let text = SharedText::from(message_msg(sc, &self.table.messages[index]).to_text());
            let readers: Vec<ConnId> = self
                .conns
                .iter()
                .filter(|(_, c)| self.table.messages[index].readable_by(&self.table, &c.viewer))
                .map(|(id, _)| *id)
                .collect();
            for conn in readers {
                self.push(conn, Out::Text(text.clone()));
            }
        }

        // Round reports, one per audience and language.
        let texts = self.texts.clone();
        let metrics = self.deps.metrics.clone();
        for change in changes {
            if let Change::RoundResolved(resolved) = change {
                let resolved = Arc::clone(resolved);
                self.broadcast_by_audience(|audience, lang| {
                    Metrics::count(&metrics.reports_built);
                    ServerMsg::RoundResolved(ReportView {
                        sc: texts.get(lang),
                        lang,
                        report: &resolved.report,
                        state_hash: &resolved.stored_hash,
                        audience,
                        bots: &resolved.bots,
                        replay: false,
                    })
                    .to_text()
                });
            }
        }

        let reshaped =
            changes.iter().any(|c| matches!(c, Change::Phase | Change::EventInjected(_) | Change::RoundResolved(_)));
        if reshaped {
            self.broadcast_state();
        } else {
            for change in changes {
                match change {
                    Change::Seat(i) => self.publish_seat(*i),
                    Change::Request(i) | Change::Reflected(i) => {
                        // The student's own screens show the request (or the reflection); the
                        // instructor's, the queue (or every reflection).
                        let id = self.table.seats[*i].id.clone();
                        let readers: Vec<ConnId> = self
                            .conns
                            .iter()
                            .filter(|(_, c)| c.viewer == Viewer::Instructor || c.viewer == Viewer::Player(id.clone()))
                            .map(|(id, _)| *id)
                            .collect();
                        for conn in readers {
                            self.send_state(conn);
                        }
                    }
                    Change::Clock => {
                        let text = self.table.clock_msg().to_text();
                        self.broadcast(text);
                    }
                    Change::Draft(role) => {
                        let text = SharedText::from(self.table.draft_msg(sc, *role).to_text());
                        let readers: Vec<ConnId> = self
                            .conns
                            .iter()
                            .filter(|(_, c)| {
                                c.viewer == Viewer::Instructor || self.table.role_of(&c.viewer) == Some(*role)
                            })
                            .map(|(id, _)| *id)
                            .collect();
                        for conn in readers {
                            self.push(conn, Out::Text(text.clone()));
                        }
                    }
                    Change::Ready(role) => {
                        let text = self.table.ready_msg(sc, *role).to_text();
                        self.broadcast(text);
                    }
                    Change::Nothing
                    | Change::Said
                    | Change::Refused
                    | Change::Phase
                    | Change::EventInjected(_)
                    | Change::RoundResolved(_) => {}
                }
            }
        }

        let ended = changes.iter().any(|c| matches!(c, Change::Phase | Change::RoundResolved(_)));
        if ended && self.table.phase == Phase::Finished {
            let rendered = self
                .langs()
                .into_iter()
                .map(|lang| {
                    Metrics::count(&metrics.game_overs_built);
                    (lang, SharedText::from(self.table.game_over_msg(texts.get(lang), lang).to_text()))
                })
                .collect();
            self.broadcast_by_lang(rendered);
        }
    }

    /// A seat joined, changed role or was removed.
    fn publish_seat(&mut self, index: usize) {
        let loaded = self.loaded.clone();
        let sc = &loaded.scenario;
        let seat = self.table.seats[index].clone();
        if seat.kicked {
            let text = ServerMsg::PlayerRemoved { player_id: &seat.id }.to_text();
            self.broadcast(text);
            return;
        }
        if seat.bot {
            // A bot is named after its role: in each reader's language.
            let texts = self.texts.clone();
            let rendered = self
                .langs()
                .into_iter()
                .map(|lang| {
                    let view = self.table.player_view(texts.get(lang), lang, &seat, true);
                    (lang, SharedText::from(ServerMsg::Player(view).to_text()))
                })
                .collect();
            self.broadcast_by_lang(rendered);
        } else {
            let text = ServerMsg::Player(self.table.player_view(sc, Lang::En, &seat, self.online(&seat.id))).to_text();
            self.broadcast(text);
        }
        if let (true, Some(role)) = (seat.bot, seat.role) {
            let text = self.table.ready_msg(sc, role).to_text();
            self.broadcast(text);
        }
        // The seat's own screens show another role now: moves, draft, tracks.
        let own: Vec<ConnId> =
            self.conns.iter().filter(|(_, c)| c.viewer == Viewer::Player(seat.id.clone())).map(|(id, _)| *id).collect();
        for conn in own {
            if let Some(c) = self.conns.get_mut(&conn) {
                c.primed = false;
            }
            self.send_state(conn);
        }
    }

    /// The removed player's connections get `kicked` and close with 4001 — or, moved to another
    /// table, `moved` and 4003 (their client resumes into the new table).
    fn remove_player_conns(&mut self, player_id: &str, moved_to: Option<&str>) {
        let theirs: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| matches!(&c.viewer, Viewer::Player(id) if id == player_id))
            .map(|(id, _)| *id)
            .collect();
        let (frame, code, reason) = match moved_to {
            Some(session_id) => (ServerMsg::Moved { session_id }, 4003, "moved to another table"),
            None => (ServerMsg::Kicked, 4001, "removed by the instructor"),
        };
        let text = SharedText::from(frame.to_text());
        for conn in theirs {
            if let Some(c) = self.conns.remove(&conn) {
                c.outbox.push(Out::Text(text.clone()));
                c.outbox.close(code, reason);
            }
        }
    }

    /// The same text to every connection.
    pub(super) fn broadcast(&mut self, text: String) {
        let text = SharedText::from(text);
        for conn in self.conn_ids() {
            self.push(conn, Out::Text(text.clone()));
        }
    }

    /// One frame per audience and language (each serialized once, when the first connection
    /// that needs it comes) to every connection. Audiences whose frames come out byte for byte
    /// the same (roles whose private tracks did not move) share one payload, so it is compressed
    /// once.
    fn broadcast_by_audience(&mut self, render: impl Fn(Audience, Lang) -> String) {
        let mut rendered: Vec<((Audience, Lang), SharedText)> = Vec::new();
        for conn in self.conn_ids() {
            let Some((viewer, lang)) = self.conns.get(&conn).map(|c| (c.viewer.clone(), c.lang)) else { continue };
            let key = (self.table.audience(&viewer), lang);
            let text = match rendered.iter().find(|(k, _)| *k == key) {
                Some((_, text)) => text.clone(),
                None => {
                    let fresh = render(key.0, key.1);
                    let text = match rendered.iter().find(|(_, t)| t.plain().as_ref() == fresh.as_bytes()) {
                        Some((_, same)) => same.clone(),
                        None => SharedText::from(fresh),
                    };
                    rendered.push((key, text.clone()));
                    text
                }
            };
            self.push(conn, Out::Text(text));
        }
    }

    /// The languages of the connections, each once.
    fn langs(&self) -> Vec<Lang> {
        let mut langs: Vec<Lang> = self.conns.values().map(|c| c.lang).collect();
        langs.sort_unstable();
        langs.dedup();
        langs
    }

    /// Each connection the frame in its language (`rendered` has one per language present).
    fn broadcast_by_lang(&mut self, rendered: Vec<(Lang, SharedText)>) {
        for conn in self.conn_ids() {
            let Some(lang) = self.conns.get(&conn).map(|c| c.lang) else { continue };
            if let Some((_, text)) = rendered.iter().find(|(l, _)| *l == lang) {
                self.push(conn, Out::Text(text.clone()));
            }
        }
    }

    /// Each connection its own whole `state`.
    pub(super) fn broadcast_state(&mut self) {
        for conn in self.conn_ids() {
            self.send_state(conn);
        }
    }

    /// A connection's whole `state`: full the first time (and after a role change), lean after.
    pub(super) fn send_state(&mut self, conn: ConnId) {
        let Some((viewer, primed, lang)) =
            self.conns.get_mut(&conn).map(|c| (c.viewer.clone(), std::mem::replace(&mut c.primed, true), c.lang))
        else {
            return;
        };
        let detail = if primed { Detail::Lean } else { Detail::Full };
        let text = {
            let online = |id: &str| self.online(id);
            let sc = self.texts.get(lang);
            ServerMsg::State(Box::new(self.table.state_view(sc, lang, self.info(), &viewer, detail, &online))).to_text()
        };
        self.send(conn, text);
    }
}
