//! The one reducer: a log event folded into the table. Live after each commit, at a restart and
//! in a replay, the same code runs.

use std::sync::Arc;

use super::{FoldError, Message, Phase, Resolved, Seat, Table, KEPT_MESSAGES};
use crate::engine::{parse_order, resolve_round, EventId, Order, RoleId, RoundOrders, Scenario};
use crate::log::{LogEvent, OrderRef};

/// What an event changed: the live session tells the seats about it, the replay makes a step of
/// it. (The data itself is in the table; a change only says where to look.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Nothing anyone sees (the first event, a fork's origin, a stale draft of another round).
    Nothing,
    /// A seat was taken, changed role or was removed: an index into [`Table::seats`].
    Seat(usize),
    /// A seat asked for a role, or its request was answered (by a denial; an approval is a
    /// [`Change::Seat`]).
    Request(usize),
    /// The phase changed (started, paused, resumed, ended).
    Phase,
    /// The deadline or the round length changed.
    Clock,
    /// A role's draft was replaced.
    Draft(RoleId),
    /// A role locked or unlocked its orders.
    Ready(RoleId),
    /// A message was said: [`Table::messages`]' last.
    Said,
    /// An instructor brought an event into play.
    EventInjected(EventId),
    /// A seat wrote its reflection: an index into [`Table::seats`].
    Reflected(usize),
    /// A round was resolved: the table's `last_round`.
    RoundResolved(Arc<Resolved>),
    /// The event could not be applied; an entry was added to [`Table::errors`].
    Refused,
}

impl Table {
    /// Folds one event (at log position `seq`, written at `at`) into the table.
    pub fn apply(&mut self, sc: &Scenario, seq: i64, at: i64, event: &LogEvent) -> Change {
        self.seq = seq;
        let round = self.state.round;
        match event {
            LogEvent::Created { seed, deadline_secs, class, .. } => {
                if *seed != self.seed {
                    return self.refuse(seq, format!("the log's seed {seed} differs from the session's {}", self.seed));
                }
                self.round_secs = *deadline_secs;
                self.class = class.clone();
                Change::Nothing
            }
            LogEvent::ForkedFrom { session, round } => {
                self.forked_from = Some((session.clone(), *round));
                Change::Nothing
            }
            LogEvent::PlayerJoined { player_id, name, device } => self.seat_taken(Seat {
                id: player_id.clone(),
                name: name.clone(),
                role: None,
                bot: false,
                kicked: false,
                role_since: seq,
                requested: None,
                device: device.clone(),
                moved_to: None,
                reflection: None,
            }),
            LogEvent::BotAdded { player_id, role } => {
                let Some(role) = sc.role_index(role) else {
                    return self.refuse(seq, format!("a bot plays a role the scenario does not have: `{role}`"));
                };
                let name = super::bot_name(sc, role, crate::i18n::Lang::En);
                self.seat_taken(Seat {
                    id: player_id.clone(),
                    name,
                    role: Some(role),
                    bot: true,
                    kicked: false,
                    role_since: seq,
                    requested: None,
                    device: None,
                    moved_to: None,
                    reflection: None,
                })
            }
            LogEvent::RoleSet { player_id, role, .. } => {
                let role = match role.as_deref().map(|r| sc.role_index(r).ok_or(r)) {
                    None => None,
                    Some(Ok(r)) => Some(r),
                    Some(Err(r)) => {
                        return self.refuse(seq, format!("a seat takes a role the scenario does not have: `{r}`"))
                    }
                };
                match self.seats.iter().position(|s| &s.id == player_id) {
                    Some(i) => {
                        self.seats[i].role = role;
                        self.seats[i].role_since = seq;
                        self.seats[i].requested = None;
                        Change::Seat(i)
                    }
                    None => self.refuse(seq, format!("a role was set for an unknown player `{player_id}`")),
                }
            }
            LogEvent::PlayerKicked { player_id, ban } => match self.seats.iter().position(|s| &s.id == player_id) {
                Some(i) => {
                    let seat = &mut self.seats[i];
                    seat.kicked = true;
                    seat.role = None;
                    seat.requested = None;
                    if *ban {
                        self.banned_names.push(seat.name.to_lowercase());
                        self.banned_devices.extend(seat.device.clone());
                    }
                    Change::Seat(i)
                }
                None => self.refuse(seq, format!("an unknown player `{player_id}` was removed")),
            },
            LogEvent::RoleRequested { player_id, role } => {
                let Some(role) = sc.role_index(role) else {
                    return self.refuse(seq, format!("a request names no role of the scenario: `{role}`"));
                };
                match self.seats.iter().position(|s| &s.id == player_id && !s.kicked) {
                    Some(i) => {
                        self.seats[i].requested = Some(role);
                        Change::Request(i)
                    }
                    None => self.refuse(seq, format!("an unknown player `{player_id}` asked for a role")),
                }
            }
            LogEvent::RoleRequestDenied { player_id } => {
                match self.seats.iter().position(|s| &s.id == player_id && !s.kicked) {
                    Some(i) => {
                        self.seats[i].requested = None;
                        Change::Request(i)
                    }
                    None => self.refuse(seq, format!("a request of an unknown player `{player_id}` was answered")),
                }
            }
            LogEvent::Started | LogEvent::Resumed | LogEvent::Released => {
                self.phase = Phase::Running;
                self.clock.paused_remaining_ms = None;
                Change::Phase
            }
            LogEvent::Held => {
                if self.phase != Phase::Finished {
                    self.phase = Phase::Waiting;
                    self.clock = Default::default();
                }
                Change::Phase
            }
            LogEvent::PlayerMoved { player_id, to_session } => match self.seats.iter().position(|s| &s.id == player_id)
            {
                Some(i) => {
                    let seat = &mut self.seats[i];
                    seat.kicked = true;
                    seat.role = None;
                    seat.requested = None;
                    seat.moved_to = Some(to_session.clone());
                    Change::Seat(i)
                }
                None => self.refuse(seq, format!("an unknown player `{player_id}` moved away")),
            },
            LogEvent::Paused { remaining_ms } => {
                self.phase = Phase::Paused;
                self.clock.deadline_at = None;
                self.clock.paused_remaining_ms = Some(*remaining_ms);
                Change::Phase
            }
            LogEvent::Ended => {
                self.ended = true;
                self.finish();
                Change::Phase
            }
            LogEvent::RoundLengthSet { secs } => {
                self.round_secs = *secs;
                if self.phase == Phase::Paused {
                    // Also what is left of the paused round.
                    self.clock.paused_remaining_ms = Some(secs.saturating_mul(1000));
                }
                Change::Clock
            }
            LogEvent::DeadlineSet { round: r, at } => {
                if *r != round {
                    return Change::Nothing;
                }
                self.clock.deadline_at = Some(*at);
                Change::Clock
            }
            LogEvent::OrdersSet { round: r, role, orders, .. } => {
                if *r != round {
                    // A draft for a round that was no longer being played never counted.
                    return Change::Nothing;
                }
                let Some(ri) = sc.role_index(role) else {
                    return self.refuse(seq, format!("a draft names no role of the scenario: `{role}`"));
                };
                self.drafts[ri] = self.parse_orders(sc, seq, ri, orders);
                Change::Draft(ri)
            }
            LogEvent::ReadySet { round: r, role, ready, .. } => {
                if *r != round {
                    return Change::Nothing;
                }
                let Some(ri) = sc.role_index(role) else {
                    return self.refuse(seq, format!("a lock names no role of the scenario: `{role}`"));
                };
                self.ready[ri] = *ready;
                Change::Ready(ri)
            }
            LogEvent::Said { from, to, text, at: said_at } => {
                let to = match to {
                    None => None,
                    Some(ids) => {
                        let roles: Vec<RoleId> = ids.iter().filter_map(|r| sc.role_index(r)).collect();
                        if roles.len() != ids.len() {
                            return self
                                .refuse(seq, "a message is addressed to a role the scenario does not have".into());
                        }
                        Some(roles)
                    }
                };
                let message = Message {
                    seq,
                    at: if *said_at > 0 { *said_at } else { at },
                    round,
                    from: from.clone(),
                    from_role: from.role.as_deref().and_then(|r| sc.role_index(r)),
                    to,
                    text: text.clone(),
                };
                if from.player_id.is_some() {
                    self.students_said += 1;
                }
                if self.messages.len() == KEPT_MESSAGES {
                    self.messages.pop_front();
                }
                self.messages.push_back(message);
                Change::Said
            }
            LogEvent::Reflected { player_id, text } => {
                let Some(index) = self.seats.iter().position(|s| s.id == *player_id) else {
                    return self
                        .refuse(seq, format!("a reflection comes from a seat the table never had: `{player_id}`"));
                };
                self.seats[index].reflection = Some(text.clone());
                Change::Reflected(index)
            }
            LogEvent::EventInjected { round: r, event } => {
                if *r != round {
                    return Change::Nothing;
                }
                match sc.event_index(event).map(|e| (e, self.state.inject_event(sc, e))) {
                    Some((e, Ok(next))) => {
                        self.state = next;
                        Change::EventInjected(e)
                    }
                    _ => self.refuse(seq, format!("the injected event `{event}` cannot be replayed")),
                }
            }
            LogEvent::RoundResolved { round: r, orders, state_hash } => self.resolved(sc, seq, *r, orders, state_hash),
        }
    }

    fn refuse(&mut self, seq: i64, message: String) -> Change {
        self.errors.push(FoldError { seq, round: self.state.round, message });
        Change::Refused
    }

    fn seat_taken(&mut self, seat: Seat) -> Change {
        if self.seats.iter().any(|s| s.id == seat.id) {
            let message = format!("the player `{}` joined twice", seat.id);
            return self.refuse(seat.role_since, message);
        }
        self.seats.push(seat);
        Change::Seat(self.seats.len() - 1)
    }

    fn finish(&mut self) {
        self.phase = Phase::Finished;
        self.clock = Default::default();
    }

    /// Stored orders into engine orders; one that no longer reads becomes an error entry.
    fn parse_orders(&mut self, sc: &Scenario, seq: i64, role: RoleId, orders: &[OrderRef]) -> Vec<Order> {
        let mut parsed = Vec::with_capacity(orders.len());
        for o in orders {
            match parse_order(sc, role, &o.mv, o.target.as_deref()) {
                Ok(order) => parsed.push(order),
                Err(e) => {
                    let message = format!("a stored order `{}` cannot be read: {}", o.mv, e.code());
                    self.errors.push(FoldError { seq, round: self.state.round, message });
                }
            }
        }
        parsed
    }

    /// A round resolved: the engine re-resolves it from the stored orders, and the result must
    /// have the stored hash.
    fn resolved(
        &mut self,
        sc: &Scenario,
        seq: i64,
        round: u32,
        orders: &std::collections::BTreeMap<String, Vec<OrderRef>>,
        stored_hash: &str,
    ) -> Change {
        if round != self.state.round {
            let message = format!("round {round} is stored out of order (the table is at round {})", self.state.round);
            self.errors.push(FoldError { seq, round: self.state.round, message });
        }
        let mut by_role: RoundOrders = vec![Vec::new(); sc.roles.len()];
        for (role_id, list) in orders {
            match sc.role_index(role_id) {
                Some(ri) => by_role[ri] = self.parse_orders(sc, seq, ri, list),
                None => {
                    let message = format!("no role `{role_id}` in the scenario");
                    self.errors.push(FoldError { seq, round: self.state.round, message });
                }
            }
        }
        let (next, report) = resolve_round(sc, &self.state, &by_role);
        let hash = next.hash(sc);
        if hash != stored_hash {
            let message =
                format!("round {}: state hash mismatch: stored {stored_hash}, replayed {hash}", self.state.round);
            self.errors.push(FoldError { seq, round: self.state.round, message });
        }
        let before = std::mem::replace(&mut self.state, next);
        let resolved = Arc::new(Resolved {
            round: before.round,
            seq,
            before,
            orders: by_role,
            report,
            stored_hash: stored_hash.to_string(),
            hash,
            bots: self.bot_roles(),
        });
        self.drafts.iter_mut().for_each(Vec::clear);
        self.ready.iter_mut().for_each(|r| *r = false);
        // The next round's deadline comes with its own event.
        self.clock.deadline_at = None;
        if self.state.is_finished() {
            self.finish();
        }
        self.last_round = Some(resolved.clone());
        Change::RoundResolved(resolved)
    }
}
