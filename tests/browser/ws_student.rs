//! A student without a browser: a plain WebSocket to the real server that joins by code and keeps
//! the last `state` it was sent, for browser tests that seat more students than they open pages.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

pub(crate) struct WsStudent {
    pub name: String,
    out: mpsc::UnboundedSender<String>,
    state: Arc<Mutex<Value>>,
}

impl WsStudent {
    /// Joins a class with `code` on the server at `base` (`http://host:port`) and waits for the
    /// seat (its table and role) the class gives it.
    pub(crate) async fn join(base: &str, code: &str, name: &str) -> WsStudent {
        let student = Self::connect(base, code, name).await;
        student.wait_for("its seat", |s| s["you"]["role"].is_string()).await;
        student
    }

    /// Joins a session with `code` and takes `role` in its lobby.
    pub(crate) async fn join_as(base: &str, code: &str, name: &str, role: &str) -> WsStudent {
        let student = Self::connect(base, code, name).await;
        student.wait_for("its seat", |s| s["you"]["kind"] == "player").await;
        student.send(json!({ "type": "choose_role", "id": "role", "role": role }));
        student.wait_for("its role", |s| s["you"]["role"] == role).await;
        student
    }

    /// Opens the WebSocket and sends `join` (the answers arrive in the background).
    async fn connect(base: &str, code: &str, name: &str) -> WsStudent {
        let url = format!("{}/ws", base.replacen("http", "ws", 1));
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str()).await.expect("a student's WebSocket");
        let (mut sink, mut stream) = socket.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            while let Some(text) = out_rx.recv().await {
                if sink.send(Message::text(text)).await.is_err() {
                    break;
                }
            }
        });
        let state = Arc::new(Mutex::new(Value::Null));
        let last = state.clone();
        tokio::spawn(async move {
            // Reading also answers the server's pings.
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                if frame["type"] == "state" {
                    *last.lock().unwrap() = frame;
                }
            }
        });
        let student = WsStudent { name: name.to_string(), out, state };
        student.send(json!({ "type": "join", "id": "join", "code": code, "name": name }));
        student
    }

    pub(crate) fn send(&self, frame: Value) {
        self.out.send(frame.to_string()).expect("the student's socket is open");
    }

    /// The last `state` (phase, round, table, role…).
    pub(crate) fn state(&self) -> Value {
        self.state.lock().unwrap().clone()
    }

    /// The table number the class gave.
    pub(crate) fn table(&self) -> u64 {
        self.state()["session"]["table"].as_u64().expect("a class's table number")
    }

    /// Locks the role's orders (holding) for the round being played.
    pub(crate) fn ready(&self) {
        let round = self.state()["round"].clone();
        self.send(json!({ "type": "ready", "round": round, "ready": true }));
    }

    /// Waits (15 s at most) until the last `state` satisfies `pred`, and returns it.
    pub(crate) async fn wait_for(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let state = self.state();
            if pred(&state) {
                return state;
            }
            assert!(Instant::now() < deadline, "[{}] timed out waiting for {what}; last state: {state}", self.name);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
