//! Registered services, and the provider's form to register one: the service profile the
//! engine reads (`kcvs eligible --service`), YAML or JSON. A provider needs a registered service
//! before the apply form offers it. A profile the loader refuses is shown again with every
//! error at its line and column, in the page's language (the loader words both).

use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{Ctx, Fields, answer, enc, esc, st, table_open};
use crate::error::ApiError;
use crate::extract::{Caller, Role};
use crate::routes::applications as api;

/// The form's starting text: a minimal IaaS profile to edit.
pub const TEMPLATE: &str = "id: my-service\nname: My cloud service\nprovider:\n  name: My company\n  headquarters: KR\nmodel: iaas\nservice_type: iaas\ndata_locations: [KR]\n";

fn caller(ctx: &Ctx) -> Caller {
    Caller(ctx.user.clone())
}

pub async fn services(ctx: Ctx) -> Response {
    match services_page(&ctx, None, None).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

/// The list, and for a provider or the authority the form (with `problem` above it after a
/// refused post, and the posted text kept).
async fn services_page(
    ctx: &Ctx,
    problem: Option<(StatusCode, String)>,
    text: Option<&str>,
) -> Result<Response, ApiError> {
    let list = api::list_services(st(ctx), caller(ctx)).await?.0;
    let mine = ctx
        .user
        .as_ref()
        .and_then(|u| u.provider())
        .map(str::to_owned);
    let mut b = table_open(&[
        ctx.t("Service", "서비스"),
        ctx.t("Name", "이름"),
        ctx.t("Provider", "사업자"),
    ]);
    let shown: Vec<_> = list
        .iter()
        .filter(|s| mine.as_deref().is_none_or(|p| p == s.provider))
        .collect();
    for s in &shown {
        b.push_str(&format!(
            r#"<tr><td><a href="/services/{}">{}</a></td><td>{}</td><td>{}</td></tr>"#,
            enc(&s.id),
            esc(&s.id),
            esc(&s.name),
            esc(&s.provider)
        ));
    }
    if shown.is_empty() {
        b.push_str(&format!(
            r#"<tr><td colspan="3" class="muted">{}</td></tr>"#,
            ctx.t("No services registered yet.", "등록된 서비스가 없습니다.")
        ));
    }
    b.push_str("</tbody></table>");
    let may_register = ctx.is(Role::Provider) || ctx.is(Role::Admin);
    if may_register {
        b.push_str(&format!(
            "<h2>{}</h2><p>{}</p>",
            ctx.t("Register a service", "서비스 등록"),
            ctx.t(
                "The service profile the engine judges eligibility by (as `kcvs eligible --service` reads it): its id, name, service model, data locations, certifications. Registering an id you already registered replaces its profile. Once registered, the service can be chosen on the application form.",
                "엔진이 이용 가능 여부를 판단하는 서비스 프로필입니다 (`kcvs eligible --service`와 같은 형식): ID, 이름, 서비스 모델, 데이터 위치, 인증. 이미 등록한 ID를 다시 등록하면 프로필이 바뀝니다. 등록한 서비스는 인증 신청 양식에서 고를 수 있습니다."
            )
        ));
        if let Some((_, p)) = &problem {
            b.push_str(&format!(
                r#"<div class="err"><p><b>{}</b></p><pre>{}</pre></div>"#,
                ctx.t(
                    "The profile was not accepted",
                    "프로필을 처리할 수 없습니다"
                ),
                esc(p)
            ));
        }
        b.push_str(&format!(
            r#"<form class="box" method="post" action="/services">{}<p><label for="profile">{}</label></p><textarea id="profile" name="profile" required>{}</textarea><p><button type="submit">{}</button></p></form>"#,
            ctx.idem_field(),
            ctx.t("Service profile (YAML or JSON):", "서비스 프로필 (YAML 또는 JSON):"),
            esc(text.unwrap_or(TEMPLATE)),
            ctx.t("Register", "등록"),
        ));
    }
    let title = if mine.is_some() {
        ctx.t("My services", "내 서비스")
    } else {
        ctx.t("Services", "서비스")
    };
    let status = problem.map_or(StatusCode::OK, |(s, _)| s);
    Ok(ctx.page(status, title, &b))
}

/// The loader's errors for a profile, in the page's language; `None` if it loads.
fn profile_errors(ctx: &Ctx, text: &str) -> Option<String> {
    let parsed = kcvs_content::parse_service("profile", text)
        .err()
        .or_else(|| {
            kcvs_content::check_service_schemes("profile", text, ctx.state.rules()).err()
        })?;
    Some(
        parsed
            .0
            .iter()
            .map(|e| match (e.line, e.column) {
                (0, _) => e.message(ctx.lang),
                (l, c) => format!("{l}:{c}: {}", e.message(ctx.lang)),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

pub async fn register_post(ctx: Ctx, Form(f): Form<Vec<(String, String)>>) -> Response {
    let f = Fields(f);
    let text = f.get("profile").unwrap_or_default().to_owned();
    let r = async {
        let w = f.write("/api/v1/services", json!({ "profile": text }))?;
        let v = answer(api::register_service(st(&ctx), caller(&ctx), w).await?).await?;
        let id = v["id"].as_str().unwrap_or_default();
        Ok::<_, ApiError>(ctx.see_other(&format!("/services/{}", enc(id))))
    }
    .await;
    match r {
        Ok(r) => r,
        Err(e) if e.code == "invalid-profile" || e.code == "conflict" => {
            let problem = if e.code == "invalid-profile" {
                profile_errors(&ctx, &text).unwrap_or_else(|| e.detail.get(ctx.lang).to_owned())
            } else {
                ctx.t(
                    "A service with this id is registered by another provider.",
                    "이 ID의 서비스는 다른 사업자가 등록했습니다.",
                )
                .to_owned()
            };
            match services_page(&ctx, Some((e.status, problem)), Some(&text)).await {
                Ok(r) => r,
                Err(e) => ctx.error(e),
            }
        }
        Err(e) => ctx.error(e),
    }
}
