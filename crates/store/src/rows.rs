//! Rows as read back, and the small helpers that read columns out of an `AnyRow`.

use kcvs_registry::ctx::Ctx;
use kcvs_registry::lifecycle::{
    CertStatus, CertificateRecord, RevocationGround, ServiceType, standing,
};
use kcvs_registry::{
    ApplicationId, CertificateNumber, Date, ProviderId, RegimeRef, SchemeRef, ServiceRef,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;

pub(crate) fn text(row: &AnyRow, col: &str) -> Result<String, StoreError> {
    Ok(row.try_get::<String, _>(col)?)
}

pub(crate) fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>, StoreError> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

pub(crate) fn int(row: &AnyRow, col: &str) -> Result<i64, StoreError> {
    Ok(row.try_get::<i64, _>(col)?)
}

pub(crate) fn date(row: &AnyRow, col: &str) -> Result<Date, StoreError> {
    text(row, col)?
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

pub(crate) fn opt_date(row: &AnyRow, col: &str) -> Result<Option<Date>, StoreError> {
    opt_text(row, col)?
        .map(|s| {
            s.parse()
                .map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
        })
        .transpose()
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    col: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(&text(row, col)?)
        .map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

/// The kebab-case spelling serde gives a unit-like enum value.
pub(crate) fn spelling<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub(crate) fn parse_spelling<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| StoreError::Corrupt(format!("`{s}`: {e}")))
}

/// How a certificate ended, as the `end_cause` column spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "kebab-case")]
pub enum EndCause {
    Revoked { ground: RevocationGround },
    Surrendered,
    Expired,
}

impl EndCause {
    pub(crate) fn column(self) -> String {
        match self {
            EndCause::Revoked { ground } => format!("revoked:{}", ground.as_str()),
            EndCause::Surrendered => "surrendered".to_owned(),
            EndCause::Expired => "expired".to_owned(),
        }
    }

    pub(crate) fn from_column(s: &str) -> Result<Self, StoreError> {
        match s.split_once(':') {
            Some(("revoked", g)) => Ok(EndCause::Revoked {
                ground: parse_spelling(g)?,
            }),
            None if s == "surrendered" => Ok(EndCause::Surrendered),
            None if s == "expired" => Ok(EndCause::Expired),
            _ => Err(StoreError::Corrupt(format!("end cause `{s}`"))),
        }
    }
}

/// A certificate in the public registry: issued through the lifecycle, or imported (the demo
/// seeds certificates issued before this registry existed, some of them from before CSAP had
/// tiers, hence `tier: None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRow {
    pub number: CertificateNumber,
    pub application: Option<ApplicationId>,
    pub provider: ProviderId,
    pub service: ServiceRef,
    pub regime: RegimeRef,
    pub scheme: SchemeRef,
    pub tier: Option<String>,
    pub service_type: ServiceType,
    pub scope: String,
    pub host: Option<CertificateNumber>,
    pub issued: Date,
    pub valid_from: Date,
    pub valid_until: Date,
    pub renews: Option<CertificateNumber>,
    pub ended_on: Option<Date>,
    pub end_cause: Option<EndCause>,
    /// The latest signed document (JSON), absent for an imported pre-tier certificate.
    pub document: Option<String>,
    /// `lifecycle` or `imported`.
    pub source: String,
}

pub(crate) const CERT_COLUMNS: &str = "number, application_id, provider_id, service, regime, scheme, tier, service_type, scope, host, issued, valid_from, valid_until, renews, ended_on, end_cause, document, source";

impl CertificateRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(CertificateRow {
            number: CertificateNumber::new(text(row, "number")?),
            application: opt_text(row, "application_id")?.map(ApplicationId::new),
            provider: ProviderId::new(text(row, "provider_id")?),
            service: ServiceRef::new(text(row, "service")?),
            regime: RegimeRef::new(text(row, "regime")?),
            scheme: SchemeRef::new(text(row, "scheme")?),
            tier: opt_text(row, "tier")?,
            service_type: parse_spelling(&text(row, "service_type")?)?,
            scope: text(row, "scope")?,
            host: opt_text(row, "host")?.map(CertificateNumber::new),
            issued: date(row, "issued")?,
            valid_from: date(row, "valid_from")?,
            valid_until: date(row, "valid_until")?,
            renews: opt_text(row, "renews")?.map(CertificateNumber::new),
            ended_on: opt_date(row, "ended_on")?,
            end_cause: opt_text(row, "end_cause")?
                .map(|s| EndCause::from_column(&s))
                .transpose()?,
            document: opt_text(row, "document")?,
            source: text(row, "source")?,
        })
    }

    /// The registry's record of it (an untiered certificate has the empty tier).
    pub fn record(&self) -> CertificateRecord {
        CertificateRecord {
            number: self.number.clone(),
            application: self
                .application
                .clone()
                .unwrap_or_else(|| ApplicationId::new("")),
            provider: self.provider.clone(),
            service: self.service.clone(),
            regime: self.regime.clone(),
            scheme: self.scheme.clone(),
            tier: self.tier.clone().unwrap_or_default(),
            service_type: self.service_type,
            scope: self.scope.clone(),
            host: self.host.clone(),
            issued: self.issued,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            renews: self.renews.clone(),
        }
    }

    /// Its standing on a date: revoked or surrendered from the day it ended, otherwise what the
    /// registry's `standing` says under the regime windows (active, grandfathered, expired, not
    /// yet valid).
    pub fn status_on(&self, as_of: Date, ctx: &Ctx) -> CertStatus {
        match (self.ended_on, self.end_cause) {
            (Some(on), Some(EndCause::Revoked { ground })) if on <= as_of => {
                CertStatus::Revoked { on, ground }
            }
            (Some(on), Some(EndCause::Surrendered)) if on <= as_of => {
                CertStatus::Surrendered { on }
            }
            _ => standing(&self.record(), as_of, ctx),
        }
    }
}

/// A registered service profile (the text as the provider sent it, YAML or JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub profile: String,
}

/// One leaf of the transparency log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslogRow {
    pub index: u64,
    pub certificate: String,
    pub entry: kcvs_registry::translog::LogEntry,
}
