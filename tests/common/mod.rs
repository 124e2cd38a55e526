//! Shared helpers for the server tests: `spawn_app()` runs the real server on a free port with a
//! fresh SQLite file (zero2prod style) — or, with `THIRD_NEIGHBOR_TEST_STORE=postgres`, a fresh
//! database on a throwaway PostgreSQL (`pg`); `TestClient` is a tokio-tungstenite client that
//! records every frame it receives, so that tests can check what a socket did (and did not) see.

pub(crate) mod acked;
pub(crate) mod pg;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use third_neighbor::config::Config;
use third_neighbor::server;

/// How long a test waits for a frame it expects before failing.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// The tutorial's four roles.
pub(crate) const ROLES: [&str; 4] = ["mongolia", "russia", "china", "us"];

const TUTORIAL: &str = include_str!("tutorial.toml");
/// The tutorial with a track only Russia sees and an event an instructor can inject.
const LAB: &str = include_str!("lab.toml");
/// Translations of the two with marker texts: every text is `[<lang>] <key>`, so that a test sees
/// which language (and which key) a frame's text came from. `tutorial.ru.toml` lacks `title` and
/// has a stale `summary` (English is served for both).
pub(crate) const TRANSLATIONS: [(&str, &str); 6] = [
    ("tutorial.mn.toml", include_str!("tutorial.mn.toml")),
    ("tutorial.ru.toml", include_str!("tutorial.ru.toml")),
    ("tutorial.zh.toml", include_str!("tutorial.zh.toml")),
    ("lab.mn.toml", include_str!("lab.mn.toml")),
    ("lab.ru.toml", include_str!("lab.ru.toml")),
    ("lab.zh.toml", include_str!("lab.zh.toml")),
];

pub(crate) struct TestApp {
    pub addr: SocketAddr,
    /// The running server's state (its store, to add instructors or check rows).
    pub app: server::App,
    pub instructor_key: String,
    pub db_path: PathBuf,
    pub dir: TempDir,
    /// The configuration it runs with (kept for restarts).
    pub config: Config,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// A temporary folder with the test scenarios and a database path inside it.
pub(crate) fn test_dir() -> (TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir_all(&scenarios).expect("scenario dir");
    std::fs::write(scenarios.join("tutorial.toml"), TUTORIAL).expect("write tutorial");
    std::fs::write(scenarios.join("lab.toml"), LAB).expect("write lab");
    for (name, text) in TRANSLATIONS {
        std::fs::write(scenarios.join(name), text).expect("write a translation");
    }
    let db = dir.path().join("data").join("test.db");
    (dir, scenarios, db)
}

/// The test configuration: the test scenarios, a fresh database, an ephemeral port.
pub(crate) fn test_config(scenarios: PathBuf, db: PathBuf) -> Config {
    Config { addr: SocketAddr::from(([127, 0, 0, 1], 0)), db, scenarios: Some(scenarios), ..Config::default() }
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Whether the server tests run on PostgreSQL (`THIRD_NEIGHBOR_TEST_STORE=postgres`) rather
/// than SQLite.
pub(crate) fn on_postgres() -> bool {
    std::env::var("THIRD_NEIGHBOR_TEST_STORE").is_ok_and(|s| s.eq_ignore_ascii_case("postgres"))
}

/// The database a test server uses: the SQLite file `sqlite`, or on PostgreSQL a fresh
/// database's URL.
pub(crate) async fn test_db(sqlite: PathBuf) -> PathBuf {
    if on_postgres() {
        PathBuf::from(pg::fresh_database().await)
    } else {
        sqlite
    }
}

/// A game node in this runtime on a database other nodes may share (`db`, a `postgres://` URL),
/// called `node`. `instructor_key` is the first start's key, else empty.
pub(crate) async fn spawn_node(db: PathBuf, node: &str) -> TestApp {
    let (dir, scenarios, _) = test_dir();
    let mut config = test_config(scenarios, db);
    config.node = node.to_string();
    serve_in_this_runtime(config, dir).await
}

/// Runs the server in this runtime, after `adjust` has changed its configuration.
pub(crate) async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (dir, scenarios, db) = test_dir();
    let db = test_db(db).await;
    let mut config = test_config(scenarios, db);
    adjust(&mut config);
    let app = serve_in_this_runtime(config, dir).await;
    assert!(!app.instructor_key.is_empty(), "the first start creates an instructor");
    app
}

/// Opens the server on `config`, listens on a free port and runs it on a task of this runtime
/// until the `TestApp` is stopped or dropped. `dir` holds the test's files for as long.
async fn serve_in_this_runtime(config: Config, dir: TempDir) -> TestApp {
    let db = config.db.clone();
    let startup = server::App::open(config.clone()).await.expect("server starts");
    let instructor_key = startup.default_instructor_key.clone().unwrap_or_default();
    let listener = tokio::net::TcpListener::bind(config.addr).await.expect("bind");
    let mut addr = listener.local_addr().expect("addr");
    if addr.ip().is_unspecified() {
        addr.set_ip([127, 0, 0, 1].into());
    }
    let app = startup.app.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        server::run(listener, startup.app, shutdown).await.expect("server runs");
    });
    TestApp { addr, app, instructor_key, db_path: db, dir, config, stop: Some(stop), task: Some(task) }
}

impl TestApp {
    /// Shuts the server down gracefully and waits until it has stopped.
    pub(crate) async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(20), task).await.expect("shutdown in time").expect("server task");
        }
    }

    /// A raw HTTP/1.1 request; returns the status and the body.
    pub(crate) async fn http(&self, method: &str, path: &str, key: Option<&str>, body: Option<&str>) -> (u16, String) {
        http(self.addr, method, path, key, body).await
    }

    /// Creates a session as the default instructor; returns (session_id, join_code).
    pub(crate) async fn create_session(&self, body: Value) -> (String, String) {
        let (status, text) =
            self.http("POST", "/api/sessions", Some(&self.instructor_key), Some(&body.to_string())).await;
        assert_eq!(status, 201, "create session: {text}");
        let v: Value = serde_json::from_str(&text).expect("json");
        (v["session_id"].as_str().expect("id").to_string(), v["join_code"].as_str().expect("code").to_string())
    }

    pub(crate) async fn client(&self) -> TestClient {
        TestClient::connect(self.addr).await
    }

    /// Creates a class as the default instructor; returns (class_id, join_code).
    pub(crate) async fn create_class(&self, body: Value) -> (String, String) {
        let (status, text) =
            self.http("POST", "/api/classes", Some(&self.instructor_key), Some(&body.to_string())).await;
        assert_eq!(status, 201, "create class: {text}");
        let v: Value = serde_json::from_str(&text).expect("json");
        (v["class_id"].as_str().expect("id").to_string(), v["join_code"].as_str().expect("code").to_string())
    }

    /// The class's console, after its first `class_state`.
    pub(crate) async fn class_console(&self, class_id: &str) -> TestClient {
        let mut c = self.client().await;
        c.request(json!({"type": "instructor", "class_id": class_id, "key": self.instructor_key}))
            .await
            .expect("class console");
        c
    }

    /// The instructor's connection to a session, after its first `state`.
    pub(crate) async fn instructor(&self, session_id: &str) -> TestClient {
        let mut c = self.client().await;
        c.request(json!({"type": "instructor", "session_id": session_id, "key": self.instructor_key}))
            .await
            .expect("instructor seat");
        c
    }

    /// A student who joined; returns the client and its seat token.
    pub(crate) async fn join(&self, code: &str, name: &str) -> (TestClient, String) {
        let mut c = self.client().await;
        c.request(json!({"type": "join", "code": code, "name": name})).await.expect("join");
        let welcome = c.find("welcome").expect("welcome before ack");
        let token = welcome["seat_token"].as_str().expect("seat token").to_string();
        (c, token)
    }

    /// A student who joined and chose `role`.
    pub(crate) async fn player(&self, code: &str, name: &str, role: &str) -> (TestClient, String) {
        let (mut c, token) = self.join(code, name).await;
        c.request(json!({"type": "choose_role", "role": role})).await.expect("choose role");
        (c, token)
    }

    pub(crate) async fn spectator(&self, code: &str) -> TestClient {
        let mut c = self.client().await;
        c.request(json!({"type": "watch", "code": code})).await.expect("watch");
        c
    }
}

/// A raw HTTP/1.1 request to `addr` (one request per connection).
pub(crate) async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let body = body.unwrap_or("");
    let auth = key.map(|k| format!("Authorization: Bearer {k}\r\n")).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response)).await.expect("response in time").expect("read");
    let response = String::from_utf8_lossy(&response).to_string();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    // Bodies may come chunked; the tests' bodies are small, so undo that simply.
    let body = if response.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(&body) } else { body };
    (status, body)
}

/// A raw HTTP/1.1 `GET` with extra header lines (each ending in `\r\n`); returns the status, the
/// response's head (its status line and headers) and the body.
pub(crate) async fn http_get(addr: SocketAddr, path: &str, key: Option<&str>, headers: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let auth = key.map(|k| format!("Authorization: Bearer {k}\r\n")).unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}{headers}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response)).await.expect("response in time").expect("read");
    let response = String::from_utf8_lossy(&response).to_string();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    let (head, body) = response
        .split_once("\r\n\r\n")
        .map_or((response.clone(), String::new()), |(h, b)| (h.to_string(), b.to_string()));
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(&body) } else { body };
    (status, head, body)
}

/// A response header's value (the first of that name, any case).
pub(crate) fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
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

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A WebSocket client that keeps every text frame it received, and the session as its frames
/// so far describe it: the last `state` with every later small frame (`draft`, `role_ready`,
/// `player`, `player_removed`, `clock`) applied, as the bundled client does.
pub(crate) struct TestClient {
    pub ws: Ws,
    /// Every text frame received, in order.
    pub seen: Vec<String>,
    /// Frames received but not yet consumed by `recv`.
    pending: std::collections::VecDeque<Value>,
    next_id: u64,
    /// The session as the frames consumed so far describe it (`Null` before the first `state`).
    pub view: Value,
}

impl TestClient {
    pub(crate) async fn connect(addr: SocketAddr) -> TestClient {
        TestClient::connect_url(&format!("ws://{addr}/ws")).await
    }

    /// A client on any `ws://` URL (a proxy's, with a routing hint).
    pub(crate) async fn connect_url(url: &str) -> TestClient {
        TestClient::try_connect_url(url).await.expect("websocket connect")
    }

    /// [`TestClient::connect_url`], or why it failed (a proxy whose node is gone answers 502).
    pub(crate) async fn try_connect_url(url: &str) -> Result<TestClient, String> {
        let (ws, _) = tokio_tungstenite::connect_async(url).await.map_err(|e| e.to_string())?;
        Ok(TestClient { ws, seen: Vec::new(), pending: Default::default(), next_id: 0, view: Value::Null })
    }

    pub(crate) async fn send(&mut self, v: Value) {
        self.ws.send(Message::text(v.to_string())).await.expect("send");
    }

    pub(crate) async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text.to_string())).await.expect("send");
    }

    /// The next frame from the socket (not the pending queue); `None` on close.
    async fn read(&mut self) -> Option<Value> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next()).await.expect("a frame in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    self.seen.push(text.to_string());
                    return Some(serde_json::from_str(text.as_str()).expect("server sends JSON"));
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => {}
            }
        }
    }

    /// The next frame (applied to [`TestClient::view`]).
    pub(crate) async fn recv(&mut self) -> Value {
        let v = match self.pending.pop_front() {
            Some(v) => v,
            None => self.read().await.expect("socket open"),
        };
        apply_frame(&mut self.view, &v);
        v
    }

    /// Skips frames until one matches.
    pub(crate) async fn recv_until(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self.recv().await;
            if pred(&v) {
                return v;
            }
            let _ = what;
        }
    }

    /// The next frame of this type.
    pub(crate) async fn recv_type(&mut self, ty: &str) -> Value {
        self.recv_until(ty, |v| v["type"] == ty).await
    }

    /// Sends a frame with a fresh id and waits for its `ack` (Ok) or `error` (Err). Frames
    /// received meanwhile stay available to `recv` and `find`.
    pub(crate) async fn request(&mut self, mut v: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = format!("r{}", self.next_id);
        v["id"] = Value::from(id.clone());
        self.send(v).await;
        let mut skipped = Vec::new();
        let answer = loop {
            let frame = match self.pending.pop_front() {
                Some(v) => v,
                None => self.read().await.unwrap_or_else(|| panic!("socket closed while waiting for {id}")),
            };
            if frame["re"] == id.as_str() && (frame["type"] == "ack" || frame["type"] == "error") {
                break frame;
            }
            skipped.push(frame);
        };
        for frame in skipped.into_iter().rev() {
            self.pending.push_front(frame);
        }
        if answer["type"] == "ack" {
            Ok(answer)
        } else {
            Err(answer)
        }
    }

    /// Sends a frame that must be refused; returns its error code.
    pub(crate) async fn refused(&mut self, v: Value) -> String {
        match self.request(v.clone()).await {
            Ok(_) => panic!("accepted: {v}"),
            Err(e) => e["code"].as_str().expect("code").to_string(),
        }
    }

    /// The last received (pending) frame of this type, without waiting.
    pub(crate) fn find(&self, ty: &str) -> Option<Value> {
        self.pending.iter().rev().find(|v| v["type"] == ty).cloned()
    }

    /// Drops the frames received so far from the pending queue (they still update the view).
    pub(crate) fn clear(&mut self) {
        for v in self.pending.drain(..) {
            apply_frame(&mut self.view, &v);
        }
    }

    /// The session as the frames received so far describe it (consuming them up to the last one
    /// that changes it; later frames stay pending), waiting for a first `state` if none came yet.
    pub(crate) async fn state(&mut self) -> Value {
        if let Some(last) = self.pending.iter().rposition(changes_view) {
            for v in self.pending.drain(..=last) {
                apply_frame(&mut self.view, &v);
            }
        }
        if self.view.is_null() {
            self.recv_type("state").await;
        }
        self.view.clone()
    }

    /// Round-trips a `ping`: everything the server queued for us before it has arrived after.
    pub(crate) async fn sync(&mut self) {
        self.request(json!({"type": "ping"})).await.expect("pong");
    }

    /// Every frame received so far, parsed, in order.
    pub(crate) fn frames(&self) -> Vec<Value> {
        self.seen.iter().filter_map(|f| serde_json::from_str(f).ok()).collect()
    }

    /// Whether any received frame contains `needle`.
    pub(crate) fn saw(&self, needle: &str) -> bool {
        self.seen.iter().any(|f| f.contains(needle))
    }

    /// Reads until the server closes; returns the close code (None if the socket just ended).
    pub(crate) async fn closed(&mut self) -> Option<u16> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next()).await.expect("close in time");
            match frame {
                Some(Ok(Message::Text(text))) => self.seen.push(text.to_string()),
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                None | Some(Err(_)) => return None,
            }
        }
    }
}

/// Waits until `pred` holds for the client's view of the session (its last `state` with the
/// small frames since applied), checking after every frame that changes it.
pub(crate) async fn state_where(c: &mut TestClient, pred: impl Fn(&Value) -> bool) -> Value {
    if !c.view.is_null() && pred(&c.view) {
        return c.view.clone();
    }
    loop {
        let v = c.recv().await;
        if changes_view(&v) && !c.view.is_null() && pred(&c.view) {
            return c.view.clone();
        }
    }
}

/// Whether a frame changes the session view.
pub(crate) fn changes_view(v: &Value) -> bool {
    matches!(v["type"].as_str(), Some("state" | "draft" | "role_ready" | "player" | "player_removed" | "clock"))
}

/// Applies one frame to a session view, as the bundled client (`client/live.js`) does.
pub(crate) fn apply_frame(view: &mut Value, v: &Value) {
    match v["type"].as_str() {
        Some("state") => {
            let previous = std::mem::take(view);
            *view = v.clone();
            fill_statics(&previous, view);
        }
        _ if view.is_null() => {}
        Some("draft") => {
            if view["you"]["role"] == v["role"] {
                view["my_orders"] = v["orders"].clone();
            }
            if let (Some(orders), Some(role)) = (view.get_mut("orders"), v["role"].as_str()) {
                orders[role] = v["orders"].clone();
            }
        }
        Some("role_ready") => {
            if let Some(roles) = view["roles"].as_array_mut() {
                for r in roles.iter_mut().filter(|r| r["id"] == v["role"]) {
                    r["ready"] = v["ready"].clone();
                }
            }
            if view["you"]["role"] == v["role"] {
                view["ready"] = v["ready"].clone();
            }
        }
        Some("player") => {
            let mut player = v.clone();
            if let Some(map) = player.as_object_mut() {
                map.remove("type");
            }
            if let Some(players) = view["players"].as_array_mut() {
                match players.iter_mut().find(|p| p["player_id"] == player["player_id"]) {
                    Some(p) => *p = player,
                    None => players.push(player),
                }
            }
            regroup_roles(view);
        }
        Some("player_removed") => {
            if let Some(players) = view["players"].as_array_mut() {
                players.retain(|p| p["player_id"] != v["player_id"]);
            }
            regroup_roles(view);
        }
        Some("clock") => {
            view["deadline_at"] = v["deadline_at"].clone();
            view["remaining_secs"] = v["remaining_secs"].clone();
            view["session"]["round_secs"] = v["round_secs"].clone();
        }
        _ => {}
    }
}

/// A lean `state` leaves out the static texts of tracks and moves: keep them from the view so far.
fn fill_statics(previous: &Value, view: &mut Value) {
    for (list, keys) in
        [("tracks", &["name", "summary", "min", "max", "history"][..]), ("moves", &["summary", "essay"][..])]
    {
        let Some(items) = view[list].as_array_mut() else { continue };
        for item in items {
            let Some(old) = previous[list].as_array().and_then(|l| l.iter().find(|o| o["id"] == item["id"])) else {
                continue;
            };
            for key in keys {
                if item.get(*key).is_none() && old.get(*key).is_some() {
                    item[*key] = old[*key].clone();
                }
            }
        }
    }
    // The role's memo and private objective came with the full state of this role.
    if view["you"]["role"].is_string() && view["you"]["role"] == previous["you"]["role"] {
        for key in ["memo", "private_objective"] {
            if view["you"].get(key).is_none() && previous["you"].get(key).is_some() {
                view["you"][key] = previous["you"][key].clone();
            }
        }
    }
}

/// `roles[].players` and `roles[].bot` from `players`.
fn regroup_roles(view: &mut Value) {
    let players = view["players"].as_array().cloned().unwrap_or_default();
    if let Some(roles) = view["roles"].as_array_mut() {
        for role in roles.iter_mut() {
            let members: Vec<&Value> = players.iter().filter(|p| p["role"] == role["id"]).collect();
            role["players"] = Value::from(members.iter().map(|p| p["player_id"].clone()).collect::<Vec<_>>());
            role["bot"] = Value::from(members.iter().any(|p| p["bot"] == true));
        }
    }
}

/// Orders for one role: move ids (no targets in the tutorial).
/// A legal plan for each role of the tutorial (and the lab), the same every round: within two
/// action points, with the joint trade deal both sides order.
pub(crate) fn plan(role: &str) -> Value {
    match role {
        "mongolia" => orders(&["reach_out", "trade_deal"]),
        "russia" => orders(&["friendly_visit"]),
        "china" => orders(&["trade_deal", "investment"]),
        _ => orders(&["english_classes", "trade_framework"]),
    }
}

/// Two legal plans per role of the tutorial (within its action points), for tests that alternate
/// them round after round.
pub(crate) fn plans(role: &str) -> [Vec<&'static str>; 2] {
    match role {
        "mongolia" => [vec!["reach_out", "trade_deal"], vec!["stay_neutral"]],
        "russia" => [vec!["friendly_visit"], vec![]],
        "china" => [vec!["trade_deal", "investment"], vec!["investment"]],
        _ => [vec!["english_classes", "trade_framework"], vec!["english_classes"]],
    }
}

pub(crate) fn orders(moves: &[&str]) -> Value {
    Value::from(moves.iter().map(|m| json!({"move": m})).collect::<Vec<_>>())
}

/// Opens `/ws` by hand on a raw TCP socket (so nothing answers pings); returns the socket and
/// the status code of the handshake response.
pub(crate) async fn raw_ws(addr: SocketAddr, extra_headers: &str) -> (TcpStream, u16) {
    raw_ws_to(addr, &addr.to_string(), extra_headers).await
}

/// `raw_ws` with the handshake's `Host` set to `host` (the name a browser would have used).
pub(crate) async fn raw_ws_to(addr: SocketAddr, host: &str, extra_headers: &str) -> (TcpStream, u16) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra_headers}\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(WAIT, stream.read(&mut byte)).await.expect("response in time").expect("read");
        if n == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    (stream, status)
}

/// Reads a raw socket to its end; returns everything read.
pub(crate) async fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut out)).await.expect("the server closes in time");
    out
}

impl TestClient {
    /// Whether a frame already received (and not consumed) matches.
    pub(crate) fn pending_has(&self, pred: impl Fn(&Value) -> bool) -> bool {
        self.pending.iter().any(pred)
    }
}

impl TestApp {
    /// Stops the server gracefully and starts a new one on the same database (a new port).
    pub(crate) async fn restart(&mut self) {
        self.stop().await;
        let startup = server::App::open(self.config.clone()).await.expect("server restarts");
        assert!(startup.default_instructor_key.is_none(), "the instructor is kept");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        self.addr = listener.local_addr().expect("addr");
        self.app = startup.app.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        self.stop = Some(stop);
        self.task = Some(tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            server::run(listener, startup.app, shutdown).await.expect("server runs");
        }));
    }
}

/// Freezes tokio's clock for a test of deadlines: time moves only by `tokio::time::advance`.
///
/// `tokio::time::pause()` alone lets the clock jump ahead whenever the runtime is idle, which it
/// is while SQLite works on its own thread; a blocking task in flight stops those jumps.
pub(crate) struct FrozenClock {
    _release: std::sync::mpsc::Sender<()>,
}

pub(crate) fn freeze_clock() -> FrozenClock {
    let (release, wait) = std::sync::mpsc::channel::<()>();
    tokio::task::spawn_blocking(move || {
        let _ = wait.recv();
    });
    tokio::time::pause();
    FrozenClock { _release: release }
}

/// Fails the test process if it runs longer than `limit` (a frozen clock disables timeouts).
pub(crate) fn watchdog(limit: Duration) -> std::sync::mpsc::Sender<()> {
    let (done, wait) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(limit) {
            eprintln!("watchdog: the test did not finish within {limit:?}");
            std::process::exit(101);
        }
    });
    done
}

impl TestClient {
    /// Sends a frame with a fresh id; `None` if the socket closes (or cannot send) before the
    /// answer, else `Ok(ack)` or `Err(error code)`. For clients that expect to be cut off.
    pub(crate) async fn request_or_close(&mut self, mut v: Value) -> Option<Result<Value, String>> {
        self.next_id += 1;
        let id = format!("r{}", self.next_id);
        v["id"] = Value::from(id.clone());
        if self.ws.send(Message::text(v.to_string())).await.is_err() {
            return None;
        }
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next()).await.expect("an answer or a close in time");
            let text = match frame {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            };
            self.seen.push(text.to_string());
            let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else { continue };
            if frame["re"] == id.as_str() {
                return match frame["type"].as_str() {
                    Some("ack") => Some(Ok(frame)),
                    _ => Some(Err(frame["code"].as_str().unwrap_or_default().to_string())),
                };
            }
        }
    }
}

/// The server binary in a child process (for `kill -9` and for its own memory figures).
pub(crate) struct ChildServer {
    pub child: std::process::Child,
    pub addr: SocketAddr,
    /// The `default` instructor's key, when this start created it.
    pub key: Option<String>,
}

impl ChildServer {
    /// Starts `third-neighbor serve` on a free port and reads its address (and first-start key)
    /// from standard output.
    pub(crate) fn start(db: &std::path::Path, scenarios: &std::path::Path) -> ChildServer {
        ChildServer::start_with(db, scenarios, &[])
    }

    /// [`ChildServer::start`] with more arguments (`--node-name a`, say).
    pub(crate) fn start_with(db: &std::path::Path, scenarios: &std::path::Path, extra: &[&str]) -> ChildServer {
        ChildServer::start_binary(std::path::Path::new(env!("CARGO_BIN_EXE_third-neighbor")), db, scenarios, extra)
    }

    /// [`ChildServer::start_with`] for another build of the server (an older one, say).
    pub(crate) fn start_binary(
        binary: &std::path::Path,
        db: &std::path::Path,
        scenarios: &std::path::Path,
        extra: &[&str],
    ) -> ChildServer {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(binary)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .arg("--db")
            .arg(db)
            .arg("--scenarios")
            .arg(scenarios)
            .args(extra)
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("start the server binary");
        let stdout = child.stdout.take().expect("stdout");
        let mut key = None;
        let mut addr = None;
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.expect("read stdout");
            if let Some(k) = line.split_whitespace().find(|w| w.starts_with("ik_")) {
                key = Some(k.to_string());
            }
            if let Some(a) = line.strip_prefix("listening on http://") {
                addr = Some(a.trim().parse().expect("address"));
                break;
            }
        }
        ChildServer { child, addr: addr.expect("the server prints its address"), key }
    }

    /// The child's resident memory in KiB (Linux).
    pub(crate) fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }

    /// `kill -9`, and waits for the process to be gone.
    pub(crate) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildServer {
    /// Also when a test fails: no server outlives its test.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
