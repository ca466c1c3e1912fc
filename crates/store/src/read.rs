//! Reads that change nothing: applications, certificates, services, the transparency log, the
//! audit chain.

use kcvs_registry::Digest;
use kcvs_registry::audit::{AuditError, AuditRecord, ChainHead, verify_chain};
use kcvs_registry::translog::{LogEntry, TransparencyLog};
use serde::{Deserialize, Serialize};

use crate::lifecycle::{ApplicationRecord, load_application, load_certificate};
use crate::rows::{CertificateRow, ServiceRow, TranslogRow, int, opt_text, text};
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

impl Store {
    pub async fn application(&self, id: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_application(&mut conn, id).await
    }

    pub async fn applications(
        &self,
        filter: &AppFilter,
    ) -> Result<Vec<ApplicationSummary>, StoreError> {
        let rows = match filter {
            AppFilter::All => {
                sqlx::query("SELECT id, provider_id, service, regime, state, evaluator_id, created_at, updated_at FROM applications ORDER BY created_at, id")
                    .fetch_all(&self.pool)
                    .await?
            }
            AppFilter::Provider(p) => {
                sqlx::query("SELECT id, provider_id, service, regime, state, evaluator_id, created_at, updated_at FROM applications WHERE provider_id = $1 ORDER BY created_at, id")
                    .bind(p)
                    .fetch_all(&self.pool)
                    .await?
            }
            AppFilter::Evaluator(e) => {
                sqlx::query("SELECT id, provider_id, service, regime, state, evaluator_id, created_at, updated_at FROM applications WHERE evaluator_id = $1 ORDER BY created_at, id")
                    .bind(e)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(summary).collect()
    }

    pub async fn certificate(&self, number: &str) -> Result<Option<CertificateRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_certificate(&mut conn, number).await
    }

    /// Every certificate, in number order.
    pub async fn certificates(&self) -> Result<Vec<CertificateRow>, StoreError> {
        sqlx::query("SELECT number, application_id, provider_id, service, regime, scheme, tier, service_type, scope, host, issued, valid_from, valid_until, renews, ended_on, end_cause, document, source FROM certificates ORDER BY number")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(CertificateRow::from_row)
            .collect()
    }

    pub async fn services(&self) -> Result<Vec<ServiceRow>, StoreError> {
        sqlx::query("SELECT id, provider_id, name, profile FROM services ORDER BY id")
            .fetch_all(&self.pool)
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
            .fetch_all(&self.pool)
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
        .fetch_all(&self.pool)
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
            .fetch_optional(&self.pool)
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
