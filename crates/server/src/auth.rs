//! Passwords (argon2id PHC strings), sessions (an opaque token in an `HttpOnly; SameSite=Strict`
//! cookie) and API tokens (`kcvs_…`, scoped `read` / `write`, expiring). Only SHA-256 digests of
//! session and API tokens are stored.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kcvs_store::{ApiTokenRow, Begin, NewUser, StoredResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, JsonBody, JsonWrite, Role};

pub const SESSION_COOKIE: &str = "kcvs_session";

/// The cost of password hashing. The default is argon2's recommended (19 MiB, 2 passes); tests
/// use [`PasswordCost::fast`].
#[derive(Clone, Copy, Debug)]
pub struct PasswordCost {
    pub m_cost: u32,
    pub t_cost: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        PasswordCost {
            m_cost: Params::DEFAULT_M_COST,
            t_cost: Params::DEFAULT_T_COST,
        }
    }
}

impl PasswordCost {
    /// Cheap parameters for tests only.
    pub fn fast() -> Self {
        PasswordCost {
            m_cost: 256,
            t_cost: 1,
        }
    }

    fn argon2(self) -> Result<Argon2<'static>, ApiError> {
        let params = Params::new(self.m_cost, self.t_cost, 1, None).map_err(ApiError::internal)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str, cost: PasswordCost) -> Result<String, ApiError> {
    Ok(cost
        .argon2()?
        .hash_password(password.as_bytes())
        .map_err(ApiError::internal)?
        .to_string())
}

/// Whether a password matches a PHC string (the string's own parameters are used).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).ok().is_some_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// `len` random bytes from the OS, in hex.
pub fn random_hex(len: usize) -> Result<String, ApiError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(kcvs_registry::digest::hex_encode(&bytes))
}

/// What is stored for a session or API token.
pub fn token_hash(token: &str) -> String {
    kcvs_store::sha256_hex(token.as_bytes())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub role: String,
    pub provider: Option<String>,
    pub display_name: String,
}

impl From<&kcvs_store::UserRow> for Me {
    fn from(u: &kcvs_store::UserRow) -> Self {
        Me {
            id: u.id.clone(),
            username: u.username.clone(),
            role: u.role.clone(),
            provider: u.provider.clone(),
            display_name: u.display_name.clone(),
        }
    }
}

/// Sign in with a password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me, description = "signed in; `Set-Cookie: kcvs_session=…; HttpOnly; SameSite=Strict`"),
              (status = 401, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    body: JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let req = body.value;
    let user = state.store().user_by_username(&req.username).await?;
    // Verify against a dummy hash when the user is unknown, so timing does not tell.
    let ok = match &user {
        Some(u) => verify_password(&req.password, &u.password_hash),
        None => {
            let _ = verify_password(&req.password, state.dummy_hash());
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        return Err(ApiError::unauthorized("wrong username or password"));
    };
    let token = random_hex(32)?;
    let ttl = state.config().session_ttl_secs;
    let now = state.now();
    let expires = now.as_second() + ttl;
    let Begin::Fresh(mut tx) = state.store().begin_write(&user.id, now, None).await? else {
        return Err(ApiError::internal("replay without a key"));
    };
    tx.create_session(&token_hash(&token), &user.id, expires)
        .await?;
    tx.commit(&StoredResponse {
        status: 200,
        body: String::new(),
    })
    .await?;
    let secure = if state.config().cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={ttl}{secure}"
    );
    let mut res = Json(Me::from(&user)).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(ApiError::internal)?,
    );
    Ok(res)
}

/// End the session of the cookie sent.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "signed out; the cookie is cleared")))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned());
    if let Some(token) = token
        && let Begin::Fresh(mut tx) = state
            .store()
            .begin_write("anonymous", state.now(), None)
            .await?
    {
        tx.delete_session(&token_hash(&token)).await?;
        tx.commit(&StoredResponse {
            status: 204,
            body: String::new(),
        })
        .await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("kcvs_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(res)
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(caller: Caller) -> ApiResult<Json<Me>> {
    let user = caller.user()?;
    Ok(Json(Me::from(&user.principal.user)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub name: String,
    /// `read`, `write`.
    pub scopes: Vec<String>,
    /// 1 to 365.
    pub expires_in_days: u16,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenCreated {
    pub id: String,
    /// Shown once; only its SHA-256 is kept.
    pub token: String,
    pub scopes: Vec<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Create an API token for the caller (only with a session or a `write` token).
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth", request_body = TokenRequest,
    params(("Idempotency-Key" = String, Header, description = "client-chosen key; a retry returns the first answer")),
    responses((status = 201, body = TokenCreated), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonWrite<TokenRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    let req = body.value;
    if req.scopes.is_empty() || req.scopes.iter().any(|s| s != "read" && s != "write") {
        return Err(ApiError::unprocessable(
            "invalid-scope",
            "scopes must be a non-empty list of `read` and `write`",
        ));
    }
    if !(1..=365).contains(&req.expires_in_days) {
        return Err(ApiError::unprocessable(
            "invalid-expiry",
            "expires_in_days must be between 1 and 365",
        ));
    }
    let mut tx = match state
        .store()
        .begin_write(user.id(), state.now(), Some(body.idem))
        .await?
    {
        Begin::Fresh(tx) => tx,
        Begin::Replay(r) => return Ok(crate::routes::replayed(r)),
    };
    let token = format!("kcvs_{}", random_hex(32)?);
    let row = ApiTokenRow {
        id: kcvs_store::new_id("tok")?,
        user_id: user.id().to_owned(),
        name: req.name,
        scopes: req.scopes.clone(),
        created_at: state.now().to_string(),
        expires_at: state.now().as_second() + i64::from(req.expires_in_days) * 86_400,
    };
    tx.create_api_token(&row, &token_hash(&token)).await?;
    let out = TokenCreated {
        id: row.id,
        token,
        scopes: row.scopes,
        expires_at: row.expires_at,
    };
    crate::routes::finish(tx, StatusCode::CREATED, &out).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRequest {
    pub username: String,
    pub password: String,
    /// `provider`, `evaluator`, `committee`, `admin`.
    pub role: String,
    /// For a provider: the provider id it speaks for.
    pub provider: Option<String>,
    pub display_name: String,
}

/// Create a user (authority admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "auth", request_body = UserRequest,
    params(("Idempotency-Key" = String, Header, description = "client-chosen key")),
    responses((status = 201, body = Me), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonWrite<UserRequest>,
) -> ApiResult<Response> {
    let user = caller.user()?;
    user.require(&[Role::Admin])?;
    let req = body.value;
    let role = Role::parse(&req.role).ok_or_else(|| {
        ApiError::unprocessable(
            "invalid-role",
            "role must be provider, evaluator, committee or admin",
        )
    })?;
    if (role == Role::Provider) != req.provider.is_some() {
        return Err(ApiError::unprocessable(
            "invalid-provider",
            "a provider user needs `provider`; other roles must not have one",
        ));
    }
    if req.password.chars().count() < 10 {
        return Err(ApiError::unprocessable(
            "weak-password",
            "a password needs at least 10 characters",
        ));
    }
    let mut tx = match state
        .store()
        .begin_write(user.id(), state.now(), Some(body.idem))
        .await?
    {
        Begin::Fresh(tx) => tx,
        Begin::Replay(r) => return Ok(crate::routes::replayed(r)),
    };
    let new = NewUser {
        id: kcvs_store::new_id("usr")?,
        username: req.username,
        password_hash: hash_password(&req.password, state.config().password_cost)?,
        role: role.as_str().to_owned(),
        provider: req.provider,
        display_name: req.display_name,
    };
    tx.create_user(&new).await?;
    let out = Me {
        id: new.id,
        username: new.username,
        role: new.role,
        provider: new.provider,
        display_name: new.display_name,
    };
    crate::routes::finish(tx, StatusCode::CREATED, &out).await
}
