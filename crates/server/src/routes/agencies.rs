//! Certification and evaluation agencies (Act Art. 23-2, 23-4): designation, suspension,
//! revocation. Reads are public; changes are the authority's.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use kcvs_registry::AgencyId;
use kcvs_registry::agency::{
    AgencyEvent, AgencyEventKind, AgencyKind, AgencyRevocationGround, Capacity, DiscretionaryGround,
};
use kcvs_store::AgencyRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, JsonWrite, Role};
use crate::routes::{begin, finish};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgencyView {
    pub id: String,
    pub name: String,
    /// `certification` or `evaluation`.
    pub kind: String,
    /// `designated`, `undesignated`, `revoked`.
    pub state: String,
    /// Whether it may certify or evaluate today (designated, in term, not suspended).
    pub may_work_today: bool,
    /// The registry's record: designation, term, suspensions, revocation.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

fn agency_view(state: &AppState, a: &AgencyRecord) -> ApiResult<AgencyView> {
    let s = a.replay()?;
    Ok(AgencyView {
        id: a.id.clone(),
        name: a.name.clone(),
        kind: a.kind.clone(),
        state: a.state.clone(),
        may_work_today: s.may_work(state.today()),
        record: serde_json::to_value(&s).map_err(ApiError::internal)?,
    })
}

/// Every agency (public).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies",
    responses((status = 200, body = Vec<AgencyView>)))]
pub async fn list_agencies(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<AgencyView>>> {
    state
        .store()
        .agencies()
        .await?
        .iter()
        .map(|a| agency_view(&state, a))
        .collect::<ApiResult<_>>()
        .map(Json)
}

/// One agency (public).
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "agencies",
    params(("id" = String, Path)),
    responses((status = 200, body = AgencyView), (status = 404, body = Problem)))]
pub async fn get_agency(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AgencyView>> {
    let a = state
        .store()
        .agency(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("agency", &id))?;
    Ok(Json(agency_view(&state, &a)?))
}

/// An agency after a change.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgencyChange {
    pub id: String,
    pub may_work_today: bool,
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

async fn record(
    state: &AppState,
    caller: Caller,
    id: &str,
    kind: AgencyEventKind,
    idem: kcvs_store::Idem,
    status: StatusCode,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Admin])?;
    let mut tx = match begin(state, user.id(), idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    let after = tx
        .agency_event(
            id,
            AgencyEvent {
                date: state.today(),
                kind,
            },
        )
        .await?;
    let out = AgencyChange {
        id: id.to_owned(),
        may_work_today: after.may_work(state.today()),
        record: serde_json::to_value(&after).map_err(ApiError::internal)?,
    };
    finish(tx, status, &out).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignationRequest {
    pub id: String,
    pub name: String,
    #[schema(value_type = String, example = "evaluation")]
    pub kind: AgencyKind,
    /// The Decree Art. 15-10 criteria: `dedicated_unit`, `dedicated_experts` (at least 4),
    /// `security_measures`, `financial_capacity`.
    #[schema(value_type = Object)]
    pub capacity: Capacity,
}

/// Designate an agency for five years (authority); refused unless the criteria are met.
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies",
    request_body = DesignationRequest,
    params(("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 201, body = AgencyChange), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn designate(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonWrite<DesignationRequest>,
) -> ApiResult<Response> {
    let r = body.value;
    let id = r.id.clone();
    let kind = AgencyEventKind::Designate {
        agency: AgencyId::new(r.id),
        name: r.name,
        kind: r.kind,
        capacity: r.capacity,
    };
    record(&state, caller, &id, kind, body.idem, StatusCode::CREATED).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspensionRequest {
    /// Last day of the suspension (at most a year less a day from today).
    pub until: Date,
    /// `refused-without-cause`, `breached-criteria`, `no-longer-meets-designation-criteria`.
    #[schema(value_type = String, example = "breached-criteria")]
    pub ground: DiscretionaryGround,
}

/// Suspend an agency from today (authority). Only discretionary grounds can suspend.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/suspend", tag = "agencies",
    request_body = SuspensionRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 200, body = AgencyChange), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<SuspensionRequest>,
) -> ApiResult<Response> {
    let kind = AgencyEventKind::Suspend {
        until: body.value.until,
        ground: body.value.ground,
    };
    record(&state, caller, &id, kind, body.idem, StatusCode::OK).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyRevocationRequest {
    /// `{"kind": "mandatory", "ground": "fraud" | "worked-while-suspended"}` or
    /// `{"kind": "discretionary", "ground": …}`.
    #[schema(value_type = Object)]
    pub ground: AgencyRevocationGround,
}

/// Revoke an agency's designation (authority).
#[utoipa::path(post, path = "/api/v1/agencies/{id}/revoke", tag = "agencies",
    request_body = AgencyRevocationRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 200, body = AgencyChange), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<AgencyRevocationRequest>,
) -> ApiResult<Response> {
    let kind = AgencyEventKind::Revoke {
        ground: body.value.ground,
    };
    record(&state, caller, &id, kind, body.idem, StatusCode::OK).await
}

/// Any other agency event, as the registry spells it (`{"type": "record-work"}`,
/// `{"type": "expire"}`), dated today (authority).
#[utoipa::path(post, path = "/api/v1/agencies/{id}/events", tag = "agencies",
    request_body = serde_json::Value,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 200, body = AgencyChange), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn agency_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<AgencyEventKind>,
) -> ApiResult<Response> {
    record(&state, caller, &id, body.value, body.idem, StatusCode::OK).await
}
