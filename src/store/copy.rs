//! `migrate-store`: copies everything a database holds into another, empty one (usually a SQLite
//! file into PostgreSQL, when a deployment grows past one machine): every instructor (with its key
//! hash and revocation), scenario text, source essay, class, session, player and event, with
//! their original times, events byte for byte. The target's own migrations run first; a target
//! that already holds any instructor, session or class is refused, so that a copy is never
//! merged into live data. The whole copy is one transaction on the target: it lands entirely or
//! not at all.

use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Executor, QueryBuilder, Row};

use super::{Location, Pool, Store, StoreError};

/// How many rows of each table were copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    pub instructors: u64,
    pub scenario_texts: u64,
    pub sources: u64,
    pub classes: u64,
    pub sessions: u64,
    pub players: u64,
    pub events: u64,
}

impl std::fmt::Display for Copied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} instructors, {} scenario texts, {} source essays, {} classes, {} sessions, {} players, {} events",
            self.instructors, self.scenario_texts, self.sources, self.classes, self.sessions, self.players, self.events
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the target database already holds {0}: migrate-store copies into an empty database only")]
    NotEmpty(String),
    #[error("after the copy, the target holds {target} where the source holds {held}")]
    Mismatch { held: String, target: String },
}

impl From<sqlx::Error> for CopyError {
    fn from(e: sqlx::Error) -> CopyError {
        CopyError::Store(StoreError::Sql(e))
    }
}

/// One stored value, as both databases bind it.
#[derive(Debug, Clone)]
enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Flag(bool),
}

/// What is copied: each table with its columns and their kinds, in an order that keeps every
/// foreign key satisfied, read in the order rows were written.
const TABLES: &[Table] = &[
    (
        "instructors",
        &[
            ("id", Kind::Text),
            ("name", Kind::Text),
            ("key_hash", Kind::Text),
            ("created_at", Kind::Int),
            ("revoked_at", Kind::Int),
        ],
        "created_at, id",
    ),
    (
        "scenario_texts",
        &[("hash", Kind::Text), ("scenario_id", Kind::Text), ("text", Kind::Text), ("created_at", Kind::Int)],
        "created_at, hash",
    ),
    (
        "instructor_sources",
        &[("instructor_id", Kind::Text), ("scenario_id", Kind::Text), ("text", Kind::Text), ("updated_at", Kind::Int)],
        "instructor_id, scenario_id",
    ),
    (
        "classes",
        &[
            ("id", Kind::Text),
            ("instructor_id", Kind::Text),
            ("join_code", Kind::Text),
            ("scenario_id", Kind::Text),
            ("scenario_hash", Kind::Text),
            ("settings", Kind::Text),
            ("status", Kind::Text),
            ("created_at", Kind::Int),
            ("updated_at", Kind::Int),
        ],
        "created_at, id",
    ),
    (
        "sessions",
        &[
            ("id", Kind::Text),
            ("instructor_id", Kind::Text),
            ("join_code", Kind::Text),
            ("scenario_id", Kind::Text),
            ("scenario_hash", Kind::Text),
            ("seed", Kind::Text),
            ("deadline_secs", Kind::Int),
            ("status", Kind::Text),
            ("round", Kind::Int),
            ("created_at", Kind::Int),
            ("updated_at", Kind::Int),
            ("class_id", Kind::Text),
            ("class_table", Kind::Int),
        ],
        "created_at, id",
    ),
    (
        "players",
        &[
            ("id", Kind::Text),
            ("session_id", Kind::Text),
            ("name", Kind::Text),
            ("role", Kind::Text),
            ("is_bot", Kind::Flag),
            ("token_hash", Kind::Text),
            ("kicked", Kind::Flag),
            ("joined_at", Kind::Int),
        ],
        // The order players joined in (the target numbers them again in this order).
        "joined_at, @order",
    ),
    (
        "events",
        &[
            ("session_id", Kind::Text),
            ("seq", Kind::Int),
            ("at", Kind::Int),
            ("kind", Kind::Text),
            ("body", Kind::Text),
        ],
        "session_id, seq",
    ),
];

/// A table: its name, its columns with their kinds, and the order its rows are read in.
type Table = (&'static str, &'static [(&'static str, Kind)], &'static str);

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Int,
    Flag,
}

/// Rows per multi-row INSERT.
const CHUNK: usize = 200;

/// Copies everything `from` holds into `to` (both opened with their migrations applied; `to`
/// must be empty). Returns the counts, checked against the source's after the copy.
pub async fn copy_store(from: &Store, to_location: &std::path::Path) -> Result<Copied, CopyError> {
    let to_location = Location::of(to_location);
    // Migrations (and the target's existence) first, through an ordinary open.
    let (to, writer) = Store::open(&location_path(&to_location)).await?;
    let result = copy_into(from, &to, &to_location).await;
    to.writer().stop().await;
    let _ = writer.await;
    to.close_readers().await;
    result
}

fn location_path(location: &Location) -> std::path::PathBuf {
    match location {
        Location::Sqlite(path) => path.clone(),
        Location::Postgres(url) => std::path::PathBuf::from(url),
    }
}

async fn copy_into(from: &Store, to: &Store, to_location: &Location) -> Result<Copied, CopyError> {
    let target = counts(to).await?;
    if target.instructors + target.sessions + target.classes > 0 {
        return Err(CopyError::NotEmpty(target.to_string()));
    }
    match to_location {
        Location::Sqlite(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).foreign_keys(true);
            let mut conn = SqliteConnection::connect_with(&options).await?;
            conn.execute("BEGIN IMMEDIATE").await?;
            let copied = copy_tables_sqlite(from, &mut conn).await;
            finish(&mut conn, copied.is_ok()).await?;
            copied?;
        }
        Location::Postgres(url) => {
            let mut conn = PgConnection::connect(url).await?;
            conn.execute("BEGIN").await?;
            let copied = copy_tables_postgres(from, &mut conn).await;
            finish(&mut conn, copied.is_ok()).await?;
            copied?;
        }
    }
    let source = counts(from).await?;
    let target = counts(to).await?;
    if source != target {
        return Err(CopyError::Mismatch { held: source.to_string(), target: target.to_string() });
    }
    Ok(target)
}

async fn finish<C>(conn: &mut C, commit: bool) -> Result<(), sqlx::Error>
where
    for<'c> &'c mut C: Executor<'c>,
{
    conn.execute(if commit { "COMMIT" } else { "ROLLBACK" }).await.map(|_| ())
}

/// Rows per table, as the store's reads see them.
async fn counts(store: &Store) -> Result<Copied, StoreError> {
    let mut c = Copied::default();
    for (table, slot) in [
        ("instructors", &mut c.instructors),
        ("scenario_texts", &mut c.scenario_texts),
        ("instructor_sources", &mut c.sources),
        ("classes", &mut c.classes),
        ("sessions", &mut c.sessions),
        ("players", &mut c.players),
        ("events", &mut c.events),
    ] {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let n: i64 = match &store.reader {
            Pool::Sqlite(pool) => sqlx::query(&sql).fetch_one(pool).await?.try_get("n")?,
            Pool::Postgres(pool) => sqlx::query(&sql).fetch_one(pool).await?.try_get("n")?,
        };
        *slot = u64::try_from(n).unwrap_or(0);
    }
    Ok(c)
}

/// Every row of a table, read from the source in order.
async fn read_table(
    from: &Store,
    table: &str,
    columns: &[(&str, Kind)],
    order: &str,
) -> Result<Vec<Vec<Value>>, StoreError> {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let order = order.replace(
        "@order",
        match from.reader {
            Pool::Sqlite(_) => "rowid",
            Pool::Postgres(_) => "n",
        },
    );
    let sql = format!("SELECT {} FROM {table} ORDER BY {order}", names.join(", "));
    macro_rules! rows {
        ($pool:expr) => {{
            let rows = sqlx::query(&sql).fetch_all($pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut values = Vec::with_capacity(columns.len());
                for (name, kind) in columns {
                    values.push(match kind {
                        Kind::Text => Value::Text(row.try_get(*name)?),
                        Kind::Int => Value::Int(row.try_get(*name)?),
                        Kind::Flag => Value::Flag(row.try_get(*name)?),
                    });
                }
                out.push(values);
            }
            out
        }};
    }
    Ok(match &from.reader {
        Pool::Sqlite(pool) => rows!(pool),
        Pool::Postgres(pool) => rows!(pool),
    })
}

macro_rules! copy_tables_for {
    ($name:ident, $conn:ty, $db:ty) => {
        async fn $name(from: &Store, conn: &mut $conn) -> Result<(), CopyError> {
            for (table, columns, order) in TABLES {
                let rows = read_table(from, table, columns, order).await?;
                let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
                for chunk in rows.chunks(CHUNK) {
                    let mut insert: QueryBuilder<$db> =
                        QueryBuilder::new(format!("INSERT INTO {table} ({}) ", names.join(", ")));
                    insert.push_values(chunk, |mut row, values| {
                        for value in values {
                            match value {
                                Value::Text(v) => row.push_bind(v.clone()),
                                Value::Int(v) => row.push_bind(*v),
                                Value::Flag(v) => row.push_bind(*v),
                            };
                        }
                    });
                    insert.build().execute(&mut *conn).await?;
                }
                tracing::info!(table, rows = rows.len(), "copied");
            }
            Ok(())
        }
    };
}

copy_tables_for!(copy_tables_sqlite, SqliteConnection, sqlx::Sqlite);
copy_tables_for!(copy_tables_postgres, PgConnection, sqlx::Postgres);
