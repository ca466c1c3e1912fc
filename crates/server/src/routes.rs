//! The routes, one file per area, and the few helpers every write shares.

pub mod agencies;
pub mod applications;
pub mod audit;
pub mod committee;
pub mod public;
pub mod tokens;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kcvs_store::{Begin, Idem, StoredResponse, WriteTx};
use serde::Serialize;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kcvs certification service",
        description = "Korea's public-cloud security verification: applications, evaluation, committee, signed certificates, public registry, transparency log. Errors are `application/problem+json` (RFC 9457) with a stable `code`. Every write takes an `Idempotency-Key` header.",
        license(name = "Apache-2.0")
    ),
    components(schemas(crate::error::Problem)),
    tags(
        (name = "auth", description = "sessions, API tokens, users"),
        (name = "applications", description = "the certification lifecycle"),
        (name = "committee", description = "members, declarations, sittings, votes, decisions"),
        (name = "agencies", description = "certification and evaluation agencies"),
        (name = "registry", description = "the public registry, certificates, keys, eligibility"),
        (name = "translog", description = "the transparency log"),
        (name = "audit", description = "the audit chain (authority only)")
    )
)]
struct ApiDoc;

/// Every API route with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(crate::auth::login))
        .routes(routes!(crate::auth::logout))
        .routes(routes!(crate::auth::me))
        .routes(routes!(crate::auth::create_token))
        .routes(routes!(crate::auth::create_user))
        .routes(routes!(tokens::list_tokens))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(
            applications::list_applications,
            applications::submit_application
        ))
        .routes(routes!(applications::get_application))
        .routes(routes!(applications::timeline))
        .routes(routes!(applications::record_event))
        .routes(routes!(applications::record_finding))
        .routes(routes!(applications::request_remediation))
        .routes(routes!(applications::recheck_remediation))
        .routes(routes!(applications::assign_evaluator))
        .routes(routes!(
            applications::list_services,
            applications::register_service
        ))
        .routes(routes!(committee::list_members, committee::add_member))
        .routes(routes!(committee::declare))
        .routes(routes!(committee::open_sitting))
        .routes(routes!(committee::list_deliberations))
        .routes(routes!(committee::get_deliberation))
        .routes(routes!(committee::vote))
        .routes(routes!(committee::decide))
        .routes(routes!(agencies::list_agencies, agencies::designate))
        .routes(routes!(agencies::get_agency))
        .routes(routes!(agencies::suspend))
        .routes(routes!(agencies::revoke))
        .routes(routes!(agencies::agency_event))
        .routes(routes!(public::registry))
        .routes(routes!(public::registry_csv))
        .routes(routes!(public::registry_feed))
        .routes(routes!(public::certificate))
        .routes(routes!(public::keys))
        .routes(routes!(public::eligibility_check))
        .routes(routes!(public::sth))
        .routes(routes!(public::entries))
        .routes(routes!(public::inclusion))
        .routes(routes!(public::consistency))
        .routes(routes!(audit::head))
        .routes(routes!(audit::verify))
}

/// 404 for every path the API does not have, as a problem.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no-such-route",
        kcvs_model::Text::new("no such route", "그런 경로가 없습니다"),
    )
}

/// Start a write as the caller, or answer a replay of an earlier one.
pub(crate) async fn begin(
    state: &AppState,
    actor: &str,
    idem: Idem,
) -> ApiResult<Result<WriteTx, Response>> {
    match state
        .store()
        .begin_write(actor, state.now(), Some(idem))
        .await?
    {
        Begin::Fresh(tx) => Ok(Ok(tx)),
        Begin::Replay(r) => Ok(Err(replayed(r))),
    }
}

/// Start a write that has no idempotency key (sign-in, sign-out, revocation, housekeeping),
/// and commit it with [`commit_unkeyed`].
pub(crate) async fn begin_unkeyed(state: &AppState, actor: &str) -> ApiResult<WriteTx> {
    match state.store().begin_write(actor, state.now(), None).await? {
        Begin::Fresh(tx) => Ok(tx),
        // Without a key there is nothing to replay.
        Begin::Replay(_) => Err(ApiError::internal("replay without a key")),
    }
}

pub(crate) async fn commit_unkeyed(tx: WriteTx) -> ApiResult<()> {
    tx.commit(&StoredResponse {
        status: 204,
        body: String::new(),
    })
    .await?;
    Ok(())
}

/// The stored answer to a replayed request, marked `Idempotent-Replayed: true`.
pub fn replayed(r: StoredResponse) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let mut res = (status, r.body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}

/// Commit with the response recorded under the idempotency key, and send it.
pub(crate) async fn finish<T: Serialize>(
    tx: WriteTx,
    status: StatusCode,
    body: &T,
) -> ApiResult<Response> {
    let text = serde_json::to_string(body).map_err(ApiError::internal)?;
    finish_keeping(tx, status, body, text).await
}

/// [`finish`], but what a replay will answer is `kept`, not `body`: for an answer holding a
/// secret that must not rest in the database.
pub(crate) async fn finish_keeping<T: Serialize>(
    tx: WriteTx,
    status: StatusCode,
    body: &T,
    kept: String,
) -> ApiResult<Response> {
    let text = serde_json::to_string(body).map_err(ApiError::internal)?;
    tx.commit(&StoredResponse {
        status: status.as_u16(),
        body: kept,
    })
    .await?;
    let mut res = (status, text).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
}
