//! The game server: HTTP and WebSocket on one port, sessions as tasks, everything stored.
//!
//! [`App::open`] opens the database, loads the scenarios, creates the first instructor and reads
//! back every unfinished session not left dormant; [`run`] accepts connections until its `shutdown` future
//! resolves, then shuts down in order:
//! 1. stop accepting;
//! 2. tell every connection and session (each connection closes with 1001);
//! 3. wait for them (bounded);
//! 4. let the database writer commit what is queued, then stop it.
//!
//! Connections are served by hyper directly (rather than `axum::serve`) for a header-read
//! timeout, a connection limit and control over shutdown; TCP_NODELAY is set on every socket.

mod api_error;
mod cacheable;
pub mod catalog;
pub mod class;
mod classes;
mod connection;
// Public for the load bench's client, which reads compressed frames as a browser does.
pub mod deflate;
mod extract;
mod http;
mod limits;
pub mod listening;
mod metrics;
mod origin;
mod outbox;
mod qr;
mod registry;
pub mod secret;
pub mod session;
mod shutdown;
mod static_files;
mod stored_games;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::config::{self, Config};
use crate::scenario::ScenarioError;
use crate::store::{Op, Store, StoreError};
use catalog::{Catalog, CatalogError};
use limits::{AddrCounter, GuessLimiter};
pub use metrics::Metrics;
use registry::Registry;
use shutdown::{Shutdown, Tracker, Trigger};

/// How long shutdown waits for connections and sessions before stopping the writer anyway.
const DRAIN: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Random(#[from] secret::RandomError),
    #[error("network error: {0}")]
    Io(#[from] std::io::Error),
}

/// Everything the server shares; cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Shared>,
}

struct Shared {
    config: Config,
    store: Store,
    catalog: Catalog,
    registry: Arc<Registry>,
    limits: Arc<config::Limits>,
    guesses: GuessLimiter,
    ws_slots: Arc<Semaphore>,
    ws_per_address: AddrCounter,
    watchers_per_address: AddrCounter,
    trigger: Trigger,
    tracker: Tracker,
    writer_task: Mutex<Option<JoinHandle<()>>>,
    metrics: Arc<Metrics>,
}

/// What [`App::open`] found and did.
pub struct Startup {
    pub app: App,
    /// The key of the `default` instructor, when this start created it (print it once).
    pub default_instructor_key: Option<String>,
    /// Scenario files that were skipped, with their problems.
    pub skipped_scenarios: Vec<ScenarioError>,
    /// Unfinished sessions read back from the database.
    pub recovered_sessions: usize,
}

impl App {
    /// Opens the database (creating and migrating it), loads the scenarios, creates the `default`
    /// instructor on a first start, and reads back every unfinished session changed within
    /// [`Config::dormant_after`] (older ones are read back when someone comes back to them).
    pub async fn open(config: Config) -> Result<Startup, ServerError> {
        let (catalog, skipped_scenarios) = Catalog::load(config.scenarios.as_deref())?;
        for problem in &skipped_scenarios {
            tracing::error!("scenario skipped:\n{problem}");
        }
        let (store, writer_task) =
            Store::open_node(&config.db, config.limits.busy_timeout, &config.node, config.limits.commit_gather).await?;
        let default_instructor_key = first_instructor(&store).await?;
        let limits = &config.limits;
        let guesses = GuessLimiter::new(
            limits.guess_burst,
            limits.guess_per_sec,
            limits.guess_global_burst,
            limits.guess_global_per_sec,
            limits.guess_tarpit_slots,
            limits.guess_pause,
        );
        let ws_slots = Arc::new(Semaphore::new(limits.max_connections));
        let (trigger, _) = Trigger::new();
        let shared_limits = Arc::new(config.limits.clone());
        let app = App {
            inner: Arc::new(Shared {
                config,
                store,
                catalog,
                registry: Arc::new(Registry::default()),
                limits: shared_limits,
                guesses,
                ws_slots,
                ws_per_address: AddrCounter::default(),
                watchers_per_address: AddrCounter::default(),
                trigger,
                tracker: Tracker::default(),
                writer_task: Mutex::new(Some(writer_task)),
                metrics: Arc::new(Metrics::default()),
            }),
        };
        if app.store().clustered() {
            watch_ownership(&app);
        }
        // Every unfinished session changed lately, and every open class, is read back. With several nodes (PostgreSQL),
        // only those no live node runs: this node takes them over.
        let mut recovered_sessions = 0;
        let since = app.config().dormant_after.map_or(i64::MIN, |after| {
            crate::store::now_ms().saturating_sub(i64::try_from(after.as_millis()).unwrap_or(i64::MAX))
        });
        for row in app.store().unfinished_sessions(since).await? {
            match session::load(&app, &row).await {
                Ok(_) => recovered_sessions += 1,
                Err(session::LoadError::WrongNode(node)) => {
                    tracing::debug!(session = %row.id, node = %node, "another node runs this session");
                }
                Err(e) => tracing::error!(session = %row.id, error = %e, "cannot read back a session"),
            }
        }
        for row in app.store().open_classes().await? {
            match class::load(&app, &row).await {
                Ok(_) => recovered_sessions += 1,
                Err(class::ClassError::WrongNode(node)) => {
                    tracing::debug!(class = %row.id, node = %node, "another node runs this class");
                }
                Err(e) => tracing::error!(class = %row.id, error = %e, "cannot read back a class"),
            }
        }
        Ok(Startup { app, default_instructor_key, skipped_scenarios, recovered_sessions })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    /// How many frames the server built per audience and language (see [`Metrics`]).
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The counters, for a session or class task.
    fn metrics_handle(&self) -> Arc<Metrics> {
        self.inner.metrics.clone()
    }

    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The registry, for a session task that outlives this call.
    fn registry_handle(&self) -> Arc<Registry> {
        self.inner.registry.clone()
    }

    /// The limits, for a session task.
    fn limits(&self) -> Arc<config::Limits> {
        self.inner.limits.clone()
    }

    fn guesses(&self) -> &GuessLimiter {
        &self.inner.guesses
    }

    fn ws_slots(&self) -> Arc<Semaphore> {
        self.inner.ws_slots.clone()
    }

    fn ws_per_address(&self) -> &AddrCounter {
        &self.inner.ws_per_address
    }

    fn watchers_per_address(&self) -> &AddrCounter {
        &self.inner.watchers_per_address
    }

    fn shutdown(&self) -> Shutdown {
        self.inner.trigger.subscribe()
    }

    fn tracker(&self) -> &Tracker {
        &self.inner.tracker
    }

    /// Tells every connection and session to stop, waits for them (bounded), then lets the
    /// writer commit what is queued and stops it.
    pub async fn close(&self) {
        self.inner.trigger.fire();
        if tokio::time::timeout(DRAIN, self.tracker().wait()).await.is_err() {
            tracing::warn!(left = self.tracker().running(), "some connections did not close in time");
        }
        self.store().writer().stop().await;
        let task = self.inner.writer_task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "the database writer failed");
            }
        }
        self.store().close_readers().await;
    }
}

/// Why no join code could be reserved.
#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    #[error(transparent)]
    Random(#[from] secret::RandomError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A fresh join code, reserved here until the session or class is registered or the code
/// released. With several nodes (PostgreSQL) it is also unused by every other node's live games
/// (read from the shared store).
pub(crate) async fn reserve_code(app: &App) -> Result<String, ReserveError> {
    loop {
        let code = app.registry().reserve_code()?;
        // Unused by the games in the database too: a dormant one, or another node's.
        match app.store().live_code(&code).await {
            Ok(None) => return Ok(code),
            Ok(Some(_)) => app.registry().release(&code, None),
            Err(e) => {
                app.registry().release(&code, None);
                return Err(e.into());
            }
        }
    }
}

/// Several nodes (PostgreSQL): when this node's database connection drops, it loses the locks
/// of every session and class it ran at once, and another node may take them over. Every one of
/// them stops here (its connections close with 1012 and reconnect, through the proxy, to
/// whichever node owns it next — possibly this one again, reading the log back).
fn watch_ownership(app: &App) {
    let mut lost = app.store().ownership_lost();
    let registry = app.registry_handle();
    tokio::spawn(async move {
        while lost.changed().await.is_ok() {
            let (sessions, classes) = registry.all();
            tracing::warn!(
                sessions = sessions.len(),
                classes = classes.len(),
                "lost the ownership of every session: stopping them"
            );
            for class in classes {
                class.disown().await;
            }
            for session in sessions {
                session.disown().await;
                registry.forget(&session);
            }
        }
    });
}

/// On a first start (no instructor yet), creates the `default` instructor and returns its key.
/// Several nodes starting at once on one new database: only the one that holds the first-start
/// lock creates it.
async fn first_instructor(store: &Store) -> Result<Option<String>, ServerError> {
    if store.count_instructors().await? > 0 {
        return Ok(None);
    }
    let crate::store::Claim::Owned(_lease) = store.claim("first-start").await? else {
        return Ok(None);
    };
    if store.count_instructors().await? > 0 {
        return Ok(None);
    }
    Ok(Some(add_instructor(store, "default").await?))
}

/// The ownership of a session or class for an HTTP request that changes it (a delete): on
/// PostgreSQL, refused with `409 wrong_node` while another live node runs it.
async fn own_for_http(app: &App, id: &str, what: &str) -> Result<crate::store::Lease, api_error::ApiError> {
    match app.store().claim(id).await.map_err(|e| api_error::ApiError::store(&e))? {
        crate::store::Claim::Owned(lease) => Ok(lease),
        crate::store::Claim::Elsewhere { node } => Err(api_error::ApiError::new(
            hyper::StatusCode::CONFLICT,
            "wrong_node",
            format!("the server `{node}` runs this {what}: try again through it, or once it has finished"),
        )),
    }
}

/// Creates an instructor and returns its key (shown once; only its hash is stored).
pub async fn add_instructor(store: &Store, name: &str) -> Result<String, ServerError> {
    let key = secret::new_secret("ik_")?;
    let op =
        Op::Instructor { id: uuid::Uuid::new_v4().to_string(), name: name.to_string(), key_hash: secret::hash(&key) };
    store.commit(vec![op]).await?;
    Ok(key)
}

/// Gives an instructor a new key (returned, shown once); the old one stops working at once.
pub async fn rotate_instructor(store: &Store, id: &str) -> Result<String, ServerError> {
    let key = secret::new_secret("ik_")?;
    store.commit(vec![Op::InstructorKey { id: id.to_string(), key_hash: secret::hash(&key) }]).await?;
    Ok(key)
}

/// Revokes an instructor's key: HTTP requests and new WebSocket seats with it are refused at
/// once (keys are looked up on every request); its games are kept.
pub async fn revoke_instructor(store: &Store, id: &str) -> Result<(), ServerError> {
    store.commit(vec![Op::RevokeInstructor { id: id.to_string() }]).await?;
    Ok(())
}

/// Behind a trusted reverse proxy: the client is the last address of `X-Forwarded-For` (the one
/// the proxy itself added; earlier ones are whatever the client claimed). Without a readable
/// header, the proxy's own address.
fn forwarded_client(headers: &hyper::HeaderMap, peer: SocketAddr) -> SocketAddr {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
        .map_or(peer, |ip| SocketAddr::new(ip, peer.port()))
}

/// Serves HTTP and WebSocket connections on `listener` until `shutdown` resolves, then shuts
/// the app down gracefully (see the module documentation).
pub async fn run(listener: TcpListener, app: App, shutdown: impl Future<Output = ()>) -> Result<(), ServerError> {
    let router = http::router(app.clone());
    let slots = Arc::new(Semaphore::new(app.config().limits.max_connections));
    let header_timeout = app.config().limits.header_timeout;
    let local = listener.local_addr()?;
    let listening = Arc::new(listening::Listening::of(local, app.config().public_url.clone()));
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, usually: wait a little instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let trusted = app.config().trusted_proxies.contains(&peer.ip());
        let listening = listening.clone();
        let service = router.clone().map_request(move |mut request: hyper::Request<Incoming>| {
            let client = if trusted { forwarded_client(request.headers(), peer) } else { peer };
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(client));
            request.extensions_mut().insert(listening.clone());
            request
        });
        let service = TowerToHyperService::new(service);
        let running = app.tracker().token();
        let mut stop = app.shutdown();
        tokio::spawn(async move {
            let _slot = slot;
            let _running = running;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = stop.recv() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "http connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down");
    app.close().await;
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trusted_proxy_names_the_client_in_its_last_forwarded_address() {
        let peer: SocketAddr = "10.0.0.2:5000".parse().expect("addr");
        let mut headers = hyper::HeaderMap::new();
        assert_eq!(forwarded_client(&headers, peer), peer, "no header: the proxy itself");
        headers.append("x-forwarded-for", "6.6.6.6, 192.0.2.7".parse().expect("header"));
        assert_eq!(
            forwarded_client(&headers, peer).ip().to_string(),
            "192.0.2.7",
            "what the proxy added, not the claim"
        );
        headers.append("x-forwarded-for", "2001:db8::5".parse().expect("header"));
        assert_eq!(forwarded_client(&headers, peer).ip().to_string(), "2001:db8::5");
        let mut garbage = hyper::HeaderMap::new();
        garbage.append("x-forwarded-for", "not an address".parse().expect("header"));
        assert_eq!(forwarded_client(&garbage, peer), peer);
    }
}
