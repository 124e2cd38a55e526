//! Client → server messages: JSON objects with a `type` and an optional `id` that the answer
//! (`ack` or `error`) repeats as `re`.

use std::sync::LazyLock;

use serde::de::value::MapDeserializer;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::{ErrorCode, WireError};
use crate::i18n::Lang;
use crate::log::OrderRef;

/// Orders in one `set_orders`, at most.
pub(super) const MAX_ORDERS: usize = 32;
/// Longest `id` string a frame may carry (it is echoed back in `re`).
pub const MAX_ID_LEN: usize = 64;

/// A string that must never reach a log: seat tokens and instructor keys.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Who a `say` is for: `"all"`, one role id, or a list of role ids.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Recipients {
    One(String),
    Many(Vec<String>),
}

fn yes() -> bool {
    true
}

/// Every message a client may send.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    // Taking a seat: one of these must be the first message. Each may name the connection's
    // language (`lang`: en, mn, ru or zh; default en, or what `set_lang` chose before it).
    Join {
        code: String,
        name: String,
        /// The browser's own random id (kept on the device), so that a ban can bar the device.
        #[serde(default)]
        device: Option<Secret>,
        #[serde(default)]
        lang: Option<Lang>,
    },
    Resume {
        seat_token: Secret,
        #[serde(default)]
        lang: Option<Lang>,
    },
    Watch {
        code: String,
        #[serde(default)]
        lang: Option<Lang>,
    },
    /// The instructor's console of a session (`session_id`) or of a class (`class_id`).
    Instructor {
        #[serde(default)]
        session_id: Option<String>,
        #[serde(default)]
        class_id: Option<String>,
        key: Secret,
        #[serde(default)]
        lang: Option<Lang>,
    },
    /// The connection's language from now on: answered `ack`, then a whole `state` (or
    /// `class_state`) in it. Any seat, and before a seat.
    SetLang {
        lang: Lang,
    },
    // Players.
    ChooseRole {
        role: Option<String>,
    },
    SetOrders {
        round: u32,
        orders: Vec<OrderRef>,
    },
    Ready {
        round: u32,
        #[serde(default = "yes")]
        ready: bool,
    },
    Say {
        to: Recipients,
        text: String,
    },
    /// After the game: what the player makes of it (≤ 2,000 characters; a later one replaces it).
    Reflect {
        text: String,
    },
    Ping,
    // Instructor only.
    Start,
    Pause,
    ResumeGame,
    ForceResolve,
    SetDeadline {
        secs: u64,
    },
    InjectEvent {
        event: String,
    },
    AssignRole {
        player_id: String,
        role: Option<String>,
    },
    Kick {
        player_id: String,
        /// Also bar the player's name and device from joining this session again.
        #[serde(default)]
        ban: bool,
    },
    /// Approves or turns down a student's request to take a role.
    AnswerRequest {
        player_id: String,
        approve: bool,
    },
    AddBot {
        role: String,
    },
    End,
    /// A class's console: move a student to another table (by number) and/or role.
    MovePlayer {
        player_id: String,
        #[serde(default)]
        table: Option<u32>,
        #[serde(default)]
        role: Option<String>,
    },
    /// A class's console: open one more table.
    AddTable,
}

/// Every `type` a client may send, for telling `unknown_type` from `bad_request`: the names
/// serde itself knows for [`ClientMsg`]'s variants (so a new variant can never be missing from a
/// hand-kept list).
fn types() -> &'static [&'static str] {
    static TYPES: LazyLock<&'static [&'static str]> = LazyLock::new(type_names::<ClientMsg>);
    *TYPES
}

/// The `type` names of an enum tagged by `type` (`#[serde(tag = "type")]`), as serde knows
/// them: read from the error it gives for a type it does not know. Empty for any other type.
pub fn type_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let probe = MapDeserializer::<_, KnownVariants>::new(std::iter::once(("type", "")));
    match T::deserialize(probe) {
        Err(KnownVariants(Some(names))) => names,
        _ => &[],
    }
}

/// A deserializer error that keeps the variant names serde lists for an unknown variant.
#[derive(Debug)]
struct KnownVariants(Option<&'static [&'static str]>);

impl std::fmt::Display for KnownVariants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("probing the message types")
    }
}

impl std::error::Error for KnownVariants {}

impl serde::de::Error for KnownVariants {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        KnownVariants(None)
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        KnownVariants(Some(expected))
    }
}

impl ClientMsg {
    /// The wire name of the message, for logs (never the fields: some are secrets).
    pub fn kind(&self) -> &'static str {
        match self {
            ClientMsg::Join { .. } => "join",
            ClientMsg::Resume { .. } => "resume",
            ClientMsg::Watch { .. } => "watch",
            ClientMsg::Instructor { .. } => "instructor",
            ClientMsg::SetLang { .. } => "set_lang",
            ClientMsg::ChooseRole { .. } => "choose_role",
            ClientMsg::SetOrders { .. } => "set_orders",
            ClientMsg::Ready { .. } => "ready",
            ClientMsg::Say { .. } => "say",
            ClientMsg::Reflect { .. } => "reflect",
            ClientMsg::Ping => "ping",
            ClientMsg::Start => "start",
            ClientMsg::Pause => "pause",
            ClientMsg::ResumeGame => "resume_game",
            ClientMsg::ForceResolve => "force_resolve",
            ClientMsg::SetDeadline { .. } => "set_deadline",
            ClientMsg::InjectEvent { .. } => "inject_event",
            ClientMsg::AssignRole { .. } => "assign_role",
            ClientMsg::Kick { .. } => "kick",
            ClientMsg::AnswerRequest { .. } => "answer_request",
            ClientMsg::AddBot { .. } => "add_bot",
            ClientMsg::End => "end",
            ClientMsg::MovePlayer { .. } => "move_player",
            ClientMsg::AddTable => "add_table",
        }
    }

    /// Whether only the session's instructor may send it.
    pub fn instructor_only(&self) -> bool {
        matches!(
            self,
            ClientMsg::Start
                | ClientMsg::Pause
                | ClientMsg::ResumeGame
                | ClientMsg::ForceResolve
                | ClientMsg::SetDeadline { .. }
                | ClientMsg::InjectEvent { .. }
                | ClientMsg::AssignRole { .. }
                | ClientMsg::Kick { .. }
                | ClientMsg::AnswerRequest { .. }
                | ClientMsg::AddBot { .. }
                | ClientMsg::End
                | ClientMsg::MovePlayer { .. }
                | ClientMsg::AddTable
        )
    }

    /// The language a seat message asks for, if it names one.
    pub fn lang(&self) -> Option<Lang> {
        match self {
            ClientMsg::Join { lang, .. }
            | ClientMsg::Resume { lang, .. }
            | ClientMsg::Watch { lang, .. }
            | ClientMsg::Instructor { lang, .. } => *lang,
            ClientMsg::SetLang { lang } => Some(*lang),
            _ => None,
        }
    }

    /// Whether it takes a seat (and so may only be the first message).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            ClientMsg::Join { .. } | ClientMsg::Resume { .. } | ClientMsg::Watch { .. } | ClientMsg::Instructor { .. }
        )
    }
}

/// A parsed frame: the message and the `id` to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub id: Option<Value>,
    pub msg: ClientMsg,
}

/// Reads one text frame. On failure, returns the frame's `id` (if it could be read) with the error.
pub fn parse(text: &str) -> Result<Frame, (Option<Value>, WireError)> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| (None, WireError::new(ErrorCode::BadJson, format!("not JSON: {e}"))))?;
    let Value::Object(mut object) = value else {
        return Err((None, WireError::new(ErrorCode::BadJson, "a frame must be a JSON object")));
    };
    let id = object.remove("id").filter(|v| !v.is_null());
    let id = match id {
        Some(Value::String(s)) if s.chars().count() > MAX_ID_LEN => {
            return Err((
                None,
                WireError::new(ErrorCode::BadRequest, format!("an id has at most {MAX_ID_LEN} characters")),
            ));
        }
        Some(v @ (Value::String(_) | Value::Number(_))) => Some(v),
        Some(_) => return Err((None, WireError::new(ErrorCode::BadRequest, "an id is a string or a number"))),
        None => None,
    };
    let kind = match object.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        _ => return Err((id, WireError::new(ErrorCode::BadRequest, "a frame needs a \"type\" string"))),
    };
    if !types().contains(&kind.as_str()) {
        let shown: String = kind.chars().take(40).collect();
        return Err((id, WireError::new(ErrorCode::UnknownType, format!("unknown message type `{shown}`"))));
    }
    let msg = decode(object).map_err(|e| (id.clone(), e))?;
    Ok(Frame { id, msg })
}

fn decode(object: Map<String, Value>) -> Result<ClientMsg, WireError> {
    // A language the server does not speak gets a message that names the ones it does.
    match object.get("lang") {
        None | Some(Value::Null) => {}
        Some(Value::String(code)) => {
            Lang::parse(code).map_err(|e| WireError::new(ErrorCode::BadRequest, e.to_string()))?;
        }
        Some(_) => return Err(WireError::new(ErrorCode::BadRequest, "`lang` is a language code: en, mn, ru or zh")),
    }
    let msg: ClientMsg = serde_json::from_value(Value::Object(object))
        .map_err(|e| WireError::new(ErrorCode::BadRequest, format!("bad fields: {e}")))?;
    if let ClientMsg::SetOrders { orders, .. } = &msg {
        if orders.len() > MAX_ORDERS {
            return Err(WireError::new(ErrorCode::BadRequest, format!("at most {MAX_ORDERS} orders")));
        }
    }
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> ErrorCode {
        match parse(text) {
            Ok(_) => panic!("parsed: {text}"),
            Err((_, e)) => e.code,
        }
    }

    #[test]
    fn frames_parse_with_their_id() {
        let frame = parse(r#"{"type":"set_orders","id":"7","round":1,"orders":[{"move":"a","target":"b"}]}"#).unwrap();
        assert_eq!(frame.id, Some(Value::from("7")));
        assert_eq!(
            frame.msg,
            ClientMsg::SetOrders { round: 1, orders: vec![OrderRef { mv: "a".into(), target: Some("b".into()) }] }
        );
        let frame = parse(r#"{"type":"ready","round":2}"#).unwrap();
        assert_eq!(frame.msg, ClientMsg::Ready { round: 2, ready: true });
        let frame = parse(r#"{"type":"say","to":["a","b"],"text":"hi"}"#).unwrap();
        assert_eq!(frame.msg, ClientMsg::Say { to: Recipients::Many(vec!["a".into(), "b".into()]), text: "hi".into() });
    }

    #[test]
    fn bad_frames_get_stable_codes() {
        assert_eq!(code("{"), ErrorCode::BadJson);
        assert_eq!(code("[1]"), ErrorCode::BadJson);
        assert_eq!(code(r#"{"id":1}"#), ErrorCode::BadRequest);
        assert_eq!(code(r#"{"type":"fly"}"#), ErrorCode::UnknownType);
        assert_eq!(code(r#"{"type":"join","code":5}"#), ErrorCode::BadRequest);
        assert_eq!(code(r#"{"type":"ping","id":{"a":1}}"#), ErrorCode::BadRequest);
        assert_eq!(code(&format!(r#"{{"type":"ping","id":"{}"}}"#, "x".repeat(65))), ErrorCode::BadRequest);
    }

    #[test]
    fn seat_messages_and_set_lang_take_a_language() {
        let frame = parse(r#"{"type":"watch","code":"ABC","lang":"mn"}"#).unwrap();
        assert_eq!(frame.msg, ClientMsg::Watch { code: "ABC".into(), lang: Some(Lang::Mn) });
        let frame = parse(r#"{"type":"watch","code":"ABC","lang":null}"#).unwrap();
        assert_eq!(frame.msg.lang(), None);
        assert_eq!(parse(r#"{"type":"set_lang","lang":"zh"}"#).unwrap().msg, ClientMsg::SetLang { lang: Lang::Zh });
        for bad in [r#"{"type":"set_lang","lang":"fr"}"#, r#"{"type":"join","code":"A","name":"B","lang":"MN"}"#] {
            match parse(bad) {
                Err((_, e)) => {
                    assert_eq!(e.code, ErrorCode::BadRequest);
                    assert!(e.message.contains("en, mn, ru or zh"), "{}", e.message);
                }
                Ok(f) => panic!("parsed {f:?}"),
            }
        }
        assert_eq!(code(r#"{"type":"set_lang","lang":3}"#), ErrorCode::BadRequest);
        assert_eq!(code(r#"{"type":"set_lang"}"#), ErrorCode::BadRequest);
    }

    #[test]
    fn every_variant_is_a_known_type_and_named_as_its_kind() {
        let known = types();
        assert!(known.contains(&"join") && known.contains(&"add_table"), "{known:?}");
        for name in known {
            let parsed = parse(&format!(r#"{{"type":"{name}"}}"#));
            // Most need fields: a known type without them is a bad request, never an unknown type.
            match parsed {
                Ok(frame) => assert_eq!(frame.msg.kind(), *name),
                Err((_, e)) => assert_eq!(e.code, ErrorCode::BadRequest, "{name}: {}", e.message),
            }
        }
        let samples = [
            r#"{"type":"join","code":"A","name":"B"}"#,
            r#"{"type":"set_orders","round":1,"orders":[]}"#,
            r#"{"type":"kick","player_id":"p"}"#,
            r#"{"type":"move_player","player_id":"p","table":2}"#,
        ];
        for sample in samples {
            let kind = parse(sample).expect(sample).msg.kind();
            assert!(known.contains(&kind), "{kind}");
            assert!(sample.contains(&format!(r#""type":"{kind}""#)), "{sample} is a {kind}");
        }
    }

    #[test]
    fn secrets_are_not_printed() {
        let frame = parse(r#"{"type":"resume","seat_token":"st_very_secret"}"#).unwrap();
        assert!(!format!("{frame:?}").contains("very_secret"));
    }
}
