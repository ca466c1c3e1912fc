//! Open the store, load or create the signing key, optionally seed the demo, and serve.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kcvs_model::{AssumptionSet, RuleSet};
pub use kcvs_store::IdempotencyRetention;
use kcvs_store::{OpenOptions, Store};

use crate::keys::{load_or_create, public_key_hex};
use crate::{AppState, Config, SystemClock, app};

#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// `sqlite://…`, `postgres://…` or a file path (SQLite).
    pub database: String,
    pub listen: SocketAddr,
    pub demo: bool,
    /// The signing key's seed file (default: `kcvs-signing.key` beside the SQLite file, or in
    /// the current folder for PostgreSQL).
    pub key_file: Option<PathBuf>,
    /// How long idempotency keys are remembered; expired ones are purged every
    /// [`PURGE_EVERY`].
    pub idempotency_retention: IdempotencyRetention,
    /// Failed sign-ins allowed per client address in the window before 429; 0 turns the
    /// per-address check off (behind a reverse proxy, where every client has the proxy's
    /// address: see [`Config::login_limit`]).
    pub login_limit_per_address: u32,
}

impl ServeOptions {
    /// The server's configuration for these options: the defaults, with the operator's
    /// per-address sign-in limit.
    pub fn config(&self) -> Config {
        let mut config = Config::default();
        config.login_limit.per_address = self.login_limit_per_address;
        config
    }
}

/// How often `kcvs serve` deletes expired idempotency records. Hourly keeps the table within an
/// hour's writes of the retention; a replay's expiry never depends on it (the store checks the
/// age of the record it finds).
pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Purge expired idempotency records every `every`, at the time `clock` gives, until the task is
/// dropped. A failed purge is reported and retried at the next tick: it only bounds the table.
pub fn spawn_idempotency_purge(
    store: Store,
    clock: Arc<dyn crate::Clock>,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    crate::periodic::spawn_every(
        every,
        ("idempotency purge", "멱등 키 정리"),
        move || {
            let (store, clock) = (store.clone(), Arc::clone(&clock));
            async move {
                store
                    .purge_idempotency(clock.now())
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        },
    )
}

/// The store's housekeeping as `kcvs serve` starts it beside the listener: the idempotency
/// purge every [`PURGE_EVERY`], at `clock`'s time (the server's clock; a test's fixed one).
pub fn spawn_store_housekeeping(
    store: Store,
    clock: Arc<dyn crate::Clock>,
) -> tokio::task::JoinHandle<()> {
    spawn_idempotency_purge(store, clock, PURGE_EVERY)
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the database: {0}")]
    Store(#[from] kcvs_store::StoreError),
    #[error(transparent)]
    Key(#[from] crate::keys::KeyError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Setup(String),
}

/// The default key file for a database URL.
pub fn default_key_file(database: &str) -> PathBuf {
    let name = "kcvs-signing.key";
    if database.starts_with("postgres:") || database.starts_with("postgresql:") {
        return PathBuf::from(name);
    }
    let path = database
        .strip_prefix("sqlite://")
        .or_else(|| database.strip_prefix("sqlite:"))
        .unwrap_or(database);
    let path = path.split('?').next().unwrap_or(path);
    Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from(name), |p| p.join(name))
}

/// Serve until Ctrl-C. Prints the address, the public key and (with `--demo` on an empty
/// store) the demo users' passwords.
pub async fn run(
    opts: ServeOptions,
    rules: RuleSet,
    assumptions: AssumptionSet,
) -> Result<(), ServeError> {
    let mut open = OpenOptions::new(opts.database.clone());
    open.idempotency_retention = opts.idempotency_retention;
    let store = Store::open(open).await?;
    let clock: Arc<dyn crate::Clock> = Arc::new(SystemClock);
    let purge = spawn_store_housekeeping(store.clone(), Arc::clone(&clock));
    let key_file = opts
        .key_file
        .clone()
        .unwrap_or_else(|| default_key_file(&opts.database));
    let (key, created) = load_or_create(&key_file)?;
    let public = public_key_hex(&key.verifying_key());
    let state = AppState::new(store, rules, assumptions, key, clock, opts.config())
        .map_err(|e| ServeError::Setup(e.detail.en))?;
    println!(
        "signing key: {} ({})",
        key_file.display(),
        if created { "created" } else { "loaded" }
    );
    println!("public key (Ed25519, hex): {public}");
    if opts.demo {
        match crate::demo::seed(&state)
            .await
            .map_err(|e| ServeError::Setup(e.detail.en))?
        {
            Some(users) => {
                println!("demo data seeded; users (password shown once):");
                for u in users {
                    println!("  {:<18} {:<10} {}", u.username, u.role, u.password);
                }
            }
            None => println!("demo: the store already has users; nothing seeded"),
        }
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: opts.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(ServeError::Serve)?;
    println!("listening on http://{addr}  (API: /api/v1, OpenAPI: /api/v1/openapi.json)");
    let _purge = crate::auth::spawn_purge(state.clone());
    let expiry = crate::expiry::spawn(state.clone(), crate::expiry::EXPIRY_EVERY);
    let served = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(ServeError::Serve);
    purge.abort();
    expiry.abort();
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(per_address: u32) -> ServeOptions {
        ServeOptions {
            database: "kcvs.db".to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            demo: false,
            key_file: None,
            idempotency_retention: IdempotencyRetention::default(),
            login_limit_per_address: per_address,
        }
    }

    async fn idempotency_records(store: &Store) -> i64 {
        use sqlx::Row as _;
        sqlx::query("SELECT COUNT(*) AS n FROM idempotency")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap()
    }

    /// The purge task as `kcvs serve` starts it, with a fixed clock for the records' age and
    /// tokio's clock paused only to jump an hour at a time (the store's own waits run on real
    /// time, so its pool timeouts do not fire early): it runs at start and then hourly, and
    /// deletes a record only once the clock passes its retention (here 1 h). Runs before that
    /// keep it; after the clock passes it, the record stays until the next hourly run (the
    /// third hour), which removes it.
    #[tokio::test(flavor = "current_thread")]
    async fn the_served_purge_removes_expired_idempotency_records_hourly() {
        use jiff::{SignedDuration, Timestamp};
        use kcvs_store::{Begin, Idem, StoredResponse};
        use std::time::Duration;

        let dir = tempfile::tempdir().unwrap();
        let mut open = OpenOptions::new(dir.path().join("kcvs.db").to_str().unwrap());
        open.idempotency_retention = "1h".parse().unwrap();
        let store = Store::open(open).await.unwrap();
        let t0: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
        let key = Some(Idem {
            key: "k-1".to_owned(),
            request_sha256: "body".to_owned(),
        });
        let Begin::Fresh(tx) = store.begin_write("acme", t0, key).await.unwrap() else {
            panic!("a fresh key replayed")
        };
        tx.commit(&StoredResponse {
            status: 201,
            body: "{}".to_owned(),
        })
        .await
        .unwrap();
        assert_eq!(idempotency_records(&store).await, 1);

        let at = |mins: i64| t0 + SignedDuration::from_mins(mins);
        let settle = || tokio::time::sleep(Duration::from_millis(150));
        let next_hour = || async {
            tokio::time::pause();
            tokio::time::advance(PURGE_EVERY).await;
            tokio::time::resume();
        };
        let clock = Arc::new(crate::FixedClock::new(at(10)));
        let task = spawn_store_housekeeping(store.clone(), clock.clone());
        settle().await;
        // Two hourly runs, both before the record expires.
        for mins in [25, 50] {
            clock.set(at(mins));
            next_hour().await;
            settle().await;
        }
        assert_eq!(
            idempotency_records(&store).await,
            1,
            "kept until it expires"
        );
        // Expired, but the task waits for its hour.
        clock.set(at(61));
        settle().await;
        assert_eq!(idempotency_records(&store).await, 1, "no run between hours");
        next_hour().await;
        let mut left = 1;
        for _ in 0..50 {
            settle().await;
            left = idempotency_records(&store).await;
            if left == 0 {
                break;
            }
        }
        task.abort();
        assert_eq!(left, 0, "purged by the third hourly run");
    }

    /// The option reaches the limit the server counts with, and nothing else moves.
    #[test]
    fn the_per_address_option_sets_the_login_limit() {
        let off = opts(0).config();
        assert_eq!(off.login_limit.per_address, 0);
        let default = crate::auth::LoginLimit::default();
        assert_eq!(off.login_limit.per_account, default.per_account);
        assert_eq!(off.login_limit.window_secs, default.window_secs);
        assert_eq!(opts(7).config().login_limit.per_address, 7);
    }
}
