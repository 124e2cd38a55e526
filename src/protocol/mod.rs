//! The wire format: what clients send ([`ClientMsg`]), what the server sends ([`ServerMsg`] and
//! the views it carries), and the stable error codes ([`ErrorCode`]). `docs/protocol.md`
//! documents every message; the names here are the contract that outside clients rely on, so they
//! are only ever added to, never renamed.
//!
//! Engine types are not the wire format: the views here are built from them explicitly (the
//! session's in `crate::table`, the round report in [`ReportView`], which the live session and
//! the replay both send), and written straight to JSON.

mod client;
mod error;
mod phase;
mod report;
mod server;

pub use client::{parse, type_names, ClientMsg, Frame, Recipients, Secret, MAX_ID_LEN};
pub use error::{ErrorCode, WireError};
pub use phase::Phase;
pub use report::{Audience, ReportView, VisibleTracks};
pub use server::*;
