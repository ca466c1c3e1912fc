//! Write transactions: who may write when, idempotency, and the two append-only chains.
//!
//! **What is serial, and where.** Almost nothing a write does depends on another write: the
//! registry's checks, the reads they need, the event and certificate rows. Three things do:
//!
//! 1. the head of the audit hash chain and of the transparency log: every record names the one
//!    before it, so two writers that read the same head would fork the chain;
//! 2. an application's (or agency's) event sequence: an event is checked against the state the
//!    earlier events give, so two writers must not both apply to the state they read;
//! 3. a client's idempotency key: two copies of one request must make one change.
//!
//! On PostgreSQL each is a database lock, so two server processes on one database are as safe as
//! one: (3) is a transaction-scoped advisory lock on the (actor, key) pair, taken first, so the
//! copy that waits then finds the stored response and replays it; (2) is `SELECT … FOR UPDATE`
//! on the application's row, taken when the transaction first reads it; (1) is an advisory lock
//! taken in [`WriteTx::commit`] just before the audit records and log leaves, which are queued
//! until then, are chained to the heads and inserted. A write holds the chain lock only for those
//! inserts and the commit, so validation, reads and the other rows of concurrent writes overlap.
//! Certificate numbers (`CSAP-2026-0001`, counted per scheme and year) take an advisory lock per
//! prefix. Locks are always taken in that order (key, row, number, chain), so writers do not
//! deadlock on them. Advisory keys are scoped to the PostgreSQL schema, so isolated test schemas
//! do not wait for each other.
//!
//! On SQLite the database has one writer anyway: writes queue on one in-process mutex (the
//! database's own lock would make them spin on `busy_timeout` instead), and all of the above
//! holds because nothing runs concurrently. A transaction begins `IMMEDIATE`, taking the
//! database's write lock first, so a second process on the same file waits its turn too.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kcvs_registry::Digest;
use kcvs_registry::audit::{AuditRecord, NewRecord};
use kcvs_registry::translog::{LogEntry, TransparencyLog};
use sqlx::{Any, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::rows::{int, text};
use crate::{Backend, Begin, Idem, Store, StoreError, StoredResponse, db_err};

/// How long a client's idempotency key is remembered. After that, the same key is a new request
/// and the purge may delete the record.
///
/// ASSUMPTION `store.idempotency-retention`: 24 hours by default. No Korean rule sets it; it is
/// the window in which a client retries a request whose answer it lost, and the order of what
/// public APIs that take an `Idempotency-Key` keep (a day). Set it with
/// `kcvs serve --idempotency-retention`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdempotencyRetention(SignedDuration);

impl IdempotencyRetention {
    pub const DEFAULT: IdempotencyRetention = IdempotencyRetention(SignedDuration::from_hours(24));

    /// A retention of `d`; zero or negative is refused (every replay would be a new write).
    pub fn new(d: SignedDuration) -> Option<IdempotencyRetention> {
        d.is_positive().then_some(IdempotencyRetention(d))
    }

    pub fn duration(self) -> SignedDuration {
        self.0
    }

    /// Whether a record made at `created` has expired at `now`.
    pub fn expired(self, created: Timestamp, now: Timestamp) -> bool {
        created.checked_add(self.0).is_ok_and(|until| until <= now)
    }
}

impl Default for IdempotencyRetention {
    fn default() -> Self {
        IdempotencyRetention::DEFAULT
    }
}

impl std::str::FromStr for IdempotencyRetention {
    type Err = String;

    /// `24h`, `90m`, `2 days`, or ISO 8601 (`PT24H`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d: SignedDuration = s.parse().map_err(|e| format!("`{s}`: {e}"))?;
        IdempotencyRetention::new(d).ok_or_else(|| format!("`{s}`: must be longer than zero"))
    }
}

impl std::fmt::Display for IdempotencyRetention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

/// What a transaction-scoped PostgreSQL advisory lock protects.
#[derive(Clone, Copy, Debug)]
enum LockKey<'a> {
    /// The audit chain's and the transparency log's heads.
    Chains,
    /// One (actor, idempotency key) pair.
    Idempotency { actor: &'a str, key: &'a str },
    /// The certificate numbers with one prefix.
    CertificateNumber { prefix: &'a str },
    /// The failed sign-ins of one subject (an account name or a client address).
    LoginSubject { kind: &'a str, subject: &'a str },
}

impl LockKey<'_> {
    /// The advisory lock's 64-bit key: the first 8 bytes of SHA-256 over the schema and the
    /// parts, each ended by a NUL so no two part lists give the same text.
    fn id(self, space: &str) -> i64 {
        let parts: [&str; 3] = match self {
            LockKey::Chains => ["chains", "", ""],
            LockKey::Idempotency { actor, key } => ["idempotency", actor, key],
            LockKey::CertificateNumber { prefix } => ["certificate-number", prefix, ""],
            LockKey::LoginSubject { kind, subject } => ["login", kind, subject],
        };
        let mut text = format!("kcvs\0{space}\0");
        for p in parts {
            text.push_str(p);
            text.push('\0');
        }
        let d = Digest::of(&[text.as_bytes()]);
        let mut first = [0u8; 8];
        first.copy_from_slice(&d.as_bytes()[..8]);
        i64::from_be_bytes(first)
    }
}

/// A row a write must hold while it reads, checks and extends the events behind it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RowLock {
    Application,
    Agency,
}

impl Store {
    /// Start a write as `actor` at `now`. With a key, a repeat of an earlier request (within the
    /// retention) is answered from the record of it, and a different request under the same key
    /// is refused; a record older than the retention is forgotten and the request runs afresh.
    pub async fn begin_write(
        &self,
        actor: &str,
        now: Timestamp,
        idem: Option<Idem>,
    ) -> Result<Begin, StoreError> {
        let guard = match &self.write_lock {
            Some(m) => Some(Arc::clone(m).lock_owned().await),
            None => None,
        };
        let mut tx = match self.backend {
            // Take SQLite's write lock now, not at the first write: a deferred transaction that
            // read before another process wrote cannot upgrade and fails at once ("database is
            // locked"), while `BEGIN IMMEDIATE` waits its turn under `busy_timeout`.
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        if let Some(idem) = &idem {
            if self.backend == Backend::Postgres {
                let key = LockKey::Idempotency {
                    actor,
                    key: &idem.key,
                };
                advisory_lock(&mut tx, key.id(&self.lock_space)).await?;
            }
            if let Some(replay) = self.stored_response(&mut tx, actor, idem, now).await? {
                return Ok(Begin::Replay(replay));
            }
        }
        Ok(Begin::Fresh(WriteTx {
            tx,
            _guard: guard,
            backend: self.backend,
            lock_space: Arc::clone(&self.lock_space),
            idem,
            actor: actor.to_owned(),
            now,
            audit: Vec::new(),
            leaves: Vec::new(),
            registry_changed: false,
        }))
    }

    /// The response stored under the key, if it is still remembered; an expired record is
    /// deleted in `tx`, so the new response can take its place.
    async fn stored_response(
        &self,
        tx: &mut Transaction<'static, Any>,
        actor: &str,
        idem: &Idem,
        now: Timestamp,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let row = sqlx::query(
            "SELECT request_sha256, status, response, created_at FROM idempotency \
             WHERE actor = $1 AND idempotency_key = $2",
        )
        .bind(actor)
        .bind(&idem.key)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let created: Timestamp = text(&row, "created_at")?
            .parse()
            .map_err(StoreError::corrupt)?;
        if self.idempotency_retention.expired(created, now) {
            sqlx::query("DELETE FROM idempotency WHERE actor = $1 AND idempotency_key = $2")
                .bind(actor)
                .bind(&idem.key)
                .execute(&mut **tx)
                .await?;
            return Ok(None);
        }
        if text(&row, "request_sha256")? != idem.request_sha256 {
            return Err(StoreError::IdempotencyMismatch);
        }
        let status = int(&row, "status")?;
        Ok(Some(StoredResponse {
            status: u16::try_from(status).map_err(StoreError::corrupt)?,
            body: text(&row, "response")?,
        }))
    }

    /// Delete the idempotency records that expired by `now`; returns how many. `kcvs serve`
    /// runs this periodically; correctness does not depend on it ([`Store::begin_write`] checks
    /// the age of a record itself), only the table's size does.
    pub async fn purge_idempotency(&self, now: Timestamp) -> Result<u64, StoreError> {
        // `created_at` is RFC 3339 text, which sorts as time does except within one second
        // (fractional digits are omitted when zero); a cut-off one second earlier deletes only
        // records that have certainly expired.
        let cutoff = now
            .checked_sub(self.idempotency_retention.duration())
            .and_then(|t| t.checked_sub(SignedDuration::from_secs(1)))
            .map_err(StoreError::corrupt)?;
        let _guard = match &self.write_lock {
            Some(m) => Some(Arc::clone(m).lock_owned().await),
            None => None,
        };
        let done = sqlx::query("DELETE FROM idempotency WHERE created_at < $1")
            .bind(cutoff.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Take a transaction-scoped advisory lock (released at commit or rollback). Wrapped in a
/// subquery because the function returns `void`, which the `Any` driver cannot carry.
async fn advisory_lock(tx: &mut Transaction<'static, Any>, id: i64) -> Result<(), StoreError> {
    sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock($1)) AS l")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One write transaction: the domain operations in the submodules, then [`WriteTx::commit`].
/// Dropping it without committing rolls everything back.
#[derive(Debug)]
pub struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
    backend: Backend,
    lock_space: Arc<str>,
    pub(crate) idem: Option<Idem>,
    pub(crate) actor: String,
    pub(crate) now: Timestamp,
    /// Audit records to chain at commit, in order.
    audit: Vec<NewRecord>,
    /// Transparency-log leaves to append at commit, in order (`logged_at` is set then).
    leaves: Vec<LogEntry>,
    /// A certificate row changed: the registry generation moves at commit.
    registry_changed: bool,
}

impl WriteTx {
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Hold the failed sign-ins of these subjects for the rest of the transaction, so two
    /// processes count and add one attempt after the other. PostgreSQL only (SQLite has one
    /// writer); taken in the order of their keys, so two attempts never wait for each other.
    pub(crate) async fn lock_login_subjects(
        &mut self,
        subjects: &[(&str, &str)],
    ) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let mut ids: Vec<i64> = subjects
            .iter()
            .map(|&(kind, subject)| LockKey::LoginSubject { kind, subject }.id(&self.lock_space))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            advisory_lock(&mut self.tx, id).await?;
        }
        Ok(())
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn idempotency_key(&self) -> Option<&Idem> {
        self.idem.as_ref()
    }

    /// Hold `id`'s row until commit (PostgreSQL: `FOR UPDATE`), so its events are read, checked
    /// and extended by one writer at a time. A missing row locks nothing; the caller reports it.
    pub(crate) async fn lock_row(&mut self, lock: RowLock, id: &str) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let sql = match lock {
            RowLock::Application => "SELECT id FROM applications WHERE id = $1 FOR UPDATE",
            RowLock::Agency => "SELECT id FROM agencies WHERE id = $1 FOR UPDATE",
        };
        sqlx::query(sql).bind(id).execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Hold the certificate numbers with `prefix` until commit, so two issues do not count the
    /// same numbers and give the same one.
    pub(crate) async fn lock_certificate_numbers(
        &mut self,
        prefix: &str,
    ) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let id = LockKey::CertificateNumber { prefix }.id(&self.lock_space);
        advisory_lock(&mut self.tx, id).await
    }

    /// Commit: chain the queued audit records and log leaves to the heads, record `response`
    /// under the idempotency key if there is one, and commit.
    pub async fn commit(mut self, response: &StoredResponse) -> Result<(), StoreError> {
        if let Some(idem) = &self.idem {
            sqlx::query(
                "INSERT INTO idempotency (actor, idempotency_key, request_sha256, status, response, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&self.actor)
            .bind(&idem.key)
            .bind(&idem.request_sha256)
            .bind(i64::from(response.status))
            .bind(&response.body)
            .bind(self.now.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(|e| db_err(e, "idempotency key"))?;
        }
        if !(self.audit.is_empty() && self.leaves.is_empty()) {
            if self.backend == Backend::Postgres {
                let id = LockKey::Chains.id(&self.lock_space);
                advisory_lock(&mut self.tx, id).await?;
            }
            let audit = std::mem::take(&mut self.audit);
            self.append_audit(audit).await?;
            let leaves = std::mem::take(&mut self.leaves);
            self.append_leaves(leaves).await?;
        }
        if self.registry_changed {
            // Under the chain lock on PostgreSQL: every certificate change is audited, so the
            // lock is held here and writers meet this row one at a time, in lock order.
            sqlx::query("UPDATE registry_generation SET generation = generation + 1 WHERE id = 1")
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }

    /// Queue one audit record; every state change calls this. It is chained to the head, and
    /// its sequence number given, at commit.
    pub async fn audit(
        &mut self,
        action: &str,
        subject: &str,
        payload: serde_json::Value,
    ) -> Result<(), StoreError> {
        self.audit.push(NewRecord {
            at: self.now,
            actor: self.actor.clone(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            payload,
        });
        Ok(())
    }

    /// Note that a certificate row changed, so registry readers rebuild their pages.
    pub(crate) fn registry_changed(&mut self) {
        self.registry_changed = true;
    }

    /// Queue one transparency-log leaf; its index and `logged_at` are given at commit.
    pub(crate) fn queue_leaf(&mut self, entry: LogEntry) {
        self.leaves.push(entry);
    }

    async fn append_audit(&mut self, records: Vec<NewRecord>) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *self.tx)
            .await?;
        let (mut seq, mut prev) = match last {
            Some(row) => {
                let seq = int(&row, "seq")?;
                let prev = Digest::from_hex(&text(&row, "hash")?)
                    .ok_or_else(|| StoreError::Corrupt(format!("audit record {seq}: bad hash")))?;
                (u64::try_from(seq).map_err(StoreError::corrupt)? + 1, prev)
            }
            None => (0, Digest::ZERO),
        };
        for new in records {
            let mut record = AuditRecord {
                seq,
                at: new.at,
                actor: new.actor,
                action: new.action,
                subject: new.subject,
                payload: new.payload,
                prev,
                hash: Digest::ZERO,
            };
            record.hash = record.compute_hash();
            let payload = kcvs_registry::signing::canonical_json(&record.payload);
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor, action, subject, payload, prev, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(i64::try_from(record.seq).map_err(StoreError::corrupt)?)
            .bind(record.at.to_string())
            .bind(&record.actor)
            .bind(&record.action)
            .bind(&record.subject)
            .bind(payload)
            .bind(record.prev.to_hex())
            .bind(record.hash.to_hex())
            .execute(&mut *self.tx)
            .await
            .map_err(|e| db_err(e, "audit record"))?;
            prev = record.hash;
            seq += 1;
        }
        Ok(())
    }

    /// Append the leaves after the log's last. A leaf's time never goes back: a clock behind the
    /// last leaf's (another process's, or one moved backwards) is clamped to it.
    async fn append_leaves(&mut self, leaves: Vec<LogEntry>) -> Result<(), StoreError> {
        if leaves.is_empty() {
            return Ok(());
        }
        let last = sqlx::query("SELECT idx, logged_at FROM translog ORDER BY idx DESC LIMIT 1")
            .fetch_optional(&mut *self.tx)
            .await?;
        let (mut index, logged_at) = match last {
            Some(r) => {
                let idx = u64::try_from(int(&r, "idx")?).map_err(StoreError::corrupt)?;
                let at: Timestamp = text(&r, "logged_at")?
                    .parse()
                    .map_err(StoreError::corrupt)?;
                (idx + 1, at.max(self.now))
            }
            None => (0, self.now),
        };
        for mut entry in leaves {
            entry.logged_at = logged_at;
            let data = TransparencyLog::entry_data(&entry).map_err(StoreError::corrupt)?;
            let data = String::from_utf8(data).map_err(StoreError::corrupt)?;
            sqlx::query(
                "INSERT INTO translog (idx, certificate, entry, logged_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(i64::try_from(index).map_err(StoreError::corrupt)?)
            .bind(entry.certificate.as_str())
            .bind(data)
            .bind(logged_at.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(|e| db_err(e, "transparency log leaf"))?;
            index += 1;
        }
        Ok(())
    }
}
