//! "My API tokens": list the signed-in user's tokens, create one (its secret is shown on the
//! answer to the form, once, and never again), revoke one. Plain forms; every read and write
//! goes through the API's own handlers (`routes::tokens`, `auth::create_token`), so the rules
//! are the API's: a user sees and revokes only their own.

use axum::extract::{Form, Path};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Ctx, Fields, answer, badge, enc, esc, st, table_open};
use crate::error::ApiError;
use crate::extract::{ApiQuery, Caller};
use crate::routes::tokens::{TokenView, TokensQuery, list_tokens, revoke_token};

fn caller(ctx: &Ctx) -> Caller {
    Caller(ctx.user.clone())
}

/// A Unix time as the day and time in UTC, or the number if it is out of range.
fn when(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| secs.to_string())
}

fn table(ctx: &Ctx, tokens: &[TokenView]) -> String {
    let lang = ctx.lang;
    let mut b = table_open(&[
        ctx.t("Name", "이름"),
        ctx.t("ID", "ID"),
        ctx.t("Scopes", "권한 범위"),
        ctx.t("Created", "생성"),
        ctx.t("Expires", "만료"),
        ctx.t("Status", "상태"),
        "",
    ]);
    for t in tokens {
        let status = serde_json::to_value(t.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let action = if t.revoked_at.is_none() {
            format!(
                r#"<form method="post" action="/tokens/{}/revoke">{}<button type="submit">{}</button></form>"#,
                enc(&t.id),
                ctx.idem_field(),
                ctx.t("Revoke", "폐기"),
            )
        } else {
            String::new()
        };
        b.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.name),
            esc(&t.id),
            esc(&t.scopes.join(", ")),
            esc(&t.created_at),
            esc(&when(t.expires_at)),
            badge(lang, &status),
            action,
        ));
    }
    if tokens.is_empty() {
        b.push_str(&format!(
            r#"<tr><td colspan="7" class="muted">{}</td></tr>"#,
            ctx.t("No API tokens yet.", "아직 API 토큰이 없습니다.")
        ));
    }
    b.push_str("</tbody></table>");
    b
}

fn create_form(ctx: &Ctx) -> String {
    format!(
        r#"<form class="box" method="post" action="/tokens">{idem}<h2>{h}</h2>
<label>{name} <input name="name" required maxlength="100"></label>
<label><input type="checkbox" name="scope" value="read" checked> {read}</label>
<label><input type="checkbox" name="scope" value="write"> {write}</label>
<label>{days} <input name="expires_in_days" type="number" min="1" max="365" value="90" required></label>
<button type="submit">{create}</button></form>"#,
        idem = ctx.idem_field(),
        h = ctx.t("New token", "새 토큰"),
        name = ctx.t("Name", "이름"),
        read = ctx.t("read", "읽기 (read)"),
        write = ctx.t("write", "쓰기 (write)"),
        days = ctx.t("Valid for (days)", "유효 기간 (일)"),
        create = ctx.t("Create", "만들기"),
    )
}

/// The page, with the secret of a token just created (`fresh`) shown above the list.
async fn page(ctx: &Ctx, fresh: Option<&Value>) -> Result<Response, ApiError> {
    caller(ctx).user()?;
    let tokens = list_tokens(st(ctx), caller(ctx), ApiQuery(TokensQuery::default()))
        .await?
        .0;
    let mut b = String::new();
    match fresh.map(|v| v["token"].as_str()) {
        Some(Some(secret)) => b.push_str(&format!(
            r#"<section class="box ok"><p><b>{}</b></p><p><code>{}</code></p><p>{}</p></section>"#,
            ctx.t("Your new token", "새 토큰"),
            esc(secret),
            ctx.t(
                "Copy it now: it is shown this once and is not stored, only its digest is.",
                "지금 복사하십시오. 이번 한 번만 보이며 저장되지 않습니다 (다이제스트만 보관합니다).",
            ),
        )),
        // The same form sent twice: the first answer had the secret, the replay cannot.
        Some(None) => b.push_str(&format!(
            r#"<section class="box"><p>{}</p></section>"#,
            ctx.t(
                "This form was already sent; the token's secret was shown on the first answer only.",
                "이미 보낸 양식입니다. 토큰 값은 처음 응답에만 표시되었습니다.",
            ),
        )),
        None => {}
    }
    b.push_str(&table(ctx, &tokens));
    b.push_str(&create_form(ctx));
    let mut res = ctx.page(StatusCode::OK, ctx.t("My API tokens", "내 API 토큰"), &b);
    // The answer to a creation holds the secret: keep it out of every cache.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

fn done(ctx: &Ctx, r: Result<Response, ApiError>) -> Response {
    r.unwrap_or_else(|e| ctx.error(e))
}

pub async fn tokens(ctx: Ctx) -> Response {
    let r = page(&ctx, None).await;
    done(&ctx, r)
}

pub async fn create_post(ctx: Ctx, Form(f): Form<Vec<(String, String)>>) -> Response {
    let f = Fields(f);
    let r = async {
        let days = f.text("expires_in_days");
        let body = json!({
            "name": f.text("name"),
            "scopes": f.all("scope"),
            // A number if it is one; otherwise the text, which the API refuses with 422.
            "expires_in_days": days.parse::<u64>().map_or(Value::String(days), Value::from),
        });
        let w = f.write("/api/v1/auth/tokens", body)?;
        let res = crate::auth::create_token(st(&ctx), caller(&ctx), w).await?;
        let created = answer(res).await?;
        page(&ctx, Some(&created)).await
    }
    .await;
    done(&ctx, r)
}

pub async fn revoke_post(ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        revoke_token(st(&ctx), caller(&ctx), Path(id)).await?;
        Ok(ctx.see_other("/tokens"))
    }
    .await;
    done(&ctx, r)
}
