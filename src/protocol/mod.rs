//! The wire format: what clients send ([`ClientMsg`]), the stable error codes ([`ErrorCode`]) and
//! the small server messages. `docs/protocol.md` documents every message; the names here are the
//! contract that outside clients rely on, so they are only ever added to, never renamed.
//!
//! Engine types are not the wire format: the session builds its views from them explicitly
//! (`crate::server::session::view`); the round report ([`round_resolved`]) is built here, since
//! the live session and the replay both send it.

mod client;
mod error;
mod report;
mod server;

pub use client::{parse, ClientMsg, Frame, OrderIn, Recipients, Secret};
pub use error::{ErrorCode, WireError};
pub use report::{round_resolved, Audience};
pub use server::{ack, error, pong, welcome};
