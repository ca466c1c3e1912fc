//! Reads that change nothing: applications, certificates, services, the transparency log, the
//! audit chain.

use std::sync::Arc;

use kcvs_registry::audit::{AuditError, AuditRecord, ChainHead, verify_chain};
use kcvs_registry::translog::{LogEntry, TransparencyLog};
use kcvs_registry::{Date, Digest};
use serde::{Deserialize, Serialize};

use crate::lifecycle::{ApplicationRecord, load_application, load_certificate};
use crate::rows::{CertificateRow, ServiceRow, TranslogRow, date, int, opt_text, text};
use crate::{Store, StoreError};

/// One line of an application list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSummary {
    pub id: String,
    pub provider: String,
    pub service: String,
    pub regime: String,
    pub state: String,
    pub evaluator: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Which applications to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AppFilter {
    #[default]
    All,
    Provider(String),
    Evaluator(String),
}

fn summary(r: &sqlx::any::AnyRow) -> Result<ApplicationSummary, StoreError> {
    Ok(ApplicationSummary {
        id: text(r, "id")?,
        provider: text(r, "provider_id")?,
        service: text(r, "service")?,
        regime: text(r, "regime")?,
        state: text(r, "state")?,
        evaluator: opt_text(r, "evaluator_id")?,
        created_at: text(r, "created_at")?,
        updated_at: text(r, "updated_at")?,
    })
}

/// Which certificates the registry lists; every field given narrows, in SQL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertFilter {
    /// Issued on or before this date.
    pub issued_by: Option<Date>,
    /// A tier id; `none` also matches certificates without a tier.
    pub tier: Option<String>,
    /// A service type as spelled in the API (`iaas`, `saas-standard`, …).
    pub service_type: Option<String>,
    pub regime: Option<String>,
    pub scheme: Option<String>,
    pub service: Option<String>,
    pub provider: Option<String>,
}

/// A certificate whose term is over but whose expiry is not recorded yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LapsedCertificate {
    pub number: String,
    pub application: String,
    /// The last day it was valid; the expiry takes effect the day after.
    pub valid_until: Date,
}

/// A registry line: the certificate without its signed document, and whether it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryRow {
    /// `document` is always `None` here; see `signed`.
    pub certificate: CertificateRow,
    pub signed: bool,
}

const REGISTRY_COLUMNS: &str = "number, application_id, provider_id, service, regime, scheme, tier, service_type, scope, host, issued, valid_from, valid_until, renews, ended_on, end_cause, CAST(NULL AS TEXT) AS document, source, CAST(CASE WHEN document IS NULL THEN 0 ELSE 1 END AS BIGINT) AS signed";

impl Store {
    /// Where the registry's content stands: the number moves whenever a certificate is issued,
    /// renewed, ended or imported, by any process writing to this database. A reader that kept
    /// a page built at one generation may serve it while the generation is the same.
    pub async fn registry_generation(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT generation FROM registry_generation WHERE id = 1")
            .fetch_one(&self.read_pool)
            .await?;
        int(&row, "generation")
    }

    /// The registry's certificates, filtered in SQL and read without their signed documents
    /// (only whether there is one), in number order.
    pub async fn registry_certificates(
        &self,
        f: &CertFilter,
    ) -> Result<Vec<RegistryRow>, StoreError> {
        let mut sql = format!("SELECT {REGISTRY_COLUMNS} FROM certificates WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        let mut eq = |sql: &mut String, col: &str, v: &Option<String>| {
            if let Some(v) = v {
                args.push(v.clone());
                sql.push_str(&format!(" AND {col} = ${}", args.len()));
            }
        };
        eq(&mut sql, "service_type", &f.service_type);
        eq(&mut sql, "regime", &f.regime);
        eq(&mut sql, "scheme", &f.scheme);
        eq(&mut sql, "service", &f.service);
        eq(&mut sql, "provider_id", &f.provider);
        if let Some(t) = &f.tier {
            args.push(t.clone());
            let n = args.len();
            if t == "none" {
                sql.push_str(&format!(" AND (tier = ${n} OR tier IS NULL)"));
            } else {
                sql.push_str(&format!(" AND tier = ${n}"));
            }
        }
        if let Some(d) = f.issued_by {
            args.push(d.to_string());
            sql.push_str(&format!(" AND issued <= ${}", args.len()));
        }
        sql.push_str(" ORDER BY number");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in &args {
            q = q.bind(a.as_str());
        }
        q.fetch_all(&self.read_pool)
            .await?
            .iter()
            .map(|r| {
                Ok(RegistryRow {
                    certificate: CertificateRow::from_row(r)?,
                    signed: int(r, "signed")? != 0,
                })
            })
            .collect()
    }

    /// Certificates still recorded as in force whose term ended before `today` and that have a
    /// case to record the expiry on: (number, application id, last valid day), oldest first.
    /// Imported pre-tier certificates have no case, and a renewed certificate was succeeded by
    /// its renewal (logged as such): both are left to the date-based status.
    pub async fn lapsed_certificates(
        &self,
        today: Date,
    ) -> Result<Vec<LapsedCertificate>, StoreError> {
        sqlx::query(
            "SELECT number, application_id, valid_until FROM certificates \
             WHERE ended_on IS NULL AND application_id IS NOT NULL AND valid_until < $1 \
               AND number NOT IN (SELECT renews FROM certificates WHERE renews IS NOT NULL) \
             ORDER BY valid_until, number",
        )
        .bind(today.to_string())
        .fetch_all(&self.read_pool)
        .await?
        .iter()
        .map(|r| {
            Ok(LapsedCertificate {
                number: text(r, "number")?,
                application: text(r, "application_id")?,
                valid_until: date(r, "valid_until")?,
            })
        })
        .collect()
    }

    /// The certificates of one service (for the eligibility check), without documents.
    pub async fn service_certificates(
        &self,
        service: &str,
        issued_by: Date,
    ) -> Result<Vec<CertificateRow>, StoreError> {
        Ok(self
            .registry_certificates(&CertFilter {
                service: Some(service.to_owned()),
                issued_by: Some(issued_by),
                ..CertFilter::default()
            })
            .await?
            .into_iter()
            .map(|r| r.certificate)
            .collect())
    }

    /// The transparency log, shared: read once, then extended by the leaves appended since
    /// (the log is append-only and its leaves never change), so tree heads and proofs cost one
    /// `COUNT` and no rehashing. Correct across processes: a leaf another process appended is
    /// read on the next call.
    pub async fn transparency_log_shared(&self) -> Result<Arc<TransparencyLog>, StoreError> {
        let n = int(
            &sqlx::query("SELECT COUNT(*) AS n FROM translog")
                .fetch_one(&self.read_pool)
                .await?,
            "n",
        )?;
        let n = u64::try_from(n).map_err(StoreError::corrupt)?;
        let cached = self.translog_cache.lock().ok().and_then(|c| c.clone());
        if let Some(log) = cached.as_ref().filter(|l| l.len() == n) {
            return Ok(Arc::clone(log));
        }
        let from = cached
            .as_ref()
            .filter(|l| l.len() < n)
            .map_or(0, |l| l.len());
        let rows = sqlx::query("SELECT idx, entry FROM translog WHERE idx >= $1 ORDER BY idx")
            .bind(i64::try_from(from).map_err(StoreError::corrupt)?)
            .fetch_all(&self.read_pool)
            .await?;
        let mut log = match &cached {
            Some(l) if from > 0 => TransparencyLog::clone(l),
            _ => TransparencyLog::new(),
        };
        for r in &rows {
            let idx = u64::try_from(int(r, "idx")?).map_err(StoreError::corrupt)?;
            if idx != log.len() {
                return Err(StoreError::Corrupt(format!(
                    "transparency log: leaf {idx} where {} was expected",
                    log.len()
                )));
            }
            let entry: LogEntry =
                serde_json::from_str(&text(r, "entry")?).map_err(StoreError::corrupt)?;
            log.append(entry).map_err(StoreError::corrupt)?;
        }
        let log = Arc::new(log);
        if let Ok(mut c) = self.translog_cache.lock() {
            // Keep the longest seen: a concurrent reader may have read further.
            if c.as_ref().is_none_or(|old| old.len() < log.len()) {
                *c = Some(Arc::clone(&log));
            }
        }
        Ok(log)
    }

    pub async fn application(&self, id: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let mut conn = self.read_pool.acquire().await?;
        load_application(&mut conn, id).await
    }

    pub async fn applications(
        &self,
        filter: &AppFilter,
    ) -> Result<Vec<ApplicationSummary>, StoreError> {
        let rows = match filter {
            AppFilter::All => {
                sqlx::query("SELECT id, provider_id, service, regime, state, evaluator_id, created_at, updated_at FROM applications ORDER BY created_at, id")
                    .fetch_all(&self.read_pool)
                    .await?
            }
            AppFilter::Provider(p) => {
                sqlx::query("SELECT id, provider_id, service, regime, state, evaluator_id, created_at, updated_at FROM applications WHERE provider_id = $1 ORDER BY created_at, id")
                    .bind(p)
                    .fetch_all(&self.read_pool)
                    .await?
            }
            AppFilter::Evaluator(e) => {
                sqlx::query("SELECT id, provider_id, service, regime, state, evaluator_id, created_at, updated_at FROM applications WHERE evaluator_id = $1 ORDER BY created_at, id")
                    .bind(e)
                    .fetch_all(&self.read_pool)
                    .await?
            }
        };
        rows.iter().map(summary).collect()
    }

    pub async fn certificate(&self, number: &str) -> Result<Option<CertificateRow>, StoreError> {
        let mut conn = self.read_pool.acquire().await?;
        load_certificate(&mut conn, number).await
    }

    /// Every certificate, in number order.
    pub async fn certificates(&self) -> Result<Vec<CertificateRow>, StoreError> {
        sqlx::query("SELECT number, application_id, provider_id, service, regime, scheme, tier, service_type, scope, host, issued, valid_from, valid_until, renews, ended_on, end_cause, document, source FROM certificates ORDER BY number")
            .fetch_all(&self.read_pool)
            .await?
            .iter()
            .map(CertificateRow::from_row)
            .collect()
    }

    pub async fn services(&self) -> Result<Vec<ServiceRow>, StoreError> {
        sqlx::query("SELECT id, provider_id, name, profile FROM services ORDER BY id")
            .fetch_all(&self.read_pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ServiceRow {
                    id: text(r, "id")?,
                    provider: text(r, "provider_id")?,
                    name: text(r, "name")?,
                    profile: text(r, "profile")?,
                })
            })
            .collect()
    }

    /// Every leaf of the transparency log, in order.
    pub async fn translog(&self) -> Result<Vec<TranslogRow>, StoreError> {
        sqlx::query("SELECT idx, certificate, entry FROM translog ORDER BY idx")
            .fetch_all(&self.read_pool)
            .await?
            .iter()
            .map(|r| {
                let entry: LogEntry =
                    serde_json::from_str(&text(r, "entry")?).map_err(StoreError::corrupt)?;
                Ok(TranslogRow {
                    index: u64::try_from(int(r, "idx")?).map_err(StoreError::corrupt)?,
                    certificate: text(r, "certificate")?,
                    entry,
                })
            })
            .collect()
    }

    /// The log rebuilt in memory, for tree heads and proofs.
    pub async fn transparency_log(&self) -> Result<TransparencyLog, StoreError> {
        let entries = self
            .translog()
            .await?
            .into_iter()
            .map(|r| r.entry)
            .collect();
        TransparencyLog::from_entries(entries).map_err(StoreError::corrupt)
    }

    /// The audit chain as stored. A row that no longer parses is reported as corrupt.
    pub async fn audit_records(&self) -> Result<Vec<AuditRecord>, StoreError> {
        sqlx::query(
            "SELECT seq, at, actor, action, subject, payload, prev, hash FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.read_pool)
        .await?
        .iter()
        .map(|r| {
            let seq = int(r, "seq")?;
            let bad = |what: &str| StoreError::Corrupt(format!("audit record {seq}: bad {what}"));
            Ok(AuditRecord {
                seq: u64::try_from(seq).map_err(|_| bad("seq"))?,
                at: text(r, "at")?.parse().map_err(|_| bad("timestamp"))?,
                actor: text(r, "actor")?,
                action: text(r, "action")?,
                subject: text(r, "subject")?,
                payload: serde_json::from_str(&text(r, "payload")?).map_err(|_| bad("payload"))?,
                prev: Digest::from_hex(&text(r, "prev")?).ok_or_else(|| bad("prev"))?,
                hash: Digest::from_hex(&text(r, "hash")?).ok_or_else(|| bad("hash"))?,
            })
        })
        .collect()
    }

    /// Read the whole chain and check every link; the head on success.
    pub async fn verify_audit(&self) -> Result<Result<ChainHead, AuditError>, StoreError> {
        let records = self.audit_records().await?;
        Ok(verify_chain(&records).map(|()| ChainHead::of(&records)))
    }

    /// The last record's position and hash, without reading the chain.
    pub async fn audit_head(&self) -> Result<ChainHead, StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.read_pool)
            .await?;
        match row {
            None => Ok(ChainHead {
                len: 0,
                hash: Digest::ZERO,
            }),
            Some(r) => Ok(ChainHead {
                len: u64::try_from(int(&r, "seq")?).map_err(StoreError::corrupt)? + 1,
                hash: Digest::from_hex(&text(&r, "hash")?)
                    .ok_or_else(|| StoreError::Corrupt("audit head hash".to_owned()))?,
            }),
        }
    }
}
