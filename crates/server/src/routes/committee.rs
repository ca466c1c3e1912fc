//! The deliberation committee: members, declarations, sittings, votes, decisions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use kcvs_registry::committee::{Affiliation, Choice, ConflictKind, Declaration, Member, Vote};
use kcvs_registry::{DeliberationId, MemberId, ProviderId};
use kcvs_store::{DeliberationRow, MemberRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::authz;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, JsonWrite, Role};
use crate::routes::{begin, finish};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    /// `industry`, `academia`, `research-institute`, `msit-recommended-official`.
    pub affiliation: String,
    pub term_from: Date,
    pub term_until: Date,
    pub user: Option<String>,
    /// Declared conflicts of interest: `{provider, kind, declared}`.
    #[schema(value_type = Vec<Object>)]
    pub declarations: Vec<serde_json::Value>,
}

fn member_view(m: &MemberRow) -> ApiResult<MemberView> {
    Ok(MemberView {
        id: m.member.id.to_string(),
        name: m.member.name.clone(),
        affiliation: m.member.affiliation.as_str().to_owned(),
        term_from: m.member.term_from,
        term_until: m.member.term_until,
        user: m.user.clone(),
        declarations: m
            .member
            .declarations
            .iter()
            .map(|d| serde_json::to_value(d).map_err(ApiError::internal))
            .collect::<ApiResult<_>>()?,
    })
}

/// The committee (authority and members).
#[utoipa::path(get, path = "/api/v1/committee/members", tag = "committee",
    responses((status = 200, body = Vec<MemberView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_members(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<MemberView>>> {
    let user = caller.user()?;
    user.require(&[Role::Admin, Role::Committee])?;
    let members = state.store().members().await?;
    members
        .iter()
        .map(member_view)
        .collect::<ApiResult<_>>()
        .map(Json)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    pub id: String,
    pub name: String,
    #[schema(value_type = String, example = "academia")]
    pub affiliation: Affiliation,
    pub term_from: Date,
    pub term_until: Date,
    /// The user (role `committee`) who signs in as this member.
    pub user: Option<String>,
}

/// Appoint a member (authority).
#[utoipa::path(post, path = "/api/v1/committee/members", tag = "committee",
    request_body = MemberRequest,
    params(("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 201, body = MemberView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonWrite<MemberRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Admin])?;
    let req = body.value;
    if req.term_until < req.term_from {
        return Err(ApiError::unprocessable(
            "invalid-term",
            "the term ends before it starts",
            "임기가 시작일보다 먼저 끝납니다",
        ));
    }
    if let Some(u) = &req.user {
        let ok = state
            .store()
            .user(u)
            .await?
            .is_some_and(|u| u.role == "committee");
        if !ok {
            return Err(ApiError::unprocessable(
                "unknown-user",
                format!("no committee user `{u}`"),
                format!("위원 사용자 `{u}`이(가) 없습니다"),
            ));
        }
    }
    let member = Member {
        id: MemberId::new(req.id),
        name: req.name,
        affiliation: req.affiliation,
        term_from: req.term_from,
        term_until: req.term_until,
        declarations: Vec::new(),
    };
    let mut tx = match begin(&state, user.id(), body.idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    tx.add_member(&member, req.user.as_deref()).await?;
    let out = member_view(&MemberRow {
        member,
        user: req.user,
    })?;
    finish(tx, StatusCode::CREATED, &out).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationRequest {
    pub provider: String,
    /// `employer`, `competitor`, `consultant`.
    #[schema(value_type = String, example = "employer")]
    pub kind: ConflictKind,
}

/// Declare a conflict of interest (the member, or the authority for them). From then on the
/// member is recused from every file of that provider and cannot see it.
#[utoipa::path(post, path = "/api/v1/committee/members/{id}/declarations", tag = "committee",
    request_body = DeclarationRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 201, body = MemberView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn declare(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<DeclarationRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Admin, Role::Committee])?;
    if user.is(Role::Committee) {
        let me = state.store().member_of_user(user.id()).await?;
        if me.is_none_or(|m| m.member.id.as_str() != id) {
            return Err(ApiError::forbidden(
                "a member declares only for themselves",
                "위원은 자신에 대해서만 신고할 수 있습니다",
            ));
        }
    }
    let decl = Declaration {
        provider: ProviderId::new(body.value.provider),
        kind: body.value.kind,
        declared: state.today(),
    };
    let mut tx = match begin(&state, user.id(), body.idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    tx.declare(&MemberId::new(id.clone()), &decl).await?;
    let member = state
        .store()
        .members()
        .await?
        .into_iter()
        .find(|m| m.member.id.as_str() == id);
    let mut out = member
        .map(|m| member_view(&m))
        .transpose()?
        .ok_or_else(|| ApiError::not_found("member", &id))?;
    out.declarations
        .push(serde_json::to_value(&decl).map_err(ApiError::internal)?);
    finish(tx, StatusCode::CREATED, &out).await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecusalView {
    pub member: String,
    pub kind: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VoteView {
    pub member: String,
    pub choice: String,
    pub rationale: String,
    pub cast_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliberationView {
    pub id: String,
    pub application: String,
    pub date: Date,
    pub present: Vec<String>,
    /// Present members recused for a declared conflict with the applicant.
    pub recused: Vec<RecusalView>,
    pub votes: Vec<VoteView>,
    /// The registry's resolution once decided.
    #[schema(value_type = Option<Object>)]
    pub resolution: Option<serde_json::Value>,
}

async fn deliberation_view(state: &AppState, d: &DeliberationRow) -> ApiResult<DeliberationView> {
    let members = state.store().members().await?;
    let app = state.store().application(d.application.as_str()).await?;
    let recused = d
        .present
        .iter()
        .filter_map(|p| members.iter().find(|m| &m.member.id == p))
        .filter_map(|m| {
            let a = app.as_ref()?.application()?;
            kcvs_registry::committee::recusal(&m.member, a).map(|k| RecusalView {
                member: m.member.id.to_string(),
                kind: match serde_json::to_value(k) {
                    Ok(serde_json::Value::String(s)) => s,
                    _ => String::new(),
                },
            })
        })
        .collect();
    Ok(DeliberationView {
        id: d.id.to_string(),
        application: d.application.to_string(),
        date: d.date,
        present: d.present.iter().map(ToString::to_string).collect(),
        recused,
        votes: d
            .votes
            .iter()
            .map(|v| VoteView {
                member: v.vote.member.to_string(),
                choice: match v.vote.choice {
                    Choice::Approve => "approve",
                    Choice::Reject => "reject",
                    Choice::Abstain => "abstain",
                }
                .to_owned(),
                rationale: v.vote.rationale.clone(),
                cast_at: v.cast_at.clone(),
            })
            .collect(),
        resolution: d
            .resolution
            .as_ref()
            .map(|r| serde_json::to_value(r).map_err(ApiError::internal))
            .transpose()?,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SittingRequest {
    /// The members present. Conflicted members may be listed; they are recused automatically.
    pub present: Vec<String>,
}

/// Open a sitting on an application under deliberation (authority). Dated today.
#[utoipa::path(post, path = "/api/v1/applications/{id}/deliberations", tag = "committee",
    request_body = SittingRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 201, body = DeliberationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn open_sitting(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<SittingRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Admin])?;
    let present: Vec<MemberId> = body.value.present.into_iter().map(MemberId::new).collect();
    let mut tx = match begin(&state, user.id(), body.idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    let sid = DeliberationId::new(kcvs_store::new_id("sit")?);
    let d = tx
        .open_deliberation(&sid, &id, state.today(), &present)
        .await?;
    let out = deliberation_view(&state, &d).await?;
    finish(tx, StatusCode::CREATED, &out).await
}

/// Sittings the caller may see: all for the authority, those not recused for a member.
#[utoipa::path(get, path = "/api/v1/deliberations", tag = "committee",
    responses((status = 200, body = Vec<DeliberationView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_deliberations(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<DeliberationView>>> {
    let user = caller.user()?;
    user.require(&[Role::Admin, Role::Committee])?;
    let mut out = Vec::new();
    for d in state.store().deliberations(None).await? {
        if authz::see_deliberation(&state, &user, d.id.as_str())
            .await
            .is_ok()
        {
            out.push(deliberation_view(&state, &d).await?);
        }
    }
    Ok(Json(out))
}

/// One sitting (404 for a recused member).
#[utoipa::path(get, path = "/api/v1/deliberations/{id}", tag = "committee",
    params(("id" = String, Path)),
    responses((status = 200, body = DeliberationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_deliberation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DeliberationView>> {
    let user = caller.user()?;
    let (d, _) = authz::see_deliberation(&state, &user, &id).await?;
    Ok(Json(deliberation_view(&state, &d).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    /// `approve`, `reject`, `abstain`.
    #[schema(value_type = String, example = "approve")]
    pub choice: Choice,
    pub rationale: String,
}

/// Cast the caller's vote (a member present and not recused; a recused member gets 404).
#[utoipa::path(post, path = "/api/v1/deliberations/{id}/votes", tag = "committee",
    request_body = VoteRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 201, body = DeliberationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn vote(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<VoteRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Committee])?;
    let (_, member) = authz::see_deliberation(&state, &user, &id).await?;
    let member = member.ok_or_else(|| ApiError::not_found("deliberation", &id))?;
    let v = Vote {
        member: member.member.id.clone(),
        choice: body.value.choice,
        rationale: body.value.rationale,
    };
    let mut tx = match begin(&state, user.id(), body.idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    tx.cast_vote(&id, &v).await?;
    let d = tx.deliberation(&id).await?;
    let out = deliberation_view(&state, &d).await?;
    finish(tx, StatusCode::CREATED, &out).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideRequest {}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionView {
    pub deliberation: DeliberationView,
    /// The application's state after the decision (`approved` or `rejected`).
    pub application_state: String,
}

/// Close the sitting: the registry tallies it (quorum by affiliation, recusals, majority) and
/// records the decision on the application (authority).
#[utoipa::path(post, path = "/api/v1/deliberations/{id}/decide", tag = "committee",
    request_body = DecideRequest,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 200, body = DecisionView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonWrite<DecideRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Admin])?;
    let mut tx = match begin(&state, user.id(), body.idem).await? {
        Ok(tx) => tx,
        Err(replay) => return Ok(replay),
    };
    let (_, case) = tx
        .decide(
            &id,
            state.today(),
            &state.config().quorum,
            state.ctx(),
            state.signer(),
        )
        .await?;
    let d = tx.deliberation(&id).await?;
    let out = DecisionView {
        deliberation: deliberation_view(&state, &d).await?,
        application_state: case.name().as_str().to_owned(),
    };
    finish(tx, StatusCode::OK, &out).await
}
