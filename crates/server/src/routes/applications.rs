//! Applications and their lifecycle events, findings and remediation; service profiles.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use kcvs_registry::lifecycle::{
    Application, Event, EventKind, FollowUpMethod, HostCertificate, HostLookupError, NewFinding,
    RevocationGround, ServiceType, Severity, State as CaseState,
};
use kcvs_registry::{
    ApplicationId, CertificateNumber, FindingId, ProviderId, RegimeRef, ServiceRef,
};
use kcvs_store::{ApplicationRecord, ApplicationSummary, ServiceRow, WriteTx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::authz::{self, Standing};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, JsonWrite, Role};
use crate::routes::{begin, finish};

/// What a provider applies for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRequest {
    /// The service's id (as in its profile).
    pub service: String,
    /// The regime applied under (`csap-2023`; from the NIS start, `nis-2027`).
    pub regime: String,
    /// A tier of that regime (`low`, `medium`, `high`).
    pub tier: String,
    /// `iaas`, `saas-standard`, `saas-simplified`, `daas`, `paas`.
    #[schema(value_type = String, example = "iaas")]
    pub service_type: ServiceType,
    pub scope: String,
    /// For a SaaS or PaaS: the number of the certificate of the IaaS it runs on.
    pub host_certificate: Option<String>,
}

/// An application with its state as the registry derives it from the events.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApplicationView {
    pub id: String,
    pub provider: String,
    pub service: String,
    pub regime: String,
    pub tier: String,
    pub service_type: String,
    pub scope: String,
    pub host_certificate: Option<String>,
    /// `submitted`, `document-review`, `on-site-evaluation`, `deliberation`, `approved`,
    /// `rejected`, `withdrawn`, `certified`, `revoked`, `expired`, `surrendered`.
    pub state: String,
    pub evaluator: Option<String>,
    /// The current certificate's number, once issued.
    pub certificate: Option<String>,
    /// The registry's full case: findings, remediations, decision, terms, hearings.
    #[schema(value_type = Object)]
    pub case: serde_json::Value,
    /// Once a certificate is issued, each yearly follow-up of its current (or last) term on the
    /// server's date: `year`, `opens`, `due_by` and `standing.status`, one of `recorded` (with
    /// `date`, `method`, `passed`), `skipped` (a later year was recorded: `later_year`),
    /// `overdue`, `open`, `not-yet`, `term-ended`, `not-on-record` (a term taken over from an
    /// earlier register, whose follow-ups before it this one does not hold). The due day is the assumption
    /// `registry.follow-up-due` (the last day of the year of validity); skipped and overdue years
    /// are shown, not sanctioned.
    #[schema(value_type = Vec<Object>)]
    pub follow_up_years: Vec<serde_json::Value>,
}

fn view(
    app_state: &AppState,
    record: &ApplicationRecord,
    state: &CaseState,
) -> ApiResult<ApplicationView> {
    let follow_up_years =
        kcvs_registry::schedule::of_case(state, &app_state.ctx().policy, app_state.today())
            .unwrap_or_default()
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::internal)?;
    let app = record
        .application()
        .ok_or_else(|| ApiError::internal("application without its submission"))?;
    Ok(ApplicationView {
        id: record.id.to_string(),
        provider: record.provider.to_string(),
        service: record.service.to_string(),
        regime: record.regime.to_string(),
        tier: app.tier.clone(),
        service_type: app.service_type.as_str().to_owned(),
        scope: app.scope.clone(),
        host_certificate: app.host.as_ref().map(|h| h.number.to_string()),
        state: state.name().as_str().to_owned(),
        evaluator: record.evaluator.clone(),
        certificate: state
            .held()
            .map(|h| h.current.certificate.number.to_string()),
        case: serde_json::to_value(state).map_err(ApiError::internal)?,
        follow_up_years,
    })
}

/// Apply for certification (provider). The registry checks the regime is open, the tier exists,
/// and for a SaaS or PaaS that the IaaS certificate is valid and high enough.
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications",
    request_body = ApplicationRequest,
    params(("Idempotency-Key" = String, Header, description = "client-chosen key; a retry returns the first answer")),
    responses((status = 201, body = ApplicationView), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem, description = "refused by the registry, with its reason"),
              (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_application(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonWrite<ApplicationRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Provider])?;
    let provider = user
        .provider()
        .ok_or_else(|| {
            ApiError::forbidden(
                "this provider user names no provider",
                "이 사업자 사용자에게 지정된 사업자가 없습니다",
            )
        })?
        .to_owned();
    let req = body.value;
    let today = state.today();
    let host = match &req.host_certificate {
        None => None,
        Some(number) => {
            let cert = state.store().certificate(number).await?.ok_or_else(|| {
                HostLookupError::Unknown {
                    number: CertificateNumber::new(number.as_str()),
                }
            })?;
            let tier = cert.tier.clone().ok_or_else(|| HostLookupError::Untiered {
                number: cert.number.clone(),
                issued: cert.issued,
            })?;
            let revoked = matches!(
                cert.status_on(today, state.ctx()),
                kcvs_registry::lifecycle::CertStatus::Revoked { .. }
                    | kcvs_registry::lifecycle::CertStatus::Surrendered { .. }
            );
            Some(HostCertificate {
                service: cert.service.clone(),
                number: cert.number.clone(),
                scheme: cert.scheme.clone(),
                tier,
                issued: cert.issued,
                valid_until: cert.valid_until,
                revoked,
            })
        }
    };
    let mut tx = match begin(&state, user.id(), body.idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    let app = Application {
        id: ApplicationId::new(kcvs_store::new_id("app")?),
        provider: ProviderId::new(provider),
        service: ServiceRef::new(req.service),
        regime: RegimeRef::new(req.regime),
        tier: req.tier,
        service_type: req.service_type,
        scope: req.scope,
        host,
    };
    let case = tx
        .submit_application(app.clone(), today, state.ctx())
        .await?;
    let record = tx.application(app.id.as_str()).await?;
    let out = view(&state, &record, &case)?;
    finish(tx, StatusCode::CREATED, &out).await
}

/// The caller's applications: a provider's own, an evaluator's assigned, all for the authority
/// and the committee (members see a file's content only through its sittings).
#[utoipa::path(get, path = "/api/v1/applications", tag = "applications",
    responses((status = 200, body = Vec<ApplicationListItem>), (status = 401, body = Problem)))]
pub async fn list_applications(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ApplicationListItem>>> {
    let user = caller.user()?;
    let filter = authz::list_filter(&user)?;
    let mut list = state.store().applications(&filter).await?;
    if user.is(Role::Committee) {
        // Only files with a sitting the member is not recused from.
        let mut visible = Vec::new();
        for a in list {
            if authz::see_application(&state, &user, &a.id).await.is_ok() {
                visible.push(a);
            }
        }
        list = visible;
    }
    Ok(Json(
        list.into_iter().map(ApplicationListItem::from).collect(),
    ))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApplicationListItem {
    pub id: String,
    pub provider: String,
    pub service: String,
    pub regime: String,
    pub state: String,
    pub evaluator: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<ApplicationSummary> for ApplicationListItem {
    fn from(a: ApplicationSummary) -> Self {
        ApplicationListItem {
            id: a.id,
            provider: a.provider,
            service: a.service,
            regime: a.regime,
            state: a.state,
            evaluator: a.evaluator,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// One application (404 if the caller may not see it).
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = String, Path)),
    responses((status = 200, body = ApplicationView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationView>> {
    let user = caller.user()?;
    let (record, _) = authz::see_application(&state, &user, &id).await?;
    let case = record.replay(state.ctx())?;
    Ok(Json(view(&state, &record, &case)?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimelineEntry {
    pub seq: u64,
    pub date: Date,
    #[serde(rename = "type")]
    pub type_: String,
    pub actor: String,
    pub recorded_at: String,
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
}

/// The application's dated events, oldest first.
#[utoipa::path(get, path = "/api/v1/applications/{id}/timeline", tag = "applications",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<TimelineEntry>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<TimelineEntry>>> {
    let user = caller.user()?;
    let (record, _) = authz::see_application(&state, &user, &id).await?;
    record
        .events
        .iter()
        .map(|e| {
            Ok(TimelineEntry {
                seq: e.seq,
                date: e.event.date,
                type_: e.event.kind.name().to_owned(),
                actor: e.actor.clone(),
                recorded_at: e.recorded_at.clone(),
                event: serde_json::to_value(&e.event.kind).map_err(ApiError::internal)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()
        .map(Json)
}

/// A finding as an evaluator files it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingRequest {
    pub id: String,
    /// `low`, `medium`, `high`, `critical`.
    #[schema(value_type = String, example = "high")]
    pub severity: Severity,
    /// The control it concerns (`9.2.a`).
    pub control: Option<String>,
    pub summary: String,
}

impl FindingRequest {
    fn to_registry(&self) -> NewFinding {
        NewFinding {
            id: FindingId::new(self.id.clone()),
            severity: self.severity,
            control: self.control.clone(),
            summary: self.summary.clone(),
        }
    }
}

/// A lifecycle event. Its date is the day it is recorded (in Korea); certificate numbers are
/// given by the registry. The committee's decision is not here: it comes from a sitting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum EventRequest {
    StartDocumentReview,
    StartOnSiteEvaluation,
    RecordFinding {
        id: String,
        #[schema(value_type = String, example = "high")]
        severity: Severity,
        control: Option<String>,
        summary: String,
    },
    RequestRemediation {
        finding: String,
        due: Date,
    },
    RecheckRemediation {
        finding: String,
        resolved: bool,
        note: String,
    },
    SubmitToCommittee,
    IssueCertificate,
    FollowUp {
        year: u8,
        /// `on-site` or `document-only`.
        #[schema(value_type = String, example = "on-site")]
        method: FollowUpMethod,
        passed: bool,
        #[serde(default)]
        findings: Vec<FindingRequest>,
    },
    Hearing {
        /// `fraud` or `criteria-no-longer-met`.
        #[schema(value_type = String, example = "fraud")]
        ground: RevocationGround,
        established: bool,
        record: String,
    },
    Revoke {
        #[schema(value_type = String, example = "fraud")]
        ground: RevocationGround,
    },
    ApplyForRenewal,
    GrantRenewal,
    RefuseRenewal {
        reason: String,
    },
    Expire,
    Withdraw {
        reason: String,
    },
    Surrender {
        reason: String,
    },
}

impl EventRequest {
    pub fn kind_name(&self) -> &'static str {
        match self {
            EventRequest::StartDocumentReview => "start-document-review",
            EventRequest::StartOnSiteEvaluation => "start-on-site-evaluation",
            EventRequest::RecordFinding { .. } => "record-finding",
            EventRequest::RequestRemediation { .. } => "request-remediation",
            EventRequest::RecheckRemediation { .. } => "recheck-remediation",
            EventRequest::SubmitToCommittee => "submit-to-committee",
            EventRequest::IssueCertificate => "issue-certificate",
            EventRequest::FollowUp { .. } => "follow-up",
            EventRequest::Hearing { .. } => "hearing",
            EventRequest::Revoke { .. } => "revoke",
            EventRequest::ApplyForRenewal => "apply-for-renewal",
            EventRequest::GrantRenewal => "grant-renewal",
            EventRequest::RefuseRenewal { .. } => "refuse-renewal",
            EventRequest::Expire => "expire",
            EventRequest::Withdraw { .. } => "withdraw",
            EventRequest::Surrender { .. } => "surrender",
        }
    }
}

/// Turn a request into the registry's event, giving certificate numbers from the store.
async fn to_event(
    tx: &mut WriteTx,
    state: &AppState,
    app_id: &str,
    req: EventRequest,
) -> ApiResult<EventKind> {
    use EventRequest as R;
    Ok(match req {
        R::StartDocumentReview => EventKind::StartDocumentReview,
        R::StartOnSiteEvaluation => EventKind::StartOnSiteEvaluation,
        R::RecordFinding {
            id,
            severity,
            control,
            summary,
        } => EventKind::RecordFinding(NewFinding {
            id: FindingId::new(id),
            severity,
            control,
            summary,
        }),
        R::RequestRemediation { finding, due } => EventKind::RequestRemediation {
            finding: FindingId::new(finding),
            due,
        },
        R::RecheckRemediation {
            finding,
            resolved,
            note,
        } => EventKind::RecheckRemediation {
            finding: FindingId::new(finding),
            resolved,
            note,
        },
        R::SubmitToCommittee => EventKind::SubmitToCommittee,
        R::IssueCertificate | R::GrantRenewal => {
            let record = tx.application(app_id).await?;
            let scheme = record
                .replay(state.ctx())?
                .case()
                .map(|c| c.scheme.to_string())
                .unwrap_or_else(|| "cert".to_owned());
            let number = CertificateNumber::new(
                tx.next_certificate_number(&scheme, state.today().year())
                    .await?,
            );
            if matches!(req, R::IssueCertificate) {
                EventKind::IssueCertificate { number }
            } else {
                EventKind::GrantRenewal { number }
            }
        }
        R::FollowUp {
            year,
            method,
            passed,
            findings,
        } => EventKind::FollowUp {
            year,
            method,
            passed,
            findings: findings.iter().map(FindingRequest::to_registry).collect(),
        },
        R::Hearing {
            ground,
            established,
            record,
        } => EventKind::Hearing {
            ground,
            established,
            record,
        },
        R::Revoke { ground } => EventKind::Revoke { ground },
        R::ApplyForRenewal => EventKind::ApplyForRenewal,
        R::RefuseRenewal { reason } => EventKind::RefuseRenewal { reason },
        R::Expire => EventKind::Expire,
        R::Withdraw { reason } => EventKind::Withdraw { reason },
        R::Surrender { reason } => EventKind::Surrender { reason },
    })
}

async fn apply(
    state: &AppState,
    caller: Caller,
    id: &str,
    req: EventRequest,
    idem: kcvs_store::Idem,
) -> ApiResult<Response> {
    let user = caller.user()?;
    let (_, standing) = authz::see_application(state, &user, id).await?;
    authz::may_record(&user, &standing, req.kind_name())?;
    let mut tx = match begin(state, user.id(), idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    let kind = to_event(&mut tx, state, id, req).await?;
    let case = tx
        .apply_event(
            id,
            Event::new(state.today(), kind),
            state.ctx(),
            state.signer(),
        )
        .await?;
    let record = tx.application(id).await?;
    let out = view(state, &record, &case)?;
    finish(tx, StatusCode::OK, &out).await
}

/// Record a lifecycle event. Who may record which `type` is in the crate docs of `authz`; an
/// event the registry refuses is a 409 whose `code` names the rule.
#[utoipa::path(post, path = "/api/v1/applications/{id}/events", tag = "applications",
    request_body = EventRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key; a retry returns the first answer")),
    responses((status = 200, body = ApplicationView), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<EventRequest>,
) -> ApiResult<Response> {
    apply(&state, caller, &id, body.value, body.idem).await
}

/// File a finding (assigned evaluator): the `record-finding` event.
#[utoipa::path(post, path = "/api/v1/applications/{id}/findings", tag = "applications",
    request_body = FindingRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn record_finding(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<FindingRequest>,
) -> ApiResult<Response> {
    let f = body.value;
    let req = EventRequest::RecordFinding {
        id: f.id,
        severity: f.severity,
        control: f.control,
        summary: f.summary,
    };
    apply(&state, caller, &id, req, body.idem).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemediationRequest {
    pub finding: String,
    pub due: Date,
}

/// Request remediation of a finding by a deadline (assigned evaluator).
#[utoipa::path(post, path = "/api/v1/applications/{id}/remediations", tag = "applications",
    request_body = RemediationRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn request_remediation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<RemediationRequest>,
) -> ApiResult<Response> {
    let r = body.value;
    let req = EventRequest::RequestRemediation {
        finding: r.finding,
        due: r.due,
    };
    apply(&state, caller, &id, req, body.idem).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecheckRequest {
    pub resolved: bool,
    pub note: String,
}

/// Re-check a remediation (assigned evaluator).
#[utoipa::path(post, path = "/api/v1/applications/{id}/remediations/{finding}/recheck", tag = "applications",
    request_body = RecheckRequest,
    params(("id" = String, Path), ("finding" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn recheck_remediation(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, finding)): Path<(String, String)>,
    body: JsonWrite<RecheckRequest>,
) -> ApiResult<Response> {
    let r = body.value;
    let req = EventRequest::RecheckRemediation {
        finding,
        resolved: r.resolved,
        note: r.note,
    };
    apply(&state, caller, &id, req, body.idem).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The evaluator's user id.
    pub evaluator: String,
}

/// Assign the evaluator (authority).
///
/// Refused (409, `not-allowed`) once the evaluation is over and on a closed case; see
/// `StateName::takes_evaluator`.
#[utoipa::path(post, path = "/api/v1/applications/{id}/evaluator", tag = "applications",
    request_body = AssignRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn assign_evaluator(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<AssignRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Admin])?;
    let evaluator = state
        .store()
        .user(&body.value.evaluator)
        .await?
        .filter(|u| u.role == "evaluator")
        .ok_or_else(|| {
            ApiError::unprocessable(
                "unknown-evaluator",
                format!("no evaluator `{}`", body.value.evaluator),
                format!("평가원 `{}`이(가) 없습니다", body.value.evaluator),
            )
        })?;
    let mut tx = match begin(&state, user.id(), body.idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    // Checked inside the transaction, so a case that closes meanwhile is refused too.
    tx.application(&id)
        .await?
        .replay(state.ctx())?
        .may_assign_evaluator()
        .map_err(kcvs_store::StoreError::from)?;
    tx.assign_evaluator(&id, &evaluator.id).await?;
    let record = tx.application(&id).await?;
    let case = record.replay(state.ctx())?;
    let out = view(&state, &record, &case)?;
    finish(tx, StatusCode::OK, &out).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    /// The service profile, YAML or JSON text, as `kcvs eligible --service` reads it.
    pub profile: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ServiceView {
    pub id: String,
    pub provider: String,
    pub name: String,
}

/// Register (or replace) the provider's service profile, used by the eligibility check.
#[utoipa::path(post, path = "/api/v1/services", tag = "applications",
    request_body = ServiceRequest,
    params(("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 201, body = ServiceView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn register_service(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonWrite<ServiceRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Provider, Role::Admin])?;
    let text = body.value.profile;
    let profile = kcvs_content::parse_service("profile", &text).map_err(|e| invalid_profile(&e))?;
    kcvs_content::check_service_schemes("profile", &text, state.rules())
        .map_err(|e| invalid_profile(&e))?;
    let provider = match user.provider() {
        Some(p) => p.to_owned(),
        None => provider_of(profile.id.as_str()),
    };
    let row = ServiceRow {
        id: profile.id.to_string(),
        provider,
        name: profile.name.clone(),
        profile: text,
    };
    let mut tx = match begin(&state, user.id(), body.idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    tx.register_service(&row).await?;
    let out = ServiceView {
        id: row.id,
        provider: row.provider,
        name: row.name,
    };
    finish(tx, StatusCode::CREATED, &out).await
}

/// Registered services (public).
#[utoipa::path(get, path = "/api/v1/services", tag = "applications",
    responses((status = 200, body = Vec<ServiceView>)))]
pub async fn list_services(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<ServiceView>>> {
    Ok(Json(
        state
            .store()
            .services()
            .await?
            .into_iter()
            .map(|s| ServiceView {
                id: s.id,
                provider: s.provider,
                name: s.name,
            })
            .collect(),
    ))
}

/// Load errors as one line each.
pub fn load_errors(e: &kcvs_content::LoadErrors) -> String {
    load_errors_in(e, kcvs_model::Lang::En)
}

fn load_errors_in(e: &kcvs_content::LoadErrors, lang: kcvs_model::Lang) -> String {
    e.0.iter()
        .map(|x| x.message(lang))
        .collect::<Vec<_>>()
        .join("; ")
}

/// 422 for a profile that does not load, in both languages.
pub fn invalid_profile(e: &kcvs_content::LoadErrors) -> ApiError {
    ApiError::unprocessable(
        "invalid-profile",
        load_errors(e),
        load_errors_in(e, kcvs_model::Lang::Ko),
    )
}

/// The provider id the demo gives a service: the first part of its id (`hanbit-gov-iaas` →
/// `hanbit`).
pub fn provider_of(service: &str) -> String {
    service.split('-').next().unwrap_or(service).to_owned()
}

/// Whether the caller sees the application as its applicant (used by the UI).
pub fn is_applicant(s: &Standing) -> bool {
    matches!(s, Standing::Applicant)
}
