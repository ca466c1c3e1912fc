//! Applications, their events, and what a transition leaves behind: certificate rows, signed
//! documents, transparency-log leaves and audit records.

use ed25519_dalek::SigningKey;
use kcvs_registry::ctx::Ctx;
use kcvs_registry::lifecycle::{Application, CertificateRecord, Event, EventKind, State, replay};
use kcvs_registry::signing::{CertificateDocument, SignedCertificate, sign_certificate};
use kcvs_registry::translog::{EntryKind, LogEntry};
use kcvs_registry::{ApplicationId, Date, ProviderId, RegimeRef, ServiceRef};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::AnyConnection;

use crate::rows::{CERT_COLUMNS, CertificateRow, EndCause, int, json, opt_text, text};
use crate::write::RowLock;
use crate::{StoreError, WriteTx, db_err, new_id};

/// The key certificates and tree heads are signed with, and the issuer named on certificates.
#[derive(Clone, Debug)]
pub struct Signer {
    pub key: SigningKey,
    pub issuer: String,
}

/// One stored lifecycle event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub seq: u64,
    pub event: Event,
    pub actor: String,
    pub recorded_at: String,
}

/// An application as stored: its index columns and its events. Its state is
/// [`ApplicationRecord::replay`], never a stored value (the `state` column is a cache for
/// listing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRecord {
    pub id: ApplicationId,
    pub provider: ProviderId,
    pub service: ServiceRef,
    pub regime: RegimeRef,
    /// The cached state name (`submitted`, `certified`, …).
    pub state: String,
    /// The evaluator (a user id) assigned to it.
    pub evaluator: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub events: Vec<EventRow>,
}

impl ApplicationRecord {
    /// Rebuild the state from the events through the registry.
    pub fn replay(&self, ctx: &Ctx) -> Result<State, StoreError> {
        replay(self.events.iter().map(|e| &e.event), ctx).map_err(|(i, e)| {
            StoreError::Corrupt(format!(
                "application `{}`: event {i} no longer applies: {e}",
                self.id
            ))
        })
    }

    /// The application as submitted (the first event), or as certified for an imported
    /// certificate's case.
    pub fn application(&self) -> Option<&Application> {
        match self.events.first().map(|e| &e.event.kind) {
            Some(EventKind::Submit(app)) => Some(app),
            Some(EventKind::ImportCertificate { application, .. }) => Some(application),
            _ => None,
        }
    }
}

pub(crate) const APP_COLUMNS: &str =
    "id, provider_id, service, regime, state, evaluator_id, created_at, updated_at";

pub(crate) fn app_from_row(
    row: &sqlx::any::AnyRow,
    events: Vec<EventRow>,
) -> Result<ApplicationRecord, StoreError> {
    Ok(ApplicationRecord {
        id: ApplicationId::new(text(row, "id")?),
        provider: ProviderId::new(text(row, "provider_id")?),
        service: ServiceRef::new(text(row, "service")?),
        regime: RegimeRef::new(text(row, "regime")?),
        state: text(row, "state")?,
        evaluator: opt_text(row, "evaluator_id")?,
        created_at: text(row, "created_at")?,
        updated_at: text(row, "updated_at")?,
        events,
    })
}

pub(crate) async fn load_events(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Vec<EventRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, body, actor, recorded_at FROM events WHERE application_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EventRow {
                seq: u64::try_from(int(r, "seq")?).map_err(StoreError::corrupt)?,
                event: json(r, "body")?,
                actor: text(r, "actor")?,
                recorded_at: text(r, "recorded_at")?,
            })
        })
        .collect()
}

pub(crate) async fn load_application(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ApplicationRecord>, StoreError> {
    let sql = "SELECT id, provider_id, service, regime, state, evaluator_id, created_at, updated_at \
               FROM applications WHERE id = $1";
    debug_assert!(sql.contains(APP_COLUMNS));
    let Some(row) = sqlx::query(sql).bind(id).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let events = load_events(conn, id).await?;
    Ok(Some(app_from_row(&row, events)?))
}

pub(crate) async fn load_certificate(
    conn: &mut AnyConnection,
    number: &str,
) -> Result<Option<CertificateRow>, StoreError> {
    let sql = "SELECT number, application_id, provider_id, service, regime, scheme, tier, service_type, scope, host, issued, valid_from, valid_until, renews, ended_on, end_cause, document, source \
               FROM certificates WHERE number = $1";
    debug_assert!(sql.contains(CERT_COLUMNS));
    sqlx::query(sql)
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| CertificateRow::from_row(&r))
        .transpose()
}

fn sign(
    state: &State,
    on: Date,
    ctx: &Ctx,
    signer: &Signer,
) -> Result<SignedCertificate, StoreError> {
    let doc = CertificateDocument::from_state(state, &signer.issuer, on, ctx)
        .ok_or_else(|| StoreError::Invalid("no certificate to sign".to_owned()))?;
    sign_certificate(doc, &signer.key).map_err(StoreError::corrupt)
}

fn doc_text(signed: &SignedCertificate) -> Result<String, StoreError> {
    serde_json::to_string(signed).map_err(StoreError::corrupt)
}

impl WriteTx {
    /// File an application: the registry checks it (regime open, tier known, host valid) as the
    /// `submit` event of a new case.
    pub async fn submit_application(
        &mut self,
        app: Application,
        date: Date,
        ctx: &Ctx,
    ) -> Result<State, StoreError> {
        let event = Event::new(date, EventKind::Submit(app.clone()));
        let state = State::Unfiled.apply(&event, ctx)?;
        self.open_case(&app, &event, &state).await?;
        Ok(state)
    }

    /// Record a certificate issued outside this registry's lifecycle as a certified case (the
    /// registry's `import-certificate` event): the application row, its one event, and the
    /// certificate, signed and logged as [`WriteTx::import_certificate`] does and linked to the
    /// case, so a hearing, a revocation, follow-ups and renewal reach it. `event` must be an
    /// import; the registry checks it.
    pub async fn import_certified_case(
        &mut self,
        event: Event,
        ctx: &Ctx,
        signer: &Signer,
    ) -> Result<State, StoreError> {
        let EventKind::ImportCertificate { application, .. } = &event.kind else {
            return Err(StoreError::Invalid(format!(
                "`{}` does not import a certificate",
                event.kind.name()
            )));
        };
        let state = State::Unfiled.apply(&event, ctx)?;
        let held = state
            .held()
            .ok_or_else(|| StoreError::Corrupt("an import left no certificate".to_owned()))?;
        self.open_case(application, &event, &state).await?;
        let c = &held.current.certificate;
        let row = CertificateRow {
            number: c.number.clone(),
            application: Some(c.application.clone()),
            provider: c.provider.clone(),
            service: c.service.clone(),
            regime: c.regime.clone(),
            scheme: c.scheme.clone(),
            tier: Some(c.tier.clone()),
            service_type: c.service_type,
            scope: c.scope.clone(),
            host: c.host.clone(),
            issued: c.issued,
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            renews: None,
            ended_on: None,
            end_cause: None,
            document: None,
            source: "imported".to_owned(),
        };
        self.import_certificate(&row, event.date, ctx, signer)
            .await?;
        Ok(state)
    }

    /// The application's row and its first event.
    async fn open_case(
        &mut self,
        app: &Application,
        event: &Event,
        state: &State,
    ) -> Result<(), StoreError> {
        let now = self.now.to_string();
        sqlx::query(
            "INSERT INTO applications (id, provider_id, service, regime, state, evaluator_id, event_count, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, 0, $6, $6)",
        )
        .bind(app.id.as_str())
        .bind(app.provider.as_str())
        .bind(app.service.as_str())
        .bind(app.regime.as_str())
        .bind(state.name().as_str())
        .bind(&now)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "application"))?;
        self.insert_event(app.id.as_str(), 0, event, state).await
    }

    async fn insert_event(
        &mut self,
        app_id: &str,
        seq: u64,
        event: &Event,
        state: &State,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(event).map_err(StoreError::corrupt)?;
        let (key, hash) = match &self.idem {
            Some(i) => (Some(i.key.clone()), Some(i.request_sha256.clone())),
            None => (None, None),
        };
        let seq_i = i64::try_from(seq).map_err(StoreError::corrupt)?;
        sqlx::query(
            "INSERT INTO events (id, application_id, seq, event_date, kind, body, actor, idempotency_key, request_sha256, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(new_id("evt")?)
        .bind(app_id)
        .bind(seq_i)
        .bind(event.date.to_string())
        .bind(event.kind.name())
        .bind(&body)
        .bind(&self.actor)
        .bind(key)
        .bind(hash)
        .bind(self.now.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "event"))?;
        sqlx::query(
            "UPDATE applications SET state = $1, event_count = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(state.name().as_str())
        .bind(seq_i + 1)
        .bind(self.now.to_string())
        .bind(app_id)
        .execute(&mut *self.tx)
        .await?;
        let event_json = serde_json::to_value(event).map_err(StoreError::corrupt)?;
        self.audit(
            &format!("application.{}", event.kind.name()),
            app_id,
            json!({ "event": event_json, "state": state.name().as_str() }),
        )
        .await?;
        Ok(())
    }

    /// The application inside this transaction, held until commit: a write reads it to extend
    /// it.
    pub async fn application(&mut self, id: &str) -> Result<ApplicationRecord, StoreError> {
        self.lock_row(RowLock::Application, id).await?;
        load_application(&mut self.tx, id)
            .await?
            .ok_or_else(|| StoreError::not_found("application", id))
    }

    /// Apply one dated event to an application. The registry decides; on success the event, the
    /// certificate it touches (signed again), the transparency-log leaf and the audit record are
    /// written in this transaction.
    pub async fn apply_event(
        &mut self,
        app_id: &str,
        event: Event,
        ctx: &Ctx,
        signer: &Signer,
    ) -> Result<State, StoreError> {
        let record = self.application(app_id).await?;
        let before = record.replay(ctx)?;
        let after = before.apply(&event, ctx)?;
        let seq = record.events.len() as u64;
        self.insert_event(app_id, seq, &event, &after).await?;
        self.certificate_effects(&after, &event, ctx, signer)
            .await?;
        Ok(after)
    }

    async fn certificate_effects(
        &mut self,
        after: &State,
        event: &Event,
        ctx: &Ctx,
        signer: &Signer,
    ) -> Result<(), StoreError> {
        let Some(held) = after.held() else {
            return Ok(());
        };
        let current = held.current.certificate.clone();
        let date = event.date;
        match &event.kind {
            EventKind::IssueCertificate { .. } | EventKind::GrantRenewal { .. } => {
                let signed = sign(after, date, ctx, signer)?;
                self.insert_certificate(&current, None, &signed, "lifecycle")
                    .await?;
                let kind = if current.renews.is_some() {
                    EntryKind::Renewal
                } else {
                    EntryKind::Issue
                };
                self.log(kind, &current, date, &signed, None).await?;
            }
            EventKind::Revoke { ground } => {
                let signed = self
                    .end_certificate(
                        after,
                        &current,
                        date,
                        EndCause::Revoked { ground: *ground },
                        ctx,
                        signer,
                    )
                    .await?;
                self.log(
                    EntryKind::Revocation,
                    &current,
                    date,
                    &signed,
                    Some(*ground),
                )
                .await?;
            }
            EventKind::Expire => {
                let signed = self
                    .end_certificate(after, &current, date, EndCause::Expired, ctx, signer)
                    .await?;
                self.log(EntryKind::Expiry, &current, date, &signed, None)
                    .await?;
            }
            EventKind::Surrender { .. } => {
                let signed = self
                    .end_certificate(after, &current, date, EndCause::Surrendered, ctx, signer)
                    .await?;
                self.log(EntryKind::Surrender, &current, date, &signed, None)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn end_certificate(
        &mut self,
        after: &State,
        cert: &CertificateRecord,
        on: Date,
        cause: EndCause,
        ctx: &Ctx,
        signer: &Signer,
    ) -> Result<SignedCertificate, StoreError> {
        let signed = sign(after, on, ctx, signer)?;
        self.registry_changed();
        sqlx::query(
            "UPDATE certificates SET ended_on = $1, end_cause = $2, document = $3, updated_at = $4 WHERE number = $5",
        )
        .bind(on.to_string())
        .bind(cause.column())
        .bind(doc_text(&signed)?)
        .bind(self.now.to_string())
        .bind(cert.number.as_str())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "certificate.end",
            cert.number.as_str(),
            json!({ "cause": cause, "on": on }),
        )
        .await?;
        Ok(signed)
    }

    async fn insert_certificate(
        &mut self,
        cert: &CertificateRecord,
        tier_override: Option<Option<String>>,
        signed: &SignedCertificate,
        source: &str,
    ) -> Result<(), StoreError> {
        let tier = tier_override.unwrap_or_else(|| Some(cert.tier.clone()));
        let application = Some(cert.application.as_str()).filter(|a| !a.is_empty());
        self.registry_changed();
        sqlx::query(
            "INSERT INTO certificates (number, application_id, provider_id, service, regime, scheme, tier, service_type, scope, host, issued, valid_from, valid_until, renews, ended_on, end_cause, document, source, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, NULL, $15, $16, $17)",
        )
        .bind(cert.number.as_str())
        .bind(application)
        .bind(cert.provider.as_str())
        .bind(cert.service.as_str())
        .bind(cert.regime.as_str())
        .bind(cert.scheme.as_str())
        .bind(tier)
        .bind(cert.service_type.as_str())
        .bind(&cert.scope)
        .bind(cert.host.as_ref().map(|h| h.as_str().to_owned()))
        .bind(cert.issued.to_string())
        .bind(cert.valid_from.to_string())
        .bind(cert.valid_until.to_string())
        .bind(cert.renews.as_ref().map(|h| h.as_str().to_owned()))
        .bind(doc_text(signed)?)
        .bind(source)
        .bind(self.now.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "certificate"))?;
        self.audit(
            "certificate.issue",
            cert.number.as_str(),
            json!({ "certificate": cert, "source": source, "document": signed.digest().map_err(StoreError::corrupt)? }),
        )
        .await?;
        Ok(())
    }

    /// Record a certificate issued outside this registry's lifecycle (the demo's examples, a
    /// migration from an earlier register). A tiered one is signed and logged like an issued
    /// one; an untiered (pre-2023) one is recorded without a document.
    pub async fn import_certificate(
        &mut self,
        row: &CertificateRow,
        signed_on: Date,
        ctx: &Ctx,
        signer: &Signer,
    ) -> Result<(), StoreError> {
        let record = row.record();
        let status = match (row.ended_on, row.end_cause) {
            (Some(on), Some(EndCause::Revoked { ground })) => {
                kcvs_registry::signing::DocumentStatus::Revoked { on, ground }
            }
            (Some(on), Some(EndCause::Surrendered)) => {
                kcvs_registry::signing::DocumentStatus::Surrendered { on }
            }
            _ => kcvs_registry::signing::DocumentStatus::Active,
        };
        let grandfathered = match kcvs_registry::lifecycle::standing(&record, signed_on, ctx) {
            kcvs_registry::lifecycle::CertStatus::Grandfathered {
                successor, since, ..
            } => Some(kcvs_registry::signing::Grandfathering { successor, since }),
            _ => None,
        };
        let doc = CertificateDocument::from_record(
            &record,
            &signer.issuer,
            status,
            grandfathered,
            signed_on,
        );
        let signed = sign_certificate(doc, &signer.key).map_err(StoreError::corrupt)?;
        self.insert_certificate(&record, Some(row.tier.clone()), &signed, "imported")
            .await?;
        if let (Some(on), Some(cause)) = (row.ended_on, row.end_cause) {
            sqlx::query("UPDATE certificates SET ended_on = $1, end_cause = $2 WHERE number = $3")
                .bind(on.to_string())
                .bind(cause.column())
                .bind(row.number.as_str())
                .execute(&mut *self.tx)
                .await?;
        }
        if row.tier.is_none() {
            sqlx::query("UPDATE certificates SET document = NULL WHERE number = $1")
                .bind(row.number.as_str())
                .execute(&mut *self.tx)
                .await?;
            return Ok(());
        }
        self.log(EntryKind::Issue, &record, row.issued, &signed, None)
            .await?;
        match (row.ended_on, row.end_cause) {
            (Some(on), Some(EndCause::Revoked { ground })) => {
                self.log(EntryKind::Revocation, &record, on, &signed, Some(ground))
                    .await?;
            }
            (Some(on), Some(EndCause::Surrendered)) => {
                self.log(EntryKind::Surrender, &record, on, &signed, None)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Queue a leaf for the transparency log; it is appended, with its index and the time the
    /// log accepted it, when the transaction commits.
    async fn log(
        &mut self,
        kind: EntryKind,
        cert: &CertificateRecord,
        effective: Date,
        signed: &SignedCertificate,
        ground: Option<kcvs_registry::lifecycle::RevocationGround>,
    ) -> Result<(), StoreError> {
        self.queue_leaf(LogEntry {
            kind,
            certificate: cert.number.clone(),
            service: cert.service.clone(),
            regime: cert.regime.clone(),
            effective,
            // Replaced at commit, under the chains' lock.
            logged_at: self.now,
            document: signed.digest().map_err(StoreError::corrupt)?,
            renews: cert.renews.clone(),
            ground,
        });
        Ok(())
    }

    /// The next certificate number for a scheme and year: `CSAP-2026-0001`, counting the
    /// numbers already given with that prefix.
    pub async fn next_certificate_number(
        &mut self,
        scheme: &str,
        year: i16,
    ) -> Result<String, StoreError> {
        let prefix = format!("{}-{year}-", scheme.to_uppercase());
        self.lock_certificate_numbers(&prefix).await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM certificates WHERE number LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_one(&mut *self.tx)
            .await?;
        let n = int(&row, "n")?;
        Ok(format!("{prefix}{:04}", n + 1))
    }

    /// Assign an evaluator (a user id) to an application.
    pub async fn assign_evaluator(
        &mut self,
        app_id: &str,
        evaluator: &str,
    ) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE applications SET evaluator_id = $1, updated_at = $2 WHERE id = $3")
                .bind(evaluator)
                .bind(self.now.to_string())
                .bind(app_id)
                .execute(&mut *self.tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("application", app_id));
        }
        self.audit(
            "application.assign-evaluator",
            app_id,
            json!({ "evaluator": evaluator }),
        )
        .await?;
        Ok(())
    }

    /// Register (or replace) a service profile.
    pub async fn register_service(&mut self, row: &crate::ServiceRow) -> Result<(), StoreError> {
        let existing = sqlx::query("SELECT provider_id FROM services WHERE id = $1")
            .bind(&row.id)
            .fetch_optional(&mut *self.tx)
            .await?;
        match existing {
            Some(r) => {
                if text(&r, "provider_id")? != row.provider {
                    return Err(StoreError::Conflict(format!(
                        "service `{}` is registered by another provider",
                        row.id
                    )));
                }
                sqlx::query("UPDATE services SET name = $1, profile = $2 WHERE id = $3")
                    .bind(&row.name)
                    .bind(&row.profile)
                    .bind(&row.id)
                    .execute(&mut *self.tx)
                    .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO services (id, provider_id, name, profile, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&row.id)
                .bind(&row.provider)
                .bind(&row.name)
                .bind(&row.profile)
                .bind(self.now.to_string())
                .execute(&mut *self.tx)
                .await
                .map_err(|e| db_err(e, "service"))?;
            }
        }
        self.audit(
            "service.register",
            &row.id,
            json!({ "provider": row.provider, "profile_sha256": crate::sha256_hex(row.profile.as_bytes()) }),
        )
        .await?;
        Ok(())
    }

    /// A certificate, inside this transaction.
    pub async fn certificate(
        &mut self,
        number: &str,
    ) -> Result<Option<CertificateRow>, StoreError> {
        load_certificate(&mut self.tx, number).await
    }
}
