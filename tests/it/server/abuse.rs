//! Abuse and faults at the socket: oversize frames, floods, a client that never reads, silent
//! clients, foreign origins. Each closes (or refuses) the culprit and nobody else notices.

use crate::common;

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::Message;

use common::{raw_ws, raw_ws_to, read_to_end, spawn_app, spawn_app_with, TestApp};

#[tokio::test]
async fn an_oversize_frame_closes_its_connection_with_1009() {
    let app = spawn_app().await;
    let (_, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let (mut bystander, _) = app.join(&code, "calm").await;
    let mut big = app.client().await;
    let text = format!(r#"{{"type":"say","to":"all","text":"{}"}}"#, "x".repeat(100 * 1024));
    big.ws.send(Message::text(text)).await.expect("send");
    assert_eq!(big.closed().await, Some(1009));
    assert!(big.saw("too_large"), "the client is told why");
    bystander.sync().await;
    // A message just under the limit is fine (and refused for its content only).
    let mut fine = app.client().await;
    let text = format!(r#"{{"type":"join","code":"{code}","name":"{}","id":"j"}}"#, "n".repeat(60 * 1024));
    fine.send_text(&text).await;
    assert_eq!(fine.recv_type("error").await["code"], "bad_name");
    fine.sync().await;
}

#[tokio::test]
async fn a_flood_is_refused_then_closed_with_1008() {
    let app = spawn_app().await;
    let (_, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let (mut bystander, _) = app.join(&code, "calm").await;
    let (mut flooder, _) = app.join(&code, "loud").await;
    for i in 0..400 {
        let frame = json!({"type": "ping", "id": i}).to_string();
        if flooder.ws.feed(Message::text(frame)).await.is_err() {
            break;
        }
    }
    let _ = flooder.ws.flush().await;
    assert_eq!(flooder.closed().await, Some(1008));
    assert!(flooder.saw("rate_limited"), "refused before being closed");
    let pongs = flooder.seen.iter().filter(|f| f.contains("\"pong\"")).count();
    assert!((30..=60).contains(&pongs), "the burst was served: {pongs}");
    // Nobody else is affected.
    bystander.sync().await;
    bystander.request(json!({"type": "say", "to": "all", "text": "fine here"})).await.expect("say");
}

#[tokio::test]
async fn a_chat_flood_is_slowed_and_a_games_chat_is_capped_but_not_for_the_instructor() {
    let mut app = spawn_app_with(|c| {
        c.limits.max_chat_messages = 14;
        // The default burst, refilled so slowly that a slow machine cannot earn a message back.
        c.limits.chat_per_sec = 0.001;
    })
    .await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut loud, _) = app.join(&code, "loud").await;
    let (mut calm, calm_token) = app.join(&code, "calm").await;
    let say = |text: String| json!({"type": "say", "to": "all", "text": text});
    // A seat writes a burst of ten, then at a person's pace: the eleventh at once is refused.
    for i in 0..10 {
        loud.request(say(format!("loud {i}"))).await.expect("within the burst");
    }
    let slowed = loud.request(say("one more".into())).await.expect_err("too fast");
    assert_eq!(slowed["code"], "rate_limited", "{slowed}");
    // The others write on, until the game holds as many students' messages as it keeps.
    for i in 0..4 {
        calm.request(say(format!("calm {i}"))).await.expect("the chat has room");
    }
    let full = calm.request(say("and another".into())).await.expect_err("the chat is full");
    assert_eq!(full["code"], "chat_full", "{full}");
    // The instructor still writes, and everyone reads it.
    let teachers = "Time to decide: talk at your tables.";
    teacher.request(say(teachers.into())).await.expect("the instructor is not limited");
    calm.recv_until("the instructor's message", |f| f["type"] == "message" && f["text"] == teachers).await;
    let said = app.app.store().events_of(&session_id).await.expect("the log");
    let kept = said.iter().filter(|row| matches!(row.event, third_neighbor::log::LogEvent::Said { .. })).count();
    assert_eq!(kept, 15, "14 students' messages and the instructor's; nothing refused was stored");

    // The count is the log's: after a restart the chat is still full.
    app.restart().await;
    let mut back = app.client().await;
    back.request(json!({"type": "resume", "seat_token": calm_token})).await.expect("resume");
    let full = back.request(say("after the restart".into())).await.expect_err("still full");
    assert_eq!(full["code"], "chat_full", "{full}");
}

#[tokio::test]
async fn a_client_that_never_reads_is_dropped_without_slowing_the_others() {
    let app = spawn_app_with(|c| {
        c.limits.send_queue = 32;
        c.limits.rate_burst = 1e9;
        c.limits.chat_burst = 1e9;
        c.limits.max_chat_messages = u64::MAX;
    })
    .await;
    let (_, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let (stuck, _) = app.join(&code, "stuck").await;
    let stuck_id = stuck.find("welcome").unwrap()["player_id"].as_str().unwrap().to_string();
    let (mut talker, _) = app.join(&code, "talker").await;
    // From here on `stuck` never reads its socket.
    // 1000 characters of three bytes each: the largest message a student may send.
    let text = "蒙古".repeat(500);
    // Everyone is told when a player's last connection is gone.
    let gone =
        |s: &serde_json::Value| s["type"] == "player" && s["player_id"] == stuck_id.as_str() && s["connected"] == false;
    let mut slowest = Duration::ZERO;
    let mut sent = 0;
    while !talker.pending_has(gone) {
        let started = Instant::now();
        talker.request(json!({"type": "say", "to": "all", "text": text})).await.expect("say");
        slowest = slowest.max(started.elapsed());
        sent += 1;
        assert!(sent < 20_000, "the stuck client was never dropped");
        // The talker reads everything, as a normal client does; keep only what matters.
        if !talker.pending_has(gone) {
            talker.clear();
        }
    }
    assert!(slowest < Duration::from_secs(2), "a stuck client slowed the others: {slowest:?}");
    talker.request(json!({"type": "say", "to": "all", "text": "still fast"})).await.expect("say");
    drop(stuck);
    eprintln!("the stuck client was dropped after {sent} messages of 3 KB");
}

#[tokio::test]
async fn a_silent_socket_gets_pinged_then_closed_when_idle() {
    let app = spawn_app_with(|c| {
        c.limits.ping_interval = Duration::from_millis(100);
        c.limits.idle_timeout = Duration::from_millis(300);
        c.limits.auth_timeout = Duration::from_secs(60);
    })
    .await;
    let (mut raw, status) = raw_ws(app.addr, "").await;
    assert_eq!(status, 101);
    let bytes = read_to_end(&mut raw).await;
    assert!(bytes.contains(&0x89), "the server pings");
    assert!(bytes.windows(12).any(|w| w == b"idle timeout"), "then closes an idle socket");
}

#[tokio::test]
async fn websocket_origins_are_checked() {
    let app = spawn_app_with(|c| c.allowed_origins = vec!["https://class.example.org".into()]).await;
    let (_, status) = raw_ws(app.addr, "Origin: https://evil.example.com\r\n").await;
    assert_eq!(status, 403, "a foreign page may not connect");
    let (_, status) = raw_ws(app.addr, "Origin: null\r\n").await;
    assert_eq!(status, 403);
    let (_, status) = raw_ws(app.addr, &format!("Origin: http://{}\r\n", app.addr)).await;
    assert_eq!(status, 101, "the server's own origin may");
    let (_, status) = raw_ws(app.addr, "Origin: https://class.example.org\r\n").await;
    assert_eq!(status, 101, "a configured origin may");
    let (_, status) = raw_ws(app.addr, "").await;
    assert_eq!(status, 101, "non-browser clients send no Origin");
}

/// DNS rebinding (security review L14): a page at `rebound.example` that points its name at
/// 127.0.0.1 sends a matching `Origin` and `Host`. A server listening on loopback only refuses
/// it, and still takes its own pages under `localhost` or an address, and listed origins; a
/// server open to the network is reached by its names and takes them.
#[tokio::test]
async fn a_page_rebound_to_a_loopback_server_may_not_connect() {
    let app = spawn_app_with(|c| c.allowed_origins = vec!["http://proxied.example".into()]).await;
    let port = app.addr.port();
    let page = |host: &str| (host.to_string(), format!("Origin: http://{host}\r\n"));

    let (host, origin) = page(&format!("rebound.example:{port}"));
    let (mut refused, status) = raw_ws_to(app.addr, &host, &origin).await;
    assert_eq!(status, 403, "a rebound name is not this server's own origin");
    let mut body = Vec::new();
    while !body.ends_with(b"}}") {
        let mut chunk = [0u8; 1024];
        let n = tokio::time::timeout(Duration::from_secs(10), refused.read(&mut chunk)).await.expect("in time");
        match n.expect("read") {
            0 => break,
            n => body.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains(r#""code":"bad_origin""#) && body.contains("--origins"), "{body}");
    for own in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("class.localhost:{port}")] {
        let (host, origin) = page(&own);
        assert_eq!(raw_ws_to(app.addr, &host, &origin).await.1, 101, "{own} is this machine");
    }
    let (_, status) = raw_ws_to(app.addr, "proxied.example", "Origin: http://proxied.example\r\n").await;
    assert_eq!(status, 101, "a listed origin may, under any name");

    let open = spawn_app_with(|c| c.addr = ([0, 0, 0, 0], 0).into()).await;
    let (host, origin) = page(&format!("school-server.example:{}", open.addr.port()));
    assert_eq!(raw_ws_to(open.addr, &host, &origin).await.1, 101, "on the network, a name is the server's own");
}

/// A request whose body stops coming (even with a valid key) is answered `408 body_timeout` in
/// the API's JSON error shape and its connection closed once the body timeout passes; a whole
/// body sent at once is still taken.
#[tokio::test]
async fn a_request_body_that_stops_coming_is_cut_off() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(|c| c.limits.body_timeout = Duration::from_millis(800)).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    let head = format!(
        "PUT /api/scenarios/tutorial/source HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\nThe first paragraph",
        app.addr, app.instructor_key
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let started = Instant::now();
    let answer = String::from_utf8_lossy(&read_to_end(&mut stream).await).to_string();
    assert!(answer.starts_with("HTTP/1.1 408"), "a timeout answer: {answer}");
    assert!(answer.contains(r#"{"error":{"code":"body_timeout","#), "the API's error shape: {answer}");
    assert!(started.elapsed() >= Duration::from_millis(700), "not before the timeout");

    let (status, body) =
        app.http("PUT", "/api/scenarios/tutorial/source", Some(&app.instructor_key), Some("One\nTwo")).await;
    assert_eq!(status, 200, "{body}");
}

/// A body over the 1 MiB limit is refused as `413 too_large` in the API's JSON error shape, on
/// a text upload and on a JSON request alike, and nothing is stored; a malformed JSON body is
/// still `400 bad_request`.
#[tokio::test]
async fn a_request_body_over_the_limit_is_refused_as_too_large() {
    let app = spawn_app().await;
    let (status, body) = send_one_byte_too_many(&app, "PUT", "/api/scenarios/tutorial/source").await;
    assert_eq!(status, 413, "{body}");
    assert!(body.starts_with(r#"{"error":{"code":"too_large","#), "{body}");
    let (status, body) = app.http("GET", "/api/scenarios/tutorial/source", Some(&app.instructor_key), None).await;
    assert_eq!(status, 404, "nothing was stored: {body}");

    let (status, body) = send_one_byte_too_many(&app, "POST", "/api/sessions").await;
    assert_eq!(status, 413, "{body}");
    assert!(body.starts_with(r#"{"error":{"code":"too_large","#), "{body}");

    let (status, body) = app.http("POST", "/api/sessions", Some(&app.instructor_key), Some("{not json")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.starts_with(r#"{"error":{"code":"bad_request","#), "{body}");
}

/// Sends a request that announces 2 MB and sends 1 MiB + 1 byte of it: the server refuses it on
/// the byte past its limit, which is the last one sent, so its answer is read before any reset.
async fn send_one_byte_too_many(app: &TestApp, method: &str, path: &str) -> (u16, String) {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n",
        app.addr, app.instructor_key
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(&vec![b' '; 1024 * 1024 + 1]).await.expect("write");
    let answer = String::from_utf8_lossy(&read_to_end(&mut stream).await).to_string();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}
