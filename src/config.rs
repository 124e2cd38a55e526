//! The server's configuration: where it listens, where it keeps its database, where it reads
//! scenarios, and the limits that protect it. `main` fills it from flags and environment
//! variables; tests build it directly.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the SQLite database is kept when neither `--db` nor `THIRD_NEIGHBOR_DB` says.
pub const DEFAULT_DB: &str = "./data/third-neighbor.db";

/// Everything `serve` needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen for HTTP and WebSocket connections.
    pub addr: SocketAddr,
    /// The SQLite file (created with its parent folder on first start), or a `postgres://` URL
    /// (several nodes may share it).
    pub db: PathBuf,
    /// This node's name, shown to the other nodes (and in `wrong_node`) as the owner of the
    /// sessions it runs; empty: the host's name. Only PostgreSQL uses it.
    pub node: String,
    /// The scenario folder; `None` means `./scenarios` if it exists, else the built-in scenarios.
    pub scenarios: Option<PathBuf>,
    /// Origins (`scheme://host[:port]`) whose pages may open `/ws`, besides the server's own.
    pub allowed_origins: Vec<String>,
    /// Reverse proxies (by address) whose `X-Forwarded-For` names the real client: behind one,
    /// every connection comes from the proxy, and the per-address limits must see the students'
    /// own addresses instead.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address students type to reach the server (`http://…` or `https://…`), shown on the
    /// projector beside the join code; `None`: the server works it out (`server::listening`).
    pub public_url: Option<String>,
    /// An unfinished session nobody has changed for this long is left dormant at a start: not
    /// read back into memory until someone uses its code, a seat in it or its console (its join
    /// code keeps working). `None` reads back every unfinished session. A class and its tables
    /// are always read back.
    pub dormant_after: Option<Duration>,
    pub limits: Limits,
}

/// The default of [`Config::dormant_after`]: two weeks.
pub const DEFAULT_DORMANT_DAYS: u64 = 14;

impl Default for Config {
    fn default() -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: PathBuf::from(DEFAULT_DB),
            node: String::new(),
            scenarios: None,
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            public_url: None,
            dormant_after: Some(Duration::from_secs(DEFAULT_DORMANT_DAYS * 86_400)),
            limits: Limits::default(),
        }
    }
}

/// The knobs that bound what one client can cost the server. The defaults suit a classroom.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The round length when a session does not choose one.
    pub default_deadline: Duration,
    /// Time allowed to send the request headers of an HTTP request (slowloris).
    pub header_timeout: Duration,
    /// Time allowed to send a request's body, counted from the end of its headers: a
    /// client that stops mid-way is answered and its connection closed.
    pub body_timeout: Duration,
    /// Time allowed between the WebSocket upgrade and the first (authenticating) message.
    pub auth_timeout: Duration,
    /// How often the server pings an open WebSocket.
    pub ping_interval: Duration,
    /// A socket that sends nothing (not even a pong) for this long is closed.
    pub idle_timeout: Duration,
    /// How long a closing socket stays open so that the client can read the close frame.
    pub close_linger: Duration,
    /// Open TCP connections at most; further ones wait for a free slot.
    pub max_connections: usize,
    /// Largest WebSocket message and frame, in bytes (a compressed message: before and after
    /// inflating it).
    pub max_message: usize,
    /// Whether the server accepts permessage-deflate when a client offers it.
    pub compression: bool,
    /// tungstenite's read buffer per connection (its default, 128 KiB, costs that much RAM each).
    pub read_buffer: usize,
    /// tungstenite's write buffer threshold and its hard maximum per connection.
    pub write_buffer: usize,
    pub max_write_buffer: usize,
    /// Frames queued for one connection; a client that lets it fill is disconnected.
    pub send_queue: usize,
    /// Students in one session, at most (bots not counted).
    pub max_players: usize,
    /// Connections open on one seat at once (tabs, devices); a newer one closes the oldest.
    pub max_seat_connections: usize,
    /// Per-connection rate limit: a burst of this many frames...
    pub rate_burst: f64,
    /// ...refilled at this many frames per second...
    pub rate_per_sec: f64,
    /// ...and this many frames over the limit close the connection with 1008.
    pub rate_overdraft: u32,
    /// Per-seat chat limit: a burst of this many messages, then this many a second (a person
    /// types far slower than a script; a flood would fill the log and every reader's screen).
    pub chat_burst: f64,
    pub chat_per_sec: f64,
    /// Students' messages one session keeps, at most (the instructor's are not counted).
    pub max_chat_messages: u64,
    /// Failed join-code, seat-token or key attempts per address (IPv6 by /64): burst, then per
    /// second. Only failures are charged; a valid code, token or key is never refused for it.
    pub guess_burst: f64,
    pub guess_per_sec: f64,
    /// Failed attempts for the whole server: burst, then per second.
    pub guess_global_burst: f64,
    pub guess_global_per_sec: f64,
    /// Past either budget, a failure is answered only after holding one of these slots for
    /// `guess_pause` (so at most `slots / pause` answers per second), then its connection closes.
    pub guess_tarpit_slots: usize,
    pub guess_pause: Duration,
    /// A WebSocket connection is closed after this many failed seat attempts.
    pub guess_per_connection: u32,
    /// Open WebSocket connections per address (IPv6 by /64): generous, since a whole class
    /// usually shares the school's address...
    pub ws_per_address: usize,
    /// ...and, of those, spectators (`watch`): a projector or two per class.
    pub watch_per_address: usize,
    /// Under load, a commit starts at most this long after the previous one began, carrying every
    /// write that arrived meanwhile (group commit: one fsync for more writes, at most this much
    /// later). Zero commits at once.
    pub commit_gather: Duration,
    /// How long a write waits for the database's write lock held by another process (a backup,
    /// the `instructor` command) before it fails with `unavailable`.
    pub busy_timeout: Duration,
    /// `/healthz` probes the writer with a one-row write when nothing was written for this long
    /// (or while writes fail), waiting at most `health_probe_wait` for the answer.
    pub health_idle: Duration,
    pub health_probe_wait: Duration,
    /// A deadline that passed while the server was down is moved this far into the future on
    /// restart, so that players have time to reconnect before their round resolves.
    pub recovery_grace: Duration,
    /// How a session tells that the computer slept (and the wall clock ran on without it).
    pub sleep_detection: SleepDetection,
}

/// How a session tells that the computer slept: its own clock (tokio's, monotonic) stands still
/// during a suspend, while the wall clock, which the students' countdowns read, runs on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SleepDetection {
    /// The system's own count of the time spent suspended (Linux: `CLOCK_BOOTTIME` runs on
    /// during a suspend, `CLOCK_MONOTONIC` does not), so that a wall clock put forward (a time
    /// sync) is not taken for a sleep. Where the system has no such count, as `WallClock`.
    #[default]
    System,
    /// Any lead of the wall clock over the session's clock of more than a few seconds is taken
    /// for a sleep, a wall clock put forward included. The tests' way: they stop tokio's clock
    /// while the wall clock runs on.
    WallClock,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            default_deadline: Duration::from_secs(300),
            header_timeout: Duration::from_secs(10),
            // A 1 MiB essay over a slow school line (256 kbit/s) takes about 33 s.
            body_timeout: Duration::from_secs(60),
            auth_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            close_linger: Duration::from_millis(500),
            max_connections: 5_000,
            max_message: 64 * 1024,
            compression: true,
            read_buffer: 1024,
            write_buffer: 8 * 1024,
            max_write_buffer: 1024 * 1024,
            send_queue: 256,
            max_players: 40,
            max_seat_connections: 4,
            rate_burst: 40.0,
            rate_per_sec: 10.0,
            rate_overdraft: 40,
            chat_burst: 10.0,
            chat_per_sec: 0.5,
            max_chat_messages: 5_000,
            guess_burst: 60.0,
            guess_per_sec: 0.2,
            guess_global_burst: 600.0,
            guess_global_per_sec: 1.0,
            guess_tarpit_slots: 4,
            guess_pause: Duration::from_secs(2),
            guess_per_connection: 3,
            ws_per_address: 200,
            watch_per_address: 20,
            commit_gather: Duration::from_millis(1),
            recovery_grace: Duration::from_secs(30),
            sleep_detection: SleepDetection::System,
            busy_timeout: crate::store::BUSY_TIMEOUT,
            health_idle: Duration::from_secs(30),
            health_probe_wait: Duration::from_secs(8),
        }
    }
}
