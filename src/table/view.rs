//! The frames a table sends, built for one seat or one audience. This is where hidden information
//! is enforced: every track, draft and effect passes through the viewer's [`Audience`] or role
//! before it is written, and every message through [`super::Message::readable_by`].

use std::collections::BTreeMap;

use super::{Message, Phase, Table, Viewer};
use crate::engine::{available_moves, scores, Lookup, RoleId, Scenario};
use crate::i18n::{narrate, Lang};
use crate::log::OrderRef;
use crate::protocol::{
    Audience, ClockView, Detail, EventView, FinalDebrief, FinalRole, FinalTrack, GameOverView, MessageView, MoveView,
    NamedRef, PlayerView, ReflectionView, ReportView, RequestView, RoleView, Scores, ServerMsg, SessionView, StateView,
    TablePlayer, TableRole, TableSummary, To, TrackView, YouView,
};

/// What the table does not know about itself: its id, its join code, and its number in its
/// class (if it is a class's table).
#[derive(Debug, Clone, Copy)]
pub struct SessionInfo<'a> {
    pub id: &'a str,
    pub join_code: &'a str,
    pub table: Option<u32>,
}

impl Table {
    /// A role's draft, named by ids.
    pub fn draft_refs(&self, sc: &Scenario, role: RoleId) -> Vec<OrderRef> {
        self.drafts.lookup(role).map(|d| super::decide::order_refs(sc, d)).unwrap_or_default()
    }

    /// `state`: the whole view for one seat, in the language of `sc` (the scenario the table plays,
    /// or a translation of it). `online` says whether a player has a connection open.
    pub fn state_view<'a>(
        &'a self,
        sc: &'a Scenario,
        lang: Lang,
        info: SessionInfo<'a>,
        viewer: &'a Viewer,
        detail: Detail,
        online: &dyn Fn(&str) -> bool,
    ) -> StateView<'a> {
        let full = detail == Detail::Full;
        let audience = self.audience(viewer);
        let role = match audience {
            Audience::Role(role) => Some(role),
            _ => None,
        };
        let round_def = sc.rounds.get((self.state.round as usize).saturating_sub(1));
        let tracks = sc
            .indexed_tracks()
            .filter(|(i, _)| audience.shows_track(sc, *i))
            .map(|(i, t)| TrackView {
                id: &t.id,
                name: full.then_some(t.name.as_str()),
                summary: full.then_some(t.summary.as_str()),
                min: full.then_some(t.min),
                max: full.then_some(t.max),
                value: self.state.tracks.get(i.index()).copied().unwrap_or(t.start),
                private: t.visible_to.is_some(),
                history: full.then(|| self.state.history.iter().map(|h| h.get(i.index()).copied()).collect()),
            })
            .collect();
        let events = self
            .state
            .events
            .iter()
            .filter_map(|e| sc.events.lookup(*e))
            .map(|e| EventView { id: &e.id, name: &e.name, text: &e.text, essay: &e.essay })
            .collect();
        let roles = sc
            .indexed_roles()
            .map(|(i, r)| RoleView {
                id: &r.id,
                name: &r.name,
                action_points: r.action_points,
                players: self.members(i).map(|s| s.id.as_str()).collect(),
                bot: self.is_bot_role(i),
                ready: self.is_bot_role(i) || self.ready.lookup(i).copied().unwrap_or(false),
            })
            .collect();
        let players = self.present().map(|s| self.player_view(sc, lang, s, online(&s.id))).collect();
        let you = match viewer {
            Viewer::Player(id) => YouView {
                kind: "player",
                player_id: Some(id),
                name: Some(self.seat(id).map(|s| s.name.as_str())),
                role: Some(role.map(|r| sc.roles[r].id.as_str())),
                requested_role: self.seat(id).and_then(|s| s.requested).map(|r| sc.roles[r].id.as_str()),
                memo: role.filter(|_| full).map(|r| sc.roles[r].memo.as_str()).filter(|m| !m.is_empty()),
                private_objective: role.filter(|_| full).and_then(|r| sc.roles[r].private_objective.as_ref()),
                reflection: self.seat(id).and_then(|s| s.reflection.as_deref()),
            },
            Viewer::Spectator => YouView::nobody("spectator"),
            Viewer::Instructor => YouView::nobody("instructor"),
        };
        let moves = role.map(|r| self.move_views(sc, r, full)).unwrap_or_default();
        let orders = (*viewer == Viewer::Instructor).then(|| self.all_drafts(sc));
        let requests = (*viewer == Viewer::Instructor).then(|| {
            self.present()
                .filter_map(|s| {
                    let role = s.requested?;
                    Some(RequestView { player_id: &s.id, name: &s.name, role: &sc.roles[role].id })
                })
                .collect()
        });
        StateView {
            session: SessionView {
                id: info.id,
                join_code: info.join_code,
                scenario: &sc.id,
                title: &sc.title,
                rounds: sc.round_count(),
                round_secs: self.round_secs,
                class_id: self.class.as_deref(),
                table: info.table,
            },
            phase: self.phase,
            round: self.state.round,
            round_name: round_def.map(|r| r.name.as_str()),
            briefing: round_def.map(|r| r.briefing.as_str()),
            deadline_at: self.clock.deadline_at,
            remaining_secs: self.clock.paused_remaining_ms.map(|ms| ms / 1000),
            tracks,
            events,
            roles,
            players,
            you,
            moves,
            action_points: role.map(|r| sc.roles[r].action_points),
            my_orders: role.map(|r| self.draft_refs(sc, r)).unwrap_or_default(),
            ready: role.is_some_and(|r| self.ready.lookup(r).copied().unwrap_or(false)),
            orders,
            requests,
            reflections: (*viewer == Viewer::Instructor && self.phase == Phase::Finished).then(|| self.reflections(sc)),
        }
    }

    /// What the players wrote after the game, in the order they sat down.
    pub fn reflections<'a>(&'a self, sc: &'a Scenario) -> Vec<ReflectionView<'a>> {
        self.seats
            .iter()
            .filter_map(|s| {
                Some(ReflectionView {
                    player_id: &s.id,
                    player: &s.name,
                    role: s.role.map(|r| sc.roles[r].id.as_str()),
                    text: s.reflection.as_deref()?,
                })
            })
            .collect()
    }

    /// The moves a role may order this round, as cards.
    fn move_views<'a>(&self, sc: &'a Scenario, role: RoleId, full: bool) -> Vec<MoveView<'a>> {
        available_moves(sc, &self.state, role)
            .into_iter()
            .filter_map(|m| sc.moves.lookup(m))
            .map(|m| MoveView {
                id: &m.id,
                name: &m.name,
                summary: full.then_some(m.summary.as_str()),
                essay: full.then_some(m.essay.as_slice()),
                cost: m.cost,
                targets: m
                    .targets
                    .iter()
                    .filter_map(|t| sc.targets.lookup(*t))
                    .map(|t| NamedRef { id: &t.id, name: &t.name })
                    .collect(),
                partners: m
                    .joint
                    .as_ref()
                    .map(|j| j.partners.iter().map(|p| p.role.map_or("target", |r| sc.roles[r].id.as_str())).collect()),
                choice_of: m.choice_of.and_then(|e| sc.events.lookup(e)).map(|e| e.id.as_str()),
            })
            .collect()
    }

    /// A seat as everyone sees it.
    pub fn player_view<'a>(
        &self,
        sc: &'a Scenario,
        lang: Lang,
        seat: &'a super::Seat,
        connected: bool,
    ) -> PlayerView<'a> {
        PlayerView {
            player_id: &seat.id,
            name: seat.shown_name(sc, lang),
            role: seat.role.map(|r| sc.roles[r].id.as_str()),
            bot: seat.bot,
            connected: seat.bot || connected,
        }
    }

    /// `draft`: a role's draft (for its players and the instructor).
    pub fn draft_msg<'a>(&self, sc: &'a Scenario, role: RoleId) -> ServerMsg<'a> {
        ServerMsg::Draft { round: self.state.round, role: &sc.roles[role].id, orders: self.draft_refs(sc, role) }
    }

    /// `role_ready`: a role's lock (for everyone).
    pub fn ready_msg<'a>(&self, sc: &'a Scenario, role: RoleId) -> ServerMsg<'a> {
        let ready = self.is_bot_role(role) || self.ready.lookup(role).copied().unwrap_or(false);
        ServerMsg::RoleReady { round: self.state.round, role: &sc.roles[role].id, ready }
    }

    /// `clock`: the round's deadline and length (for everyone).
    pub fn clock_msg(&self) -> ServerMsg<'static> {
        ServerMsg::Clock(ClockView {
            round: self.state.round,
            deadline_at: self.clock.deadline_at,
            remaining_secs: self.clock.paused_remaining_ms.map(|ms| ms / 1000),
            round_secs: self.round_secs,
        })
    }

    /// `round_resolved` for the last resolved round and one audience, in a language (`sc` is the
    /// scenario in it); `None` before the first.
    pub fn report_msg<'a>(
        &'a self,
        sc: &'a Scenario,
        lang: Lang,
        audience: Audience,
        replay: bool,
    ) -> Option<ServerMsg<'a>> {
        let last = self.last_round.as_ref()?;
        Some(ServerMsg::RoundResolved(ReportView {
            sc,
            lang,
            report: &last.report,
            state_hash: &last.stored_hash,
            audience,
            bots: &last.bots,
            replay,
        }))
    }

    /// `game_over`: every role's score and the debrief (all tracks revealed now).
    pub fn game_over_msg<'a>(&'a self, sc: &'a Scenario, lang: Lang) -> ServerMsg<'a> {
        let points = scores(sc, &self.state.tracks);
        let roles = sc
            .indexed_roles()
            .map(|(i, r)| FinalRole {
                id: &r.id,
                name: &r.name,
                score: points.lookup(i).copied().unwrap_or(0),
                objective: &r.objective.summary,
                essay: &r.objective.essay,
                players: self.members(i).map(|s| s.shown_name(sc, lang)).collect(),
                bot: self.is_bot_role(i),
            })
            .collect();
        let tracks = sc
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| FinalTrack {
                id: &t.id,
                name: &t.name,
                start: t.start,
                value: self.state.tracks.get(i).copied().unwrap_or(t.start),
                history: self.state.history.iter().map(|h| h.get(i).copied()).collect(),
                private: t.visible_to.is_some(),
            })
            .collect();
        ServerMsg::GameOver(GameOverView {
            scores: Scores(sc.roles.iter().map(|r| r.id.as_str()).zip(points.iter().copied()).collect()),
            debrief: FinalDebrief {
                rounds_played: self.state.history.len().saturating_sub(1),
                ended_early: !self.state.is_finished(),
                roles,
                tracks,
                state_hash: self.state.hash(sc),
            },
        })
    }

    /// The table at a glance, for its class's console (with scores) and projector (without); its
    /// headline in English (the class tells `changes` in each reader's language).
    pub fn summary(&self, sc: &Scenario, session_id: &str, table: u32, online: &dyn Fn(&str) -> bool) -> TableSummary {
        let changes = self.last_round.as_ref().map_or_else(Vec::new, |last| {
            ReportView {
                sc,
                lang: Lang::En,
                report: &last.report,
                state_hash: "",
                audience: Audience::Public,
                bots: &[],
                replay: false,
            }
            .headline_changes()
        });
        let headline = changes.iter().map(|(t, d)| narrate::headline_item(sc, *t, *d, Lang::En)).collect();
        let points = scores(sc, &self.state.tracks);
        TableSummary {
            session_id: session_id.to_string(),
            table,
            phase: self.phase,
            round: self.state.round,
            deadline_at: self.clock.deadline_at,
            remaining_secs: self.clock.paused_remaining_ms.map(|ms| ms / 1000),
            roles: sc
                .indexed_roles()
                .map(|(i, r)| TableRole {
                    id: r.id.clone(),
                    players: self
                        .members(i)
                        .filter(|s| !s.bot)
                        .map(|s| TablePlayer {
                            player_id: s.id.clone(),
                            name: s.name.clone(),
                            connected: online(&s.id),
                        })
                        .collect(),
                    bot: self.is_bot_role(i),
                    ready: self.is_bot_role(i) || self.ready.lookup(i).copied().unwrap_or(false),
                })
                .collect(),
            resolved: u32::try_from(self.state.history.len().saturating_sub(1)).unwrap_or(u32::MAX),
            headline,
            changes,
            tracks: sc
                .tracks
                .iter()
                .zip(&self.state.tracks)
                .filter(|(t, _)| t.visible_to.is_none())
                .map(|(t, v)| (t.id.clone(), *v))
                .collect(),
            scores: Some(sc.roles.iter().map(|r| r.id.clone()).zip(points).collect()),
        }
    }

    /// Every role's draft, by role id (the instructor's view).
    pub fn all_drafts<'a>(&self, sc: &'a Scenario) -> BTreeMap<&'a str, Vec<OrderRef>> {
        sc.indexed_roles().map(|(i, r)| (r.id.as_str(), self.draft_refs(sc, i))).collect()
    }
}

/// `message`: a message as its readers see it.
pub fn message_msg<'a>(sc: &'a Scenario, message: &'a Message) -> ServerMsg<'a> {
    let to = message.to_ids(sc).map_or(To::All, To::Roles);
    ServerMsg::Message(MessageView { from: &message.from, to, text: &message.text, at: message.at })
}
