//! Replay benchmark: prints figures, asserts nothing (these machines are shared and noisy).
//!
//!     cargo bench --bench replay
//!
//! Targets from the replay issue: rebuilding a stored 6-round game with 500 messages ≤ 5 ms;
//! listing 10,000 stored games ≤ 50 ms. Both are measured end to end through the real server
//! (HTTP request → SQLite → engine → JSON → response) on a temporary database, and the pure
//! rebuild (the engine's share) on its own.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use third_neighbor::bots::{choose_orders, Policy};
use third_neighbor::config::Config;
use third_neighbor::engine::{resolve_round, GameState, RoundOrders, Scenario};
use third_neighbor::log::{EventRow, LogEvent, OrderRef, Sender};
use third_neighbor::replay::{self, Lens, Meta};
use third_neighbor::scenario::{self, Loaded};
use third_neighbor::server::{self, secret};
use third_neighbor::store::{NewSession, Op};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MESSAGES: usize = 500;
const STORED_GAMES: usize = 10_000;
const SEED: u64 = 42;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A whole game's log as the server writes it: joins, the start, per round the drafts, a share
/// of the messages (to all, to a role, to two roles) and the resolution with its hash.
fn game_log(sc: &Scenario) -> Vec<EventRow> {
    let mut log = Vec::new();
    let mut push = |event: LogEvent| {
        let seq = log.len() as i64 + 1;
        log.push(EventRow { seq, at: 1_764_300_000_000 + seq * 1000, event });
    };
    push(LogEvent::Created {
        scenario: sc.id.clone(),
        scenario_hash: String::new(),
        seed: SEED,
        deadline_secs: 300,
        class: None,
    });
    for role in &sc.roles {
        push(LogEvent::PlayerJoined {
            player_id: format!("p-{}", role.id),
            name: format!("student {}", role.id),
            device: None,
        });
        push(LogEvent::RoleSet {
            player_id: format!("p-{}", role.id),
            role: Some(role.id.clone()),
            by_instructor: false,
        });
    }
    push(LogEvent::Started);
    let mut state = GameState::new(sc, SEED);
    let rounds = sc.round_count() as usize;
    let mut said = 0;
    for round in 1..=rounds {
        let orders: RoundOrders = sc.role_ids().map(|r| choose_orders(sc, &state, r, Policy::Greedy, SEED)).collect();
        let stored: Vec<Vec<OrderRef>> = orders
            .iter()
            .map(|list| {
                list.iter()
                    .map(|o| OrderRef {
                        mv: sc.moves[o.mv].id.clone(),
                        target: o.target.map(|t| sc.targets[t].id.clone()),
                    })
                    .collect()
            })
            .collect();
        while said < MESSAGES * round / rounds {
            let from = &sc.roles[said % sc.roles.len()];
            let to = match said % 3 {
                0 => None,
                1 => Some(vec![sc.roles[(said + 1) % sc.roles.len()].id.clone()]),
                _ => Some(vec![sc.roles[(said + 1) % sc.roles.len()].id.clone(), from.id.clone()]),
            };
            let text = format!(
                "message {said}: shall we {} together this round?",
                stored[0].first().map_or("talk", |o| o.mv.as_str())
            );
            let sender = Sender {
                player_id: Some(format!("p-{}", from.id)),
                name: format!("student {}", from.id),
                role: Some(from.id.clone()),
            };
            push(LogEvent::Said { from: sender, to, text, at: 0 });
            said += 1;
        }
        for (r, list) in stored.iter().enumerate() {
            let role = sc.roles[r].id.clone();
            push(LogEvent::OrdersSet {
                round: round as u32,
                role: role.clone(),
                player_id: None,
                orders: list.clone(),
            });
            push(LogEvent::ReadySet { round: round as u32, role, player_id: None, ready: true });
        }
        let (next, _) = resolve_round(sc, &state, &orders);
        let hash = next.hash(sc);
        let by_role = sc.roles.iter().map(|r| r.id.clone()).zip(stored).collect();
        push(LogEvent::RoundResolved { round: round as u32, orders: by_role, state_hash: hash });
        state = next;
    }
    log
}

async fn get(addr: SocketAddr, path: &str, key: &str) -> (Duration, usize) {
    let start = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let elapsed = start.elapsed();
    assert!(response.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&response[..200.min(response.len())]));
    (elapsed, response.len())
}

fn main() {
    let text = include_str!("../scenarios/mongolia-2024.toml");
    let loaded: Loaded = scenario::load_text("mongolia-2024.toml", text).expect("the main scenario");
    let sc = &loaded.scenario;
    let log = game_log(sc);
    println!("game: {} ({} rounds, {} events in the log, {MESSAGES} messages)", sc.id, sc.round_count(), log.len());

    // The engine's share: fold the log, check every hash, build the declassified view.
    let rebuilt = replay::rebuild(sc, SEED, &log);
    assert!(rebuilt.ok(), "{:?}", rebuilt.errors);
    let fold = median(
        (0..200)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(replay::rebuild(sc, SEED, &log));
                start.elapsed()
            })
            .collect(),
    );
    let meta = Meta {
        session_id: "bench",
        join_code: "BENCH1",
        status: "finished",
        created_at: 0,
        scenario_hash: &loaded.hash,
        log: &log,
    };
    let view = median(
        (0..200)
            .map(|_| {
                let start = Instant::now();
                let r = replay::rebuild(sc, SEED, &log);
                std::hint::black_box(
                    serde_json::to_string(&replay::view(
                        sc,
                        &r,
                        &meta,
                        Lens::Declassified,
                        third_neighbor::i18n::Lang::En,
                    ))
                    .expect("json"),
                );
                start.elapsed()
            })
            .collect(),
    );
    println!("pure rebuild (fold + 6 hash checks):           {}", ms(fold));
    println!("pure rebuild + declassified view as JSON:       {}", ms(view));

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: dir.path().join("bench.db"),
            scenarios: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()),
            ..Config::default()
        };
        let startup = server::App::open(config).await.expect("server opens");
        let key = startup.default_instructor_key.clone().expect("a first start makes an instructor");
        let store = startup.app.store().clone();
        let instructor =
            store.instructor_by_key_hash(&secret::hash(&key)).await.expect("read").expect("the instructor").id;
        let session = |id: String, code: String| {
            Op::Session(NewSession {
                id,
                instructor_id: instructor.clone(),
                join_code: code,
                scenario_id: sc.id.clone(),
                scenario_hash: loaded.hash.clone(),
                seed: SEED,
                deadline_secs: 300,
                class: None,
            })
        };
        let mut ops = vec![
            Op::ScenarioText { hash: loaded.hash.clone(), scenario_id: sc.id.clone(), text: loaded.text.clone() },
            session("the-game".into(), "GAME00".into()),
            Op::SessionStatus { id: "the-game".into(), status: "finished", round: sc.round_count() },
        ];
        ops.extend(log.iter().map(|e| Op::Event {
            session_id: "the-game".into(),
            seq: e.seq,
            at: e.at,
            event: e.event.clone(),
        }));
        store.commit(ops).await.expect("store the game");
        let fill = Instant::now();
        for chunk in (0..STORED_GAMES - 1).collect::<Vec<_>>().chunks(1000) {
            let ops = chunk
                .iter()
                .flat_map(|i| {
                    let id = format!("stored-{i:05}");
                    [session(id.clone(), format!("S{i:05}")), Op::SessionStatus { id, status: "finished", round: 6 }]
                })
                .collect();
            store.commit(ops).await.expect("store sessions");
        }
        println!("stored {STORED_GAMES} games in {}", ms(fill.elapsed()));

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = startup.app.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = server::run(listener, app, async {
                let _ = stopped.await;
            })
            .await;
        });

        let replay_path = "/api/sessions/the-game/replay";
        let (_, size) = get(addr, replay_path, &key).await;
        let mut samples = Vec::new();
        for _ in 0..100 {
            samples.push(get(addr, replay_path, &key).await.0);
        }
        println!(
            "GET replay of the stored game (declassified):   {} median ({} KiB)",
            ms(median(samples)),
            size / 1024
        );
        let mut samples = Vec::new();
        for _ in 0..100 {
            samples.push(get(addr, "/api/sessions/the-game/replay?lens=public", &key).await.0);
        }
        println!("GET replay, public lens:                         {} median", ms(median(samples)));

        let (_, size) = get(addr, "/api/sessions", &key).await;
        let mut samples = Vec::new();
        for _ in 0..30 {
            samples.push(get(addr, "/api/sessions", &key).await.0);
        }
        println!(
            "GET /api/sessions with {STORED_GAMES} games:             {} median ({} KiB)",
            ms(median(samples)),
            size / 1024
        );
        let mut samples = Vec::new();
        for _ in 0..30 {
            let start = Instant::now();
            std::hint::black_box(store.session_list_json(&instructor, None, None, "[]").await.expect("list"));
            samples.push(start.elapsed());
        }
        println!("  of which the SQLite query:                     {} median", ms(median(samples)));

        let _ = stop.send(());
        let _ = server.await;
    });
}
