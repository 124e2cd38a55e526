//! Where classes come from: created by an instructor, or read back at a restart (the class's row,
//! then each of its tables from its own log, like any session).

use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::mpsc;

use super::{Class, ClassHandle, Picker, Settings, Table, NEWS};
use crate::server::catalog::CatalogError;
use crate::server::secret::{self, RandomError};
use crate::server::session::{self, Observer};
use crate::server::App;
use crate::store::{ClassRow, NewClass, Op, StoreError};
use crate::table::MAX_ROUND_SECS;

/// Tables in one class, at most.
pub(super) const MAX_TABLES: u32 = 60;
/// Students per role at one table, at most.
pub(super) const MAX_SEATS_PER_ROLE: u32 = 10;

/// The body of `POST /api/classes`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateClass {
    pub scenario: String,
    #[serde(default)]
    pub seats_per_role: Option<u32>,
    #[serde(default)]
    pub tables: Option<u32>,
    #[serde(default)]
    pub deadline_secs: Option<u64>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub bots: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ClassError {
    #[error("no scenario `{0}`")]
    UnknownScenario(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Scenario(#[from] CatalogError),
    #[error("a table of the class could not be opened: {0}")]
    Table(String),
    #[error("the class's settings cannot be read: {0}")]
    Settings(String),
    /// Another live node runs the class (several nodes on PostgreSQL): its name.
    #[error("the node `{0}` runs this class")]
    WrongNode(String),
}

impl From<crate::server::ReserveError> for ClassError {
    fn from(e: crate::server::ReserveError) -> ClassError {
        match e {
            crate::server::ReserveError::Random(e) => ClassError::Random(e),
            crate::server::ReserveError::Store(e) => ClassError::Store(e),
        }
    }
}

/// The class's ownership for this node (see `session::own`).
async fn own(app: &App, id: &str) -> Result<crate::store::Lease, ClassError> {
    session::own(app, id).await.map_err(|e| match e {
        session::LoadError::WrongNode(node) => ClassError::WrongNode(node),
        session::LoadError::Store(e) => ClassError::Store(e),
        other => ClassError::Table(other.to_string()),
    })
}

/// A running class by id, reading it back (with its tables) if it is not running here: what a
/// node does for a seat at a class another node ran (several nodes on PostgreSQL). `None` if no
/// class has this id.
pub async fn get_or_load(app: &App, id: &str) -> Result<Option<ClassHandle>, ClassError> {
    if let Some(handle) = app.registry().class(id) {
        return Ok(Some(handle));
    }
    let lock = app.registry().loading_lock(id);
    let _loading = lock.lock().await;
    if let Some(handle) = app.registry().class(id) {
        return Ok(Some(handle));
    }
    match app.store().class(id).await? {
        Some(row) => load(app, &row).await.map(Some),
        None => Ok(None),
    }
}

/// Creates a class (and, when its number of tables is set, its tables), commits it and starts
/// its task.
pub async fn create(app: &App, instructor_id: &str, request: CreateClass) -> Result<ClassHandle, ClassError> {
    let loaded = app.catalog().get(&request.scenario).ok_or(ClassError::UnknownScenario(request.scenario))?;
    let deadline_secs = request.deadline_secs.unwrap_or(app.config().limits.default_deadline.as_secs());
    if deadline_secs == 0 || deadline_secs > MAX_ROUND_SECS {
        return Err(ClassError::BadRequest(format!("deadline_secs must be 1 to {MAX_ROUND_SECS}")));
    }
    let seats_per_role = request.seats_per_role.unwrap_or(1);
    if !(1..=MAX_SEATS_PER_ROLE).contains(&seats_per_role) {
        return Err(ClassError::BadRequest(format!("seats_per_role must be 1 to {MAX_SEATS_PER_ROLE}")));
    }
    if request.tables.is_some_and(|n| !(1..=MAX_TABLES).contains(&n)) {
        return Err(ClassError::BadRequest(format!("tables must be 1 to {MAX_TABLES}")));
    }
    let seed = match request.seed {
        Some(seed) => seed,
        None => secret::seed()?,
    };
    let settings = Settings { seats_per_role, tables: request.tables, deadline_secs, seed, bots: request.bots };
    let join_code = crate::server::reserve_code(app).await?;
    let row = ClassRow {
        id: uuid::Uuid::new_v4().to_string(),
        instructor_id: instructor_id.to_string(),
        join_code: join_code.clone(),
        scenario_id: loaded.scenario.id.clone(),
        scenario_hash: loaded.hash.clone(),
        settings: serde_json::to_string(&settings).map_err(|e| ClassError::Settings(e.to_string()))?,
        status: "open".into(),
        created_at: crate::store::now_ms(),
    };
    let ops = vec![
        Op::ScenarioText {
            hash: loaded.hash.clone(),
            scenario_id: loaded.scenario.id.clone(),
            text: loaded.text.clone(),
        },
        Op::Class(NewClass {
            id: row.id.clone(),
            instructor_id: row.instructor_id.clone(),
            join_code: row.join_code.clone(),
            scenario_id: row.scenario_id.clone(),
            scenario_hash: row.scenario_hash.clone(),
            settings: row.settings.clone(),
        }),
    ];
    let lease = match own(app, &row.id).await {
        Ok(lease) => lease,
        Err(e) => {
            app.registry().release(&join_code, None);
            return Err(e);
        }
    };
    if let Err(e) = app.store().commit(ops).await {
        app.registry().release(&join_code, None);
        return Err(e.into());
    }
    app.catalog().remember(&loaded);
    let (news_tx, news) = mpsc::channel(NEWS);
    let mut class = Class {
        app: app.clone(),
        row,
        settings,
        texts: app.catalog().localize(&loaded),
        loaded,
        tables: Vec::new(),
        news_tx,
        conns: Default::default(),
        paused: false,
        picker: Picker(secret::seed()?),
        closed: None,
        _lease: lease,
    };
    for _ in 0..request.tables.unwrap_or(0) {
        class.open_table().await.map_err(|e| ClassError::Table(e.message))?;
    }
    tracing::info!(class = %class.row.id, scenario = %class.row.scenario_id, "class created");
    Ok(start(app, class, news))
}

/// Reads a class back: its row, then its tables from their logs.
pub async fn load(app: &App, row: &ClassRow) -> Result<ClassHandle, ClassError> {
    // The class's ownership first, then each table's (taken by `load_table`).
    let lease = own(app, &row.id).await?;
    let settings: Settings = serde_json::from_str(&row.settings).map_err(|e| ClassError::Settings(e.to_string()))?;
    let loaded = app.catalog().by_hash(app.store(), &row.scenario_hash).await?;
    let (news_tx, news) = mpsc::channel(NEWS);
    let mut tables = Vec::new();
    for table_row in app.store().class_tables(&row.id).await? {
        let number = table_row.class.as_ref().map_or(0, |(_, n)| *n);
        let observer = Observer { tx: news_tx.clone(), table: number };
        let handle = session::load_table(app, &table_row, Some(observer)).await.map_err(|e| match e {
            session::LoadError::WrongNode(node) => ClassError::WrongNode(node),
            other => ClassError::Table(other.to_string()),
        })?;
        tables.push(Table { summary: super::blank_summary(&loaded, &handle, number), handle });
    }
    let class = Class {
        app: app.clone(),
        row: row.clone(),
        settings,
        texts: app.catalog().localize(&loaded),
        loaded: Arc::clone(&loaded),
        tables,
        news_tx,
        conns: Default::default(),
        // A class paused before the restart comes back paused if any of its tables is.
        paused: false,
        picker: Picker(secret::seed()?),
        closed: None,
        _lease: lease,
    };
    tracing::info!(class = %row.id, tables = class.tables.len(), "class read back");
    Ok(start(app, class, news))
}

fn start(app: &App, class: Class, news: mpsc::Receiver<crate::protocol::TableSummary>) -> ClassHandle {
    let live = !class.row.is_finished();
    let handle = class.spawn(news, app.shutdown(), app.tracker().token());
    app.registry().insert_class(handle.clone(), live);
    handle
}
