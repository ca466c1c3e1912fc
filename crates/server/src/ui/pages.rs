//! Sign in and sign out, through the API's own login and logout.

use axum::body::Bytes;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::{Ctx, Fields, esc};
use crate::AppState;
use crate::auth::LoginRequest;
use crate::extract::{ClientAddr, JsonBody, Role};

fn login_body(ctx: &Ctx, problem: Option<&str>, username: &str) -> String {
    let mut b = String::new();
    if let Some(p) = problem {
        b.push_str(&format!(r#"<div class="err">{}</div>"#, esc(p)));
    }
    b.push_str(&format!(
        r#"<form class="box" method="post" action="/login">{idem}
<label>{u} <input name="username" autocomplete="username" value="{uv}" required></label>
<label>{p} <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">{s}</button></form>"#,
        idem = ctx.idem_field(),
        u = ctx.t("Username", "사용자 이름"),
        uv = esc(username),
        p = ctx.t("Password", "비밀번호"),
        s = ctx.t("Sign in", "로그인"),
    ));
    b
}

pub async fn login_form(ctx: Ctx) -> Response {
    let title = ctx.t("Sign in", "로그인");
    ctx.page(StatusCode::OK, title, &login_body(&ctx, None, ""))
}

pub async fn login_post(
    State(state): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let req = LoginRequest {
        username: f.text("username"),
        password: f.get("password").unwrap_or_default().to_owned(),
    };
    let username = req.username.clone();
    let res = crate::auth::login(
        State(state),
        client,
        JsonBody {
            value: req,
            bytes: Bytes::new(),
        },
    )
    .await;
    let title = ctx.t("Sign in", "로그인");
    match res {
        Ok(res) => {
            let (parts, body) = res.into_parts();
            let me: serde_json::Value = axum::body::to_bytes(body, 64 * 1024)
                .await
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
            let to = match me["role"].as_str().and_then(Role::parse) {
                Some(Role::Committee) => "/docket",
                Some(_) => "/applications",
                None => "/registry",
            };
            let mut out = ctx.see_other(to);
            for c in parts.headers.get_all(header::SET_COOKIE) {
                out.headers_mut().append(header::SET_COOKIE, c.clone());
            }
            out
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => ctx.page(
            StatusCode::UNAUTHORIZED,
            title,
            &login_body(
                &ctx,
                Some(ctx.t(
                    "Wrong username or password.",
                    "사용자 이름 또는 비밀번호가 맞지 않습니다.",
                )),
                &username,
            ),
        ),
        Err(e) => ctx.error(e),
    }
}

pub async fn logout_post(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Response {
    match crate::auth::logout(State(state), headers).await {
        Ok(res) => {
            let mut out = ctx.see_other("/registry");
            for c in res.headers().get_all(header::SET_COOKIE) {
                out.headers_mut().append(header::SET_COOKIE, c.clone());
            }
            out
        }
        Err(e) => ctx.error(e),
    }
}
