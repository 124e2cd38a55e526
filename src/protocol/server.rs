//! The small server → client messages; the views (`state`, `round_resolved`, `message`,
//! `game_over`) are built by the session that owns the data.

use serde_json::{json, Value};

use super::error::WireError;

/// `ack {re}`: the frame with this `id` was carried out (and is durable, for writes).
pub fn ack(re: &Value) -> String {
    json!({ "type": "ack", "re": re }).to_string()
}

/// `error {re?, code, message, detail?}`.
pub fn error(re: Option<&Value>, err: &WireError) -> String {
    let mut out = json!({ "type": "error", "code": err.code.as_str(), "message": err.message });
    if let Some(re) = re {
        out["re"] = re.clone();
    }
    if let Some(detail) = err.detail {
        out["detail"] = Value::from(detail);
    }
    out.to_string()
}

/// `welcome {session_id, player_id, seat_token}`: the only message that ever carries a token.
pub fn welcome(session_id: &str, player_id: &str, seat_token: &str) -> String {
    json!({ "type": "welcome", "session_id": session_id, "player_id": player_id, "seat_token": seat_token }).to_string()
}

/// `pong`: the answer to an application-level `ping`.
pub fn pong() -> String {
    json!({ "type": "pong" }).to_string()
}
