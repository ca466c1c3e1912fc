//! A user's own API tokens: list them (never the secret nor its digest) and revoke one. The
//! authority admin may list and revoke anyone's. Created with `POST /api/v1/auth/tokens`.
//!
//! A revoked token is refused from the next request on: the bearer check reads the token's row
//! on every request, there is no cache to outlive the revocation.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kcvs_store::ApiTokenState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiQuery, Caller, Role, User};
use crate::routes::{begin_unkeyed, commit_unkeyed};

/// Whether a token admits its bearer now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    /// The user the token stands for.
    pub user: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub revoked_at: Option<String>,
    pub status: TokenStatus,
}

impl TokenView {
    fn new(t: ApiTokenState, now: i64) -> Self {
        let status = if t.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if t.token.expires_at <= now {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        };
        TokenView {
            id: t.token.id,
            user: t.token.user_id,
            name: t.token.name,
            scopes: t.token.scopes,
            created_at: t.token.created_at,
            expires_at: t.token.expires_at,
            revoked_at: t.revoked_at,
            status,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokensQuery {
    /// Another user's id (authority admin only); default: the caller.
    pub user: Option<String>,
}

/// The caller's API tokens, newest first, without their secrets.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", params(TokensQuery),
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TokensQuery>,
) -> ApiResult<Json<Vec<TokenView>>> {
    let user = caller.user()?;
    let whose = match q.user {
        Some(other) if other != user.id() => {
            user.require(&[Role::Admin])?;
            other
        }
        _ => user.id().to_owned(),
    };
    let now = state.now().as_second();
    let tokens = state.store().api_tokens_of(&whose).await?;
    Ok(Json(
        tokens.into_iter().map(|t| TokenView::new(t, now)).collect(),
    ))
}

/// Whether `user` may revoke a token of `owner`: their own, or anyone's for the authority.
fn may_revoke(user: &User, owner: &str) -> bool {
    user.is(Role::Admin) || user.id() == owner
}

/// Revoke an API token: the caller's own, or any for the authority admin. Revoking a revoked
/// token changes nothing and answers 204 again, so no `Idempotency-Key` is needed.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth",
    params(("id" = String, Path, description = "the token's id (`tok-…`), not its secret")),
    responses((status = 204, description = "revoked (or already revoked)"),
              (status = 401, body = Problem),
              (status = 404, body = Problem, description = "no such token, or not the caller's")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    let hidden = || ApiError::not_found("api token", &id);
    let token = state.store().api_token(&id).await?.ok_or_else(hidden)?;
    if !may_revoke(&user, &token.token.user_id) {
        return Err(hidden());
    }
    if token.revoked_at.is_none() {
        let mut tx = begin_unkeyed(&state, user.id()).await?;
        tx.revoke_api_token(&id).await?;
        commit_unkeyed(tx).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
