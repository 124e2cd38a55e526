//! nginx (Debian's) with `deploy/nginx.conf` in front of two game nodes on one PostgreSQL: one
//! whole game played through the proxy — HTTP to any node, every seat routed by its hint
//! (`/ws?route=<code>`), a `wrong_node` followed to the named node as the bundled client does —
//! then a second game whose node is killed mid-round: its clients reconnect through the proxy,
//! by the hint alone, to the other node, which takes the game over.
//!
//! Needs nginx and PostgreSQL: skipped with a printed reason without them, except in CI.

use crate::common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::{http, pg, plan, test_dir, ChildServer, TestClient, ROLES};

/// nginx in the foreground on a free port, with `deploy/nginx.conf` pointed at the nodes.
struct Proxy {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].iter().map(PathBuf::from).find(|p| p.exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl Proxy {
    fn start(nginx: &Path, dir: &Path, a: SocketAddr, b: SocketAddr) -> Proxy {
        let port = free_port();
        let conf = std::fs::read_to_string("deploy/nginx.conf").expect("deploy/nginx.conf");
        let logs = dir.display();
        let conf = conf
            .replace("node-a:8080", &a.to_string())
            .replace("node-b:8080", &b.to_string())
            .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
            .replace("/var/log/nginx/access.log", &format!("{logs}/access.log"))
            .replace("/var/log/nginx/error.log", &format!("{logs}/error.log"));
        assert!(conf.contains(&format!("listen 127.0.0.1:{port};")), "the config listens where the test expects");
        let path = dir.join("nginx.conf");
        std::fs::write(&path, conf).expect("write nginx.conf");
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&path)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-g")
            .arg(format!("daemon off; master_process off; pid {}/nginx.pid;", dir.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start nginx");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start: {}", read(&dir.join("error.log")));
            std::thread::sleep(Duration::from_millis(50));
        }
        Proxy { child, addr }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A seat taken through the proxy as the bundled client takes it (`client/net.js`): routed by
/// `route`; told `wrong_node`, it reconnects once asking for the named node. Returns the client
/// and whether it was redirected.
async fn seat(proxy: SocketAddr, route: &str, hello: Value) -> (TestClient, bool) {
    let mut c = TestClient::connect_url(&format!("ws://{proxy}/ws?route={route}")).await;
    match c.request(hello.clone()).await {
        Ok(_) => (c, false),
        Err(e) if e["code"] == "wrong_node" => {
            let node = e["node"].as_str().expect("the owner is named");
            let mut c = TestClient::connect_url(&format!("ws://{proxy}/ws?route={route}&node={node}")).await;
            c.request(hello).await.expect("the named node seats it");
            (c, true)
        }
        Err(e) => panic!("{hello}: {e}"),
    }
}

/// Creates a game through the proxy; returns its id and code.
async fn create(proxy: SocketAddr, key: &str, seed: u64) -> (String, String) {
    let body = json!({"scenario": "tutorial", "seed": seed, "deadline_secs": 3600}).to_string();
    let (status, text) = http(proxy, "POST", "/api/sessions", Some(key), Some(&body)).await;
    assert_eq!(status, 201, "{text}");
    let v: Value = serde_json::from_str(&text).expect("json");
    (v["session_id"].as_str().unwrap().to_string(), v["join_code"].as_str().unwrap().to_string())
}

struct Table {
    teacher: TestClient,
    projector: TestClient,
    players: Vec<(String, TestClient, String)>,
    redirects: usize,
}

/// The instructor, a projector and four players, through the proxy; the game started.
async fn seat_table(proxy: SocketAddr, key: &str, session_id: &str, code: &str) -> Table {
    let (teacher, r0) =
        seat(proxy, session_id, json!({"type": "instructor", "session_id": session_id, "key": key})).await;
    let (projector, r1) = seat(proxy, code, json!({"type": "watch", "code": code})).await;
    let mut redirects = usize::from(r0) + usize::from(r1);
    let mut players = Vec::new();
    for role in ROLES {
        let (mut c, r) = seat(proxy, code, json!({"type": "join", "code": code, "name": role})).await;
        redirects += usize::from(r);
        let token = c.find("welcome").expect("welcome")["seat_token"].as_str().unwrap().to_string();
        c.request(json!({"type": "choose_role", "role": role})).await.expect("role");
        players.push((role.to_string(), c, token));
    }
    let mut table = Table { teacher, projector, players, redirects };
    table.teacher.request(json!({"type": "start"})).await.expect("start");
    table
}

async fn play_round(table: &mut Table) -> u64 {
    let round = table.teacher.state().await["round"].as_u64().expect("round");
    for (role, c, _) in table.players.iter_mut() {
        c.request(json!({"type": "set_orders", "round": round, "orders": plan(role)})).await.expect("orders");
        c.request(json!({"type": "ready", "round": round, "ready": true})).await.expect("ready");
    }
    common::state_where(&mut table.teacher, |s| s["round"].as_u64() != Some(round) || s["phase"] == "finished").await;
    round
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_behind_nginx_play_a_game_and_survive_a_node_killed_mid_round() {
    let Some(nginx) = nginx_binary() else {
        assert!(!pg::required(), "nginx is required in CI (apt-get install nginx)");
        eprintln!("SKIPPED: nginx is not installed (Debian's nginx runs this test)");
        return;
    };
    if pg::or_skip("two_nodes_behind_nginx_play_a_game_and_survive_a_node_killed_mid_round").is_none() {
        return;
    }
    let (dir, scenarios, _) = test_dir();
    let db = PathBuf::from(pg::fresh_database().await);
    let trusted = ["--trusted-proxies", "127.0.0.1"];
    let a = ChildServer::start_with(&db, &scenarios, &[&["--node-name", "node-a"][..], &trusted].concat());
    let key = a.key.clone().expect("first node creates the instructor");
    let b = ChildServer::start_with(&db, &scenarios, &[&["--node-name", "node-b"][..], &trusted].concat());
    let proxy = Proxy::start(&nginx, dir.path(), a.addr, b.addr);
    let p = proxy.addr;

    // The client's files and the API answer through the proxy.
    let (status, page) = http(p, "GET", "/", None, None).await;
    assert_eq!(status, 200, "{page}");

    // One whole game through the proxy.
    let (session_id, code) = create(p, &key, 21).await;
    let mut table = seat_table(p, &key, &session_id, &code).await;
    let mut rounds = 0;
    while table.teacher.state().await["phase"] != "finished" {
        play_round(&mut table).await;
        rounds += 1;
    }
    table.projector.recv_type("game_over").await;
    eprintln!(
        "through nginx: one game of {rounds} rounds to game_over; {} seats redirected by wrong_node",
        table.redirects
    );
    drop(table);

    // A second game; the node that runs it is killed mid-round.
    let (session_id, code) = create(p, &key, 22).await;
    let mut table = seat_table(p, &key, &session_id, &code).await;
    play_round(&mut table).await;
    let round = table.teacher.state().await;
    let deadline = round["deadline_at"].as_i64().expect("deadline");
    let (mover, rest) = table.players.split_at_mut(1);
    mover[0].1.request(json!({"type": "set_orders", "round": 2, "orders": plan("mongolia")})).await.expect("draft");
    rest[0].1.request(json!({"type": "say", "to": "all", "text": "just before"})).await.expect("say");
    // Which node runs it: the other one refuses a seat, naming it.
    let mut probe = TestClient::connect(a.addr).await;
    let owner_is_a = probe.request(json!({"type": "watch", "code": code})).await.is_ok();
    drop(probe);
    let (owner, survivor) = if owner_is_a { (a, b) } else { (b, a) };
    owner.kill();
    let killed = Instant::now();

    // Every client reconnects through the proxy by its hint (a pinned node that fails to
    // connect is dropped, as the bundled client does).
    let tokens: Vec<(String, String)> = table.players.iter().map(|(r, _, t)| (r.clone(), t.clone())).collect();
    drop(table);
    let mut players = Vec::new();
    let mut first = None;
    for (role, token) in &tokens {
        let c = loop {
            match TestClient::try_connect_url(&format!("ws://{p}/ws?route={code}")).await {
                Ok(mut c) => match c.request_or_close(json!({"type": "resume", "seat_token": token})).await {
                    Some(Ok(_)) => break c,
                    other => eprintln!("resume through the proxy: {other:?}; again"),
                },
                Err(e) => eprintln!("connect through the proxy: {e}; again"),
            }
            assert!(killed.elapsed() < Duration::from_secs(60), "no node took the game over");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        first.get_or_insert(killed.elapsed());
        players.push((role.clone(), c, token.clone()));
    }
    let (teacher, _) = seat(p, &code, json!({"type": "instructor", "session_id": session_id, "key": key})).await;
    let (projector, _) = seat(p, &code, json!({"type": "watch", "code": code})).await;
    let mut table = Table { teacher, projector, players, redirects: 0 };
    let state = table.teacher.state().await;
    assert_eq!(state["round"], 2, "{state}");
    assert_eq!(state["deadline_at"].as_i64(), Some(deadline), "the deadline holds");
    let moves = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().map(|o| o["move"].as_str().unwrap_or_default().to_string()).collect()
    };
    assert_eq!(moves(&state["orders"]["mongolia"]), moves(&plan("mongolia")), "the acknowledged draft is there");
    assert!(table.projector.saw("just before") || table.teacher.saw("just before"), "the acknowledged press is there");
    eprintln!(
        "through nginx: the surviving node owned the game {:.0} ms after the kill",
        first.expect("resumed").as_secs_f64() * 1000.0
    );
    while table.teacher.state().await["phase"] != "finished" {
        play_round(&mut table).await;
    }
    let (status, text) = http(p, "GET", &format!("/api/sessions/{session_id}/replay"), Some(&key), None).await;
    assert_eq!(status, 200);
    let replay: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(replay["ok"], true, "{}", replay["errors"]);
    drop((survivor, proxy, dir));
}
