//! A class: one join code for a whole room, its students placed at tables (sessions) by the
//! server, the tables run and timed together. One task (an actor) per class, beside its tables'
//! own tasks.
//!
//! The class keeps nothing of its own that matters after a restart but its row (owner, code,
//! settings): every placement, start, pause and round is an event in a table's log, and the class
//! reads its tables back like any session. Each table reports how it stands after every change
//! (a [`TableSummary`] through its `Observer`); the class keeps the latest, answers its console
//! and projector from them, and runs the class's clock:
//!
//! - one clock: every table starts a round with the same deadline; a table that resolves early
//!   (all its roles ready) waits (`waiting`); when every unfinished table waits, the class starts
//!   the next round at all of them at once;
//! - class-wide controls fan out to every table, each applied by the table's own rules.

mod placement;
mod setup;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::outbox::{ConnId, Out, Outbox, SharedText};
use super::session::{Observer, SessionHandle, Who};
use super::shutdown::{Shutdown, Token};
use super::{App, Metrics};
use crate::i18n::{narrate, Lang};
use crate::protocol::{
    self, ClassInfo, ClassView, ClientMsg, ErrorCode, Phase, ServerMsg, TableSummary, WireError, YouView,
};
use crate::scenario::{Loaded, Localized};
use crate::store::ClassRow;
use crate::table::{millis, ClassOrder, MAX_ROUND_SECS};

pub use placement::{place, Placement, Rules, TableCount};
pub use setup::{create, get_or_load, load, ClassError, CreateClass};

/// Commands queued for a class, at most.
const INBOX: usize = 256;
/// Table reports queued for a class, at most (a table that finds it full reports at its next
/// change).
const NEWS: usize = 1024;

/// A class's settings, as stored (JSON in `classes.settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub seats_per_role: u32,
    /// The number of tables, when the instructor set it (they are opened at once).
    pub tables: Option<u32>,
    pub deadline_secs: u64,
    pub seed: u64,
    /// Bots take the roles nobody plays when the class starts.
    pub bots: bool,
}

/// Who is at a class's console or projector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassViewer {
    Instructor,
    Spectator,
}

enum Command {
    /// A student with the class's code: placed at a table, seated there.
    Join {
        outbox: Outbox,
        name: String,
        token: String,
        token_hash: String,
        device: Option<String>,
        lang: Lang,
        re: Option<Value>,
        reply: oneshot::Sender<Result<SessionHandle, WireError>>,
    },
    Attach {
        outbox: Outbox,
        viewer: ClassViewer,
        lang: Lang,
        re: Option<Value>,
        reply: oneshot::Sender<Result<(), WireError>>,
    },
    Client {
        conn: ConnId,
        re: Option<Value>,
        msg: ClientMsg,
    },
    Detach {
        conn: ConnId,
    },
    /// This node no longer owns the class (several nodes on PostgreSQL): close its connections
    /// with 1012 so that they reconnect to its owner, end the task.
    Disown,
    /// The class is being deleted: close its connections, end the task.
    Close {
        done: oneshot::Sender<Vec<SessionHandle>>,
    },
}

/// The way to a class's task; cheap to clone.
#[derive(Clone)]
pub struct ClassHandle {
    pub id: Arc<str>,
    pub join_code: Arc<str>,
    pub instructor_id: Arc<str>,
    tx: mpsc::Sender<Command>,
}

impl ClassHandle {
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Places a student at a table and seats it there (its frames in `lang`); the table has
    /// queued `welcome`, `state` and the `ack`. Returns the table, which the connection then
    /// talks to.
    pub async fn join(
        &self,
        outbox: Outbox,
        (name, token, token_hash): (String, String, String),
        device: Option<String>,
        lang: Lang,
        re: Option<Value>,
    ) -> Result<SessionHandle, WireError> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Join { outbox, name, token, token_hash, device, lang, re, reply };
        self.tx.send(command).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Opens the class's console (the instructor) or projector (a spectator) on a connection,
    /// its frames in `lang`.
    pub async fn attach(
        &self,
        outbox: Outbox,
        viewer: ClassViewer,
        lang: Lang,
        re: Option<Value>,
    ) -> Result<(), WireError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Command::Attach { outbox, viewer, lang, re, reply }).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// A frame from the class's console or projector; `false` if the class has ended.
    pub async fn client(&self, conn: ConnId, re: Option<Value>, msg: ClientMsg) -> bool {
        self.tx.send(Command::Client { conn, re, msg }).await.is_ok()
    }

    pub fn detach(&self, conn: ConnId) {
        let _ = self.tx.try_send(Command::Detach { conn });
    }

    /// Stops the task because another node may own the class now.
    pub async fn disown(&self) {
        let _ = self.tx.send(Command::Disown).await;
    }

    /// Closes the class for good (it is being deleted); returns its tables.
    pub async fn close(&self) -> Vec<SessionHandle> {
        let (done, answer) = oneshot::channel();
        if self.tx.send(Command::Close { done }).await.is_ok() {
            return answer.await.unwrap_or_default();
        }
        Vec::new()
    }
}

fn gone() -> WireError {
    WireError::new(ErrorCode::UnknownSession, "the class has closed")
}

struct Table {
    handle: SessionHandle,
    summary: TableSummary,
}

struct Class {
    app: App,
    row: ClassRow,
    settings: Settings,
    loaded: Arc<Loaded>,
    /// The scenario in every language it has.
    texts: Arc<Localized>,
    tables: Vec<Table>,
    news_tx: mpsc::Sender<TableSummary>,
    /// The console and projector connections, each with its language.
    conns: BTreeMap<ConnId, (Outbox, ClassViewer, Lang)>,
    /// The instructor paused the class: no round starts until it resumes.
    paused: bool,
    /// The placement's random picks.
    picker: Picker,
    closed: Option<oneshot::Sender<Vec<SessionHandle>>>,
    /// This node's ownership of the class (several nodes on PostgreSQL).
    _lease: crate::store::Lease,
}

impl Class {
    fn spawn(self, news: mpsc::Receiver<TableSummary>, shutdown: Shutdown, token: Token) -> ClassHandle {
        let (tx, rx) = mpsc::channel(INBOX);
        let handle = ClassHandle {
            id: self.row.id.as_str().into(),
            join_code: self.row.join_code.as_str().into(),
            instructor_id: self.row.instructor_id.as_str().into(),
            tx,
        };
        tokio::spawn(async move {
            let _token = token;
            self.run(rx, news, shutdown).await;
        });
        handle
    }

    async fn run(
        mut self,
        mut rx: mpsc::Receiver<Command>,
        mut news: mpsc::Receiver<TableSummary>,
        mut shutdown: Shutdown,
    ) {
        tracing::debug!(class = %self.row.id, "class task started");
        loop {
            tokio::select! {
                command = rx.recv() => match command {
                    Some(command) => self.on_command(command).await,
                    None => break,
                },
                Some(summary) = news.recv() => self.on_news(summary).await,
                () = shutdown.recv() => break,
            }
            if let Some(done) = self.closed.take() {
                let _ = done.send(self.tables.iter().map(|t| t.handle.clone()).collect());
                break;
            }
        }
        tracing::debug!(class = %self.row.id, "class task ended");
    }

    fn rules(&self) -> Rules {
        Rules {
            roles: self.loaded.scenario.roles.len(),
            seats_per_role: usize::try_from(self.settings.seats_per_role.max(1)).unwrap_or(1),
            tables: self.settings.tables.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            started: self.tables.iter().any(|t| t.summary.phase != Phase::Lobby),
        }
    }

    /// The class's phase: `lobby` until a table starts, `finished` when every table is,
    /// `paused` while the instructor holds it, else `running`.
    fn phase(&self) -> Phase {
        if self.tables.is_empty() || self.tables.iter().all(|t| t.summary.phase == Phase::Lobby) {
            Phase::Lobby
        } else if self.tables.iter().all(|t| t.summary.phase == Phase::Finished) {
            Phase::Finished
        } else if self.paused {
            Phase::Paused
        } else {
            Phase::Running
        }
    }

    fn now(&self) -> i64 {
        crate::store::now_ms()
    }

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Join { outbox, name, token, token_hash, device, lang, re, reply } => {
                let result = self.join(outbox, (name, token, token_hash), device, lang, re).await;
                let _ = reply.send(result);
            }
            Command::Attach { outbox, viewer, lang, re, reply } => {
                let conn = outbox.id();
                self.conns.insert(conn, (outbox, viewer, lang));
                let state = self.state_text(viewer, lang);
                self.send(conn, state);
                if let Some(re) = &re {
                    self.send(conn, protocol::ack(re));
                }
                let _ = reply.send(Ok(()));
            }
            Command::Client { conn, re, msg: ClientMsg::SetLang { lang } } => {
                // Answered, then the whole class again in the new language.
                let Some(viewer) = self.conns.get_mut(&conn).map(|c| {
                    c.2 = lang;
                    c.1
                }) else {
                    return;
                };
                if let Some(re) = &re {
                    self.send(conn, protocol::ack(re));
                }
                let state = self.state_text(viewer, lang);
                self.send(conn, state);
            }
            Command::Client { conn, re, msg } => {
                let Some(viewer) = self.conns.get(&conn).map(|c| c.1) else { return };
                let result = match viewer {
                    ClassViewer::Instructor => self.on_instructor(msg).await,
                    ClassViewer::Spectator => {
                        Err(WireError::new(ErrorCode::NotJoined, "the class's projector cannot act"))
                    }
                };
                match (result, re.as_ref()) {
                    (Ok(()), Some(re)) => self.send(conn, protocol::ack(re)),
                    (Ok(()), None) => {}
                    (Err(e), re) => self.send(conn, protocol::error(re, &e)),
                }
            }
            Command::Detach { conn } => {
                self.conns.remove(&conn);
            }
            Command::Disown => {
                for (_, (outbox, ..)) in std::mem::take(&mut self.conns) {
                    outbox.close(1012, "this server no longer runs the class: reconnect");
                }
                self.closed = Some(oneshot::channel().0);
            }
            Command::Close { done } => {
                let gone = protocol::error(None, &WireError::new(ErrorCode::UnknownSession, "this class was deleted"));
                for (_, (outbox, ..)) in std::mem::take(&mut self.conns) {
                    outbox.string(gone.clone());
                    outbox.close(1000, "class deleted");
                }
                self.closed = Some(done);
            }
        }
    }

    /// Places a student and seats it at its table.
    async fn join(
        &mut self,
        outbox: Outbox,
        (name, token, token_hash): (String, String, String),
        device: Option<String>,
        lang: Lang,
        re: Option<Value>,
    ) -> Result<SessionHandle, WireError> {
        let name = crate::table::clean_name(&name)?;
        let counts: Vec<TableCount> = self.tables.iter().map(|t| count(&self.loaded, &t.summary)).collect();
        let rules = self.rules();
        let placed = place(&counts, rules, &mut |n| self.picker.below(n));
        let (index, role) = match placed {
            Some(Placement::Table { index, role }) => (index, role),
            Some(Placement::NewTable { role }) => (self.open_table().await?, role),
            None => {
                return Err(WireError::new(ErrorCode::TableFull, "every table of this class is full: ask your teacher"))
            }
        };
        let handle = self.tables[index].handle.clone();
        let who = Who::Join { name: name.clone(), token, token_hash, device, role: Some(role) };
        handle.attach(outbox, who, lang, re).await?;
        // Count the student now: its table's own report may come after the next join.
        if let Some(r) = self.tables[index].summary.roles.get_mut(role.index()) {
            r.players.push(protocol::TablePlayer { player_id: String::new(), name, connected: true });
        }
        Ok(handle)
    }

    /// Opens one more table (numbered after the last).
    async fn open_table(&mut self) -> Result<usize, WireError> {
        let number = u32::try_from(self.tables.len() + 1).unwrap_or(u32::MAX);
        let observer = Observer { tx: self.news_tx.clone(), table: number };
        let handle = super::session::create_table(
            &self.app,
            &self.row,
            number,
            self.settings.seed,
            self.settings.deadline_secs,
            observer,
        )
        .await
        .map_err(|e| {
            tracing::error!(class = %self.row.id, error = %e, "cannot open a table");
            WireError::new(ErrorCode::Unavailable, "a new table could not be opened: please try again")
        })?;
        let summary = blank_summary(&self.loaded, &handle, number);
        self.tables.push(Table { handle, summary });
        let index = self.tables.len() - 1;
        self.publish_table(index);
        Ok(index)
    }

    /// A table reported how it stands: the class updates its view and its clock.
    async fn on_news(&mut self, summary: TableSummary) {
        let Some(index) = self.tables.iter().position(|t| *t.handle.id == *summary.session_id) else { return };
        if self.tables[index].summary == summary {
            return;
        }
        if summary.phase == Phase::Paused {
            // A table paused (by the class before a restart, say): the class holds its clock.
            self.paused = true;
        }
        self.tables[index].summary = summary;
        self.publish_table(index);
        self.maybe_next_round().await;
        if self.phase() == Phase::Finished && !self.row.is_finished() {
            self.finish().await;
        }
    }

    /// When every unfinished table waits, the class starts the next round at all of them.
    async fn maybe_next_round(&mut self) {
        if self.paused || self.phase() != Phase::Running {
            return;
        }
        let unfinished: Vec<&Table> = self.tables.iter().filter(|t| t.summary.phase != Phase::Finished).collect();
        if unfinished.is_empty() || unfinished.iter().any(|t| t.summary.phase != Phase::Waiting) {
            return;
        }
        let at = self.now().saturating_add(millis(self.settings.deadline_secs));
        tracing::info!(class = %self.row.id, "every table is ready: the next round starts");
        self.fan_out(ClassOrder::Release { at }).await.ok();
    }

    async fn finish(&mut self) {
        self.row.status = ClassRow::FINISHED.into();
        let op = crate::store::Op::ClassFinished { id: self.row.id.clone() };
        if let Err(e) = self.app.store().commit(vec![op]).await {
            tracing::warn!(class = %self.row.id, error = %e, "cannot mark the class finished");
        }
        self.app.registry().release(&self.row.join_code, Some(&self.row.id));
    }

    /// The class-wide controls: each table applies them by its own rules.
    async fn on_instructor(&mut self, msg: ClientMsg) -> Result<(), WireError> {
        let now = self.now();
        match msg {
            ClientMsg::Start => {
                if self.phase() != Phase::Lobby {
                    return Err(WireError::new(ErrorCode::WrongPhase, "the class has already started"));
                }
                if self.tables.is_empty() {
                    return Err(WireError::new(ErrorCode::WrongPhase, "no student has joined yet"));
                }
                if self.settings.bots {
                    self.fan_out(ClassOrder::FillWithBots).await?;
                }
                let at = now.saturating_add(millis(self.settings.deadline_secs));
                self.fan_out(ClassOrder::Start { at }).await
            }
            ClientMsg::Pause => {
                self.paused = true;
                self.fan_out(ClassOrder::Pause).await?;
                self.publish_state();
                Ok(())
            }
            ClientMsg::ResumeGame => {
                self.paused = false;
                self.fan_out(ClassOrder::Resume).await?;
                self.publish_state();
                self.maybe_next_round().await;
                Ok(())
            }
            ClientMsg::ForceResolve => self.fan_out(ClassOrder::Resolve).await,
            ClientMsg::SetDeadline { secs } => {
                if secs == 0 || secs > MAX_ROUND_SECS {
                    let message = format!("secs must be 1 to {MAX_ROUND_SECS}");
                    return Err(WireError::new(ErrorCode::BadRequest, message));
                }
                self.settings.deadline_secs = secs;
                self.fan_out(ClassOrder::RoundLength { secs }).await?;
                self.fan_out(ClassOrder::Deadline { at: now.saturating_add(millis(secs)) }).await
            }
            ClientMsg::InjectEvent { event } => {
                if self.loaded.scenario.event_index(&event).is_none() {
                    return Err(WireError::new(ErrorCode::UnknownEvent, "no such event"));
                }
                self.fan_out(ClassOrder::Inject { event }).await
            }
            ClientMsg::End => self.fan_out(ClassOrder::End).await,
            ClientMsg::MovePlayer { player_id, table, role } => self.move_player(&player_id, table, role).await,
            ClientMsg::AddTable => self.open_table().await.map(|_| ()),
            _ => Err(WireError::new(
                ErrorCode::BadRequest,
                "the class console takes start, pause, resume_game, force_resolve, set_deadline, inject_event, end, \
                 move_player and add_table; open a table's own console for the rest",
            )),
        }
    }

    /// An order to every table; the first failure (after all were tried) is the answer.
    async fn fan_out(&mut self, order: ClassOrder) -> Result<(), WireError> {
        let handles: Vec<SessionHandle> = self.tables.iter().map(|t| t.handle.clone()).collect();
        let mut first_error = None;
        for handle in handles {
            if let Err(e) = handle.class_order(order.clone()).await {
                tracing::warn!(class = %self.row.id, table = %handle.id, code = %e.code, "a table refused a class order");
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Moves a student to another table (and role), or to another role at its table.
    async fn move_player(
        &mut self,
        player_id: &str,
        table: Option<u32>,
        role: Option<String>,
    ) -> Result<(), WireError> {
        let from = self
            .tables
            .iter()
            .position(|t| t.summary.roles.iter().any(|r| r.players.iter().any(|p| p.player_id == player_id)))
            .ok_or_else(|| WireError::new(ErrorCode::UnknownPlayer, "no such student in this class"))?;
        let to = match table {
            None => from,
            Some(n) => self
                .tables
                .iter()
                .position(|t| t.summary.table == n)
                .ok_or_else(|| WireError::new(ErrorCode::BadRequest, format!("this class has no table {n}")))?,
        };
        if let Some(r) = role.as_deref() {
            if self.loaded.scenario.role_index(r).is_none() {
                return Err(WireError::new(ErrorCode::UnknownRole, "this scenario has no such role"));
            }
        }
        let source = self.tables[from].handle.clone();
        if from == to {
            return source.class_order(ClassOrder::Assign { player_id: player_id.to_string(), role }).await;
        }
        let name = self.tables[from]
            .summary
            .roles
            .iter()
            .flat_map(|r| r.players.iter())
            .find(|p| p.player_id == player_id)
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let target = self.tables[to].handle.clone();
        target.adopt(player_id.to_string(), name, None, role).await?;
        source.move_out(player_id.to_string(), target.id.to_string()).await
    }

    // ---- Views ---------------------------------------------------------------------------------

    /// A table's summary as a viewer sees it in a language: the projector's without scores, the
    /// headline told in the language.
    fn summary_for(&self, summary: &TableSummary, viewer: ClassViewer, lang: Lang) -> TableSummary {
        let sc = self.texts.get(lang);
        let headline = summary.changes.iter().map(|(t, d)| narrate::headline_item(sc, *t, *d, lang)).collect();
        let scores = if viewer == ClassViewer::Instructor { summary.scores.clone() } else { None };
        TableSummary { headline, scores, ..summary.clone() }
    }

    fn state_text(&self, viewer: ClassViewer, lang: Lang) -> String {
        Metrics::count(&self.app.metrics().class_frames_built);
        let sc = self.texts.get(lang);
        let tables: Vec<TableSummary> =
            self.tables.iter().map(|t| self.summary_for(&t.summary, viewer, lang)).collect();
        let unfinished = || self.tables.iter().filter(|t| t.summary.phase != Phase::Finished);
        let view = ClassView {
            class: ClassInfo {
                id: &self.row.id,
                join_code: &self.row.join_code,
                scenario: &sc.id,
                title: &sc.title,
                rounds: sc.round_count(),
                round_secs: self.settings.deadline_secs,
                seats_per_role: self.settings.seats_per_role,
                bots: self.settings.bots,
            },
            phase: self.phase(),
            round: unfinished().map(|t| t.summary.round).min().unwrap_or(sc.round_count()),
            deadline_at: unfinished().filter_map(|t| t.summary.deadline_at).max(),
            tables: tables.iter().collect(),
            you: YouView::nobody(match viewer {
                ClassViewer::Instructor => "instructor",
                ClassViewer::Spectator => "spectator",
            }),
        };
        ServerMsg::ClassState(view).to_text()
    }

    /// The (viewer, language) pairs among the connections, each once.
    fn audiences(&self) -> Vec<(ClassViewer, Lang)> {
        let mut groups: Vec<(ClassViewer, Lang)> = Vec::new();
        for (_, viewer, lang) in self.conns.values() {
            if !groups.contains(&(*viewer, *lang)) {
                groups.push((*viewer, *lang));
            }
        }
        groups
    }

    /// Each connection the frame of its (viewer, language); a connection whose queue is full is
    /// dropped.
    fn send_by_audience(&mut self, rendered: Vec<((ClassViewer, Lang), SharedText)>) {
        self.conns.retain(|_, (outbox, viewer, lang)| match rendered.iter().find(|(k, _)| *k == (*viewer, *lang)) {
            Some((_, text)) => outbox.push(Out::Text(text.clone())),
            None => true,
        });
    }

    /// Tells the console and the projector about one table (and, when the class's own
    /// standing changed with it, the whole class).
    fn publish_table(&mut self, index: usize) {
        let rendered = self
            .audiences()
            .into_iter()
            .map(|(viewer, lang)| {
                Metrics::count(&self.app.metrics().class_frames_built);
                let summary = self.summary_for(&self.tables[index].summary, viewer, lang);
                ((viewer, lang), SharedText::from(ServerMsg::ClassTable { table: &summary }.to_text()))
            })
            .collect();
        self.send_by_audience(rendered);
        self.publish_state();
    }

    /// Everyone's whole class view (the phase, round or clock may have changed).
    fn publish_state(&mut self) {
        let rendered = self
            .audiences()
            .into_iter()
            .map(|(viewer, lang)| ((viewer, lang), SharedText::from(self.state_text(viewer, lang))))
            .collect();
        self.send_by_audience(rendered);
    }

    fn send(&mut self, conn: ConnId, text: String) {
        let delivered = self.conns.get(&conn).is_some_and(|(outbox, ..)| outbox.push(Out::Text(text.into())));
        if !delivered {
            self.conns.remove(&conn);
        }
    }
}

/// A table's counts for placing students.
fn count(loaded: &Loaded, summary: &TableSummary) -> TableCount {
    let roles = loaded.scenario.roles.len();
    let role = |i: usize| summary.roles.get(i);
    TableCount {
        humans: (0..roles).map(|i| role(i).map_or(0, |r| r.players.len())).collect(),
        bots: (0..roles).map(|i| role(i).is_some_and(|r| r.bot)).collect(),
        finished: summary.phase == Phase::Finished,
    }
}

/// The summary of a table that has not reported yet.
fn blank_summary(loaded: &Loaded, handle: &SessionHandle, table: u32) -> TableSummary {
    TableSummary {
        session_id: handle.id.to_string(),
        table,
        phase: Phase::Lobby,
        round: 1,
        deadline_at: None,
        remaining_secs: None,
        roles: loaded
            .scenario
            .roles
            .iter()
            .map(|r| protocol::TableRole { id: r.id.clone(), players: Vec::new(), bot: false, ready: false })
            .collect(),
        resolved: 0,
        headline: Vec::new(),
        changes: Vec::new(),
        tracks: Default::default(),
        scores: None,
    }
}

/// A small random generator for placement picks (SplitMix64, seeded from the OS: placement only
/// needs to be unpredictable to students, not secret).
struct Picker(u64);

impl Picker {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        usize::try_from(z % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}
