/*!
Storage for the certification service: one schema, one set of migrations, on SQLite (the
embedded default) and PostgreSQL.

**The database stores events; the registry decides.** An application's state is never written
by hand: [`WriteTx::apply_event`] loads the application's events, replays them through
[`kcvs_registry::lifecycle::replay`], applies the new one with `State::apply`, and only if the
registry accepts it appends the event, refreshes the cached state name, writes the certificate
row and its signed document, appends the transparency-log leaf, and appends one hash-chained
audit record, all in the same transaction. Agencies and the committee work the same way.

**Why `sqlx::Any` and not two pools behind a trait.** STACK.md §4 advises a trait with a SQLite
and a PostgreSQL implementation because `Any` erases types. We chose `Any` deliberately, for
this schema only: every column is TEXT or BIGINT (dates as ISO text, JSON as text, flags as
0/1), which `Any` carries without loss, so nothing backend-specific is given up; and sqlx's
SQLite driver binds `$1`-style parameters by their number, so every query is written once, in
one dialect, and the conformance tests exercise the *same* code on both backends rather than two
implementations that could drift. What we pay: no compile-time checked queries (we use none),
and backend differences that matter are handled in one place ([`Store::open`]: SQLite pragmas,
PostgreSQL `search_path`). If a later feature needs JSONB or `timestamptz`, split then.

**Durability.** SQLite runs in WAL mode with `synchronous=FULL`, `busy_timeout` and foreign
keys on, so a write acknowledged after `COMMIT` survives a SIGKILL or power cut.

**Concurrency.** On PostgreSQL, several processes may write one database: what must be serial
(the audit chain's and the transparency log's heads, an application's event sequence, one
idempotency key, certificate numbering) is locked in the database, late and narrowly, and the
rest of concurrent writes overlaps. On SQLite, writes queue on one in-process mutex. The `write`
module tells how.

**Idempotency.** [`Store::begin_write`] takes the client's key and the SHA-256 of its request.
The first request with a key stores its response in the same transaction as its change; the
same key with the same request returns that response ([`Begin::Replay`]), also when the two
arrive together (the second waits for the first); the same key with a different request is
[`StoreError::IdempotencyMismatch`], and nothing changes. A key is remembered for the
[`IdempotencyRetention`] (24 hours by default); after that it is a new request, and
[`Store::purge_idempotency`] deletes the record.
*/

mod agency;
mod auth;
mod committee;
mod lifecycle;
mod read;
mod rows;
mod write;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use kcvs_registry::Digest;
use kcvs_registry::translog::TransparencyLog;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, AssertSqlSafe, Executor, SqlSafeStr};
use tokio::sync::Mutex;

pub use agency::AgencyRecord;
pub use auth::{ApiTokenRow, ApiTokenState, LoginSubject, NewUser, Principal, UserRow};
pub use committee::{DeliberationRow, MemberRow, VoteRow};
pub use lifecycle::{ApplicationRecord, EventRow, Signer};
pub use read::{AppFilter, ApplicationSummary, CertFilter, LapsedCertificate, RegistryRow};
pub use rows::{CertificateRow, EndCause, ServiceRow, TranslogRow};
pub use write::{IdempotencyRetention, WriteTx};

/// The migrations, embedded. Their SQL is portable: see the first file's header.
const INIT_SQL: &str = include_str!("../migrations/0001_init.sql");
const REGISTRY_INDEXES_SQL: &str = include_str!("../migrations/0002_registry_indexes.sql");
const EXPIRING_KEYS_SQL: &str = include_str!("../migrations/0003_expiring_idempotency_keys.sql");
const REGISTRY_GENERATION_SQL: &str = include_str!("../migrations/0004_registry_generation.sql");
const LOGIN_FAILURES_SQL: &str = include_str!("../migrations/0005_login_failures.sql");

fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            "init".into(),
            MigrationType::Simple,
            INIT_SQL.into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            "registry indexes".into(),
            MigrationType::Simple,
            REGISTRY_INDEXES_SQL.into_sql_str(),
            false,
        ),
        Migration::new(
            3,
            "expiring idempotency keys".into(),
            MigrationType::Simple,
            EXPIRING_KEYS_SQL.into_sql_str(),
            false,
        ),
        Migration::new(
            4,
            "registry generation".into(),
            MigrationType::Simple,
            REGISTRY_GENERATION_SQL.into_sql_str(),
            false,
        ),
        Migration::new(
            5,
            "login failures".into(),
            MigrationType::Simple,
            LOGIN_FAILURES_SQL.into_sql_str(),
            false,
        ),
    ])
}

/// Which server the store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to open a store.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// `sqlite://path`, `postgres://…`, or a plain file path (taken as SQLite).
    pub url: String,
    /// Create the SQLite file if it does not exist.
    pub create: bool,
    /// Apply the migrations.
    pub migrate: bool,
    /// PostgreSQL only: the schema to work in (`SET search_path`), for isolated tests.
    pub pg_schema: Option<String>,
    /// The pool's size (on SQLite: the writers' pool; writes are serialised anyway).
    pub max_connections: u32,
    /// SQLite only: the size of the separate read pool.
    pub read_connections: u32,
    /// How long an idempotency key is remembered.
    pub idempotency_retention: IdempotencyRetention,
}

impl OpenOptions {
    pub fn new(url: impl Into<String>) -> Self {
        OpenOptions {
            url: url.into(),
            create: true,
            migrate: true,
            pg_schema: None,
            max_connections: 16,
            read_connections: 8,
            idempotency_retention: IdempotencyRetention::DEFAULT,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{what} `{id}` not found")]
    NotFound { what: &'static str, id: String },
    #[error(transparent)]
    Transition(#[from] kcvs_registry::lifecycle::TransitionError),
    #[error(transparent)]
    Agency(#[from] kcvs_registry::agency::AgencyError),
    #[error(transparent)]
    Committee(#[from] kcvs_registry::committee::CommitteeError),
    #[error(transparent)]
    Sitting(#[from] kcvs_registry::committee::SittingError),
    #[error("the idempotency key was already used with a different request")]
    IdempotencyMismatch,
    /// A unique key was taken (an id, a name, a concurrent write).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A request the registry has no rule for but the store refuses (bad reference, wrong state).
    #[error("{0}")]
    Invalid(String),
    /// Stored data that does not read back (bad JSON, events that no longer replay).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub(crate) fn corrupt(e: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(e.to_string())
    }

    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        StoreError::NotFound {
            what,
            id: id.into(),
        }
    }
}

/// Map a unique violation to [`StoreError::Conflict`].
pub(crate) fn db_err(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(format!("{what} already exists"))
        }
        _ => StoreError::Db(e),
    }
}

/// A client's idempotency key, scoped to the actor, with the SHA-256 of what it sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idem {
    pub key: String,
    pub request_sha256: String,
}

/// The response a write produced, kept to answer a replay of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// What [`Store::begin_write`] gives.
#[derive(Debug)]
pub enum Begin {
    /// A fresh transaction.
    Fresh(WriteTx),
    /// The key was used before with the same request: here is what was answered.
    Replay(StoredResponse),
}

#[derive(Clone, Debug)]
pub struct Store {
    /// The writers' pool (and the migrations').
    pool: AnyPool,
    /// Reads. On SQLite a separate pool, so readers (WAL: they never block the writer nor wait
    /// for it) do not queue for a connection behind writes; on PostgreSQL the same pool.
    read_pool: AnyPool,
    backend: Backend,
    /// SQLite only: its one writer, taken by every write (see the `write` module). PostgreSQL
    /// serialises in the database instead, so that two processes stay safe.
    write_lock: Option<Arc<Mutex<()>>>,
    /// The PostgreSQL schema (or empty), which scopes advisory lock keys.
    lock_space: Arc<str>,
    idempotency_retention: IdempotencyRetention,
    /// The transparency log as last read: it is append-only, so it is extended, never rebuilt.
    translog_cache: Arc<std::sync::Mutex<Option<Arc<TransparencyLog>>>>,
}

fn sqlite_url(url: &str, create: bool) -> String {
    if url.starts_with("sqlite:") || url.starts_with("postgres:") || url.starts_with("postgresql:")
    {
        return url.to_owned();
    }
    format!("sqlite://{url}?mode={}", if create { "rwc" } else { "rw" })
}

fn valid_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Store {
    /// Open (and by default migrate) a store.
    pub async fn open(opts: OpenOptions) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let url = sqlite_url(&opts.url, opts.create);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let schema = match &opts.pg_schema {
            Some(s) if !valid_identifier(s) => {
                return Err(StoreError::Invalid(format!("invalid schema name `{s}`")));
            }
            other => other.clone(),
        };
        let lock_space: Arc<str> = Arc::from(schema.as_deref().unwrap_or_default());
        let connect = AnyConnectOptions::from_str(&url)?;
        let pool = Self::pool_options(backend, schema.clone(), opts.max_connections)
            .connect_with(connect.clone())
            .await?;
        let read_pool = match backend {
            Backend::Postgres => pool.clone(),
            Backend::Sqlite => Self::pool_options(backend, schema, opts.read_connections)
                .connect_lazy_with(connect),
        };
        let store = Store {
            pool,
            read_pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            lock_space,
            idempotency_retention: opts.idempotency_retention,
            translog_cache: Arc::new(std::sync::Mutex::new(None)),
        };
        if opts.migrate {
            migrator().run(&store.pool).await?;
        }
        Ok(store)
    }

    fn pool_options(backend: Backend, schema: Option<String>, max: u32) -> AnyPoolOptions {
        AnyPoolOptions::new()
            .max_connections(max.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // WAL + FULL: a commit is on disk before it is acknowledged.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                        }
                        Backend::Postgres => {
                            if let Some(s) = schema {
                                // The name was checked by `valid_identifier`: [a-z0-9_] only.
                                let sql = format!("SET search_path TO {s}");
                                conn.execute(AssertSqlSafe(sql)).await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool reads go to (on SQLite separate from the writers').
    pub fn read_pool(&self) -> &AnyPool {
        &self.read_pool
    }

    pub async fn close(&self) {
        self.read_pool.close().await;
        self.pool.close().await;
    }
}

/// Create a PostgreSQL schema of its own (`t_` and 16 random hex digits) at `url` and return its
/// name, for [`OpenOptions::pg_schema`]: tests that share one database stay apart this way.
pub async fn create_isolated_schema(url: &str) -> Result<String, StoreError> {
    sqlx::any::install_default_drivers();
    let schema = new_id("t")?
        .to_lowercase()
        .replace('-', "_")
        .chars()
        .take(18)
        .collect::<String>();
    if !valid_identifier(&schema) {
        return Err(StoreError::Invalid(format!(
            "invalid schema name `{schema}`"
        )));
    }
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    // The name was checked by `valid_identifier`: [a-z0-9_] only.
    let done = pool
        .execute(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await;
    pool.close().await;
    done?;
    Ok(schema)
}

/// A new random id: `prefix` and 20 hex digits (80 bits) from the OS.
pub fn new_id(prefix: &str) -> Result<String, StoreError> {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(format!(
        "{prefix}-{}",
        kcvs_registry::digest::hex_encode(&bytes)
    ))
}

/// SHA-256 in lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    Digest::of(&[data]).to_hex()
}
