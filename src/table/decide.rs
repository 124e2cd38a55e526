//! Requests into events: what a seat asked for, checked against the table, as the log events that
//! would carry it out — or the refusal, with its stable code. Nothing here changes the table.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization as _;

use super::{Phase, Table, Viewer};
use crate::engine::{
    check_draft, parse_order, resolve_round, InjectError, Lookup, Order, RoleId, RoundOrders, Scenario,
};
use crate::log::{LogEvent, OrderRef};
use crate::protocol::{ClientMsg, ErrorCode, Recipients, WireError};

/// Longest message text, in characters.
pub const MAX_TEXT: usize = 1000;
/// The longest reflection, in characters.
pub(super) const MAX_REFLECTION: usize = 2000;
/// Longest nickname, in characters.
pub const MAX_NAME: usize = 40;
/// Longest round, in seconds.
pub const MAX_ROUND_SECS: u64 = 7 * 24 * 3600;

fn err(code: ErrorCode, message: &str) -> WireError {
    WireError::new(code, message)
}

/// Characters that would let a text hide or disguise itself: controls (but a newline in press),
/// format characters such as bidi overrides and zero-width joiners, and private-use characters.
fn is_hidden(c: char, newline_ok: bool) -> bool {
    if c == '\n' {
        return !newline_ok;
    }
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}' | '\u{E000}'..='\u{F8FF}' | '\u{E0000}'..='\u{E007F}')
}

/// Combining marks (accents written after their letter): a few may stack on one letter (Vietnamese
/// writes two), a pile of them ("Zalgo" text) spills over the lines above and below it on every
/// reader's screen.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// At most this many combining marks on one letter.
const MAX_MARKS: usize = 3;

fn piles_up_marks(text: &str) -> bool {
    let mut run = 0;
    text.chars().any(|c| {
        run = if is_combining_mark(c) { run + 1 } else { 0 };
        run > MAX_MARKS
    })
}

/// Words a student's name may not contain: they would pass for the teacher or the machine, in
/// the client's four languages (two of them share some).
const STAFF_WORDS: &[&str] = &[
    "instructor",
    "teacher",
    "admin",
    "administrator",
    "moderator",
    "bot",
    "system",
    "server",
    "projector",
    "staff",
    "багш",
    "админ",
    "бот",
    "систем",
    "сервер",
    "модератор",
    "учитель",
    "учительница",
    "преподаватель",
    "администратор",
    "система",
    "проектор",
];

/// The same titles in Chinese, which writes a name without spaces: refused anywhere in it.
const STAFF_TITLES_CJK: &[&str] = &["老师", "教师", "管理员", "机器人", "系统"];

/// Checks a nickname: trimmed, 1 to 40 characters, nothing hidden, and no staff title as a word
/// of it ("Instructor", "Ms Teacher", "Багш Бат", "王老师", "Bot (…)", …): a message from such a
/// name would read as the teacher's.
pub fn clean_name(name: &str) -> Result<String, WireError> {
    // One form for every keyboard: an accent typed as its own mark is joined to its letter (NFC).
    let name: String = name.trim().nfc().collect();
    let name = name.as_str();
    if name.is_empty()
        || name.chars().count() > MAX_NAME
        || name.chars().any(|c| is_hidden(c, false))
        || piles_up_marks(name)
    {
        return Err(err(
            ErrorCode::BadName,
            "a name has 1 to 40 characters, no control or invisible characters and no pile of accents",
        ));
    }
    let lower = name.to_lowercase();
    let staff_word = lower.split(|c: char| !c.is_alphanumeric()).any(|word| STAFF_WORDS.contains(&word));
    if staff_word || STAFF_TITLES_CJK.iter().any(|title| lower.contains(title)) {
        return Err(err(ErrorCode::BadName, "that name is kept for the teacher and the bots: choose another")
            .with_detail("staff"));
    }
    Ok(name.to_string())
}

/// Checks press and reflections: trimmed, 1 to `max` characters, no control or invisible
/// characters (newlines are fine).
pub fn clean_text(text: &str, max: usize) -> Result<String, WireError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(err(ErrorCode::BadRequest, "the text is empty"));
    }
    if text.chars().count() > max {
        return Err(WireError::new(ErrorCode::TooLarge, format!("a text has at most {max} characters")));
    }
    if text.chars().any(|c| is_hidden(c, true)) {
        return Err(err(ErrorCode::BadRequest, "the text has control or invisible characters"));
    }
    if piles_up_marks(text) {
        return Err(err(ErrorCode::BadRequest, "the text piles more than three accents on one letter"));
    }
    Ok(text.to_string())
}

/// Orders named by ids, as the log and the wire carry them.
pub fn order_refs(sc: &Scenario, orders: &[Order]) -> Vec<OrderRef> {
    orders
        .iter()
        .filter_map(|o| {
            let mv = sc.moves.lookup(o.mv)?;
            Some(OrderRef {
                mv: mv.id.clone(),
                target: o.target.and_then(|t| sc.targets.lookup(t)).map(|t| t.id.clone()),
            })
        })
        .collect()
}

/// What a class asks of each of its tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassOrder {
    /// Start the game with this first deadline (unix ms), the same at every table.
    Start {
        at: i64,
    },
    /// A waiting table starts its next round, with this deadline.
    Release {
        at: i64,
    },
    Pause,
    Resume,
    /// Resolve the running round now.
    Resolve,
    /// The running round ends at `at`.
    Deadline {
        at: i64,
    },
    /// The length of rounds to come.
    RoundLength {
        secs: u64,
    },
    Inject {
        event: String,
    },
    End,
    /// Bots take the roles nobody plays.
    FillWithBots,
    /// The instructor (through the class's console) moves a student to another role here.
    Assign {
        player_id: String,
        role: Option<String>,
    },
}

/// Seconds as milliseconds (saturating).
pub fn millis(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

impl Table {
    /// The events that carry out `msg` from `viewer` at `now` (unix ms), or why not. An empty
    /// list is a request that changes nothing (it is still acknowledged). `fresh_id` gives a new
    /// unique id when the request creates something (a bot's seat).
    pub fn decide(
        &self,
        sc: &Scenario,
        viewer: &Viewer,
        msg: &ClientMsg,
        now: i64,
        fresh_id: &mut dyn FnMut() -> String,
    ) -> Result<Vec<LogEvent>, WireError> {
        if msg.is_auth() {
            return Err(err(ErrorCode::AlreadyJoined, "this connection already has a seat"));
        }
        if msg.instructor_only() && *viewer != Viewer::Instructor {
            return Err(err(ErrorCode::NotInstructor, "only the session's instructor may do that"));
        }
        match msg {
            ClientMsg::Ping => Ok(Vec::new()),
            ClientMsg::ChooseRole { role } => self.choose_role(sc, viewer, role.as_deref()),
            ClientMsg::SetOrders { round, orders } => self.set_orders(sc, viewer, *round, orders),
            ClientMsg::Ready { round, ready } => self.set_ready(sc, viewer, *round, *ready),
            ClientMsg::Say { to, text } => self.say(sc, viewer, to, text, now),
            ClientMsg::Reflect { text } => self.reflect(viewer, text),
            ClientMsg::Start => self.start(now),
            ClientMsg::Pause => self.pause(now),
            ClientMsg::ResumeGame => self.resume_game(now),
            ClientMsg::ForceResolve => {
                if self.phase != Phase::Running {
                    return Err(err(ErrorCode::WrongPhase, "only a running round can be resolved"));
                }
                Ok(self.resolution(sc, now))
            }
            ClientMsg::SetDeadline { secs } => self.set_deadline(*secs, now),
            ClientMsg::InjectEvent { event } => self.inject_event(sc, event),
            ClientMsg::AssignRole { player_id, role } => self.assign_role(sc, player_id, role.as_deref()),
            ClientMsg::Kick { player_id, ban } => self.kick(player_id, *ban),
            ClientMsg::AnswerRequest { player_id, approve } => self.answer_request(sc, player_id, *approve),
            ClientMsg::AddBot { role } => self.add_bot(sc, role, fresh_id),
            ClientMsg::End => {
                if self.phase == Phase::Finished {
                    return Err(err(ErrorCode::WrongPhase, "this game is already over"));
                }
                Ok(vec![LogEvent::Ended])
            }
            ClientMsg::MovePlayer { .. } | ClientMsg::AddTable => Err(err(
                ErrorCode::BadRequest,
                "moving students between tables and adding tables are the class console's",
            )),
            ClientMsg::Join { .. }
            | ClientMsg::Resume { .. }
            | ClientMsg::Watch { .. }
            | ClientMsg::Instructor { .. } => Err(err(ErrorCode::AlreadyJoined, "this connection already has a seat")),
            // A connection's language is the server's, not the game's: nothing to log.
            ClientMsg::SetLang { .. } => Ok(Vec::new()),
        }
    }

    /// A new student at the table: the event, or why not (the game is over, the table is full, the
    /// name is not allowed or another student's here, or the instructor barred this name or
    /// device). `device` is the hash of
    /// the browser's own id, when it sent one.
    pub fn join(
        &self,
        name: &str,
        player_id: String,
        device: Option<String>,
        max_players: usize,
    ) -> Result<LogEvent, WireError> {
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is over"));
        }
        let name = clean_name(name)?;
        let barred_device = device.as_ref().is_some_and(|d| self.banned_devices.contains(d));
        let lower = name.to_lowercase();
        if barred_device || self.banned_names.contains(&lower) {
            return Err(err(ErrorCode::Banned, "the instructor removed you from this game"));
        }
        // Two students of one name could not be told apart in the chat, on the console or in the
        // debrief (nor the right one kicked).
        if self.present().any(|s| !s.bot && s.name.to_lowercase() == lower) {
            return Err(err(ErrorCode::BadName, "someone in this game already has that name: add an initial")
                .with_detail("taken"));
        }
        if self.present().filter(|s| !s.bot).count() >= max_players {
            return Err(WireError::new(ErrorCode::TableFull, format!("this game already has {max_players} players")));
        }
        Ok(LogEvent::PlayerJoined { player_id, name, device })
    }

    /// The events that resolve the current round now: bots choose, missing orders hold, the
    /// engine resolves, and (unless it was the last) the next round's deadline is set — or, at a
    /// class's table, the table waits for the class to start the next round.
    pub fn resolution(&self, sc: &Scenario, now: i64) -> Vec<LogEvent> {
        let orders: RoundOrders = sc
            .role_ids()
            .map(|role| {
                if self.is_bot_role(role) {
                    crate::bots::choose_orders(sc, &self.state, role, crate::bots::Policy::Greedy, self.seed)
                } else {
                    self.drafts[role].clone()
                }
            })
            .collect();
        let (next, _) = resolve_round(sc, &self.state, &orders);
        let stored: BTreeMap<String, Vec<OrderRef>> =
            sc.roles.iter().zip(&orders).map(|(role, list)| (role.id.clone(), order_refs(sc, list))).collect();
        let mut events =
            vec![LogEvent::RoundResolved { round: self.state.round, orders: stored, state_hash: next.hash(sc) }];
        if next.is_finished() {
        } else if self.class.is_some() {
            events.push(LogEvent::Held);
        } else {
            events.push(LogEvent::DeadlineSet { round: next.round, at: now.saturating_add(millis(self.round_secs)) });
        }
        events
    }

    /// What a class asks of its table (the instructor's class-wide controls, and the class's
    /// clock), as events; `Ok(empty)` when there is nothing to do at this table (it is already
    /// where the class wants it).
    pub fn class_order(
        &self,
        sc: &Scenario,
        order: &ClassOrder,
        now: i64,
        fresh_id: &mut dyn FnMut() -> String,
    ) -> Result<Vec<LogEvent>, WireError> {
        let round = self.state.round;
        match (order, self.phase) {
            (_, Phase::Finished) => Ok(Vec::new()),
            (ClassOrder::Start { at }, Phase::Lobby) => {
                Ok(vec![LogEvent::Started, LogEvent::DeadlineSet { round, at: *at }])
            }
            (ClassOrder::Release { at }, Phase::Waiting) => {
                Ok(vec![LogEvent::Released, LogEvent::DeadlineSet { round, at: *at }])
            }
            (ClassOrder::Pause, Phase::Running) => self.pause(now),
            (ClassOrder::Resume, Phase::Paused) => self.resume_game(now),
            (ClassOrder::Resolve, Phase::Running) => Ok(self.resolution(sc, now)),
            (ClassOrder::Deadline { at }, Phase::Running) => Ok(vec![LogEvent::DeadlineSet { round, at: *at }]),
            (ClassOrder::RoundLength { secs }, _) => {
                if self.round_secs == *secs {
                    Ok(Vec::new())
                } else {
                    Ok(vec![LogEvent::RoundLengthSet { secs: *secs }])
                }
            }
            (ClassOrder::Inject { event }, _) => match self.inject_event(sc, event) {
                Err(e) if e.code == ErrorCode::EventInPlay => Ok(Vec::new()),
                other => other,
            },
            (ClassOrder::End, _) => Ok(vec![LogEvent::Ended]),
            (ClassOrder::Assign { player_id, role }, _) => self.assign_role(sc, player_id, role.as_deref()),
            (ClassOrder::FillWithBots, _) => Ok(sc
                .role_ids()
                .filter(|r| !self.has_humans(*r) && !self.is_bot_role(*r))
                .map(|r| LogEvent::BotAdded { player_id: fresh_id(), role: sc.roles[r].id.clone() })
                .collect()),
            _ => Ok(Vec::new()),
        }
    }

    // ---- Players ---------------------------------------------------------------------------------

    /// The seated player behind a viewer, with its role.
    fn acting_player(&self, viewer: &Viewer) -> Result<(&str, Option<RoleId>), WireError> {
        match viewer {
            Viewer::Player(id) => {
                let seat = self.seat(id).ok_or_else(|| err(ErrorCode::NotJoined, "this seat was removed"))?;
                Ok((&seat.id, seat.role))
            }
            _ => Err(err(ErrorCode::NotJoined, "join the session as a player to do that")),
        }
    }

    /// The round's player actions: running, with a role, for the current round.
    fn acting_role(&self, viewer: &Viewer, round: u32) -> Result<(&str, RoleId), WireError> {
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

    fn role_index(sc: &Scenario, id: &str) -> Result<RoleId, WireError> {
        sc.role_index(id).ok_or_else(|| err(ErrorCode::UnknownRole, "this scenario has no such role"))
    }

    /// In the lobby, roles are free. Once the game runs they are the instructor's: a player
    /// without a role may take one that nobody plays yet (a late arrival); joining a team that
    /// has players, or changing role, is a request the instructor approves or turns down.
    fn choose_role(&self, sc: &Scenario, viewer: &Viewer, role: Option<&str>) -> Result<Vec<LogEvent>, WireError> {
        let (player_id, current) = self.acting_player(viewer)?;
        let role = role.map(|r| Self::role_index(sc, r)).transpose()?;
        if role == current {
            return Ok(Vec::new());
        }
        if role.is_some_and(|r| self.is_bot_role(r)) {
            return Err(err(ErrorCode::RoleTaken, "a bot plays this role"));
        }
        let player_id = player_id.to_string();
        match (self.phase, role) {
            (Phase::Finished, _) => Err(err(ErrorCode::WrongPhase, "this game is over")),
            (Phase::Lobby, _) => {
                let role = role.map(|r| sc.roles[r].id.clone());
                Ok(vec![LogEvent::RoleSet { player_id, role, by_instructor: false }])
            }
            (Phase::Running | Phase::Waiting | Phase::Paused, None) => {
                Err(err(ErrorCode::WrongPhase, "once the game runs, only the instructor takes a player out of a role"))
            }
            (Phase::Running | Phase::Waiting | Phase::Paused, Some(r)) if current.is_none() && !self.has_humans(r) => {
                Ok(vec![LogEvent::RoleSet { player_id, role: Some(sc.roles[r].id.clone()), by_instructor: false }])
            }
            (Phase::Running | Phase::Waiting | Phase::Paused, Some(r)) => {
                if self.seat(&player_id).is_some_and(|s| s.requested == Some(r)) {
                    return Ok(Vec::new());
                }
                Ok(vec![LogEvent::RoleRequested { player_id, role: sc.roles[r].id.clone() }])
            }
        }
    }

    fn set_orders(
        &self,
        sc: &Scenario,
        viewer: &Viewer,
        round: u32,
        orders: &[OrderRef],
    ) -> Result<Vec<LogEvent>, WireError> {
        let (player_id, role) = self.acting_role(viewer, round)?;
        if self.ready[role] {
            return Err(err(ErrorCode::OrdersLocked, "your role's orders are locked: unlock them first"));
        }
        let parsed = orders
            .iter()
            .map(|o| parse_order(sc, role, &o.mv, o.target.as_deref()))
            .collect::<Result<Vec<Order>, _>>()
            .map_err(WireError::illegal)?;
        check_draft(sc, &self.state, role, &parsed).map_err(WireError::illegal)?;
        Ok(vec![LogEvent::OrdersSet {
            round,
            role: sc.roles[role].id.clone(),
            player_id: Some(player_id.to_string()),
            orders: order_refs(sc, &parsed),
        }])
    }

    fn set_ready(&self, sc: &Scenario, viewer: &Viewer, round: u32, ready: bool) -> Result<Vec<LogEvent>, WireError> {
        let (player_id, role) = self.acting_role(viewer, round)?;
        if self.ready[role] == ready {
            return Ok(Vec::new());
        }
        let role = sc.roles[role].id.clone();
        Ok(vec![LogEvent::ReadySet { round, role, player_id: Some(player_id.to_string()), ready }])
    }

    /// A player's reflection, once the game is over.
    fn reflect(&self, viewer: &Viewer, text: &str) -> Result<Vec<LogEvent>, WireError> {
        let Viewer::Player(player_id) = viewer else {
            return Err(err(ErrorCode::NotJoined, "only a player writes a reflection"));
        };
        if self.seat(player_id).is_none_or(|s| s.kicked) {
            return Err(err(ErrorCode::NotJoined, "this seat is no longer at the table"));
        }
        if self.phase != Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "reflections open when the game is over"));
        }
        let text = clean_text(text, MAX_REFLECTION)?;
        Ok(vec![LogEvent::Reflected { player_id: player_id.clone(), text }])
    }

    fn say(
        &self,
        sc: &Scenario,
        viewer: &Viewer,
        to: &Recipients,
        text: &str,
        now: i64,
    ) -> Result<Vec<LogEvent>, WireError> {
        if *viewer == Viewer::Spectator {
            return Err(err(ErrorCode::NotJoined, "spectators cannot send messages"));
        }
        let roleless = match viewer {
            Viewer::Player(_) => self.acting_player(viewer)?.1.is_none(),
            _ => false,
        };
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "the game is over: the table's chat is closed"));
        }
        // A private line from someone in no team would reach a team as if from nowhere (the
        // client shows only the instructor's messages so): without a role, only to everyone.
        if roleless && !matches!(to, Recipients::One(all) if all == "all") {
            return Err(err(ErrorCode::NoRole, "take a role to write to a team; without one, write to everyone"));
        }
        let text = clean_text(text, MAX_TEXT)?;
        let to: Option<Vec<String>> = match to {
            Recipients::One(all) if all == "all" => None,
            Recipients::One(role) => Some(vec![sc.roles[Self::role_index(sc, role)?].id.clone()]),
            Recipients::Many(roles) if roles.is_empty() => {
                return Err(err(ErrorCode::BadRequest, "say to \"all\", a role, or a non-empty list of roles"));
            }
            Recipients::Many(roles) => {
                let mut list = roles.iter().map(|r| Self::role_index(sc, r)).collect::<Result<Vec<_>, _>>()?;
                list.sort_unstable();
                list.dedup();
                Some(list.into_iter().map(|r| sc.roles[r].id.clone()).collect())
            }
        };
        Ok(vec![LogEvent::Said { from: self.sender(sc, viewer), to, text, at: now }])
    }

    // ---- Instructor ------------------------------------------------------------------------------

    fn start(&self, now: i64) -> Result<Vec<LogEvent>, WireError> {
        if self.phase != Phase::Lobby {
            return Err(err(ErrorCode::WrongPhase, "the game has already started"));
        }
        let at = now.saturating_add(millis(self.round_secs));
        Ok(vec![LogEvent::Started, LogEvent::DeadlineSet { round: self.state.round, at }])
    }

    fn pause(&self, now: i64) -> Result<Vec<LogEvent>, WireError> {
        if self.phase != Phase::Running {
            return Err(err(ErrorCode::WrongPhase, "only a running game can be paused"));
        }
        let remaining_ms = self.clock.deadline_at.map_or(0, |at| u64::try_from(at.saturating_sub(now)).unwrap_or(0));
        Ok(vec![LogEvent::Paused { remaining_ms }])
    }

    fn resume_game(&self, now: i64) -> Result<Vec<LogEvent>, WireError> {
        if self.phase != Phase::Paused {
            return Err(err(ErrorCode::WrongPhase, "the game is not paused"));
        }
        let left = self
            .clock
            .paused_remaining_ms
            .map_or_else(|| millis(self.round_secs), |ms| i64::try_from(ms).unwrap_or(i64::MAX));
        Ok(vec![LogEvent::Resumed, LogEvent::DeadlineSet { round: self.state.round, at: now.saturating_add(left) }])
    }

    /// In the lobby (or paused): the round length. While running: this round ends `secs` from now.
    fn set_deadline(&self, secs: u64, now: i64) -> Result<Vec<LogEvent>, WireError> {
        if secs == 0 || secs > MAX_ROUND_SECS {
            return Err(WireError::new(ErrorCode::BadRequest, format!("secs must be 1 to {MAX_ROUND_SECS}")));
        }
        match self.phase {
            Phase::Finished => Err(err(ErrorCode::WrongPhase, "this game is over")),
            Phase::Lobby | Phase::Waiting | Phase::Paused => Ok(vec![LogEvent::RoundLengthSet { secs }]),
            Phase::Running => {
                Ok(vec![LogEvent::DeadlineSet { round: self.state.round, at: now.saturating_add(millis(secs)) }])
            }
        }
    }

    fn inject_event(&self, sc: &Scenario, event_id: &str) -> Result<Vec<LogEvent>, WireError> {
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is over"));
        }
        let event = sc.event_index(event_id).ok_or_else(|| err(ErrorCode::UnknownEvent, "no such event"))?;
        self.state.inject_event(sc, event).map_err(|e| match e {
            InjectError::AlreadyInPlay => err(ErrorCode::EventInPlay, "that event is already in play"),
            InjectError::GameOver => err(ErrorCode::WrongPhase, "this game is over"),
            InjectError::UnknownEvent(_) => err(ErrorCode::UnknownEvent, "no such event"),
        })?;
        Ok(vec![LogEvent::EventInjected { round: self.state.round, event: sc.events[event].id.clone() }])
    }

    fn target_seat(&self, player_id: &str) -> Result<&super::Seat, WireError> {
        self.seat(player_id).ok_or_else(|| err(ErrorCode::UnknownPlayer, "no such player in this session"))
    }

    fn assign_role(&self, sc: &Scenario, player_id: &str, role: Option<&str>) -> Result<Vec<LogEvent>, WireError> {
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is over"));
        }
        let seat = self.target_seat(player_id)?;
        if seat.bot {
            return Err(err(ErrorCode::UnknownPlayer, "bots keep their role; kick the bot instead"));
        }
        let role = role.map(|r| Self::role_index(sc, r)).transpose()?;
        if role.is_some_and(|r| self.is_bot_role(r)) {
            return Err(err(ErrorCode::RoleTaken, "a bot plays this role"));
        }
        if seat.role == role {
            return Ok(Vec::new());
        }
        let role = role.map(|r| sc.roles[r].id.clone());
        Ok(vec![LogEvent::RoleSet { player_id: seat.id.clone(), role, by_instructor: true }])
    }

    fn kick(&self, player_id: &str, ban: bool) -> Result<Vec<LogEvent>, WireError> {
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is over"));
        }
        let seat = self.target_seat(player_id)?;
        Ok(vec![LogEvent::PlayerKicked { player_id: seat.id.clone(), ban }])
    }

    fn answer_request(&self, sc: &Scenario, player_id: &str, approve: bool) -> Result<Vec<LogEvent>, WireError> {
        let seat = self.target_seat(player_id)?;
        let Some(role) = seat.requested else {
            return Err(err(ErrorCode::BadRequest, "this player has no request waiting"));
        };
        if !approve {
            return Ok(vec![LogEvent::RoleRequestDenied { player_id: seat.id.clone() }]);
        }
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is over"));
        }
        if self.is_bot_role(role) {
            return Err(err(ErrorCode::RoleTaken, "a bot plays this role now"));
        }
        Ok(vec![LogEvent::RoleSet {
            player_id: seat.id.clone(),
            role: Some(sc.roles[role].id.clone()),
            by_instructor: true,
        }])
    }

    fn add_bot(
        &self,
        sc: &Scenario,
        role_id: &str,
        fresh_id: &mut dyn FnMut() -> String,
    ) -> Result<Vec<LogEvent>, WireError> {
        if self.phase == Phase::Finished {
            return Err(err(ErrorCode::WrongPhase, "this game is over"));
        }
        let role = Self::role_index(sc, role_id)?;
        if self.is_bot_role(role) || self.has_humans(role) {
            return Err(err(ErrorCode::RoleTaken, "this role already has players"));
        }
        Ok(vec![LogEvent::BotAdded { player_id: fresh_id(), role: sc.roles[role].id.clone() }])
    }
}
