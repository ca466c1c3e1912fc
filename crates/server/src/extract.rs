//! Extractors that turn every way a request can be wrong into a precise problem:
//!
//! | what | status | code |
//! |---|---|---|
//! | body is not JSON (syntax, truncated) | 400 | `malformed-json` |
//! | JSON of the wrong shape: wrong type, missing or unknown field | 422 | `invalid-body` |
//! | no `Content-Type: application/json` | 415 | `unsupported-media-type` |
//! | body over the limit | 413 | `body-too-large` |
//! | bad query string | 400 | `invalid-query` |
//! | missing or malformed `Idempotency-Key` on a write | 400 | `idempotency-key-required` |
//! | a bearer token that is unknown, expired or revoked | 401 | `unauthorized` |
//! | a token without the scope the method needs | 403 | `insufficient-scope` |

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use kcvs_model::Text;
use kcvs_store::{Idem, Principal};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, token_hash};
use crate::error::ApiError;

/// The roles of the service. The public is "no principal".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Provider,
    Evaluator,
    Committee,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "provider" => Some(Role::Provider),
            "evaluator" => Some(Role::Evaluator),
            "committee" => Some(Role::Committee),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Provider => "provider",
            Role::Evaluator => "evaluator",
            Role::Committee => "committee",
            Role::Admin => "admin",
        }
    }
}

/// A signed-in caller.
#[derive(Clone, Debug)]
pub struct User {
    pub principal: Principal,
    pub role: Role,
    /// Signed in with the session cookie (not a bearer token).
    pub by_cookie: bool,
}

impl User {
    pub fn id(&self) -> &str {
        &self.principal.user.id
    }

    pub fn provider(&self) -> Option<&str> {
        self.principal.user.provider.as_deref()
    }

    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }

    /// The role must be one of `roles`, else 403.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            let you = self.role.as_str();
            Err(ApiError::forbidden(
                format!(
                    "this needs the role {}; you are `{you}`",
                    names.join(" or ")
                ),
                format!(
                    "이 작업에는 {} 역할이 필요합니다. 현재 역할은 `{you}`입니다",
                    names.join(" 또는 ")
                ),
            ))
        }
    }
}

/// The caller, if any: a bearer token (`Authorization: Bearer kcvs_…`) or the session cookie.
/// A bearer token that does not verify is a 401 even on a public route; a stale cookie on a
/// public route reads as the public.
#[derive(Clone, Debug)]
pub struct Caller(pub Option<User>);

impl Caller {
    /// Signed in, or 401.
    pub fn user(self) -> Result<User, ApiError> {
        self.0.ok_or_else(|| {
            ApiError::unauthorized(
                "sign in or send a bearer token",
                "로그인하거나 bearer 토큰을 보내십시오",
            )
        })
    }
}

/// A request cookie's value by name (the session cookie for the API, the language and form
/// cookies for the web UI).
pub(crate) fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn unix(ts: jiff::Timestamp) -> i64 {
    ts.as_second()
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let now = unix(state.now());
        let write = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| {
                    ApiError::unauthorized(
                        "expected `Authorization: Bearer <token>`",
                        "`Authorization: Bearer <토큰>` 형식이어야 합니다",
                    )
                })?;
            let principal = state
                .store()
                .token_principal(&token_hash(token.trim()), now)
                .await?
                .ok_or_else(|| {
                    ApiError::unauthorized(
                        "the token is unknown, expired or revoked",
                        "알 수 없거나 만료되었거나 폐기된 토큰입니다",
                    )
                })?;
            let needed = if write { "write" } else { "read" };
            let scoped = principal
                .scopes
                .as_ref()
                .is_none_or(|s| s.iter().any(|x| x == needed));
            if !scoped {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "insufficient-scope",
                    Text::new(
                        format!("the token lacks the `{needed}` scope"),
                        format!("토큰에 `{needed}` 권한 범위가 없습니다"),
                    ),
                ));
            }
            let role = Role::parse(&principal.user.role)
                .ok_or_else(|| ApiError::internal("user with an unknown role"))?;
            return Ok(Caller(Some(User {
                principal,
                role,
                by_cookie: false,
            })));
        }
        if let Some(token) = cookie(parts, SESSION_COOKIE)
            && let Some(principal) = state
                .store()
                .session_principal(&token_hash(&token), now)
                .await?
        {
            // SameSite=Strict keeps the cookie off cross-site requests; an Origin that names
            // another host on a write is refused as well.
            if write && !same_origin(parts) {
                return Err(ApiError::forbidden(
                    "cross-origin write refused",
                    "다른 출처에서 온 쓰기 요청은 거부됩니다",
                ));
            }
            let role = Role::parse(&principal.user.role)
                .ok_or_else(|| ApiError::internal("user with an unknown role"))?;
            return Ok(Caller(Some(User {
                principal,
                role,
                by_cookie: true,
            })));
        }
        Ok(Caller(None))
    }
}

fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
}

/// The address the request came from, when the server was started with connection info
/// (`kcvs serve` is; a router driven in-process is not, unless the request carries
/// `ConnectInfo`). Forwarding headers are not read: anyone can write them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// A JSON body: checked media type, limit, syntax (400) and shape (422).
pub struct JsonBody<T> {
    pub value: T,
    pub bytes: Bytes,
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|m| m.eq_ignore_ascii_case("application/json") || m.ends_with("+json"))
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => ApiError::bad_request(
                "malformed-json",
                format!("the body is not valid JSON: {e}"),
                format!("요청 본문이 올바른 JSON이 아닙니다: {e}"),
            ),
            Category::Data => {
                let msg = e.to_string();
                let code = if msg.contains("unknown field") || msg.contains("unknown variant") {
                    "unknown-field"
                } else {
                    "invalid-body"
                };
                ApiError::unprocessable(
                    code,
                    format!("the body does not have the expected shape: {msg}"),
                    format!("요청 본문의 형식이 맞지 않습니다: {msg}"),
                )
            }
        }
    })
}

async fn read_body(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let limit = state.config().body_limit;
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                Text::new(
                    format!("the body is larger than {limit} bytes"),
                    format!("요청 본문이 {limit}바이트를 넘습니다"),
                ),
            )
        } else {
            let why = r.body_text();
            ApiError::bad_request(
                "unreadable-body",
                why.clone(),
                format!("요청 본문을 읽을 수 없습니다: {why}"),
            )
        }
    })
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let json = is_json(&req);
        let bytes = read_body(req, state).await?;
        let blank = bytes.iter().all(u8::is_ascii_whitespace);
        if !blank && !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                Text::new(
                    "send the body as `Content-Type: application/json`",
                    "요청 본문은 `Content-Type: application/json`으로 보내십시오",
                ),
            ));
        }
        Ok(JsonBody {
            value: parse_json(&bytes)?,
            bytes,
        })
    }
}

/// A write: a JSON body and the `Idempotency-Key` header, hashed with the method and path so a
/// key reused on another route or with another body is told apart.
pub struct JsonWrite<T> {
    pub value: T,
    pub idem: Idem,
}

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

impl<T: DeserializeOwned> FromRequest<AppState> for JsonWrite<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let key = req
            .headers()
            .get(IDEMPOTENCY_KEY)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_owned)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "idempotency-key-required",
                    "a write needs an `Idempotency-Key` header (1 to 255 visible ASCII characters)",
                    "쓰기 요청에는 `Idempotency-Key` 헤더(보이는 ASCII 문자 1~255자)가 필요합니다",
                )
            })?;
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let body = JsonBody::<T>::from_request(req, state).await?;
        let mut hashed = Vec::with_capacity(body.bytes.len() + path.len() + 8);
        hashed.extend_from_slice(method.as_str().as_bytes());
        hashed.push(b' ');
        hashed.extend_from_slice(path.as_bytes());
        hashed.push(b'\n');
        hashed.extend_from_slice(&body.bytes);
        Ok(JsonWrite {
            value: body.value,
            idem: Idem {
                key,
                request_sha256: kcvs_store::sha256_hex(&hashed),
            },
        })
    }
}

/// Query parameters; a bad one is a 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| ApiQuery(q))
            .map_err(|e| {
                let why = e.body_text();
                ApiError::bad_request(
                    "invalid-query",
                    why.clone(),
                    format!("쿼리 문자열이 올바르지 않습니다: {why}"),
                )
            })
    }
}
