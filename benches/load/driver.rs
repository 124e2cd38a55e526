//! The load generator: seats S tables of players, spectators and an instructor over real
//! WebSockets, then sends moves on a fixed, open-loop schedule and measures what comes back.
//!
//! It runs on one thread (a current-thread runtime and a `LocalSet`: no locks, no hand-offs), and
//! reads only what it needs of each frame (a borrowed, partial parse), so that it stays far
//! cheaper than the server it measures; it reports its own CPU time so that a reader can check.
//!
//! A *move* is a `set_orders` or `ready` frame with an `id`. Table `i` of `S` owns the slots
//! `i, i+S, i+2S, …` of a global schedule at `rate` slots per second, so each table sends a move
//! every `S/rate` seconds: per round, each player in turn sends `drafts` `set_orders` (legal
//! orders, picked at random from the `moves` of its last `state`) and then `ready`. The last
//! `ready` of a round makes the server resolve it. Latency is measured from the slot's
//! *intended* time (so a slow server cannot hide behind a late client): ack latency to the `ack`
//! of the move, report latency from the intended time of the round's last `ready` to each seat's
//! `round_resolved`. A move that cannot be sent yet (its player has not seen the new round's
//! `state`) waits and is sent as soon as it can; its latency still counts from its slot.
//! When a game ends, the table seats a new session (its slots meanwhile are skipped and counted).
//!
//! Against the reference server (`Target::Reference`) the same tables send the same frames to a
//! room that echoes each frame to every member: the sender's own echo is its ack, every seat's
//! copy of the round's last `ready` is its report.
//!
//! The driver relies on no `state` after each change: it reads `state` only for `phase`, `round`,
//! `moves` and `action_points` (sent on taking a seat and on each new round), `round_resolved`
//! for the end of a round and `game_over` for the end of a game; every other frame type is
//! counted (bytes) and otherwise ignored.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::pin::Pin;
use std::task::{Context, Poll};

use third_neighbor::server::deflate::Inflating;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::SEC_WEBSOCKET_EXTENSIONS;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// How long a connection attempt or a seat message may take during setup.
const SETUP_WAIT: Duration = Duration::from_secs(15);
/// After the schedule stops, how long to wait for the last acks.
const DRAIN: Duration = Duration::from_secs(10);
/// Setup gives up after this many tables in a row failed (e.g. the server takes no more
/// connections): the rest are not tried.
const GIVE_UP_AFTER: usize = 24;
/// Orders the reference tables send (the size of a typical `set_orders`).
const REF_ORDERS: &str = r#"[{"move":"host_leader","target":"china"},{"move":"reaffirm_law"}]"#;

/// What the load runs against.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// The real server: sessions of `scenario`, created with the instructor `key`.
    Game { key: String, scenario: String },
    /// The reference server (`reference.rs`).
    Reference,
}

/// The shape of the load.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// Tables (sessions).
    pub sessions: usize,
    /// Spectators per table (`watch`).
    pub spectators: usize,
    /// Whether the instructor's socket stays open for the whole game (it receives every
    /// change); if not, it closes after `start`.
    pub instructor: bool,
    /// `set_orders` per player per round, before its `ready`.
    pub drafts: usize,
    /// Tables seated at once.
    pub parallel: usize,
    /// Spread the tables over the game first (each plays a random number of moves, as fast as
    /// the server answers, during setup) so that games end, and rounds resolve, at a steady rate
    /// rather than all at once: over a whole game when games end during the run, else over a
    /// round.
    pub stagger: bool,
    /// Seeds the choice of orders and the stagger.
    pub seed: u64,
    /// Round length asked of the server, in seconds (long: rounds end by `ready`, not by time).
    pub deadline_secs: u64,
    /// Offer permessage-deflate on every socket, as a browser does (the server compresses its
    /// large frames when the offer is accepted; bytes are then counted on the wire too).
    pub compression: bool,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan {
            sessions: 200,
            spectators: 1,
            instructor: true,
            drafts: 1,
            parallel: 64,
            stagger: true,
            seed: 1,
            deadline_secs: 86_400,
            compression: true,
        }
    }
}

// ---- Results --------------------------------------------------------------------------------------

/// Percentiles of a latency sample.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Pct {
    pub n: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub p999: Duration,
    pub max: Duration,
}

impl Pct {
    fn of(mut micros: Vec<u32>) -> Pct {
        if micros.is_empty() {
            return Pct::default();
        }
        micros.sort_unstable();
        let at = |q: f64| {
            let i = ((micros.len() as f64 * q).ceil() as usize).clamp(1, micros.len()) - 1;
            Duration::from_micros(u64::from(micros[i]))
        };
        Pct { n: micros.len(), p50: at(0.50), p99: at(0.99), p999: at(0.999), max: at(1.0) }
    }
}

/// What seating the tables took.
#[derive(Debug, Default)]
pub(crate) struct SetupReport {
    pub tables: usize,
    pub seated: usize,
    pub connections: usize,
    pub failures: BTreeMap<String, usize>,
    pub not_tried: usize,
    /// Time and server CPU to seat the tables (before spreading them).
    pub seating: Duration,
    pub seating_cpu: Option<Duration>,
    pub elapsed: Duration,
    /// Moves played during setup to spread the tables over the game.
    pub stagger_moves: u64,
}

/// One measured window.
#[derive(Debug, Default, Clone)]
pub(crate) struct StepReport {
    /// Offered moves per second.
    pub rate: f64,
    pub window: Duration,
    /// Wall-clock bounds of the window (unix seconds), to match server-side logs.
    pub window_unix: (f64, f64),
    /// Moves whose slot fell in the window: sent, and acked.
    pub moves_sent: u64,
    pub moves_acked: u64,
    pub ack: Pct,
    pub ack_orders: Pct,
    pub ack_ready: Pct,
    /// From the intended time of a round's last `ready` to each seat's `round_resolved`.
    pub report: Pct,
    /// Rounds resolved in the window (all tables).
    pub rounds: u64,
    /// Games (sessions) started in the window, to replace finished ones.
    pub games_started: u64,
    /// Over the whole step (warm-up and drain included): rounds resolved by each table, and
    /// games started to replace finished ones.
    pub rounds_per_table: Vec<u64>,
    pub games_started_total: u64,
    /// Bytes of the frames all seats received in the window: while playing, and while seating
    /// a new game (the text of the messages, inflated).
    pub bytes_play: u64,
    pub bytes_setup: u64,
    /// The same frames' bytes as they came over the socket (WebSocket framing included;
    /// compressed where the server compressed them).
    pub wire_play: u64,
    pub wire_setup: u64,
    pub frames: u64,
    /// While playing: frames and text bytes by frame `type` (what a round sends, by kind).
    pub by_type: BTreeMap<String, (u64, u64)>,
    /// Server CPU (user+system) over the window, when the server's pid is known.
    pub server_cpu: Option<Duration>,
    pub loadgen_cpu: Duration,
    /// CPU used by everything else on the machine over the window (other people's builds…).
    pub other_cpu: Duration,
    pub rss_kib: Option<u64>,
    pub peak_rss_kib: Option<u64>,
    /// `error` frames by code, over the whole step (warm-up and drain included).
    pub errors: BTreeMap<String, u64>,
    /// Moves still unanswered after the drain.
    pub missing: u64,
    /// Sockets that closed under us.
    pub disconnects: u64,
    /// Slots that found their table seating a new game (not sent, not counted as moves).
    pub skipped: u64,
    /// Moves that waited for their player to see the new round's `state`.
    pub waited: u64,
    /// Other moves sent more than 2 ms after their slot: the load generator was late (a busy
    /// core, or a burst of frames to read).
    pub late: u64,
    pub tables_playing: usize,
}

impl StepReport {
    pub(crate) fn moves_per_sec(&self) -> f64 {
        self.moves_acked as f64 / self.window.as_secs_f64().max(1e-9)
    }

    /// Server CPU microseconds per acked move.
    pub(crate) fn server_us_per_move(&self) -> Option<f64> {
        self.server_cpu.map(|c| c.as_secs_f64() * 1e6 / (self.moves_acked.max(1) as f64))
    }

    pub(crate) fn loadgen_us_per_move(&self) -> f64 {
        self.loadgen_cpu.as_secs_f64() * 1e6 / (self.moves_acked.max(1) as f64)
    }

    /// Bytes received by all seats of a table per round, while playing (message text).
    pub(crate) fn bytes_per_round(&self) -> Option<f64> {
        (self.rounds > 0).then(|| self.bytes_play as f64 / self.rounds as f64)
    }

    /// The same, as the socket carried them (compressed where the server compressed).
    pub(crate) fn wire_per_round(&self) -> Option<f64> {
        (self.rounds > 0).then(|| self.wire_play as f64 / self.rounds as f64)
    }

    pub(crate) fn error_count(&self) -> u64 {
        self.errors.values().sum::<u64>() + self.missing + self.disconnects
    }

    pub(crate) fn share_of_core(&self, cpu: Duration) -> f64 {
        cpu.as_secs_f64() / self.window.as_secs_f64().max(1e-9)
    }
}

// ---- Internals ------------------------------------------------------------------------------------

#[derive(Default)]
struct Stats {
    ack_us: Vec<u32>,
    ack_orders_us: Vec<u32>,
    ack_ready_us: Vec<u32>,
    report_us: Vec<u32>,
    moves_sent: u64,
    moves_acked: u64,
    rounds: u64,
    games_started: u64,
    games_started_total: u64,
    bytes_play: u64,
    bytes_setup: u64,
    wire_play: u64,
    wire_setup: u64,
    frames: u64,
    by_type: BTreeMap<String, (u64, u64)>,
    errors: BTreeMap<String, u64>,
    disconnects: u64,
    skipped: u64,
    waited: u64,
    late: u64,
}

impl Stats {
    fn error(&mut self, code: &str) {
        *self.errors.entry(code.to_string()).or_default() += 1;
    }
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

/// xorshift64*: enough randomness to pick orders, reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

struct Shared {
    addr: SocketAddr,
    target: Target,
    plan: Plan,
    /// The roles players take, one player each.
    roles: Vec<String>,
    /// Rounds in a game.
    rounds: u32,
    stats: RefCell<Stats>,
    /// The measured window: samples whose time falls in it count.
    window: Cell<Option<(Instant, Instant)>>,
    /// Set when the run ends: sockets closing then are not errors.
    stopping: Cell<bool>,
    rng: RefCell<Rng>,
    /// Bounds the tables being seated at once.
    gate: Semaphore,
    next_room: Cell<u64>,
    /// Whether tables seat their next game before the current one ends (games end in the run).
    seat_ahead: Cell<bool>,
}

impl Shared {
    fn new(addr: SocketAddr, target: Target, plan: Plan, roles: Vec<String>, rounds: u32) -> Shared {
        Shared {
            addr,
            target,
            roles,
            rounds,
            stats: RefCell::default(),
            window: Cell::new(None),
            stopping: Cell::new(false),
            rng: RefCell::new(Rng::new(plan.seed)),
            gate: Semaphore::new(plan.parallel.max(1)),
            next_room: Cell::new(1),
            seat_ahead: Cell::new(false),
            plan,
        }
    }

    /// A new room number (reference server).
    fn room(&self) -> u64 {
        let room = self.next_room.get();
        self.next_room.set(room + 1);
        room
    }

    fn in_window(&self, t: Instant) -> bool {
        self.window.get().is_some_and(|(a, b)| t >= a && t < b)
    }

    fn players(&self) -> usize {
        self.roles.len()
    }

    fn seats(&self) -> usize {
        self.players() + 1 + self.plan.spectators
    }

    fn steps_per_round(&self) -> usize {
        self.players() * (self.plan.drafts + 1)
    }

    fn game(&self) -> bool {
        matches!(self.target, Target::Game { .. })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TableState {
    /// Seating its first game.
    Seating,
    Playing,
    /// Its game ended and the next one is not seated yet: its slots are skipped (and counted).
    Waiting,
    /// Seating failed: the table sends nothing more.
    Dead,
}

#[derive(Clone, Debug, Deserialize)]
struct MoveInfo {
    id: String,
    #[serde(default)]
    cost: Option<u32>,
    #[serde(default)]
    targets: Option<Vec<TargetRef>>,
    #[serde(default)]
    choice_of: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum TargetRef {
    Id(String),
    Object { id: String },
}

impl TargetRef {
    fn id(&self) -> &str {
        match self {
            TargetRef::Id(id) | TargetRef::Object { id } => id,
        }
    }
}

enum Pending {
    Move { intended: Instant, ready: bool },
    Setup(oneshot::Sender<Result<(), String>>),
}

struct Seat {
    tx: mpsc::UnboundedSender<Message>,
    next_id: u64,
    pending: VecDeque<(u64, Pending)>,
    /// The round of the last `state` (0: none yet), and whether its phase was `running`.
    round: u32,
    running: bool,
    moves: Vec<MoveInfo>,
    action_points: u32,
}

impl Seat {
    fn new(tx: mpsc::UnboundedSender<Message>) -> Seat {
        Seat { tx, next_id: 1, pending: VecDeque::new(), round: 0, running: false, moves: Vec::new(), action_points: 2 }
    }

    fn send(&self, text: String) -> bool {
        self.tx.send(Message::text(text)).is_ok()
    }
}

/// One game (a session of the real server, a room of the reference server) and its sockets.
struct Game {
    /// Tells this game's sockets from those of the table's other games.
    gen: u32,
    /// Players `0..players`, the instructor at `players`, then spectators.
    seats: Vec<Option<Seat>>,
    /// Where the schedule is: the round, and the step within it.
    round: u32,
    step: usize,
    /// The intended time of the last `ready` of the latest rounds.
    last_ready: VecDeque<(u32, Instant)>,
    /// The highest round seen resolved.
    resolved: u32,
    room: u64,
    /// Seated and started: it may be played.
    seated: bool,
}

/// A move about to be sent.
struct NextMove {
    seat: usize,
    id: u64,
    text: String,
    ready: bool,
}

impl Game {
    fn new(gen: u32, seats: usize, room: u64) -> Game {
        Game {
            gen,
            seats: (0..seats).map(|_| None).collect(),
            round: 1,
            step: 0,
            last_ready: VecDeque::new(),
            resolved: 0,
            room,
            seated: false,
        }
    }

    fn seat(&mut self, i: usize) -> Option<&mut Seat> {
        self.seats.get_mut(i).and_then(Option::as_mut)
    }

    /// The next move of the schedule, if its player can send it now; advances the schedule.
    fn next_move(&mut self, sh: &Shared, intended: Instant) -> Option<NextMove> {
        let per = sh.plan.drafts + 1;
        let player = self.step / per;
        let ready = self.step % per == sh.plan.drafts;
        let last = self.step + 1 == sh.steps_per_round();
        let round = self.round;
        let game = sh.game();
        let seat = self.seats.get_mut(player)?.as_mut()?;
        if game && !(seat.running && seat.round == round) {
            return None;
        }
        let id = seat.next_id;
        seat.next_id += 1;
        let text = match (game, ready) {
            (true, false) => {
                let orders = pick_orders(&mut sh.rng.borrow_mut(), &seat.moves, seat.action_points);
                format!(r#"{{"type":"set_orders","id":{id},"round":{round},"orders":{orders}}}"#)
            }
            (true, true) => format!(r#"{{"type":"ready","id":{id},"round":{round},"ready":true}}"#),
            (false, false) => {
                format!(r#"{{"type":"set_orders","id":{id},"seat":{player},"round":{round},"orders":{REF_ORDERS}}}"#)
            }
            (false, true) => {
                let last = if last { r#","last":true"# } else { "" };
                format!(r#"{{"type":"ready","id":{id},"seat":{player},"round":{round},"ready":true{last}}}"#)
            }
        };
        if last {
            self.last_ready.push_back((round, intended));
            if self.last_ready.len() > 4 {
                self.last_ready.pop_front();
            }
            self.round += 1;
            self.step = 0;
        } else {
            self.step += 1;
        }
        Some(NextMove { seat: player, id, text, ready })
    }

    fn answered(&mut self, sh: &Shared, seat: usize, re: u64, refused: Option<&str>, now: Instant) {
        let Some(s) = self.seat(seat) else { return };
        let Some(pos) = s.pending.iter().position(|(id, _)| *id == re) else {
            sh.stats.borrow_mut().error(refused.unwrap_or("unexpected_ack"));
            return;
        };
        let Some((_, pending)) = s.pending.remove(pos) else { return };
        match pending {
            Pending::Move { intended, ready } => {
                let mut stats = sh.stats.borrow_mut();
                match refused {
                    Some(code) => stats.error(code),
                    None if sh.in_window(intended) => {
                        let us = micros(now.saturating_duration_since(intended));
                        stats.moves_acked += 1;
                        stats.ack_us.push(us);
                        if ready {
                            stats.ack_ready_us.push(us);
                        } else {
                            stats.ack_orders_us.push(us);
                        }
                    }
                    None => {}
                }
            }
            Pending::Setup(done) => {
                let _ = done.send(refused.map_or(Ok(()), |c| Err(c.to_string())));
            }
        }
    }

    /// A seat received the report of `round`; true the first time this game sees it.
    fn round_resolved(&mut self, sh: &Shared, round: u32, now: Instant) -> bool {
        if let Some(&(_, t)) = self.last_ready.iter().find(|(r, _)| *r == round) {
            if sh.in_window(t) {
                sh.stats.borrow_mut().report_us.push(micros(now.saturating_duration_since(t)));
            }
        }
        if round <= self.resolved {
            return false;
        }
        self.resolved = round;
        if sh.in_window(now) {
            sh.stats.borrow_mut().rounds += 1;
        }
        true
    }

    fn pending_moves(&self) -> usize {
        self.seats
            .iter()
            .flatten()
            .map(|s| s.pending.iter().filter(|(_, p)| matches!(p, Pending::Move { .. })).count())
            .sum()
    }
}

struct Table {
    state: TableState,
    /// The game being played.
    game: Game,
    /// The next game, being seated or seated and waiting (seated ahead, so that a table goes
    /// on at once when its game ends).
    next: Option<Game>,
    /// Ended games, kept until their last moves are answered.
    retiring: Vec<Game>,
    /// Slots due that could not be sent yet.
    /// Slots due that could not be sent yet, and whether one was already tried (it waits).
    owed: VecDeque<(Instant, bool)>,
    /// The last generation handed out.
    gens: u32,
    /// The node this table's games are created on and seated at.
    addr: SocketAddr,
    /// Rounds resolved since the step began (over all its games).
    rounds_in_step: u64,
}

impl Table {
    fn new(sh: &Shared) -> Table {
        Table {
            state: TableState::Seating,
            game: Game::new(1, sh.seats(), sh.room()),
            next: None,
            retiring: Vec::new(),
            owed: VecDeque::new(),
            addr: sh.addr,
            gens: 1,
            rounds_in_step: 0,
        }
    }

    /// The game of generation `gen`, wherever it is.
    fn find(&mut self, gen: u32) -> Option<&mut Game> {
        if self.game.gen == gen {
            return Some(&mut self.game);
        }
        if let Some(next) = self.next.as_mut().filter(|n| n.gen == gen) {
            return Some(next);
        }
        self.retiring.iter_mut().find(|g| g.gen == gen)
    }

    /// Sends every owed move whose player can send it now. True when the table wants its next
    /// game seated (the caller starts that).
    fn flush(&mut self, sh: &Shared) -> bool {
        if self.state != TableState::Playing {
            let n = self.owed.drain(..).filter(|(t, _)| sh.in_window(*t)).count() as u64;
            sh.stats.borrow_mut().skipped += n;
            return false;
        }
        while let Some(&(intended, tried)) = self.owed.front() {
            let Some(next) = self.game.next_move(sh, intended) else {
                self.owed.iter_mut().for_each(|(_, tried)| *tried = true);
                break;
            };
            self.owed.pop_front();
            let now = Instant::now();
            let Some(seat) = self.game.seat(next.seat) else { continue };
            if !seat.send(next.text) {
                continue;
            }
            seat.pending.push_back((next.id, Pending::Move { intended, ready: next.ready }));
            if sh.in_window(intended) {
                let mut stats = sh.stats.borrow_mut();
                stats.moves_sent += 1;
                if tried {
                    stats.waited += 1;
                } else if now.saturating_duration_since(intended) > Duration::from_millis(2) {
                    stats.late += 1;
                }
            }
        }
        self.wants_next(sh)
    }

    /// Whether to seat the next game now: as soon as a game is being played, when games end
    /// during the run (a game's length is then ample time to seat the next). Reserves the next
    /// generation.
    fn wants_next(&mut self, sh: &Shared) -> bool {
        if !(sh.seat_ahead.get() && self.next.is_none() && self.state == TableState::Playing) {
            return false;
        }
        self.reserve_next(sh);
        true
    }

    fn reserve_next(&mut self, sh: &Shared) {
        self.gens += 1;
        self.next = Some(Game::new(self.gens, sh.seats(), sh.room()));
    }

    /// The game being played is over. True when the caller must start seating the next one.
    fn game_over(&mut self, sh: &Shared) -> bool {
        if self.state != TableState::Playing {
            return false;
        }
        let placeholder = Game::new(0, 0, 0);
        let old = std::mem::replace(&mut self.game, placeholder);
        if old.pending_moves() > 0 {
            self.retiring.push(old);
        }
        self.state = TableState::Waiting;
        self.flush(sh);
        if self.next.is_none() {
            self.reserve_next(sh);
            return true;
        }
        self.promote(sh);
        false
    }

    /// Plays the next game if it is seated and the table is waiting for it.
    fn promote(&mut self, sh: &Shared) {
        if self.state != TableState::Waiting || !self.next.as_ref().is_some_and(|n| n.seated) {
            return;
        }
        if let Some(next) = self.next.take() {
            self.game = next;
            self.state = TableState::Playing;
            let mut stats = sh.stats.borrow_mut();
            stats.games_started_total += 1;
            if sh.in_window(Instant::now()) {
                stats.games_started += 1;
            }
        }
    }

    fn pending_moves(&self) -> usize {
        self.game.pending_moves() + self.retiring.iter().map(Game::pending_moves).sum::<usize>()
    }
}

/// A random legal draft: a random subset of the moves, within the action points, with a valid
/// target where one is needed and one answer at most per forced choice.
fn pick_orders(rng: &mut Rng, moves: &[MoveInfo], points: u32) -> String {
    let mut order: Vec<usize> = (0..moves.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut left = points;
    let mut answered: Vec<&str> = Vec::new();
    let mut out = String::from("[");
    for i in order {
        if left == 0 {
            break;
        }
        let m = &moves[i];
        let cost = m.cost.unwrap_or(1);
        if cost > left || rng.below(10) < 3 {
            continue;
        }
        if let Some(choice) = m.choice_of.as_deref() {
            if answered.contains(&choice) {
                continue;
            }
            answered.push(choice);
        }
        left -= cost;
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(r#"{"move":"#);
        out.push_str(&json_string(&m.id));
        let targets = m.targets.as_deref().unwrap_or(&[]);
        if !targets.is_empty() {
            out.push_str(r#","target":"#);
            out.push_str(&json_string(targets[rng.below(targets.len())].id()));
        }
        out.push('}');
    }
    out.push(']');
    out
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// The parts of a server frame the driver reads; everything else is skipped unparsed.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
    #[serde(default)]
    re: Option<u64>,
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    round: Option<u32>,
    #[serde(default, borrow)]
    phase: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    code: Option<Cow<'a, str>>,
    #[serde(default)]
    moves: Option<Vec<MoveInfo>>,
    #[serde(default)]
    action_points: Option<u32>,
    #[serde(default)]
    replay: Option<bool>,
    #[serde(default)]
    seat: Option<usize>,
    #[serde(default)]
    last: Option<bool>,
}

/// A server frame's `type`, read off its start (the server writes `type` first), or `?`.
fn frame_type(text: &str) -> &str {
    text.strip_prefix("{\"type\":\"").and_then(|rest| rest.split('"').next()).unwrap_or("?")
}

/// Handles one frame of seat `seat` of the game `gen`. True when the caller must start seating
/// the table's next game.
/// `wire` is the bytes the socket carried since the frame before it.
fn on_frame(sh: &Shared, table: &RefCell<Table>, seat: usize, gen: u32, text: &str, wire: u64) -> bool {
    let now = Instant::now();
    let mut t = table.borrow_mut();
    let playing = t.state == TableState::Playing && t.game.gen == gen;
    if sh.in_window(now) {
        let mut stats = sh.stats.borrow_mut();
        stats.frames += 1;
        if playing {
            stats.bytes_play += text.len() as u64;
            stats.wire_play += wire;
            let kind = frame_type(text);
            let entry = match stats.by_type.get_mut(kind) {
                Some(entry) => entry,
                None => stats.by_type.entry(kind.to_string()).or_default(),
            };
            entry.0 += 1;
            entry.1 += text.len() as u64;
        } else {
            stats.bytes_setup += text.len() as u64;
            stats.wire_setup += wire;
        }
    }
    let frame: Frame = match serde_json::from_str(text) {
        Ok(frame) => frame,
        Err(_) => {
            // A frame type this driver does not know, with fields of other shapes: fine.
            if !text.starts_with('{') {
                sh.stats.borrow_mut().error("not_json");
            }
            return false;
        }
    };
    let Some(game) = t.find(gen) else { return false };
    match frame.ty.as_ref() {
        "ack" => {
            if let Some(re) = frame.re {
                game.answered(sh, seat, re, None, now);
            }
        }
        "error" => {
            let code = frame.code.as_deref().unwrap_or("error");
            match frame.re {
                Some(re) => game.answered(sh, seat, re, Some(code), now),
                None => sh.stats.borrow_mut().error(code),
            }
        }
        "state" => {
            if let Some(s) = game.seat(seat) {
                if let Some(phase) = frame.phase.as_deref() {
                    s.running = phase == "running";
                }
                if let Some(ap) = frame.action_points {
                    s.action_points = ap;
                }
                if let Some(mut moves) = frame.moves {
                    // Keep what an earlier `state` said of a move if this one leaves it out.
                    for m in &mut moves {
                        if let Some(old) = s.moves.iter().find(|o| o.id == m.id) {
                            m.cost = m.cost.or(old.cost);
                            if m.targets.is_none() {
                                m.targets.clone_from(&old.targets);
                            }
                            if m.choice_of.is_none() {
                                m.choice_of.clone_from(&old.choice_of);
                            }
                        }
                    }
                    s.moves = moves;
                }
                if let Some(round) = frame.round {
                    s.round = round;
                }
            }
            if playing {
                if frame.phase.as_deref() == Some("finished") {
                    return t.game_over(sh);
                }
                return t.flush(sh);
            }
        }
        "round_resolved" if frame.replay != Some(true) => {
            if let Some(round) = frame.round {
                if game.round_resolved(sh, round, now) && playing {
                    t.rounds_in_step += 1;
                }
            }
        }
        "game_over" if playing => return t.game_over(sh),
        // The reference server's echoes.
        "set_orders" | "ready" if !sh.game() => {
            if frame.seat == Some(seat) {
                if let Some(id) = frame.id {
                    game.answered(sh, seat, id, None, now);
                }
            }
            if frame.last == Some(true) {
                if let Some(round) = frame.round {
                    if game.round_resolved(sh, round, now) && playing {
                        t.rounds_in_step += 1;
                    }
                }
            }
        }
        _ => {}
    }
    // An ended game goes once its last moves are answered (dropping it closes its sockets).
    if !t.retiring.is_empty() {
        t.retiring.retain(|g| g.pending_moves() > 0);
    }
    false
}

type Ws = tokio_tungstenite::WebSocketStream<Inflating<Counting<tokio::net::TcpStream>>>;

fn client_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(8 * 1024)
}

/// What a browser offers (Chromium's offer, with no context takeover asked of the server).
const DEFLATE_OFFER: &str = "permessage-deflate; client_max_window_bits; server_no_context_takeover";

/// The largest message the driver reads, inflated.
const MAX_MESSAGE: usize = 16 << 20;

async fn connect(addr: SocketAddr, compression: bool) -> Result<Ws, String> {
    let connecting = async {
        let mut request = format!("ws://{addr}/ws").into_client_request().map_err(|e| format!("connect: {e}"))?;
        if compression {
            request.headers_mut().insert(SEC_WEBSOCKET_EXTENSIONS, HeaderValue::from_static(DEFLATE_OFFER));
        }
        let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
        stream.set_nodelay(true).map_err(|e| format!("connect: {e}"))?;
        let socket = Inflating::client(Counting { inner: stream, read: Rc::new(Cell::new(0)) }, MAX_MESSAGE);
        let (mut ws, response) = tokio_tungstenite::client_async_with_config(request, socket, Some(client_config()))
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let accepted = response
            .headers()
            .get(SEC_WEBSOCKET_EXTENSIONS)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("permessage-deflate"));
        if accepted {
            ws.get_mut().enable();
        }
        Ok(ws)
    };
    match tokio::time::timeout(SETUP_WAIT, connecting).await {
        Ok(result) => result,
        Err(_) => Err("connect: timed out".to_string()),
    }
}

/// The socket, counting the bytes read from it (what the wire carried to this seat).
struct Counting<S> {
    inner: S,
    read: Rc<Cell<u64>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counting<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len().saturating_sub(before);
        self.read.set(self.read.get() + n as u64);
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counting<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// One socket: writes what the table queues for it (all that is queued, then one flush) and
/// hands every text frame to the table.
async fn connection(
    mut ws: Ws,
    mut rx: mpsc::UnboundedReceiver<Message>,
    sh: Rc<Shared>,
    table: Rc<RefCell<Table>>,
    seat: usize,
    gen: u32,
) {
    let mut wire_seen = ws.get_ref().get_ref().read.get();
    let broken = loop {
        tokio::select! {
            biased;
            out = rx.recv() => match out {
                Some(message) => {
                    let mut ok = ws.feed(message).await.is_ok();
                    while let (true, Ok(more)) = (ok, rx.try_recv()) {
                        ok = ws.feed(more).await.is_ok();
                    }
                    if !ok || ws.flush().await.is_err() {
                        break true;
                    }
                }
                // The table let go of this seat: close politely.
                None => {
                    let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
                    break false;
                }
            },
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let read = ws.get_ref().get_ref().read.get();
                    let wire = read - wire_seen;
                    wire_seen = read;
                    if on_frame(&sh, &table, seat, gen, text.as_str(), wire) {
                        seat_next(&sh, &table);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break true,
            },
        }
    };
    if broken && !sh.stopping.get() {
        let mut t = table.borrow_mut();
        if let Some(game) = t.find(gen) {
            sh.stats.borrow_mut().disconnects += 1;
            if let Some(slot) = game.seats.get_mut(seat) {
                *slot = None;
            }
        }
    }
}

/// Seats the table's reserved next game in the background; plays it at once if the table is
/// waiting for it.
fn seat_next(sh: &Rc<Shared>, table: &Rc<RefCell<Table>>) {
    let Some(gen) = table.borrow().next.as_ref().map(|n| n.gen) else { return };
    let (sh, table) = (sh.clone(), table.clone());
    tokio::task::spawn_local(async move {
        let Ok(_permit) = sh.gate.acquire().await else { return };
        let seated = seat_game(&sh, &table, gen).await;
        let mut t = table.borrow_mut();
        match seated {
            Ok(()) => {
                if let Some(next) = t.next.as_mut().filter(|n| n.gen == gen) {
                    next.seated = true;
                }
                t.promote(&sh);
            }
            Err(e) => {
                sh.stats.borrow_mut().error(&format!("seating a new game: {e}"));
                t.next = None;
                if t.state == TableState::Waiting {
                    t.state = TableState::Dead;
                }
            }
        }
    });
}

/// Connects seat `i` of the game `gen`.
async fn open_seat(sh: &Rc<Shared>, table: &Rc<RefCell<Table>>, gen: u32, i: usize) -> Result<(), String> {
    let addr = table.borrow().addr;
    let ws = connect(addr, sh.plan.compression).await?;
    let (tx, rx) = mpsc::unbounded_channel();
    {
        let mut t = table.borrow_mut();
        let game = t.find(gen).ok_or("the game is gone")?;
        game.seats[i] = Some(Seat::new(tx));
    }
    tokio::task::spawn_local(connection(ws, rx, sh.clone(), table.clone(), i, gen));
    Ok(())
}

/// Sends a frame built around a fresh `id` on seat `i` of game `gen` and waits for its `ack`.
async fn request(table: &RefCell<Table>, gen: u32, i: usize, frame: impl FnOnce(u64) -> String) -> Result<(), String> {
    let (done, answer) = oneshot::channel();
    {
        let mut t = table.borrow_mut();
        let seat = t.find(gen).and_then(|g| g.seat(i)).ok_or("seat closed")?;
        let id = seat.next_id;
        seat.next_id += 1;
        seat.pending.push_back((id, Pending::Setup(done)));
        if !seat.send(frame(id)) {
            return Err("seat closed".to_string());
        }
    }
    match tokio::time::timeout(SETUP_WAIT, answer).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("seat closed".to_string()),
        Err(_) => Err("no answer in time".to_string()),
    }
}

/// Seats the table's game `gen`: a new session (game) with its instructor, players and
/// spectators, started; or a room (reference). The caller holds a permit of `sh.gate`.
async fn seat_game(sh: &Rc<Shared>, table: &Rc<RefCell<Table>>, gen: u32) -> Result<(), String> {
    let players = sh.players();
    let instructor = players;
    match &sh.target {
        Target::Game { key, scenario } => {
            let addr = table.borrow().addr;
            let (session_id, code) = create_session(addr, key, scenario, sh.plan.deadline_secs).await?;
            open_seat(sh, table, gen, instructor).await?;
            request(table, gen, instructor, |id| {
                let (sid, key) = (json_string(&session_id), json_string(key));
                format!(r#"{{"type":"instructor","id":{id},"session_id":{sid},"key":{key}}}"#)
            })
            .await?;
            let code = json_string(&code);
            for (i, role) in sh.roles.iter().enumerate() {
                open_seat(sh, table, gen, i).await?;
                request(table, gen, i, |id| format!(r#"{{"type":"join","id":{id},"code":{code},"name":"p{i}"}}"#))
                    .await?;
                let role = json_string(role);
                request(table, gen, i, |id| format!(r#"{{"type":"choose_role","id":{id},"role":{role}}}"#)).await?;
            }
            for s in 0..sh.plan.spectators {
                let i = players + 1 + s;
                open_seat(sh, table, gen, i).await?;
                request(table, gen, i, |id| format!(r#"{{"type":"watch","id":{id},"code":{code}}}"#)).await?;
            }
            request(table, gen, instructor, |id| format!(r#"{{"type":"start","id":{id}}}"#)).await?;
            if !sh.plan.instructor {
                if let Some(game) = table.borrow_mut().find(gen) {
                    game.seats[instructor] = None;
                }
            }
        }
        Target::Reference => {
            let room = table.borrow_mut().find(gen).map(|g| g.room).ok_or("the game is gone")?;
            for i in (0..sh.seats()).filter(|i| *i != instructor || sh.plan.instructor) {
                open_seat(sh, table, gen, i).await?;
                request(table, gen, i, |id| format!(r#"{{"type":"room","room":{room},"id":{id}}}"#)).await?;
            }
        }
    }
    Ok(())
}

/// Plays `moves` moves of the schedule as fast as the server answers (during setup).
async fn play_ahead(sh: &Rc<Shared>, table: &Rc<RefCell<Table>>, moves: usize) -> Result<u64, String> {
    let mut played = 0;
    for _ in 0..moves {
        let waited = Instant::now();
        let (gen, next) = loop {
            let found = {
                let mut t = table.borrow_mut();
                let gen = t.game.gen;
                t.game.next_move(sh, Instant::now()).map(|next| (gen, next))
            };
            if let Some(found) = found {
                break found;
            }
            if waited.elapsed() > SETUP_WAIT {
                return Err("the next round did not start".to_string());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        let (done, answer) = oneshot::channel();
        let wants_next = {
            let mut t = table.borrow_mut();
            let seat = t.find(gen).and_then(|g| g.seat(next.seat)).ok_or("seat closed")?;
            seat.pending.push_back((next.id, Pending::Setup(done)));
            seat.send(next.text);
            t.wants_next(sh)
        };
        if wants_next {
            seat_next(sh, table);
        }
        match tokio::time::timeout(SETUP_WAIT, answer).await {
            Ok(Ok(Ok(()))) => played += 1,
            Ok(Ok(Err(code))) => return Err(code),
            _ => return Err("no answer in time".to_string()),
        }
    }
    Ok(played)
}

// ---- HTTP -------------------------------------------------------------------------------------------

/// One HTTP/1.1 request on its own connection; returns the status and the body.
async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &str,
) -> Result<(u16, String), String> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
        let auth = key.map(|k| format!("Authorization: Bearer {k}\r\n")).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.map_err(|e| format!("write: {e}"))?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.map_err(|e| format!("read: {e}"))?;
        Ok::<_, String>(String::from_utf8_lossy(&response).to_string())
    };
    let response = tokio::time::timeout(SETUP_WAIT, exchange).await.map_err(|_| "http: timed out".to_string())??;
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or("http: no status")?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.to_string() };
    Ok((status, body))
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

async fn create_session(
    addr: SocketAddr,
    key: &str,
    scenario: &str,
    deadline: u64,
) -> Result<(String, String), String> {
    let body = serde_json::json!({"scenario": scenario, "deadline_secs": deadline}).to_string();
    let (status, body) = http(addr, "POST", "/api/sessions", Some(key), &body).await?;
    if status != 201 {
        return Err(format!("create session: {status} {body}"));
    }
    let v: serde_json::Value = serde_json::from_str(&body).map_err(|e| format!("create session: {e}"))?;
    let field = |name: &str| v[name].as_str().map(str::to_string).ok_or(format!("create session: no {name}"));
    Ok((field("session_id")?, field("join_code")?))
}

/// The roles and round count of a scenario, from `GET /api/scenarios`.
async fn scenario_shape(addr: SocketAddr, scenario: &str) -> Result<(Vec<String>, u32), String> {
    let (status, body) = http(addr, "GET", "/api/scenarios", None, "").await?;
    if status != 200 {
        return Err(format!("list scenarios: {status}"));
    }
    let list: serde_json::Value = serde_json::from_str(&body).map_err(|e| format!("list scenarios: {e}"))?;
    let found = list
        .as_array()
        .and_then(|all| all.iter().find(|s| s["id"] == scenario))
        .ok_or(format!("the server has no scenario {scenario}"))?;
    let roles = found["roles"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["id"].as_str().map(str::to_string)).collect::<Vec<_>>())
        .unwrap_or_default();
    let rounds = found["rounds"].as_u64().and_then(|r| u32::try_from(r).ok()).unwrap_or(1);
    if roles.is_empty() {
        return Err(format!("scenario {scenario} has no roles"));
    }
    Ok((roles, rounds))
}

// ---- The load ---------------------------------------------------------------------------------------

/// Seated tables, ready to be driven. Must live inside a `LocalSet`.
pub(crate) struct Load {
    sh: Rc<Shared>,
    tables: Vec<Rc<RefCell<Table>>>,
}

/// What the driver samples at the edges of a window.
struct Sample {
    server: Option<Duration>,
    own: Duration,
    machine: Duration,
    unix: f64,
}

impl Sample {
    fn take(server_pids: &[u32]) -> Sample {
        Sample {
            server: (!server_pids.is_empty()).then(|| super::process::cpu_time_all(server_pids)),
            own: super::process::own_cpu_time(),
            machine: super::process::machine_busy(),
            unix: SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64()),
        }
    }
}

impl Load {
    /// Seats `plan.sessions` tables (in parallel, `plan.parallel` at a time), then spreads them
    /// over the game or the round (`plan.stagger`).
    ///
    /// `run_for` and `rate` tell whether games end during the run (then each table also seats
    /// its next game while it plays the current one); `server_pid` lets the report say what
    /// seating cost the server.
    pub(crate) async fn setup(
        addrs: &[SocketAddr],
        target: Target,
        plan: Plan,
        run_for: Duration,
        rate: f64,
        server_pids: &[u32],
    ) -> (Load, SetupReport) {
        let started = Instant::now();
        let addr = addrs[0];
        let cpu0 = super::process::cpu_time_all(server_pids);
        let (roles, rounds) = match &target {
            Target::Game { scenario, .. } => match scenario_shape(addr, scenario).await {
                Ok(shape) => shape,
                Err(e) => {
                    let mut report = SetupReport { tables: plan.sessions, ..SetupReport::default() };
                    report.failures.insert(e, plan.sessions);
                    let sh = Rc::new(Shared::new(addr, target, plan, vec!["none".to_string()], 1));
                    return (Load { sh, tables: Vec::new() }, report);
                }
            },
            Target::Reference => (["mongolia", "russia", "china", "us"].map(String::from).to_vec(), u32::MAX),
        };
        let sh = Rc::new(Shared::new(addr, target, plan, roles, rounds));
        // Several nodes: table k is created on, and seated at, node k mod n.
        let tables: Vec<_> = (0..sh.plan.sessions)
            .map(|k| {
                let mut table = Table::new(&sh);
                table.addr = addrs[k % addrs.len()];
                Rc::new(RefCell::new(table))
            })
            .collect();
        let moves_per_game = sh.steps_per_round() * sh.rounds as usize;
        let per_table_rate = rate / sh.plan.sessions.max(1) as f64;
        let games_end = sh.game() && run_for.as_secs_f64() * per_table_rate >= moves_per_game as f64 / 2.0;
        let stagger = sh.plan.stagger && sh.game();

        // First seat every table…
        let failed_in_a_row = Rc::new(Cell::new(0usize));
        let mut tasks = Vec::new();
        for table in &tables {
            let (sh, table, failed_in_a_row) = (sh.clone(), table.clone(), failed_in_a_row.clone());
            tasks.push(tokio::task::spawn_local(async move {
                let permit = sh.gate.acquire().await;
                if permit.is_err() || failed_in_a_row.get() >= GIVE_UP_AFTER {
                    table.borrow_mut().state = TableState::Dead;
                    return Err("not tried".to_string());
                }
                let seated = seat_game(&sh, &table, 1).await;
                let mut t = table.borrow_mut();
                if seated.is_ok() {
                    failed_in_a_row.set(0);
                    t.game.seated = true;
                    t.state = TableState::Playing;
                } else {
                    failed_in_a_row.set(failed_in_a_row.get() + 1);
                    t.state = TableState::Dead;
                    // Close what was opened.
                    t.game = Game::new(0, 0, 0);
                }
                seated
            }));
        }
        let mut report = SetupReport { tables: tables.len(), ..SetupReport::default() };
        for task in tasks {
            match task.await {
                Ok(Ok(())) => report.seated += 1,
                Ok(Err(e)) if e == "not tried" => report.not_tried += 1,
                Ok(Err(e)) => *report.failures.entry(e).or_default() += 1,
                Err(e) => *report.failures.entry(format!("task: {e}")).or_default() += 1,
            }
        }
        report.connections = tables.iter().map(|t| t.borrow().game.seats.iter().flatten().count()).sum();
        report.seating = started.elapsed();
        report.seating_cpu =
            (!server_pids.is_empty()).then(|| super::process::cpu_time_all(server_pids).saturating_sub(cpu0));
        // …then spread them over the game.
        sh.seat_ahead.set(games_end);
        if stagger {
            let mut tasks = Vec::new();
            for table in tables.iter().filter(|t| t.borrow().state == TableState::Playing) {
                // Over the whole game if games end in the run, else over a round (so that rounds
                // resolve at a steady rate even when a round lasts longer than the run).
                let span = if games_end { moves_per_game.saturating_sub(1) } else { sh.steps_per_round() };
                let ahead = sh.rng.borrow_mut().below(span);
                let (sh, table) = (sh.clone(), table.clone());
                tasks.push(tokio::task::spawn_local(async move {
                    let played = play_ahead(&sh, &table, ahead).await;
                    if played.is_err() {
                        table.borrow_mut().state = TableState::Dead;
                    }
                    played
                }));
            }
            for task in tasks {
                match task.await {
                    Ok(Ok(n)) => report.stagger_moves += n,
                    Ok(Err(e)) => {
                        report.seated -= 1;
                        *report.failures.entry(format!("spreading: {e}")).or_default() += 1;
                    }
                    Err(e) => *report.failures.entry(format!("task: {e}")).or_default() += 1,
                }
            }
        }
        report.elapsed = started.elapsed();
        // Errors met while seating are the setup's, not the first step's.
        *sh.stats.borrow_mut() = Stats::default();
        (Load { sh, tables }, report)
    }

    pub(crate) fn tables_playing(&self) -> usize {
        self.tables.iter().filter(|t| t.borrow().state == TableState::Playing).count()
    }

    /// Runs the schedule at `rate` moves per second for `warmup + seconds`, measuring the last
    /// `seconds`; then waits (bounded) for the last answers. `hook(true)` and `hook(false)` are
    /// called as the window opens and closes (to run a profiler over it, say).
    pub(crate) async fn run(
        &self,
        rate: f64,
        warmup: Duration,
        seconds: Duration,
        server_pids: &[u32],
        hook: &mut dyn FnMut(bool),
    ) -> StepReport {
        let sh = &self.sh;
        let start = Instant::now() + Duration::from_millis(20);
        let (from, to) = (start + warmup, start + warmup + seconds);
        *sh.stats.borrow_mut() = Stats::default();
        for table in &self.tables {
            table.borrow_mut().rounds_in_step = 0;
        }
        sh.window.set(Some((from, to)));
        let schedule = tokio::task::spawn_local(schedule(sh.clone(), self.tables.clone(), rate, start, to));
        tokio::time::sleep_until(from.into()).await;
        let s0 = Sample::take(server_pids);
        hook(true);
        tokio::time::sleep_until(to.into()).await;
        let s1 = Sample::take(server_pids);
        hook(false);
        let memory = (!server_pids.is_empty()).then(|| super::process::memory_all(server_pids));
        let _ = schedule.await;
        let drain_until = Instant::now() + DRAIN;
        while Instant::now() < drain_until && self.tables.iter().any(|t| t.borrow().pending_moves() > 0) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut missing = 0;
        for table in &self.tables {
            let mut t = table.borrow_mut();
            let t = &mut *t;
            for game in std::iter::once(&mut t.game).chain(t.retiring.iter_mut()) {
                for seat in game.seats.iter_mut().flatten() {
                    let before = seat.pending.len();
                    seat.pending.retain(|(_, p)| !matches!(p, Pending::Move { .. }));
                    missing += (before - seat.pending.len()) as u64;
                }
            }
            t.retiring.clear();
        }
        let stats = std::mem::take(&mut *sh.stats.borrow_mut());
        let server_cpu = s0.server.zip(s1.server).map(|(a, b)| b.saturating_sub(a));
        let loadgen_cpu = s1.own.saturating_sub(s0.own);
        let other_cpu = s1
            .machine
            .saturating_sub(s0.machine)
            .saturating_sub(server_cpu.unwrap_or_default())
            .saturating_sub(loadgen_cpu);
        StepReport {
            rate,
            window: seconds,
            window_unix: (s0.unix, s1.unix),
            moves_sent: stats.moves_sent,
            moves_acked: stats.moves_acked,
            ack: Pct::of(stats.ack_us),
            ack_orders: Pct::of(stats.ack_orders_us),
            ack_ready: Pct::of(stats.ack_ready_us),
            report: Pct::of(stats.report_us),
            rounds: stats.rounds,
            games_started: stats.games_started,
            rounds_per_table: self.tables.iter().map(|t| t.borrow().rounds_in_step).collect(),
            games_started_total: stats.games_started_total,
            bytes_play: stats.bytes_play,
            bytes_setup: stats.bytes_setup,
            wire_play: stats.wire_play,
            wire_setup: stats.wire_setup,
            frames: stats.frames,
            by_type: stats.by_type,
            server_cpu,
            loadgen_cpu,
            other_cpu,
            rss_kib: memory.map(|m| m.rss_kib),
            peak_rss_kib: memory.map(|m| m.peak_kib),
            errors: stats.errors,
            missing,
            disconnects: stats.disconnects,
            skipped: stats.skipped,
            waited: stats.waited,
            late: stats.late,
            tables_playing: self.tables_playing(),
        }
    }

    /// Closes every socket (politely) and stops counting.
    pub(crate) async fn close(self) {
        self.sh.stopping.set(true);
        self.sh.window.set(None);
        for table in &self.tables {
            let mut t = table.borrow_mut();
            t.state = TableState::Dead;
            t.game = Game::new(0, 0, 0);
            t.next = None;
            t.retiring.clear();
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The open-loop schedule: slot `k` is due at `start + k/rate` and belongs to table `k mod S`.
async fn schedule(sh: Rc<Shared>, tables: Vec<Rc<RefCell<Table>>>, rate: f64, start: Instant, until: Instant) {
    if tables.is_empty() || rate <= 0.0 {
        return;
    }
    let mut k: u64 = 0;
    loop {
        let due = start + Duration::from_secs_f64(k as f64 / rate);
        if due >= until {
            return;
        }
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
        // Everything due by now, in order (the timer wakes at most once a millisecond).
        let now = Instant::now();
        loop {
            let due = start + Duration::from_secs_f64(k as f64 / rate);
            if due > now || due >= until {
                break;
            }
            let table = &tables[(k % tables.len() as u64) as usize];
            let wants_next = {
                let mut t = table.borrow_mut();
                if t.state == TableState::Playing {
                    t.owed.push_back((due, false));
                    t.flush(&sh)
                } else {
                    if sh.in_window(due) {
                        sh.stats.borrow_mut().skipped += 1;
                    }
                    false
                }
            };
            if wants_next {
                seat_next(&sh, table);
            }
            k += 1;
        }
    }
}
