//! What a session does with each message: taking seats, player actions, instructor actions, and
//! resolving rounds. Each handler checks, commits, then changes memory and tells the seats.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::{Conn, Deadline, Phase, Player, Said, Session, Viewer, Who};
use crate::bots::{self, Policy};
use crate::engine::{self, check_draft, parse_order, resolve_round, InjectError, Order, RoleId, RoundOrders};
use crate::protocol::{self, ClientMsg, ErrorCode, OrderIn, Recipients, WireError};
use crate::server::outbox::{ConnId, Outbox};
use crate::store::{now_ms, LogEvent, NewPlayer, Op, StoredOrder};

/// Longest message text, in characters.
pub const MAX_TEXT: usize = 1000;
/// Longest nickname, in characters.
pub const MAX_NAME: usize = 40;
/// Longest round, in seconds.
pub const MAX_ROUND_SECS: u64 = 7 * 24 * 3600;
/// Messages replayed to a seat when it connects.
const HISTORY: usize = 100;
/// After a failed save at a deadline, try again this much later.
const RETRY: Duration = Duration::from_secs(2);

fn err(code: ErrorCode, message: &str) -> WireError {
    WireError::new(code, message)
}

/// Checks a nickname: trimmed, 1 to 40 characters, no control characters.
pub fn clean_name(name: &str) -> Result<String, WireError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(err(ErrorCode::BadName, "a name has 1 to 40 characters and no control characters"));
    }
    Ok(name.to_string())
}

impl Session {
    // ---- Seats --------------------------------------------------------------------------------

    pub(super) async fn attach(&mut self, outbox: Outbox, who: Who, re: Option<Value>) -> Result<(), WireError> {
        let conn = outbox.id();
        let viewer = match who {
            Who::Join { name, token, token_hash } => {
                if self.phase == Phase::Finished {
                    return Err(err(ErrorCode::WrongPhase, "this game is over"));
                }
                let name = clean_name(&name)?;
                let player_id = uuid::Uuid::new_v4().to_string();
                let row = NewPlayer {
                    id: player_id.clone(),
                    session_id: self.id.to_string(),
                    name: name.clone(),
                    role: None,
                    is_bot: false,
                    token_hash: Some(token_hash),
                };
                let event = LogEvent::PlayerJoined { player_id: player_id.clone(), name: name.clone() };
                self.commit(vec![event], vec![Op::Player(row)]).await?;
                self.players.push(Player { id: player_id.clone(), name, role: None, bot: false, kicked: false });
                outbox.string(protocol::welcome(&self.id, &player_id, &token));
                Viewer::Player(player_id)
            }
            Who::Resume { player_id } => {
                if self.player(&player_id).is_none() {
                    return Err(err(ErrorCode::BadToken, "this seat is no longer in the game"));
                }
                outbox.string(
                    serde_json::json!({ "type": "welcome", "session_id": &*self.id, "player_id": &player_id })
                        .to_string(),
                );
                Viewer::Player(player_id)
            }
            Who::Watch => Viewer::Spectator,
            Who::Instructor => Viewer::Instructor,
        };
        tracing::info!(session = %self.id, conn, seat = viewer_kind(&viewer), "seat taken");
        let newly_online = matches!(&viewer, Viewer::Player(id) if !self.online(id));
        self.conns.insert(conn, Conn { outbox, viewer: viewer.clone() });
        self.send_state(conn);
        // Catch up: the last report and the messages this seat may read.
        if let Some((report, hash)) = &self.last_report {
            let audience = self.audience(&viewer);
            let mut json = self.report_json(report, hash, audience);
            json["replay"] = Value::Bool(true);
            self.send(conn, json.to_string());
        }
        let history: Vec<_> =
            self.messages.iter().filter(|m| self.can_read(&viewer, m)).map(|m| m.json.clone()).collect();
        let skip = history.len().saturating_sub(HISTORY);
        for text in history.into_iter().skip(skip) {
            self.push(conn, crate::server::outbox::Out::Text(text));
        }
        // A seat that comes back after the end sees the final scores again.
        if self.phase == Phase::Finished {
            let game_over = self.game_over_json().to_string();
            self.send(conn, game_over);
        }
        if let Some(re) = &re {
            self.send(conn, protocol::ack(re));
        }
        // Everyone else sees who is online (spectators and extra tabs change nothing they see).
        if newly_online {
            for other in self.conn_ids().into_iter().filter(|c| *c != conn) {
                self.send_state(other);
            }
        }
        Ok(())
    }

    // ---- Dispatch -----------------------------------------------------------------------------

    pub(super) async fn on_client(&mut self, conn: ConnId, viewer: &Viewer, msg: ClientMsg) -> Result<(), WireError> {
        if msg.instructor_only() && *viewer != Viewer::Instructor {
            return Err(err(ErrorCode::NotInstructor, "only the session's instructor may do that"));
        }
        if msg.is_auth() {
            return Err(err(ErrorCode::AlreadyJoined, "this connection already has a seat"));
        }
        match msg {
            ClientMsg::Ping => {
                self.send(conn, protocol::pong());
                Ok(())
            }
            ClientMsg::ChooseRole { role } => self.choose_role(viewer, role.as_deref()).await,
            ClientMsg::SetOrders { round, orders } => self.set_orders(viewer, round, &orders).await,
            ClientMsg::Ready { round, ready } => self.set_ready(viewer, round, ready).await,
            ClientMsg::Say { to, text } => self.say(viewer, &to, &text).await,
            ClientMsg::Start => self.start().await,
            ClientMsg::Pause => self.pause().await,
            ClientMsg::ResumeGame => self.resume_game().await,
            ClientMsg::ForceResolve => {
                if self.phase != Phase::Running {
                    return Err(err(ErrorCode::WrongPhase, "only a running round can be resolved"));
                }
                self.resolve().await
            }
            ClientMsg::SetDeadline { secs } => self.set_deadline(secs).await,
            ClientMsg::InjectEvent { event } => self.inject_event(&event).await,
            ClientMsg::AssignRole { player_id, role } => self.assign_role(&player_id, role.as_deref()).await,
            ClientMsg::Kick { player_id } => self.kick(&player_id).await,
            ClientMsg::AddBot { role } => self.add_bot(&role).await,
            ClientMsg::End => self.end().await,
            ClientMsg::Join { .. }
            | ClientMsg::Resume { .. }
            | ClientMsg::Watch { .. }
            | ClientMsg::Instructor { .. } => Err(err(ErrorCode::AlreadyJoined, "this connection already has a seat")),
        }
    }

    fn role_index(&self, id: &str) -> Result<RoleId, WireError> {
        self.sc().role_index(id).ok_or_else(|| err(ErrorCode::UnknownRole, "this scenario has no such role"))
    }

    /// The player behind a connection, with its role, for player-only actions.
    fn acting_player(&self, viewer: &Viewer) -> Result<(String, Option<RoleId>), WireError> {
        match viewer {
            Viewer::Player(id) => {
                let player = self.player(id).ok_or_else(|| err(ErrorCode::NotJoined, "this seat was removed"))?;
                Ok((player.id.clone(), player.role))
            }
            _ => Err(err(ErrorCode::NotJoined, "join the session as a player to do that")),
        }
    }

    /// The round's player actions: running, with a role, for the current round.
    fn acting_role(&self, viewer: &Viewer, round: u32) -> Result<(String, RoleId), WireError> {
        let (player_id, role) = self.acting_player(viewer)?;
        if self.phase != Phase::Running {
            return Err(err(ErrorCode::WrongPhase, "orders are taken only while the game is running"));
        }
        let role = role.ok_or_else(|| err(ErrorCode::NoRole, "choose a role first"))?;
        if round != self.state.round {
            return Err(WireError::new(ErrorCode::WrongRound, format!("this is round {}", self.state.round)));
        }
        Ok((player_id, role))
    }

    // ---- Player actions -----------------------------------------------------------------------

    async fn choose_role(&mut self, viewer: &Viewer, role: Option<&str>) -> Result<(), WireError> {
        let (player_id, current) = self.acting_player(viewer)?;
        let role = role.map(|r| self.role_index(r)).transpose()?;
        if role == current {
            return Ok(());
        }
        match self.phase {
            Phase::Finished => return Err(err(ErrorCode::WrongPhase, "this game is over")),
            Phase::Lobby => {}
            // Once the game runs, a player without a role may still take one (a late arrival),
            // but only the instructor moves players between roles.
            Phase::Running | Phase::Paused if current.is_none() && role.is_some() => {}
            Phase::Running | Phase::Paused => {
                return Err(err(ErrorCode::WrongPhase, "roles are changed by the instructor once the game runs"));
            }
        }
        if let Some(r) = role {
            if self.is_bot_role(r) {
                return Err(err(ErrorCode::RoleTaken, "a bot plays this role"));
            }
        }
        self.set_role(&player_id, role, false).await?;
        self.maybe_resolve_early().await
    }

    async fn set_role(&mut self, player_id: &str, role: Option<RoleId>, by_instructor: bool) -> Result<(), WireError> {
        let role_id = role.map(|r| self.sc().roles[r].id.clone());
        let event = LogEvent::RoleSet { player_id: player_id.into(), role: role_id.clone(), by_instructor };
        self.commit(vec![event], vec![Op::PlayerRole { id: player_id.into(), role: role_id }]).await?;
        if let Some(p) = self.players.iter_mut().find(|p| p.id == player_id) {
            p.role = role;
        }
        self.broadcast_state();
        Ok(())
    }

    async fn set_orders(&mut self, viewer: &Viewer, round: u32, orders: &[OrderIn]) -> Result<(), WireError> {
        let (player_id, role) = self.acting_role(viewer, round)?;
        if self.ready[role] {
            return Err(err(ErrorCode::OrdersLocked, "your role's orders are locked: unlock them first"));
        }
        let sc = self.sc();
        let parsed = orders
            .iter()
            .map(|o| parse_order(sc, role, &o.mv, o.target.as_deref()))
            .collect::<Result<Vec<Order>, _>>()
            .map_err(WireError::illegal)?;
        check_draft(sc, &self.state, role, &parsed).map_err(WireError::illegal)?;
        let event = LogEvent::OrdersSet {
            round,
            role: sc.roles[role].id.clone(),
            player_id: Some(player_id),
            orders: stored_orders(sc, &parsed),
        };
        self.commit(vec![event], Vec::new()).await?;
        self.drafts[role] = parsed;
        // Only the role's own players (and the instructor) see a draft.
        self.send_state_to_role(role);
        Ok(())
    }

    async fn set_ready(&mut self, viewer: &Viewer, round: u32, ready: bool) -> Result<(), WireError> {
        let (player_id, role) = self.acting_role(viewer, round)?;
        if self.ready[role] == ready {
            return Ok(());
        }
        let event =
            LogEvent::ReadySet { round, role: self.sc().roles[role].id.clone(), player_id: Some(player_id), ready };
        self.commit(vec![event], Vec::new()).await?;
        self.ready[role] = ready;
        self.broadcast_state();
        self.maybe_resolve_early().await
    }

    async fn say(&mut self, viewer: &Viewer, to: &Recipients, text: &str) -> Result<(), WireError> {
        if *viewer == Viewer::Spectator {
            return Err(err(ErrorCode::NotJoined, "spectators cannot send messages"));
        }
        if let Viewer::Player(_) = viewer {
            self.acting_player(viewer)?;
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(err(ErrorCode::BadRequest, "the message is empty"));
        }
        if text.chars().count() > MAX_TEXT {
            return Err(WireError::new(ErrorCode::TooLarge, format!("a message has at most {MAX_TEXT} characters")));
        }
        let to: Option<Vec<RoleId>> = match to {
            Recipients::One(all) if all == "all" => None,
            Recipients::One(role) => Some(vec![self.role_index(role)?]),
            Recipients::Many(roles) if roles.is_empty() => {
                return Err(err(ErrorCode::BadRequest, "say to \"all\", a role, or a non-empty list of roles"));
            }
            Recipients::Many(roles) => {
                let mut list = roles.iter().map(|r| self.role_index(r)).collect::<Result<Vec<_>, _>>()?;
                list.sort_unstable();
                list.dedup();
                Some(list)
            }
        };
        let from = self.sender(viewer);
        let at = now_ms();
        let to_ids = to.as_ref().map(|roles| roles.iter().map(|r| self.sc().roles[*r].id.clone()).collect());
        let event = LogEvent::Said { from, to: to_ids, text: text.to_string(), at };
        self.commit(vec![event.clone()], Vec::new()).await?;
        let said = self.said(&event).ok_or_else(WireError::internal)?;
        let recipients: Vec<ConnId> =
            self.conns.iter().filter(|(_, c)| self.can_read(&c.viewer, &said)).map(|(id, _)| *id).collect();
        for conn in recipients {
            self.push(conn, crate::server::outbox::Out::Text(said.json.clone()));
        }
        self.messages.push(said);
        Ok(())
    }

    /// A stored `said` event as a message, serialized once (`None` for other events).
    pub(super) fn said(&self, event: &LogEvent) -> Option<Said> {
        let LogEvent::Said { from, to, text, at } = event else { return None };
        let sc = self.sc();
        let from_role = from.role.as_deref().and_then(|r| sc.role_index(r));
        let to_roles: Option<Vec<RoleId>> =
            to.as_ref().map(|ids| ids.iter().filter_map(|r| sc.role_index(r)).collect());
        let json = serde_json::json!({
            "type": "message",
            "from": { "player_id": from.player_id, "name": from.name, "role": from.role },
            "to": match to { None => Value::from("all"), Some(ids) => Value::from(ids.clone()) },
            "text": text,
            "at": at,
        });
        Some(Said { from_player: from.player_id.clone(), from_role, to: to_roles, json: json.to_string().into() })
    }

    // ---- Instructor actions -------------------------------------------------------------------

    /// A deadline `secs` from now.
    fn deadline_in(secs: Duration) -> Deadline {
        let at_ms = now_ms().saturating_add(i64::try_from(secs.as_millis()).unwrap_or(i64::MAX));
        Deadline { at: Instant::now() + secs, at_ms }
    }

    async fn start(&mut self) -> Result<(), WireError> {
        if self.phase != Phase::Lobby {
            return Err(err(ErrorCode::WrongPhase, "the game has already started"));
        }
        let deadline = Self::deadline_in(Duration::from_secs(self.round_secs));
        let events = vec![LogEvent::Started, LogEvent::DeadlineSet { round: self.state.round, at: deadline.at_ms }];
        self.commit(events, vec![self.status_op(Phase::Running, self.state.round)]).await?;
        self.phase = Phase::Running;
        self.deadline = Some(deadline);
        self.broadcast_state();
        self.maybe_resolve_early().await
    }

    async fn pause(&mut self) -> Result<(), WireError> {
        if self.phase != Phase::Running {
            return Err(err(ErrorCode::WrongPhase, "only a running game can be paused"));
        }
        let remaining = self.deadline.map_or(Duration::ZERO, |d| d.at.saturating_duration_since(Instant::now()));
        let remaining_ms = u64::try_from(remaining.as_millis()).unwrap_or(u64::MAX);
        self.commit(vec![LogEvent::Paused { remaining_ms }], vec![self.status_op(Phase::Paused, self.state.round)])
            .await?;
        self.phase = Phase::Paused;
        self.deadline = None;
        self.paused_remaining = Some(remaining);
        self.broadcast_state();
        Ok(())
    }

    async fn resume_game(&mut self) -> Result<(), WireError> {
        if self.phase != Phase::Paused {
            return Err(err(ErrorCode::WrongPhase, "the game is not paused"));
        }
        let remaining = self.paused_remaining.unwrap_or(Duration::from_secs(self.round_secs));
        let deadline = Self::deadline_in(remaining);
        let events = vec![LogEvent::Resumed, LogEvent::DeadlineSet { round: self.state.round, at: deadline.at_ms }];
        self.commit(events, vec![self.status_op(Phase::Running, self.state.round)]).await?;
        self.phase = Phase::Running;
        self.paused_remaining = None;
        self.deadline = Some(deadline);
        self.broadcast_state();
        self.maybe_resolve_early().await
    }

    /// In the lobby (or paused): the round length. While running: this round ends `secs` from now.
    async fn set_deadline(&mut self, secs: u64) -> Result<(), WireError> {
        if secs == 0 || secs > MAX_ROUND_SECS {
            return Err(WireError::new(ErrorCode::BadRequest, format!("secs must be 1 to {MAX_ROUND_SECS}")));
        }
        match self.phase {
            Phase::Finished => Err(err(ErrorCode::WrongPhase, "this game is over")),
            Phase::Lobby | Phase::Paused => {
                self.commit(vec![LogEvent::RoundLengthSet { secs }], Vec::new()).await?;
                self.round_secs = secs;
                if self.phase == Phase::Paused {
                    // Also what is left of the paused round.
                    self.paused_remaining = Some(Duration::from_secs(secs));
                }
                self.broadcast_state();
                Ok(())
            }
            Phase::Running => {
                let deadline = Self::deadline_in(Duration::from_secs(secs));
                self.commit(vec![LogEvent::DeadlineSet { round: self.state.round, at: deadline.at_ms }], Vec::new())
                    .await?;
                self.deadline = Some(deadline);
                self.broadcast_state();
                Ok(())
            }
        }
    }

    async fn inject_event(&mut self, event_id: &str) -> Result<(), WireError> {
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is over"));
        }
        let sc = self.sc();
        let event = sc.event_index(event_id).ok_or_else(|| err(ErrorCode::UnknownEvent, "no such event"))?;
        let next = self.state.inject_event(sc, event).map_err(|e| match e {
            InjectError::AlreadyInPlay => err(ErrorCode::EventInPlay, "that event is already in play"),
            InjectError::GameOver => err(ErrorCode::WrongPhase, "this game is over"),
            InjectError::UnknownEvent(_) => err(ErrorCode::UnknownEvent, "no such event"),
        })?;
        let stored = LogEvent::EventInjected { round: self.state.round, event: event_id.to_string() };
        self.commit(vec![stored], Vec::new()).await?;
        self.state = next;
        self.broadcast_state();
        Ok(())
    }

    fn target_player(&self, player_id: &str) -> Result<Player, WireError> {
        self.player(player_id).cloned().ok_or_else(|| err(ErrorCode::UnknownPlayer, "no such player in this session"))
    }

    async fn assign_role(&mut self, player_id: &str, role: Option<&str>) -> Result<(), WireError> {
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is over"));
        }
        let player = self.target_player(player_id)?;
        if player.bot {
            return Err(err(ErrorCode::UnknownPlayer, "bots keep their role; kick the bot instead"));
        }
        let role = role.map(|r| self.role_index(r)).transpose()?;
        if role.is_some_and(|r| self.is_bot_role(r)) {
            return Err(err(ErrorCode::RoleTaken, "a bot plays this role"));
        }
        if player.role == role {
            return Ok(());
        }
        self.set_role(player_id, role, true).await?;
        self.maybe_resolve_early().await
    }

    async fn kick(&mut self, player_id: &str) -> Result<(), WireError> {
        let player = self.target_player(player_id)?;
        let event = LogEvent::PlayerKicked { player_id: player.id.clone() };
        self.commit(vec![event], vec![Op::PlayerKicked { id: player.id.clone() }]).await?;
        if let Some(p) = self.players.iter_mut().find(|p| p.id == player.id) {
            p.kicked = true;
            p.role = None;
        }
        let theirs: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.viewer == Viewer::Player(player.id.clone()))
            .map(|(id, _)| *id)
            .collect();
        for conn in theirs {
            if let Some(c) = self.conns.remove(&conn) {
                c.outbox.string(serde_json::json!({ "type": "kicked" }).to_string());
                c.outbox.close(4001, "removed by the instructor");
            }
        }
        self.broadcast_state();
        self.maybe_resolve_early().await
    }

    async fn add_bot(&mut self, role_id: &str) -> Result<(), WireError> {
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is over"));
        }
        let role = self.role_index(role_id)?;
        if self.is_bot_role(role) || self.has_humans(role) {
            return Err(err(ErrorCode::RoleTaken, "this role already has players"));
        }
        let (ops, events, bot) = self.new_bot(role);
        self.commit(events, ops).await?;
        self.players.push(bot);
        self.broadcast_state();
        self.maybe_resolve_early().await
    }

    /// The writes and the seat for a bot playing `role`.
    pub(super) fn new_bot(&self, role: RoleId) -> (Vec<Op>, Vec<LogEvent>, Player) {
        let role_id = self.sc().roles[role].id.clone();
        let id = uuid::Uuid::new_v4().to_string();
        let name = format!("Bot ({})", self.sc().roles[role].name);
        let row = NewPlayer {
            id: id.clone(),
            session_id: self.id.to_string(),
            name: name.clone(),
            role: Some(role_id.clone()),
            is_bot: true,
            token_hash: None,
        };
        let event = LogEvent::BotAdded { player_id: id.clone(), role: role_id };
        (vec![Op::Player(row)], vec![event], Player { id, name, role: Some(role), bot: true, kicked: false })
    }

    async fn end(&mut self) -> Result<(), WireError> {
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is already over"));
        }
        self.commit(vec![LogEvent::Ended], vec![self.status_op(Phase::Finished, self.state.round)]).await?;
        self.finish();
        self.broadcast_state();
        let game_over = self.game_over_json().to_string();
        for conn in self.conn_ids() {
            self.send(conn, game_over.clone());
        }
        Ok(())
    }

    fn finish(&mut self) {
        self.phase = Phase::Finished;
        self.deadline = None;
        self.paused_remaining = None;
        self.app.registry().release(&self.join_code, Some(&self.id));
    }

    // ---- Rounds -------------------------------------------------------------------------------

    /// Resolves at once when every role with people in it is ready (bots are always ready).
    async fn maybe_resolve_early(&mut self) -> Result<(), WireError> {
        if self.phase != Phase::Running {
            return Ok(());
        }
        let roles: Vec<RoleId> = (0..self.sc().roles.len()).filter(|r| self.has_humans(*r)).collect();
        if !roles.is_empty() && roles.iter().all(|r| self.ready[*r]) {
            self.resolve().await?;
        }
        Ok(())
    }

    pub(super) async fn on_deadline(&mut self) {
        if self.phase != Phase::Running {
            self.deadline = None;
            return;
        }
        tracing::info!(session = %self.id, round = self.state.round, "deadline reached");
        if self.resolve().await.is_err() {
            // The save failed; the round stays open and is tried again shortly.
            self.deadline = Some(Self::deadline_in(RETRY));
        }
    }

    /// Resolves the current round: bots choose, missing orders hold, the engine resolves, the
    /// result is committed, then every seat gets its own view of the report.
    pub(super) async fn resolve(&mut self) -> Result<(), WireError> {
        let loaded = self.loaded.clone();
        let sc = &loaded.scenario;
        let orders: RoundOrders = (0..sc.roles.len())
            .map(|role| {
                if self.is_bot_role(role) {
                    bots::choose_orders(sc, &self.state, role, Policy::Greedy, self.seed)
                } else {
                    self.drafts[role].clone()
                }
            })
            .collect();
        let (next, report) = resolve_round(sc, &self.state, &orders);
        let state_hash = next.hash(sc);
        let stored: BTreeMap<String, Vec<StoredOrder>> =
            sc.roles.iter().zip(&orders).map(|(role, list)| (role.id.clone(), stored_orders(sc, list))).collect();
        let round = self.state.round;
        let mut events = vec![LogEvent::RoundResolved { round, orders: stored, state_hash: state_hash.clone() }];
        let finished = next.is_finished();
        let deadline = Self::deadline_in(Duration::from_secs(self.round_secs));
        let phase = if finished { Phase::Finished } else { self.phase };
        if !finished {
            events.push(LogEvent::DeadlineSet { round: next.round, at: deadline.at_ms });
        }
        self.commit(events, vec![self.status_op(phase, next.round)]).await?;
        tracing::info!(session = %self.id, round, state_hash = %state_hash, finished, "round resolved");
        self.state = next;
        self.drafts = vec![Vec::new(); sc.roles.len()];
        self.ready = vec![false; sc.roles.len()];
        self.broadcast_by_audience(|s, audience| s.report_json(&report, &state_hash, audience).to_string());
        self.last_report = Some((report, state_hash));
        if finished {
            self.finish();
        } else {
            self.deadline = Some(deadline);
        }
        self.broadcast_state();
        if finished {
            let game_over = self.game_over_json().to_string();
            for conn in self.conn_ids() {
                self.send(conn, game_over.clone());
            }
        }
        Ok(())
    }
}

/// Orders as stored and shown: move and target ids.
pub(super) fn stored_orders(sc: &engine::Scenario, orders: &[Order]) -> Vec<StoredOrder> {
    orders
        .iter()
        .filter_map(|o| {
            let mv = sc.moves.get(o.mv)?;
            Some(StoredOrder {
                mv: mv.id.clone(),
                target: o.target.and_then(|t| sc.targets.get(t)).map(|t| t.id.clone()),
            })
        })
        .collect()
}

fn viewer_kind(viewer: &Viewer) -> &'static str {
    match viewer {
        Viewer::Player(_) => "player",
        Viewer::Spectator => "spectator",
        Viewer::Instructor => "instructor",
    }
}
