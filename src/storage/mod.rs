//! Storage: one set of queries for SQLite and PostgreSQL through SeaORM.
//!
//! Operations that change data take the acting user and check their reach
//! with [`crate::domain::access`] before touching a row, write the audit log
//! in the same transaction, and return [`Error`] for the web layer to map.

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod cache;
pub mod computed;
pub mod customers;
pub mod decompose;
pub mod dimensions;
pub mod entity;
pub mod figures;
pub mod metrics;
pub mod migration;
pub mod orders;
pub mod org;
pub mod plans;
pub mod projects;
pub mod sources;
pub mod submissions;
pub mod work;

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

pub use sea_orm::DatabaseConnection as Db;

/// A raw statement written with `?` placeholders, numbered (`$1`, …) for
/// PostgreSQL. For the few set-based statements the query builder cannot
/// express; every value is bound, never spliced into the text.
pub(crate) fn statement(
    backend: sea_orm::DatabaseBackend,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let sql = if backend == sea_orm::DatabaseBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for ch in sql.chars() {
            if ch == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(ch);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

/// Which engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }
}

/// The path of a `sqlite://PATH` or `sqlite:PATH` URL, without query.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    Some(rest.split('?').next().unwrap_or(rest))
}

/// How much of a SQLite database file is read through a map: all of it,
/// up to 1 TiB. The same number raises SQLite's own cap in
/// .cargo/config.toml.
const SQLITE_MMAP_LIMIT: &str = "1099511627776";

/// Connects and runs pending migrations. A SQLite file is created when
/// missing; every pooled SQLite connection gets WAL, a busy timeout,
/// foreign keys and a map of the file, and stays open.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let engine = Engine::of(url).ok_or_else(|| {
        DbErr::Custom(format!(
            "unsupported database URL (expected sqlite://PATH or postgres://…): {}",
            redact_url(url)
        ))
    })?;
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    match engine {
        Engine::Sqlite => {
            // A pooled connection is checked with a ping before each use by
            // default: for SQLite a round trip to the connection's thread on
            // every query, and a local file never hangs up.
            // Nor is an idle connection closed: it holds the pages it
            // mapped (below) and its prepared statements.
            opts.max_connections(8)
                .min_connections(1)
                .test_before_acquire(false)
                .idle_timeout(None::<Duration>)
                .max_lifetime(None::<Duration>);
            opts.map_sqlx_sqlite_opts(|o| {
                sqlite_file_options(o)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    // Statement journals (a multi-row insert keeps the
                    // pages it changes until it completes) and sorts stay
                    // in memory instead of temporary files.
                    .pragma("temp_store", "memory")
                    // Pages are read through a map of the file, not copied
                    // into each connection: the connections of the pool
                    // share them, and a page stays mapped while a
                    // connection that read it is open. Some hosts page out
                    // file cache no process maps seconds after it was read
                    // (the bench machine's proactive reclaim, which hands
                    // memory back to its host); read with `read()`, the
                    // database then comes from the disk again. Pages newer
                    // in the log (WAL) are still read from it. The price:
                    // a disk that fails a read ends the process (SIGBUS)
                    // instead of failing the query.
                    .pragma("mmap_size", SQLITE_MMAP_LIMIT)
            });
        }
        Engine::Postgres => {
            // Only a connection idle long enough to have been dropped by the
            // server or a firewall is pinged first, not every busy one.
            opts.max_connections(16)
                .test_before_acquire_if_idle_for(Duration::from_secs(30));
        }
    }
    if engine == Engine::Sqlite {
        prepare_sqlite_file(url).await?;
    }
    let db = Database::connect(opts).await?;
    migration::Migrator::up(&db, None).await?;
    Ok(db)
}

/// What every SQLite connection opens its file with, the one that
/// prepares a new file and the pool's alike: created when missing, WAL,
/// and a wait of up to 10 s for another connection's lock.
fn sqlite_file_options(
    o: sea_orm::sqlx::sqlite::SqliteConnectOptions,
) -> sea_orm::sqlx::sqlite::SqliteConnectOptions {
    o.create_if_missing(true)
        .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(10))
}

/// Creates a missing SQLite file and switches it to WAL on one connection
/// before the pool opens several: two connections opening a new file at
/// once could both try to switch it, and one then failed with "database
/// is locked" (seen once in the bench).
async fn prepare_sqlite_file(url: &str) -> Result<(), DbErr> {
    use sea_orm::sqlx::{ConnectOptions as _, Connection as _};
    let fail = |e: sea_orm::sqlx::Error| DbErr::Custom(format!("cannot open the database: {e}"));
    sqlite_file_options(url.parse().map_err(fail)?)
        .connect()
        .await
        .map_err(fail)?
        .close()
        .await
        .map_err(fail)
}

/// A URL fit for logs: the password, if any, replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// One field that was wrong, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// The same message in Chinese, for pages and Chinese-speaking callers.
    pub message_zh: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, en: impl Into<String>, zh: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: en.into(),
            message_zh: zh.into(),
        }
    }

    pub fn expected(field: impl Into<String>, e: crate::domain::Expected) -> Self {
        FieldError::new(field, e.en, e.zh)
    }
}

/// Why a storage operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Missing, or outside the actor's reach: the two are not told apart.
    #[error("not found")]
    NotFound,
    /// Visible to the actor, but they may not change it.
    #[error("not allowed")]
    Forbidden,
    /// The input broke a rule; nothing was written.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Wrong username or password: one answer for both.
    #[error("wrong username or password")]
    Unauthenticated,
    /// Too many failed logins; retry after the given seconds.
    #[error("too many attempts")]
    Throttled(i64),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl Error {
    pub fn invalid(field: &str, en: impl Into<String>, zh: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, en, zh)])
    }

    pub fn expected(field: &str, e: crate::domain::Expected) -> Self {
        Error::Invalid(vec![FieldError::expected(field, e)])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a write transaction changes; writers of one lane go one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Units, people, accounts: checks such as "no cycle" read the tree
    /// before writing it.
    Org = 1,
    /// Targets and actuals: rollups are recomputed from the children.
    Figures = 2,
}

/// Begins a write transaction that cannot interleave with another writer of
/// the same lane: on SQLite `BEGIN IMMEDIATE` (a deferred transaction that
/// reads, then writes after another commit fails outright in WAL mode); on
/// PostgreSQL a transaction-scoped advisory lock (READ COMMITTED would let
/// two checks pass side by side and both writes land).
pub async fn begin_write(db: &Db, lane: Lane) -> Result<sea_orm::DatabaseTransaction> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    lock_lane(&txn, lane).await?;
    if lane == Lane::Org {
        bump_structure(&txn).await?;
    }
    Ok(txn)
}

/// SQLite's page cache for bulk jobs: 256 MB (negative: in KiB).
const BIG_PAGE_CACHE: &str = "-262144";

/// A database handle for one bulk job (an order import). On SQLite a
/// connection of its own with a 256 MB page cache, whose commit leaves
/// SQLite's log as it is: an import's commit would otherwise copy the
/// pages it changed (300 MB for 200,000 rows into 10 million) from the
/// log into the database file before returning. [`Bulk::finish`] starts
/// that copy (a checkpoint) in the background instead: what the job wrote
/// is committed and visible already, as on PostgreSQL, whose checkpoints
/// hold up no commit. On PostgreSQL the pool itself.
pub struct Bulk {
    db: Db,
    own: bool,
}

impl Bulk {
    pub async fn open(db: &Db) -> Result<Bulk> {
        if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
            return Ok(Bulk {
                db: db.clone(),
                own: false,
            });
        }
        let options = (*db.get_sqlite_connection_pool().connect_options())
            .clone()
            .pragma("cache_size", BIG_PAGE_CACHE)
            .pragma("wal_autocheckpoint", "0");
        let pool = sea_orm::sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))?;
        Ok(Bulk {
            db: sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
            own: true,
        })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Closes the connection of its own and checkpoints SQLite's log from
    /// `pool` in the background. The pool's own commits still checkpoint
    /// a long log themselves; whichever starts first does it.
    pub async fn finish(self, pool: &Db) {
        if !self.own {
            return;
        }
        if let Err(e) = self.db.close().await {
            tracing::warn!(error = %e, "closing a bulk connection");
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            use sea_orm::ConnectionTrait;
            if let Err(e) = pool
                .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                .await
            {
                tracing::warn!(error = %e, "checkpoint after a bulk job");
            }
        });
    }
}

/// Runs a bulk job (a recompute of everything) with a 256 MB
/// SQLite page cache on `conn`: it reads and writes far more pages than
/// the default 2 MB hold, and scans and sorts then stay in memory. The
/// default comes back afterwards, also when the job fails: the connection
/// goes back to the pool. Nothing changes on PostgreSQL.
pub(crate) async fn with_big_page_cache<C, T>(
    conn: &C,
    job: impl std::future::Future<Output = Result<T>>,
) -> Result<T>
where
    C: sea_orm::ConnectionTrait,
{
    let sqlite = conn.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
    if sqlite {
        conn.execute_unprepared(&format!("PRAGMA cache_size = {BIG_PAGE_CACHE}"))
            .await?;
    }
    let done = job.await;
    if sqlite {
        conn.execute_unprepared("PRAGMA cache_size = -2000").await?;
    }
    done
}

/// Marks the org tree, accounts or metrics as changed; see [`cache`].
pub async fn bump_structure<C: sea_orm::ConnectionTrait>(conn: &C) -> Result<()> {
    bump(conn, "structure").await
}

/// Marks sessions or account settings as changed outside the org lane
/// (logout, ending sessions, the UI language); see [`cache::CallerCache`].
pub async fn bump_accounts<C: sea_orm::ConnectionTrait>(conn: &C) -> Result<()> {
    bump(conn, "accounts").await
}

/// Marks figures, rollups, locks or submissions as changed; see [`cache`].
/// Every figures-lane transaction does it in [`lock_lane`]; bulk loads that
/// bypass the lane call it themselves.
pub async fn bump_figures<C: sea_orm::ConnectionTrait>(conn: &C) -> Result<()> {
    bump(conn, "figures").await
}

/// One counter of `change_counter` up by one, in the caller's transaction.
async fn bump<C: sea_orm::ConnectionTrait>(conn: &C, name: &'static str) -> Result<()> {
    conn.execute_unprepared(&format!(
        "UPDATE change_counter SET value = value + 1 WHERE name = '{name}'"
    ))
    .await?;
    Ok(())
}

/// Takes a second lane inside a write transaction (an org change that also
/// moves figures). Lanes are always taken in the order Org, Figures. On
/// SQLite the IMMEDIATE transaction already excludes every other writer.
/// Taking the figures lane marks figures as changed: whoever takes it is
/// about to write them.
pub async fn lock_lane(txn: &sea_orm::DatabaseTransaction, lane: Lane) -> Result<()> {
    use sea_orm::ConnectionTrait;
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock(7723, {})",
            lane as i32
        ))
        .await?;
    }
    if lane == Lane::Figures {
        bump_figures(txn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/mubiao"),
            "postgres://app:***@db:5432/mubiao"
        );
        assert_eq!(
            redact_url("postgres://root@127.0.0.1/test"),
            "postgres://root@127.0.0.1/test"
        );
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_path("sqlite://mubiao.db"), Some("mubiao.db"));
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db?mode=rwc"),
            Some("/tmp/x.db")
        );
        assert_eq!(sqlite_path("postgres://x"), None);
    }

    /// SQLite caps the map at 2 GB unless built for more
    /// (.cargo/config.toml): the pragma answers the limit in force.
    #[tokio::test]
    async fn sqlite_mmap_limit_is_raised() -> Result<()> {
        use sea_orm::ConnectionTrait;
        let dir = tempfile::tempdir().map_err(|e| DbErr::Custom(e.to_string()))?;
        let db = connect(&format!("sqlite://{}", dir.path().join("m.db").display())).await?;
        let bulk = Bulk::open(&db).await?;
        for conn in [&db, bulk.db()] {
            let size = conn
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Sqlite,
                    "PRAGMA mmap_size",
                ))
                .await?
                .map(|r| r.try_get_by_index::<i64>(0))
                .transpose()?;
            assert_eq!(
                size.map(|s| s.to_string()).as_deref(),
                Some(SQLITE_MMAP_LIMIT)
            );
        }
        bulk.finish(&db).await;
        Ok(())
    }

    /// `connect` creates a new file (on a connection of its own first),
    /// migrates it and finds it in WAL mode on several connections at
    /// once, ten times over. The race it guards against (the pool's
    /// connections switching a new file at once) was seen once in the
    /// bench and is not reproduced here.
    #[tokio::test]
    async fn new_sqlite_files_open_in_wal_mode() -> Result<()> {
        use sea_orm::ConnectionTrait;
        let dir = tempfile::tempdir().map_err(|e| DbErr::Custom(e.to_string()))?;
        for n in 0..10 {
            let db = connect(&format!(
                "sqlite://{}",
                dir.path().join(format!("{n}.db")).display()
            ))
            .await?;
            let mode = || {
                db.query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Sqlite,
                    "PRAGMA journal_mode",
                ))
            };
            let (a, b, c, d) = tokio::join!(mode(), mode(), mode(), mode());
            for mode in [a?, b?, c?, d?] {
                let mode = mode.map(|r| r.try_get_by_index::<String>(0)).transpose()?;
                assert_eq!(mode.as_deref(), Some("wal"));
            }
        }
        Ok(())
    }
}
