//! The reducer without sockets: requests decided, events applied, and what the table says after.
//! Each test is a short script of steps (who asks what, and the code it must be refused with, if
//! any), so the session's rules read as a table.

use serde_json::json;

use super::*;
use crate::engine::Scenario;
use crate::log::LogEvent;
use crate::protocol::{ClientMsg, ErrorCode};

const RULES: &str = include_str!("../../tests/fixtures/rules.toml");

/// A table and its log, with a clock that moves only when told to.
struct Bench {
    sc: Scenario,
    table: Table,
    log: Vec<EventRow>,
    now: i64,
    ids: u32,
}

const I: Viewer = Viewer::Instructor;

fn p(id: &str) -> Viewer {
    Viewer::Player(id.to_string())
}

impl Bench {
    fn new() -> Bench {
        let sc = crate::scenario::parse("rules.toml", RULES).expect("the fixture reads");
        let mut bench = Bench { table: Table::new(&sc, 7, 300), sc, log: Vec::new(), now: 1_000_000, ids: 0 };
        bench.commit(vec![LogEvent::Created {
            scenario: "rules-fixture".into(),
            scenario_hash: "h".into(),
            seed: 7,
            deadline_secs: 300,
            class: None,
        }]);
        bench
    }

    /// Appends events to the log and applies them, as the live session does after a commit.
    fn commit(&mut self, events: Vec<LogEvent>) -> Vec<Change> {
        events
            .into_iter()
            .map(|event| {
                let seq = self.table.seq + 1;
                let change = self.table.apply(&self.sc, seq, self.now, &event);
                self.log.push(EventRow { seq, at: self.now, event });
                change
            })
            .collect()
    }

    /// A request: decided, then (if accepted) committed and applied.
    fn ask(&mut self, who: &Viewer, msg: serde_json::Value) -> Result<Vec<Change>, ErrorCode> {
        let msg: ClientMsg = serde_json::from_value(msg).expect("a valid frame");
        let mut ids = self.ids;
        let events = self
            .table
            .decide(&self.sc, who, &msg, self.now, &mut || {
                ids += 1;
                format!("bot-{ids}")
            })
            .map_err(|e| e.code)?;
        self.ids = ids;
        Ok(self.commit(events))
    }

    fn ok(&mut self, who: &Viewer, msg: serde_json::Value) -> Vec<Change> {
        let shown = msg.to_string();
        self.ask(who, msg).unwrap_or_else(|code| panic!("{shown} was refused: {code}"))
    }

    fn refused(&mut self, who: &Viewer, msg: serde_json::Value, code: ErrorCode) {
        let shown = msg.to_string();
        assert_eq!(self.ask(who, msg).err(), Some(code), "{shown}");
    }

    fn join(&mut self, id: &str) {
        self.join_as(id, id);
    }

    /// A student named `name` (its seat id `id`, its device `device-of-<name>`).
    fn join_as(&mut self, id: &str, name: &str) {
        let event = self.table.join(name, id.to_string(), Some(format!("device-of-{name}")), 40).expect("join");
        self.commit(vec![event]);
    }

    /// Three students, one per role, and the game started.
    fn three_and_start() -> Bench {
        let mut b = Bench::new();
        for (id, role) in [("ana", "north"), ("bo", "south"), ("cy", "east")] {
            b.join(id);
            b.ok(&p(id), json!({"type": "choose_role", "role": role}));
        }
        b.ok(&I, json!({"type": "start"}));
        b
    }

    fn resolve(&mut self) -> Vec<Change> {
        let events = self.table.resolution(&self.sc, self.now);
        self.commit(events)
    }

    fn role(&self, id: &str) -> RoleId {
        self.sc.role_index(id).expect("role")
    }
}

#[test]
fn phases_follow_the_instructor() {
    let mut b = Bench::new();
    b.join("ana");
    let steps: &[(Viewer, serde_json::Value, Option<ErrorCode>, Phase)] = &[
        (p("ana"), json!({"type": "start"}), Some(ErrorCode::NotInstructor), Phase::Lobby),
        (I.clone(), json!({"type": "pause"}), Some(ErrorCode::WrongPhase), Phase::Lobby),
        (I.clone(), json!({"type": "resume_game"}), Some(ErrorCode::WrongPhase), Phase::Lobby),
        (I.clone(), json!({"type": "set_deadline", "secs": 120}), None, Phase::Lobby),
        (I.clone(), json!({"type": "start"}), None, Phase::Running),
        (I.clone(), json!({"type": "start"}), Some(ErrorCode::WrongPhase), Phase::Running),
        (I.clone(), json!({"type": "pause"}), None, Phase::Paused),
        (I.clone(), json!({"type": "force_resolve"}), Some(ErrorCode::WrongPhase), Phase::Paused),
        (I.clone(), json!({"type": "resume_game"}), None, Phase::Running),
        (I.clone(), json!({"type": "end"}), None, Phase::Finished),
        (I.clone(), json!({"type": "end"}), Some(ErrorCode::WrongPhase), Phase::Finished),
        (p("ana"), json!({"type": "say", "to": "all", "text": "hi"}), Some(ErrorCode::WrongPhase), Phase::Finished),
    ];
    for (who, msg, refused, phase) in steps {
        match refused {
            Some(code) => b.refused(who, msg.clone(), *code),
            None => {
                b.ok(who, msg.clone());
            }
        }
        assert_eq!(b.table.phase, *phase, "after {msg}");
    }
    assert_eq!(b.table.round_secs, 120);
    assert!(b.table.ended);
    assert_eq!(b.table.clock, Clock::default(), "a finished game has no clock");
}

#[test]
fn a_pause_keeps_the_time_that_was_left() {
    let mut b = Bench::three_and_start();
    assert_eq!(b.table.clock.deadline_at, Some(b.now + 300_000));
    b.now += 100_000;
    b.ok(&I, json!({"type": "pause"}));
    assert_eq!(b.table.clock.paused_remaining_ms, Some(200_000));
    assert_eq!(b.table.clock.deadline_at, None);
    b.now += 3_600_000;
    b.ok(&I, json!({"type": "resume_game"}));
    assert_eq!(b.table.clock.deadline_at, Some(b.now + 200_000));
    b.ok(&I, json!({"type": "set_deadline", "secs": 30}));
    assert_eq!(b.table.clock.deadline_at, Some(b.now + 30_000), "running: this round ends sooner");
}

#[test]
fn a_team_shares_one_draft_and_one_lock() {
    let mut b = Bench::new();
    b.join("ana");
    b.join("bat");
    b.ok(&p("ana"), json!({"type": "choose_role", "role": "north"}));
    b.ok(&p("bat"), json!({"type": "choose_role", "role": "north"}));
    b.refused(&p("ana"), json!({"type": "set_orders", "round": 1, "orders": []}), ErrorCode::WrongPhase);
    b.ok(&I, json!({"type": "start"}));
    let north = b.role("north");
    let visit = json!({"type": "set_orders", "round": 1, "orders": [{"move": "visit", "target": "south"}]});
    assert_eq!(b.ok(&p("ana"), visit), vec![Change::Draft(north)]);
    assert_eq!(b.table.draft_refs(&b.sc, north)[0].target.as_deref(), Some("south"));
    // The teammate replaces it: one draft per role.
    b.ok(&p("bat"), json!({"type": "set_orders", "round": 1, "orders": [{"move": "trade_pact"}]}));
    assert_eq!(b.table.drafts[north].len(), 1);
    assert_eq!(b.table.draft_refs(&b.sc, north)[0].mv, "trade_pact");
    let steps = [
        (json!([]), 2, ErrorCode::WrongRound),
        (json!([{"move": "protest"}]), 1, ErrorCode::NotYourRole),
        (json!([{"move": "fly"}]), 1, ErrorCode::InvalidMove),
        (json!([{"move": "visit"}]), 1, ErrorCode::InvalidMove),
        (json!([{"move": "late_gambit"}]), 1, ErrorCode::InvalidMove),
        (json!([{"move": "build_ship"}, {"move": "trade_pact"}]), 1, ErrorCode::TooManyPoints),
    ];
    for (orders, round, code) in steps {
        b.refused(&p("bat"), json!({"type": "set_orders", "round": round, "orders": orders}), code);
    }
    assert_eq!(b.ok(&p("ana"), json!({"type": "ready", "round": 1})), vec![Change::Ready(north)]);
    assert!(b.ok(&p("bat"), json!({"type": "ready", "round": 1})).is_empty(), "already locked: nothing to do");
    b.refused(&p("bat"), json!({"type": "set_orders", "round": 1, "orders": []}), ErrorCode::OrdersLocked);
    b.ok(&p("bat"), json!({"type": "ready", "round": 1, "ready": false}));
    b.ok(&p("bat"), json!({"type": "set_orders", "round": 1, "orders": []}));
}

#[test]
fn the_round_resolves_when_every_role_with_people_is_ready() {
    let mut b = Bench::three_and_start();
    for (i, id) in ["ana", "bo", "cy"].iter().enumerate() {
        assert!(!b.table.all_ready(), "not yet after {i} locks");
        b.ok(&p(id), json!({"type": "ready", "round": 1}));
    }
    assert!(b.table.all_ready());
    let changes = b.resolve();
    assert!(matches!(&changes[0], Change::RoundResolved(r) if r.round == 1 && r.hash == r.stored_hash));
    assert_eq!(changes[1], Change::Clock, "round 2's deadline");
    assert_eq!(b.table.state.round, 2);
    assert!(b.table.ready.iter().all(|r| !r), "locks are for one round");
    assert!(!b.table.all_ready());
    assert!(b.table.errors.is_empty());
}

#[test]
fn bots_are_always_ready_and_a_table_of_bots_waits_for_its_deadline() {
    let mut b = Bench::new();
    b.ok(&I, json!({"type": "add_bot", "role": "east"}));
    b.ok(&I, json!({"type": "start"}));
    assert!(!b.table.all_ready(), "no human: the deadline decides");
    b.join("ana");
    b.ok(&p("ana"), json!({"type": "choose_role", "role": "north"}));
    b.refused(&p("ana"), json!({"type": "choose_role", "role": "east"}), ErrorCode::RoleTaken);
    b.ok(&p("ana"), json!({"type": "ready", "round": 1}));
    assert!(b.table.all_ready(), "the bot's role counts as ready");
    b.refused(&I, json!({"type": "add_bot", "role": "east"}), ErrorCode::RoleTaken);
    b.refused(&I, json!({"type": "add_bot", "role": "north"}), ErrorCode::RoleTaken);
    let changes = b.resolve();
    let Change::RoundResolved(resolved) = &changes[0] else { panic!("resolved: {changes:?}") };
    assert_eq!(resolved.bots, vec![b.role("east")]);
}

#[test]
fn roles_are_free_in_the_lobby_and_the_instructors_once_the_game_runs() {
    let mut b = Bench::new();
    for id in ["ana", "bo", "cy", "eve"] {
        b.join(id);
    }
    b.ok(&p("ana"), json!({"type": "choose_role", "role": "south"}));
    b.ok(&p("ana"), json!({"type": "choose_role", "role": "north"}));
    b.ok(&p("ana"), json!({"type": "choose_role", "role": null}));
    b.ok(&p("ana"), json!({"type": "choose_role", "role": "north"}));
    b.refused(&p("ana"), json!({"type": "choose_role", "role": "atlantis"}), ErrorCode::UnknownRole);
    b.ok(&I, json!({"type": "start"}));
    // A late arrival may take a role nobody plays...
    assert_eq!(b.ok(&p("bo"), json!({"type": "choose_role", "role": "south"})), vec![Change::Seat(1)]);
    // ...but joining a team that has players, or changing role, waits for the instructor.
    let north = b.role("north");
    assert_eq!(b.ok(&p("cy"), json!({"type": "choose_role", "role": "north"})), vec![Change::Request(2)]);
    assert_eq!(b.table.seat("cy").map(|s| (s.role, s.requested)), Some((None, Some(north))));
    assert!(b.ok(&p("cy"), json!({"type": "choose_role", "role": "north"})).is_empty(), "asked already");
    assert_eq!(b.ok(&p("ana"), json!({"type": "choose_role", "role": "east"})), vec![Change::Request(0)]);
    b.refused(&p("ana"), json!({"type": "choose_role", "role": null}), ErrorCode::WrongPhase);
    // The instructor decides.
    b.refused(
        &p("bo"),
        json!({"type": "answer_request", "player_id": "cy", "approve": true}),
        ErrorCode::NotInstructor,
    );
    assert_eq!(b.ok(&I, json!({"type": "answer_request", "player_id": "cy", "approve": true})), vec![Change::Seat(2)]);
    assert_eq!(b.table.seat("cy").map(|s| (s.role, s.requested)), Some((Some(north), None)));
    assert_eq!(
        b.ok(&I, json!({"type": "answer_request", "player_id": "ana", "approve": false})),
        vec![Change::Request(0)]
    );
    assert_eq!(b.table.seat("ana").map(|s| (s.role, s.requested)), Some((Some(north), None)));
    b.refused(&I, json!({"type": "answer_request", "player_id": "ana", "approve": true}), ErrorCode::BadRequest);
    // assign_role moves anyone, and answers a waiting request.
    b.ok(&p("eve"), json!({"type": "choose_role", "role": "east"}));
    b.ok(&p("ana"), json!({"type": "choose_role", "role": "east"}));
    b.ok(&I, json!({"type": "assign_role", "player_id": "ana", "role": "east"}));
    assert_eq!(b.table.seat("ana").map(|s| (s.role, s.requested)), Some((Some(b.role("east")), None)));
    b.refused(&I, json!({"type": "assign_role", "player_id": "nobody", "role": "east"}), ErrorCode::UnknownPlayer);
    b.refused(&p("bo"), json!({"type": "assign_role", "player_id": "bo", "role": "east"}), ErrorCode::NotInstructor);
}

#[test]
fn a_ban_bars_the_name_and_the_device_from_joining_again() {
    let mut b = Bench::three_and_start();
    b.ok(&I, json!({"type": "kick", "player_id": "bo"}));
    // A plain kick: the same name may come back (a new seat).
    b.join_as("bo-again", "bo");
    b.ok(&I, json!({"type": "kick", "player_id": "bo-again", "ban": true}));
    let again = |b: &Bench, name: &str, device: &str| {
        b.table.join(name, format!("new-{name}"), Some(device.to_string()), 40).err().map(|e| e.code)
    };
    assert_eq!(again(&b, "BO", "another device"), Some(ErrorCode::Banned), "the name, in any case");
    assert_eq!(again(&b, "Someone Else", "device-of-bo"), Some(ErrorCode::Banned), "the device");
    assert_eq!(again(&b, "Zed", "a third device"), None);
    let folded = Table::fold(&b.sc, 7, 300, &b.log);
    assert_eq!(
        (folded.banned_names, folded.banned_devices),
        (vec!["bo".to_string()], vec!["device-of-bo".to_string()])
    );
}

#[test]
fn a_kicked_player_loses_its_seat_and_its_role() {
    let mut b = Bench::three_and_start();
    for id in ["ana", "bo"] {
        b.ok(&p(id), json!({"type": "ready", "round": 1}));
    }
    assert!(!b.table.all_ready());
    let changes = b.ok(&I, json!({"type": "kick", "player_id": "cy"}));
    assert_eq!(changes, vec![Change::Seat(2)]);
    assert!(b.table.seat("cy").is_none());
    assert!(b.table.all_ready(), "East has nobody left: the others decide");
    b.refused(&p("cy"), json!({"type": "say", "to": "all", "text": "still here?"}), ErrorCode::NotJoined);
    b.refused(&I, json!({"type": "kick", "player_id": "cy"}), ErrorCode::UnknownPlayer);
}

#[test]
fn a_player_reads_its_teams_messages_only_from_when_it_joined_the_team() {
    let mut b = Bench::three_and_start();
    b.ok(&p("ana"), json!({"type": "say", "to": "north", "text": "our secret plan"}));
    b.ok(&p("bo"), json!({"type": "say", "to": ["north", "east"], "text": "an offer"}));
    b.ok(&p("cy"), json!({"type": "say", "to": "all", "text": "hello everyone"}));
    b.join("eve");
    b.ok(&I, json!({"type": "assign_role", "player_id": "eve", "role": "north"}));
    b.ok(&p("ana"), json!({"type": "say", "to": "north", "text": "welcome, eve"}));
    b.ok(&I, json!({"type": "say", "to": "south", "text": "a word from the teacher"}));
    let read =
        |b: &Bench, who: &Viewer| -> Vec<String> { b.table.history_for(who, 100).map(|m| m.text.clone()).collect() };
    assert_eq!(read(&b, &p("eve")), vec!["hello everyone", "welcome, eve"]);
    assert_eq!(read(&b, &p("ana")), vec!["our secret plan", "an offer", "hello everyone", "welcome, eve"]);
    assert_eq!(read(&b, &p("bo")), vec!["an offer", "hello everyone", "a word from the teacher"]);
    assert_eq!(read(&b, &p("cy")), vec!["an offer", "hello everyone"]);
    assert_eq!(read(&b, &Viewer::Spectator), vec!["hello everyone"]);
    assert_eq!(read(&b, &I).len(), 5);
    assert_eq!(b.table.history_for(&p("ana"), 2).count(), 2, "the most recent, at most the limit");
}

#[test]
fn press_and_names_are_checked() {
    let mut b = Bench::three_and_start();
    for text in [
        "",
        "   ",
        "a\u{0}b",
        "bell\u{7}",
        "right\u{202E}left",
        "zero\u{200B}width",
        "Z\u{0351}\u{0352}\u{0353}\u{0354}algo",
    ] {
        b.refused(&p("ana"), json!({"type": "say", "to": "all", "text": text}), ErrorCode::BadRequest);
    }
    b.refused(&p("ana"), json!({"type": "say", "to": "all", "text": "x".repeat(MAX_TEXT + 1)}), ErrorCode::TooLarge);
    b.refused(&p("ana"), json!({"type": "say", "to": [], "text": "to nobody"}), ErrorCode::BadRequest);
    b.refused(&p("ana"), json!({"type": "say", "to": "atlantis", "text": "hi"}), ErrorCode::UnknownRole);
    b.refused(&Viewer::Spectator, json!({"type": "say", "to": "all", "text": "hi"}), ErrorCode::NotJoined);
    b.ok(&p("ana"), json!({"type": "say", "to": "all", "text": "two\nlines"}));
    // Without a role, to everyone only: a private line would reach a team as if from nowhere.
    b.join("dee");
    b.refused(&p("dee"), json!({"type": "say", "to": "north", "text": "psst"}), ErrorCode::NoRole);
    b.refused(&p("dee"), json!({"type": "say", "to": ["north", "east"], "text": "psst"}), ErrorCode::NoRole);
    b.ok(&p("dee"), json!({"type": "say", "to": "all", "text": "hello, may I join a team?"}));
    // Vietnamese stacks two accents on a letter (decomposed here): fine, in a name and in press.
    b.ok(&p("ana"), json!({"type": "say", "to": "all", "text": "Vie\u{0323}\u{0302}t Nam"}));
    assert!(clean_name("Nguye\u{0303}\u{0302}n").is_ok());
    for name in [
        "Instructor",
        "teacher",
        "Bot (South)",
        "ADMIN 2",
        "",
        "a\u{202E}b",
        &"n".repeat(MAX_NAME + 1),
        "A\u{0351}\u{0352}\u{0353}\u{0354}na",
    ] {
        assert!(clean_name(name).is_err(), "{name:?} is refused");
    }
    // A staff title anywhere in the name, in the client's four languages.
    for name in
        ["Ms Teacher", "the instructor", "Багш", "Бат багш", "Учитель", "Анна Учительница", "王老师", "教师", "管理员"]
    {
        assert!(clean_name(name).is_err(), "{name:?} is refused");
    }
    for name in ["Bolor", "Ana-Maria", "Бат", "明", "Botagoz", "Teachers' Pet", "Багшийн охин", "王老大"]
    {
        assert_eq!(clean_name(&format!("  {name} ")).as_deref(), Ok(name));
    }
    // A name another student here has, in any case: refused; once that student is removed, free.
    let taken = b.table.join("ANA", "ana2".into(), None, 40).err().map(|e| e.code);
    assert_eq!(taken, Some(ErrorCode::BadName), "ana is taken");
    b.ok(&I, json!({"type": "kick", "player_id": "ana"}));
    b.commit(vec![b.table.join("Ana", "ana2".into(), None, 40).expect("the name is free again")]);
    // One form for every keyboard: an accent typed as its own mark is the same name (NFC).
    assert_eq!(clean_name("Jose\u{0301}").as_deref(), Ok("Jos\u{e9}"));
    b.commit(vec![b.table.join("Jos\u{e9}", "jose".into(), None, 40).expect("a new name")]);
    let twin = b.table.join("JOSE\u{0301}", "jose2".into(), None, 40).err().map(|e| e.code);
    assert_eq!(twin, Some(ErrorCode::BadName), "José typed another way is José");
}

#[test]
fn a_full_table_refuses_more_students() {
    let mut b = Bench::new();
    for i in 0..3 {
        let event = b.table.join(&format!("s{i}"), format!("s{i}"), None, 3).expect("room left");
        b.commit(vec![event]);
    }
    let full = b.table.join("late", "late".into(), None, 3).err().map(|e| e.code);
    assert_eq!(full, Some(ErrorCode::TableFull));
    b.ok(&I, json!({"type": "add_bot", "role": "east"}));
    b.ok(&I, json!({"type": "end"}));
    assert_eq!(b.table.join("late", "late".into(), None, 40).err().map(|e| e.code), Some(ErrorCode::WrongPhase));
}

#[test]
fn the_fold_of_the_log_is_the_live_table() {
    let mut b = Bench::three_and_start();
    b.ok(&p("ana"), json!({"type": "set_orders", "round": 1, "orders": [{"move": "trade_pact"}]}));
    b.ok(&p("bo"), json!({"type": "set_orders", "round": 1, "orders": [{"move": "trade_pact"}]}));
    b.ok(&p("bo"), json!({"type": "say", "to": "east", "text": "psst"}));
    for id in ["ana", "bo", "cy"] {
        b.ok(&p(id), json!({"type": "ready", "round": 1}));
    }
    b.resolve();
    b.ok(&p("bo"), json!({"type": "set_orders", "round": 2, "orders": [{"move": "protest"}]}));
    b.ok(&p("bo"), json!({"type": "ready", "round": 2}));
    b.ok(&I, json!({"type": "inject_event", "event": "vote"}));
    b.now += 10_000;
    b.ok(&I, json!({"type": "pause"}));
    let folded = Table::fold(&b.sc, 7, 300, &b.log);
    assert_eq!(folded.state, b.table.state);
    assert_eq!(folded.phase, b.table.phase);
    assert_eq!(folded.clock, b.table.clock);
    assert_eq!(folded.drafts, b.table.drafts);
    assert_eq!(folded.ready, b.table.ready);
    assert_eq!(folded.seats, b.table.seats);
    assert_eq!(folded.messages, b.table.messages);
    assert_eq!((folded.students_said, b.table.students_said), (1, 1), "the students' messages, all told");
    assert_eq!(folded.last_round, b.table.last_round);
    assert_eq!(folded.seq, b.table.seq);
    assert!(folded.errors.is_empty());
}

#[test]
fn a_log_that_does_not_replay_is_reported_not_obeyed() {
    let mut b = Bench::three_and_start();
    let mut resolution = b.table.resolution(&b.sc, b.now);
    if let LogEvent::RoundResolved { state_hash, .. } = &mut resolution[0] {
        *state_hash = "0".repeat(64);
    }
    b.commit(resolution);
    b.commit(vec![LogEvent::OrdersSet {
        round: 2,
        role: "north".into(),
        player_id: None,
        orders: vec![crate::log::OrderRef { mv: "no_such_move".into(), target: None }],
    }]);
    b.commit(vec![LogEvent::RoleSet { player_id: "ghost".into(), role: None, by_instructor: true }]);
    let messages: Vec<&str> = b.table.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains("state hash mismatch"));
    assert!(messages[1].contains("no_such_move"));
    assert!(messages[2].contains("ghost"));
    assert_eq!(b.table.state.round, 2, "the round still counts as played");
}
