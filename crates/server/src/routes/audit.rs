//! The audit chain, for the authority: its head, and a full check of every link.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, Role};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChainHeadView {
    /// Number of records.
    pub len: u64,
    /// The last record's hash (64 hex digits; zeros for an empty chain).
    pub hash: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChainCheck {
    pub ok: bool,
    pub head: Option<ChainHeadView>,
    /// The first broken record and how (`edited`, `deleted`, `reordered`).
    pub first_break: Option<u64>,
    pub kind: Option<String>,
}

/// The chain's head (authority). Keep it elsewhere to detect a cut tail later.
#[utoipa::path(get, path = "/api/v1/audit/head", tag = "audit",
    responses((status = 200, body = ChainHeadView), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn head(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<ChainHeadView>> {
    caller.user()?.require(&[Role::Admin])?;
    let h = state.store().audit_head().await?;
    Ok(Json(ChainHeadView {
        len: h.len,
        hash: h.hash.to_hex(),
    }))
}

/// Walk the chain and check every record (authority).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = ChainCheck), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn verify(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<ChainCheck>> {
    caller.user()?.require(&[Role::Admin])?;
    Ok(Json(match state.store().verify_audit().await {
        Ok(Ok(h)) => ChainCheck {
            ok: true,
            head: Some(ChainHeadView {
                len: h.len,
                hash: h.hash.to_hex(),
            }),
            first_break: None,
            kind: None,
        },
        Ok(Err(e)) => ChainCheck {
            ok: false,
            head: None,
            first_break: Some(e.index as u64),
            kind: Some(format!("{:?}", e.kind).to_lowercase()),
        },
        Err(kcvs_store::StoreError::Corrupt(_)) => ChainCheck {
            ok: false,
            head: None,
            first_break: None,
            kind: Some("unreadable".to_owned()),
        },
        Err(e) => return Err(e.into()),
    }))
}
