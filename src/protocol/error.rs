//! Stable error codes. Every refused frame is answered with `error {re, code, message}`; `code` is
//! one of these snake_case words, `message` is for people and may change.

use serde::Serialize;

/// Why a frame was refused. The wire name is [`ErrorCode::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not a JSON object (or not a text frame).
    BadJson,
    /// `type` names no message of the protocol.
    UnknownType,
    /// A known message with missing or mistyped fields, or a value out of range.
    BadRequest,
    /// The frame needs a seat (send `join`, `resume`, `watch` or `instructor` first).
    NotJoined,
    /// `join`, `resume`, `watch` or `instructor` on a connection that already has a seat.
    AlreadyJoined,
    /// No live session has this join code.
    UnknownCode,
    /// No session has this id.
    UnknownSession,
    /// The seat token is unknown (or its player was removed).
    BadToken,
    /// The nickname is empty, too long or contains control characters.
    BadName,
    /// An instructor action from someone else, or a wrong instructor key.
    NotInstructor,
    /// Not allowed in the session's current phase (lobby, running, paused, finished).
    WrongPhase,
    /// `round` is not the round being played.
    WrongRound,
    /// The player has no role yet.
    NoRole,
    /// The move belongs to another role.
    NotYourRole,
    /// Unknown move, not available this round, bad or missing target, or a duplicate.
    InvalidMove,
    /// The orders cost more action points than the role has.
    TooManyPoints,
    /// The role's orders are locked (`ready`); unlock them first.
    OrdersLocked,
    /// The scenario has no such role.
    UnknownRole,
    /// The role is played by a bot, or (for `add_bot`) by people.
    RoleTaken,
    /// The session has no such player.
    UnknownPlayer,
    /// The scenario has no such event.
    UnknownEvent,
    /// The event is already in play this round.
    EventInPlay,
    /// The message or text is larger than allowed.
    TooLarge,
    /// The session already has as many players as it takes.
    TableFull,
    /// The session's chat holds as many students' messages as it keeps; the instructor can still
    /// write.
    ChatFull,
    /// The instructor removed this name or device from the session for good.
    Banned,
    /// Too many frames, or too many wrong codes, tokens or keys from one address.
    RateLimited,
    /// No authenticating message arrived in time; the connection closes.
    AuthTimeout,
    /// Something failed on the server (a database error); the action did not happen.
    Internal,
    /// The server cannot save anything now (its disk is full, or the database is locked or
    /// failing); the action did not happen. Try again later: it works again without a restart
    /// once the storage does (`/healthz` answers 503 meanwhile).
    Unavailable,
    /// Several game nodes share one database and another live node runs this game (or class):
    /// `node` names it. Reconnect through the proxy with `/ws?route=…&node=<node>`; the bundled
    /// client does so by itself. Never seen with one node (SQLite).
    WrongNode,
}

impl ErrorCode {
    /// Every code, for documentation and for the test that triggers each of them.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::BadJson,
        ErrorCode::UnknownType,
        ErrorCode::BadRequest,
        ErrorCode::NotJoined,
        ErrorCode::AlreadyJoined,
        ErrorCode::UnknownCode,
        ErrorCode::UnknownSession,
        ErrorCode::BadToken,
        ErrorCode::BadName,
        ErrorCode::NotInstructor,
        ErrorCode::WrongPhase,
        ErrorCode::WrongRound,
        ErrorCode::NoRole,
        ErrorCode::NotYourRole,
        ErrorCode::InvalidMove,
        ErrorCode::TooManyPoints,
        ErrorCode::OrdersLocked,
        ErrorCode::UnknownRole,
        ErrorCode::RoleTaken,
        ErrorCode::UnknownPlayer,
        ErrorCode::UnknownEvent,
        ErrorCode::EventInPlay,
        ErrorCode::TooLarge,
        ErrorCode::TableFull,
        ErrorCode::ChatFull,
        ErrorCode::Banned,
        ErrorCode::RateLimited,
        ErrorCode::AuthTimeout,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::WrongNode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "bad_json",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::NotJoined => "not_joined",
            ErrorCode::AlreadyJoined => "already_joined",
            ErrorCode::UnknownCode => "unknown_code",
            ErrorCode::UnknownSession => "unknown_session",
            ErrorCode::BadToken => "bad_token",
            ErrorCode::BadName => "bad_name",
            ErrorCode::NotInstructor => "not_instructor",
            ErrorCode::WrongPhase => "wrong_phase",
            ErrorCode::WrongRound => "wrong_round",
            ErrorCode::NoRole => "no_role",
            ErrorCode::NotYourRole => "not_your_role",
            ErrorCode::InvalidMove => "invalid_move",
            ErrorCode::TooManyPoints => "too_many_points",
            ErrorCode::OrdersLocked => "orders_locked",
            ErrorCode::UnknownRole => "unknown_role",
            ErrorCode::RoleTaken => "role_taken",
            ErrorCode::UnknownPlayer => "unknown_player",
            ErrorCode::UnknownEvent => "unknown_event",
            ErrorCode::EventInPlay => "event_in_play",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::TableFull => "table_full",
            ErrorCode::ChatFull => "chat_full",
            ErrorCode::Banned => "banned",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::AuthTimeout => "auth_timeout",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::WrongNode => "wrong_node",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal: the code, a sentence for people, and for `invalid_move` the engine's finer reason
/// (`unknown_move`, `not_available`, `missing_target`, `invalid_target`, `duplicate_move`,
/// `choice_already_made`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct WireError {
    pub code: ErrorCode,
    pub message: String,
    pub detail: Option<&'static str>,
    /// For `wrong_node`: the node that runs the game.
    pub node: Option<String>,
}

impl WireError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> WireError {
        WireError { code, message: message.into(), detail: None, node: None }
    }

    /// The same error with a `detail` that says which case of its code it is.
    pub fn with_detail(self, detail: &'static str) -> WireError {
        WireError { detail: Some(detail), ..self }
    }

    /// A refused order, mapped from the engine's reason to the wire's codes.
    pub fn illegal(reason: crate::engine::Illegal) -> WireError {
        use crate::engine::Illegal;
        let code = match reason {
            Illegal::NotYourRole => ErrorCode::NotYourRole,
            Illegal::TooManyPoints { .. } => ErrorCode::TooManyPoints,
            Illegal::GameOver => ErrorCode::WrongPhase,
            Illegal::UnknownMove
            | Illegal::NotAvailable
            | Illegal::MissingTarget
            | Illegal::InvalidTarget
            | Illegal::Duplicate
            | Illegal::ChoiceAlreadyMade => ErrorCode::InvalidMove,
        };
        WireError { code, message: reason.explain(), detail: Some(reason.code()), node: None }
    }

    /// Another live node runs this game: `node` names it.
    pub fn wrong_node(node: &str) -> WireError {
        WireError {
            code: ErrorCode::WrongNode,
            message: format!("this game runs on the server `{node}`: reconnect there"),
            detail: None,
            node: Some(node.to_string()),
        }
    }

    pub fn internal() -> WireError {
        WireError::new(ErrorCode::Internal, "the server could not save this; please try again")
    }
}
