//! The committee page: members with affiliation, term and declared conflicts of interest; a
//! member declares their own conflicts (employer, competitor, consultant), the authority may
//! declare for any member. A declaration recuses the member from every file of that provider
//! (the registry's `recusal`), and the docket and application pages then hide those files from
//! them: this page says which providers, never which files, to the member.

use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::Response;
use kcvs_registry::committee::ConflictKind;
use kcvs_store::AppFilter;
use serde_json::json;

use super::{Ctx, Fields, answer, esc, st, word};
use crate::error::ApiError;
use crate::extract::{Caller, Role};
use crate::routes::committee as api;

const KINDS: [ConflictKind; 3] = [
    ConflictKind::Employer,
    ConflictKind::Competitor,
    ConflictKind::Consultant,
];

fn spelling(k: ConflictKind) -> &'static str {
    match k {
        ConflictKind::Employer => "employer",
        ConflictKind::Competitor => "competitor",
        ConflictKind::Consultant => "consultant",
    }
}

pub async fn committee(ctx: Ctx) -> Response {
    match committee_page(&ctx).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

async fn committee_page(ctx: &Ctx) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let members = api::list_members(st(ctx), Caller(ctx.user.clone()))
        .await?
        .0;
    let u = Caller(ctx.user.clone()).user()?;
    let me = if u.is(Role::Committee) {
        ctx.state.store().member_of_user(u.id()).await?
    } else {
        None
    };
    let admin = u.is(Role::Admin);
    // The authority sees which files each declaration recuses a member from.
    let apps = if admin {
        ctx.state.store().applications(&AppFilter::All).await?
    } else {
        Vec::new()
    };
    let mut b = String::new();
    if let Some(m) = &me {
        b.push_str(&format!(
            "<h2>{}</h2>",
            ctx.t("Your recusals", "내 회피 대상")
        ));
        if m.member.declarations.is_empty() {
            b.push_str(&format!(
                r#"<p class="muted">{}</p>"#,
                ctx.t(
                    "You have declared no conflict of interest: no file is hidden from you.",
                    "신고한 이해충돌이 없어 회피 대상 안건이 없습니다."
                )
            ));
        } else {
            b.push_str("<ul>");
            for d in &m.member.declarations {
                b.push_str(&format!(
                    "<li>{} <b>{}</b> ({}, {} {})</li>",
                    ctx.t(
                        "Recused from every file of provider",
                        "다음 사업자의 모든 안건에서 회피:"
                    ),
                    esc(d.provider.as_str()),
                    esc(&word(lang, spelling(d.kind))),
                    ctx.t("declared", "신고일"),
                    d.declared,
                ));
            }
            b.push_str(&format!(
                "</ul><p class=\"muted\">{}</p>",
                ctx.t(
                    "The docket does not show you these files, and you cannot vote on them.",
                    "위원회 안건 목록에 이 안건들은 보이지 않으며 표결할 수 없습니다."
                )
            ));
        }
    }
    b.push_str(&format!(
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>{}</tr></thead><tbody>",
        ctx.t("Members", "위원"),
        ctx.t("Member", "위원"),
        ctx.t("Name", "이름"),
        ctx.t("Affiliation", "소속 구분"),
        ctx.t("Term", "임기"),
        ctx.t("Declared conflicts", "신고한 이해충돌"),
        if admin {
            format!("<th>{}</th>", ctx.t("Recused from", "회피 안건"))
        } else {
            String::new()
        },
    ));
    for m in &members {
        let decls: Vec<String> = m
            .declarations
            .iter()
            .map(|d| {
                format!(
                    "{} ({}, {})",
                    esc(d["provider"].as_str().unwrap_or_default()),
                    esc(&word(lang, d["kind"].as_str().unwrap_or_default())),
                    esc(d["declared"].as_str().unwrap_or_default())
                )
            })
            .collect();
        let recused = if admin {
            let providers: Vec<&str> = m
                .declarations
                .iter()
                .filter_map(|d| d["provider"].as_str())
                .collect();
            let files: Vec<String> = apps
                .iter()
                .filter(|a| providers.contains(&a.provider.as_str()))
                .map(|a| {
                    format!(
                        r#"<a href="/applications/{}">{}</a>"#,
                        super::enc(&a.id),
                        esc(&a.id)
                    )
                })
                .collect();
            format!(
                "<td>{}</td>",
                if files.is_empty() {
                    "—".to_owned()
                } else {
                    files.join(", ")
                }
            )
        } else {
            String::new()
        };
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td><td>{}</td>{recused}</tr>",
            esc(&m.id),
            esc(&m.name),
            esc(&word(lang, &m.affiliation)),
            m.term_from,
            m.term_until,
            if decls.is_empty() {
                "—".to_owned()
            } else {
                decls.join("<br>")
            },
        ));
    }
    b.push_str("</tbody></table>");
    if me.is_some() || admin {
        b.push_str(&declare_form(ctx, me.as_ref().map(|m| m.member.id.as_str()), &members).await?);
    }
    Ok(ctx.page(StatusCode::OK, ctx.t("Committee", "위원회"), &b))
}

async fn declare_form(
    ctx: &Ctx,
    me: Option<&str>,
    members: &[api::MemberView],
) -> Result<String, ApiError> {
    let lang = ctx.lang;
    let who = match me {
        Some(id) => format!(r#"<input type="hidden" name="member" value="{}">"#, esc(id)),
        None => {
            let opts: String = members
                .iter()
                .map(|m| {
                    format!(
                        r#"<option value="{0}">{1} ({0})</option>"#,
                        esc(&m.id),
                        esc(&m.name)
                    )
                })
                .collect();
            format!(
                r#"<label>{} <select name="member">{opts}</select></label>"#,
                ctx.t("Member", "위원")
            )
        }
    };
    let mut providers: Vec<String> = ctx
        .state
        .store()
        .services()
        .await?
        .into_iter()
        .map(|s| s.provider)
        .collect();
    providers.sort();
    providers.dedup();
    let popts: String = providers
        .iter()
        .map(|p| format!(r#"<option value="{0}">{0}</option>"#, esc(p)))
        .collect();
    let kopts: String = KINDS
        .iter()
        .map(|k| {
            format!(
                r#"<option value="{}">{}</option>"#,
                spelling(*k),
                esc(&word(lang, spelling(*k)))
            )
        })
        .collect();
    Ok(format!(
        r#"<h2>{}</h2><p class="muted">{}</p><form class="box" method="post" action="/committee/declarations">{}{who}<label>{} <select name="provider">{popts}</select></label><label>{} <select name="kind">{kopts}</select></label><button type="submit">{}</button></form>"#,
        ctx.t("Declare a conflict of interest", "이해충돌 신고"),
        ctx.t(
            "From the declaration on, the member is recused from every file of that provider and cannot see it.",
            "신고한 때부터 해당 사업자의 모든 안건에서 회피되며 그 안건을 볼 수 없습니다."
        ),
        ctx.idem_field(),
        ctx.t("Provider", "사업자"),
        ctx.t("Conflict", "이해충돌 유형"),
        ctx.t("Declare", "신고"),
    ))
}

pub async fn declare_post(ctx: Ctx, Form(f): Form<Vec<(String, String)>>) -> Response {
    let f = Fields(f);
    let member = f.text("member");
    let r = async {
        let body = json!({ "provider": f.text("provider"), "kind": f.text("kind") });
        let w = f.write(
            &format!("/api/v1/committee/members/{member}/declarations"),
            body,
        )?;
        let res = api::declare(
            st(&ctx),
            Caller(ctx.user.clone()),
            axum::extract::Path(member.clone()),
            w,
        )
        .await?;
        answer(res).await?;
        Ok(ctx.see_other("/committee"))
    }
    .await;
    match r {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}
