//! One error type at the HTTP edge, rendered as `application/problem+json` (RFC 9457): `type`,
//! `title`, `status`, `detail`, plus `code`, a stable kebab-case spelling clients can match on
//! (for a refused transition it is `TransitionError::code()`).
//!
//! Client errors carry their own message and are not logged; an internal error is logged to
//! stderr with its cause and answered with a generic 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kcvs_registry::agency::AgencyError;
use kcvs_registry::committee::CommitteeError;
use kcvs_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:kcvs:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// A stable spelling of the error (`not-allowed`, `unknown-field`, `idempotency-key-reused`).
    pub code: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub detail: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_owned(),
            detail: detail.into(),
        }
    }

    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unprocessable(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// Also the answer when the caller may not know the thing exists.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{what} `{id}` not found"),
        )
    }

    pub fn conflict(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        eprintln!("kcvs serve: internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not complete the request",
        )
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:kcvs:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kcvs\""),
            );
        }
        res
    }
}

fn agency_code(e: &AgencyError) -> &'static str {
    match e {
        AgencyError::NotAllowed { .. } => "not-allowed",
        AgencyError::OutOfOrder { .. } => "out-of-order",
        AgencyError::CriteriaNotMet { .. } => "designation-criteria-not-met",
        AgencyError::SuspensionTooLong { .. } => "suspension-too-long",
        AgencyError::SuspensionEndsBeforeStart => "suspension-ends-before-start",
        AgencyError::AlreadySuspended { .. } => "already-suspended",
        AgencyError::NoWorkWhileSuspended => "no-work-while-suspended",
        AgencyError::RevocationMandatory { .. } => "revocation-mandatory",
        AgencyError::NotYetExpired { .. } => "not-yet-expired",
        AgencyError::DesignationEnded { .. } => "designation-ended",
        AgencyError::Revoked => "agency-revoked",
    }
}

fn committee_code(e: &CommitteeError) -> &'static str {
    match e {
        CommitteeError::WrongApplication { .. } => "wrong-application",
        CommitteeError::UnknownMember { .. } => "unknown-member",
        CommitteeError::OutOfTerm { .. } => "member-out-of-term",
        CommitteeError::DuplicatePresence { .. } => "duplicate-presence",
        CommitteeError::NotPresent { .. } => "not-present",
        CommitteeError::DuplicateVote { .. } => "duplicate-vote",
        CommitteeError::RecusedMemberVoted { .. } => "recused-member-voted",
        CommitteeError::MissingRationale { .. } => "missing-rationale",
        CommitteeError::NoQuorum { .. } => "no-quorum",
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ApiError::not_found(what, &id),
            StoreError::Transition(t) => ApiError::conflict(t.code(), t.to_string()),
            StoreError::Agency(a) => ApiError::conflict(agency_code(&a), a.to_string()),
            StoreError::Committee(c) => ApiError::conflict(committee_code(&c), c.to_string()),
            StoreError::IdempotencyMismatch => ApiError::unprocessable(
                "idempotency-key-reused",
                "this Idempotency-Key was already used with a different request",
            ),
            StoreError::Conflict(d) => ApiError::conflict("conflict", d),
            StoreError::Invalid(d) => ApiError::conflict("invalid-state", d),
            other => ApiError::internal(other),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
