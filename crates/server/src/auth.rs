//! Passwords (argon2id PHC strings), sessions (an opaque token in an `HttpOnly; SameSite=Strict`
//! cookie) and API tokens (`kcvs_…`, scoped `read` / `write`, expiring). Only SHA-256 digests of
//! session and API tokens are stored.

use std::net::{IpAddr, Ipv6Addr};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kcvs_store::{ApiTokenRow, Begin, LoginSubject, NewUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, ClientAddr, JsonBody, JsonWrite, Role};
use crate::routes::{begin_unkeyed, commit_unkeyed};

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
///
/// Failed attempts are limited per account and per client address ([`LoginLimit`]): past the
/// limit the answer is 429 with `Retry-After`, before any password is checked, whether or not
/// the account exists. An unknown user costs the same argon2 work as a known one (a dummy hash),
/// so neither the status nor the time tells which names exist.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me, description = "signed in; `Set-Cookie: kcvs_session=…; HttpOnly; SameSite=Strict`"),
              (status = 401, body = Problem),
              (status = 429, body = Problem, description = "too many failed sign-ins for this account or address; see `Retry-After`")))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    body: JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let req = body.value;
    let limit = state.config().login_limit;
    // Counted in the database, so every server process on it sees the same failures; committed
    // before the password is checked, so guesses sent in parallel count while argon2 runs.
    let attempt = random_hex(16)?;
    let address = client.0.map(|a| address_key(a).to_string());
    let mut subjects = vec![(LoginSubject::Account(&req.username), limit.per_account)];
    if let Some(a) = &address {
        subjects.push((LoginSubject::Address(a), limit.per_address));
    }
    let mut tx = begin_unkeyed(&state, "anonymous").await?;
    let started = tx
        .start_login_attempt(
            &attempt,
            &subjects,
            limit.window_secs,
            state.now().as_second(),
        )
        .await?;
    commit_unkeyed(tx).await?;
    started.map_err(too_many_failures)?;
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
        return Err(ApiError::unauthorized(
            "wrong username or password",
            "사용자 이름 또는 비밀번호가 맞지 않습니다",
        ));
    };
    let token = random_hex(32)?;
    let ttl = state.config().session_ttl_secs;
    let now = state.now();
    let expires = now.as_second() + ttl;
    let mut tx = begin_unkeyed(&state, &user.id).await?;
    tx.login_succeeded(&attempt, &req.username).await?;
    tx.create_session(&token_hash(&token), &user.id, expires)
        .await?;
    commit_unkeyed(tx).await?;
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

fn too_many_failures(wait_secs: u64) -> ApiError {
    let minutes = wait_secs.div_ceil(60);
    ApiError::too_many_requests(
        "too-many-login-failures",
        wait_secs,
        format!(
            "too many failed sign-ins for this account or from this address; try again in {minutes} minute(s)"
        ),
        format!(
            "이 계정 또는 이 주소에서 로그인 실패가 너무 많습니다. {minutes}분 뒤에 다시 시도하십시오"
        ),
    )
}

/// End the session of the cookie sent, on the server: the cookie no longer signs anyone in,
/// even if a copy of it is kept. Expired sessions are purged at the same time.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "signed out; the session is deleted and the cookie cleared")))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned());
    let mut tx = begin_unkeyed(&state, "anonymous").await?;
    if let Some(token) = token {
        tx.delete_session(&token_hash(&token)).await?;
    }
    tx.purge_expired_sessions(tx.now().as_second()).await?;
    commit_unkeyed(tx).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("kcvs_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(res)
}

/// Delete expired sessions and forget login failures older than the window. `kcvs serve`
/// runs this every [`crate::Config::purge_every`] ([`spawn_purge`]); logout purges sessions too.
pub async fn purge_expired(state: &AppState) -> ApiResult<u64> {
    let now = state.now();
    let mut tx = begin_unkeyed(state, "system").await?;
    tx.purge_login_failures(now.as_second() - state.config().login_limit.window_secs)
        .await?;
    let n = tx.purge_expired_sessions(now.as_second()).await?;
    commit_unkeyed(tx).await?;
    Ok(n)
}

/// Run [`purge_expired`] every `config.purge_every` until the task is dropped or aborted.
pub fn spawn_purge(state: AppState) -> tokio::task::JoinHandle<()> {
    let every = state.config().purge_every;
    crate::periodic::spawn_every(every, ("session purge", "세션 정리"), move || {
        let state = state.clone();
        async move {
            purge_expired(&state)
                .await
                .map(|_| ())
                .map_err(|e| e.detail.en.clone())
        }
    })
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
    /// Shown once; only its SHA-256 is kept. `null` when the answer is a replay under the same
    /// `Idempotency-Key`: the record that answers replays does not keep the secret either
    /// (revoke the token and create another if the first answer was lost).
    pub token: Option<String>,
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
            "scopes는 `read`와 `write`로 된 비어 있지 않은 목록이어야 합니다",
        ));
    }
    if !(1..=365).contains(&req.expires_in_days) {
        return Err(ApiError::unprocessable(
            "invalid-expiry",
            "expires_in_days must be between 1 and 365",
            "expires_in_days는 1에서 365 사이여야 합니다",
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
    let mut out = TokenCreated {
        id: row.id,
        token: None,
        scopes: row.scopes,
        expires_at: row.expires_at,
    };
    let kept = serde_json::to_string(&out).map_err(ApiError::internal)?;
    out.token = Some(token);
    crate::routes::finish_keeping(tx, StatusCode::CREATED, &out, kept).await
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
            "role은 provider, evaluator, committee, admin 중 하나여야 합니다",
        )
    })?;
    if (role == Role::Provider) != req.provider.is_some() {
        return Err(ApiError::unprocessable(
            "invalid-provider",
            "a provider user needs `provider`; other roles must not have one",
            "사업자 사용자에게는 `provider`가 필요하고, 다른 역할에는 없어야 합니다",
        ));
    }
    if req.password.chars().count() < 10 {
        return Err(ApiError::unprocessable(
            "weak-password",
            "a password needs at least 10 characters",
            "비밀번호는 10자 이상이어야 합니다",
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

/// How many failed password sign-ins are allowed before 429.
///
/// ASSUMPTION `serve.login-limit`: no source we hold sets numbers; ours are 5 failures per
/// account and 20 per client address within 15 minutes. An address gets more room than an
/// account because one office behind one NAT address holds many staff. A limit of 0 turns that
/// check off (e.g. behind a proxy that hides the client's address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimit {
    /// Failures per account: the username as typed, whether or not it exists.
    pub per_account: u32,
    /// Failures per client address (an IPv4 address, or the /64 of an IPv6 one).
    pub per_address: u32,
    /// The sliding window the failures are counted in, in seconds.
    pub window_secs: i64,
}

impl Default for LoginLimit {
    fn default() -> Self {
        LoginLimit {
            per_account: 5,
            per_address: 20,
            window_secs: 15 * 60,
        }
    }
}

/// A client address as the limiter counts it: IPv6 by its /64, which one host usually holds
/// whole; an IPv4-mapped IPv6 address as the IPv4 address.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(
                u128::from(v6) & 0xffff_ffff_ffff_ffff_0000_0000_0000_0000,
            )),
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_address_counts_by_its_64_and_a_mapped_one_as_ipv4() {
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "2001:db8:0:1::1".parse().unwrap();
        let same = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(same("2001:db8::1"), same("2001:db8::ffff"));
        assert_ne!(same("2001:db8::1"), address_key(other));
        assert_eq!(same("::ffff:192.0.2.1"), ip);
    }
}
