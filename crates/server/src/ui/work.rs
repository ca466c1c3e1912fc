//! Signed-in pages: a provider's applications and the apply form, an application's timeline
//! with the actions its viewer may take (evaluator: review, findings, remediation, re-check,
//! submit; authority: assign, open a sitting, issue), the committee docket with votes and
//! decisions. Each read and write goes through the API's handler, so authz is the API's.

use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::Response;
use kcvs_registry::committee::{CommitteeError, Member, Resolution, tally};
use kcvs_registry::lifecycle::{State as CaseState, StateName};
use serde_json::{Value, json};

use super::{
    Ctx, Fields, answer, badge, enc, esc, kv_table, lifecycle, reasons, st, table_open, word,
};
use crate::error::ApiError;
use crate::extract::{Caller, Role, User};
use crate::routes::{applications as api, committee};

fn user(ctx: &Ctx) -> Result<User, ApiError> {
    Caller(ctx.user.clone()).user()
}

fn caller(ctx: &Ctx) -> Caller {
    Caller(ctx.user.clone())
}

fn done(ctx: &Ctx, r: Result<Response, ApiError>) -> Response {
    match r {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

pub async fn applications(ctx: Ctx) -> Response {
    let r = applications_page(&ctx).await;
    done(&ctx, r)
}

async fn applications_page(ctx: &Ctx) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let u = user(ctx)?;
    let list = api::list_applications(st(ctx), caller(ctx)).await?.0;
    let mut b = table_open(&[
        ctx.t("Application", "신청"),
        ctx.t("Provider", "사업자"),
        ctx.t("Service", "서비스"),
        ctx.t("Regime", "제도"),
        ctx.t("State", "진행 상태"),
        ctx.t("Updated", "갱신"),
    ]);
    for a in &list {
        b.push_str(&format!(
            r#"<tr><td><a href="/applications/{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            enc(&a.id),
            esc(&a.id),
            esc(&a.provider),
            esc(&a.service),
            esc(&a.regime),
            badge(lang, &a.state),
            esc(&a.updated_at),
        ));
    }
    if list.is_empty() {
        b.push_str(&format!(
            r#"<tr><td colspan="6" class="muted">{}</td></tr>"#,
            ctx.t("Nothing here yet.", "아직 없습니다.")
        ));
    }
    b.push_str("</tbody></table>");
    if u.is(Role::Provider) {
        b.push_str(&apply_form(ctx, &u).await?);
    }
    let title = match u.role {
        Role::Provider => ctx.t("My applications", "내 신청"),
        Role::Evaluator => ctx.t("My evaluations", "담당 평가"),
        _ => ctx.t("Applications", "신청 목록"),
    };
    Ok(ctx.page(StatusCode::OK, title, &b))
}

async fn apply_form(ctx: &Ctx, u: &User) -> Result<String, ApiError> {
    let lang = ctx.lang;
    let services = api::list_services(st(ctx), caller(ctx)).await?.0;
    let mine: Vec<_> = services
        .iter()
        .filter(|s| Some(s.provider.as_str()) == u.provider())
        .collect();
    let today = ctx.state.today();
    let mut regimes = String::new();
    let mut tiers: Vec<String> = Vec::new();
    for w in ctx
        .state
        .ctx()
        .regimes
        .iter()
        .filter(|w| w.binding && w.open_on(today))
    {
        regimes.push_str(&format!(
            r#"<option value="{0}">{0}</option>"#,
            esc(w.regime.as_str())
        ));
        for t in &w.tiers {
            if !tiers.contains(t) {
                tiers.push(t.clone());
            }
        }
    }
    let mut s = format!(
        r#"<h2>{}</h2><form class="box" method="post" action="/applications">{}<label>{} <select name="service">"#,
        ctx.t("Apply for certification", "인증 신청"),
        ctx.idem_field(),
        ctx.t("Service", "서비스"),
    );
    for sv in &mine {
        s.push_str(&format!(
            r#"<option value="{}">{} ({})</option>"#,
            esc(&sv.id),
            esc(&sv.name),
            esc(&sv.id)
        ));
    }
    s.push_str(&format!(
        r#"</select></label><label>{} <select name="regime">{}</select></label><label>{} <select name="tier">"#,
        ctx.t("Regime", "제도"),
        regimes,
        ctx.t("Tier", "등급"),
    ));
    for t in &tiers {
        s.push_str(&format!(
            r#"<option value="{}">{}</option>"#,
            esc(t),
            esc(&word(lang, t))
        ));
    }
    s.push_str(&format!(
        r#"</select></label><label>{} <select name="service_type">"#,
        ctx.t("Service type", "서비스 유형")
    ));
    for t in ["iaas", "saas-standard", "saas-simplified", "daas", "paas"] {
        s.push_str(&format!(
            r#"<option value="{}">{}</option>"#,
            t,
            esc(&word(lang, t))
        ));
    }
    s.push_str(&format!(
        r#"</select></label><br><label>{} <input name="scope" size="50" required></label><label>{} <input name="host_certificate" placeholder="CSAP-…"></label><p><button type="submit">{}</button></p></form>"#,
        ctx.t("Scope", "인증 범위"),
        ctx.t("IaaS certificate it runs on (SaaS/PaaS)", "기반 IaaS 인증번호 (SaaS/PaaS)"),
        ctx.t("Apply", "신청하기"),
    ));
    Ok(s)
}

pub async fn apply_post(ctx: Ctx, Form(f): Form<Vec<(String, String)>>) -> Response {
    let f = Fields(f);
    let r = async {
        let body = json!({
            "service": f.text("service"),
            "regime": f.text("regime"),
            "tier": f.text("tier"),
            "service_type": f.text("service_type"),
            "scope": f.text("scope"),
            "host_certificate": f.get("host_certificate").map(str::trim),
        });
        let w = f.write("/api/v1/applications", body)?;
        let res = api::submit_application(st(&ctx), caller(&ctx), w).await?;
        let v = answer(res).await?;
        let id = v["id"].as_str().unwrap_or_default();
        Ok(ctx.see_other(&format!("/applications/{}", enc(id))))
    }
    .await;
    match r {
        Ok(r) => r,
        Err(e) => lifecycle::explain_submit(&ctx, &f, e),
    }
}

/// The first array under `key` anywhere in the case JSON.
fn find_array<'a>(v: &'a Value, key: &str) -> Option<&'a Vec<Value>> {
    match v {
        Value::Object(m) => m
            .get(key)
            .and_then(Value::as_array)
            .or_else(|| m.values().find_map(|x| find_array(x, key))),
        _ => None,
    }
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_default()
}

pub async fn application(ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = application_page(&ctx, &id).await;
    done(&ctx, r)
}

fn button_form(ctx: &Ctx, action: &str, fields: &str, label: &str) -> String {
    format!(
        r#"<form class="box" method="post" action="{}">{}{}<button type="submit">{}</button></form>"#,
        esc(action),
        ctx.idem_field(),
        fields,
        esc(label)
    )
}

async fn application_page(ctx: &Ctx, id: &str) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let u = user(ctx)?;
    let a = api::get_application(st(ctx), caller(ctx), Path(id.to_owned()))
        .await?
        .0;
    let tl = api::timeline(st(ctx), caller(ctx), Path(id.to_owned()))
        .await?
        .0;
    let base = format!("/applications/{}", enc(id));
    let mut b = String::new();
    let rows: Vec<(&str, String)> = vec![
        (ctx.t("State", "진행 상태"), badge(lang, &a.state)),
        (ctx.t("Provider", "사업자"), esc(&a.provider)),
        (ctx.t("Service", "서비스"), esc(&a.service)),
        (ctx.t("Regime", "제도"), esc(&a.regime)),
        (ctx.t("Tier", "등급"), esc(&word(lang, &a.tier))),
        (ctx.t("Type", "유형"), esc(&word(lang, &a.service_type))),
        (ctx.t("Scope", "인증 범위"), esc(&a.scope)),
        (
            ctx.t("Evaluator", "평가원"),
            esc(a.evaluator.as_deref().unwrap_or("—")),
        ),
        (
            ctx.t("Certificate", "인증번호"),
            a.certificate
                .as_deref()
                .map(|n| format!(r#"<a href="/certificates/{}">{}</a>"#, enc(n), esc(n)))
                .unwrap_or_else(|| "—".to_owned()),
        ),
    ];
    b.push_str(&kv_table(&rows));

    // Findings and remediation.
    let findings = find_array(&a.case, "findings").cloned().unwrap_or_default();
    let remediations = find_array(&a.case, "remediations")
        .cloned()
        .unwrap_or_default();
    let evaluator = u.is(Role::Evaluator);
    let on_site = a.state == "on-site-evaluation";
    b.push_str(&format!(
        "<h2>{}</h2>",
        ctx.t("Findings and remediation", "결함 및 보완조치")
    ));
    b.push_str(&table_open(&[
        ctx.t("Finding", "결함"),
        ctx.t("Severity", "심각도"),
        ctx.t("Control", "통제 항목"),
        ctx.t("Summary", "요약"),
        ctx.t("Remediation", "보완조치"),
    ]));
    for f in &findings {
        let fid = s(f, "id");
        let rem = remediations.iter().find(|r| s(r, "finding") == fid);
        let rem_html = match rem {
            Some(r) if r["recheck"].is_object() => format!(
                "{} {} · {}: {} · {}",
                ctx.t("re-checked", "재확인"),
                esc(s(&r["recheck"], "date")),
                ctx.t("resolved", "해결"),
                if r["recheck"]["resolved"].as_bool() == Some(true) {
                    ctx.t("yes", "예")
                } else {
                    ctx.t("no", "아니요")
                },
                esc(s(&r["recheck"], "note")),
            ),
            Some(r) => {
                let mut h = format!(
                    "{} {} · {} {}",
                    ctx.t("requested", "요청"),
                    esc(s(r, "requested")),
                    ctx.t("due", "기한"),
                    esc(s(r, "due"))
                );
                if evaluator && on_site {
                    h.push_str(&format!(
                        r#"<form method="post" action="{base}/remediations/{f}/recheck">{idem}<label><input type="checkbox" name="resolved" value="true" checked> {res}</label><input name="note" placeholder="{note}" required><button type="submit">{go}</button></form>"#,
                        f = enc(fid),
                        idem = ctx.idem_field(),
                        res = ctx.t("resolved", "해결"),
                        note = ctx.t("note", "비고"),
                        go = ctx.t("Record re-check", "재확인 기록"),
                    ));
                }
                h
            }
            None if evaluator && on_site => format!(
                r#"<form method="post" action="{base}/remediations">{idem}<input type="hidden" name="finding" value="{f}"><label>{due} <input type="date" name="due" required></label><button type="submit">{go}</button></form>"#,
                idem = ctx.idem_field(),
                f = esc(fid),
                due = ctx.t("due", "기한"),
                go = ctx.t("Request remediation", "보완조치 요청"),
            ),
            None => "—".to_owned(),
        };
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(fid),
            badge(lang, s(f, "severity")),
            esc(s(f, "control")),
            esc(s(f, "summary")),
            rem_html
        ));
    }
    if findings.is_empty() {
        b.push_str(&format!(
            r#"<tr><td colspan="5" class="muted">{}</td></tr>"#,
            ctx.t("No findings.", "결함 없음.")
        ));
    }
    b.push_str("</tbody></table>");

    // What the viewer may do now.
    let mut actions = String::new();
    if evaluator {
        let ev = format!("{base}/events");
        let typed = |t: &str| format!(r#"<input type="hidden" name="type" value="{t}">"#);
        match a.state.as_str() {
            "submitted" => actions.push_str(&button_form(
                ctx,
                &ev,
                &typed("start-document-review"),
                ctx.t("Start document review", "서면 평가 시작"),
            )),
            "document-review" => actions.push_str(&button_form(
                ctx,
                &ev,
                &typed("start-on-site-evaluation"),
                ctx.t("Start on-site evaluation", "현장 평가 시작"),
            )),
            "on-site-evaluation" => {
                let mut sev = String::new();
                for x in ["low", "medium", "high", "critical"] {
                    sev.push_str(&format!(
                        r#"<option value="{x}">{}</option>"#,
                        esc(&word(lang, x))
                    ));
                }
                actions.push_str(&format!(
                    r#"<form class="box" method="post" action="{base}/findings">{idem}<b>{title}</b><br><label>{idl} <input name="id" size="6" required></label><label>{sl} <select name="severity">{sev}</select></label><label>{cl} <input name="control" size="8"></label><label>{su} <input name="summary" size="40" required></label><button type="submit">{go}</button></form>"#,
                    idem = ctx.idem_field(),
                    title = ctx.t("File a finding", "결함 기록"),
                    idl = ctx.t("Finding id", "결함 ID"),
                    sl = ctx.t("Severity", "심각도"),
                    cl = ctx.t("Control", "통제 항목"),
                    su = ctx.t("Summary", "요약"),
                    go = ctx.t("File finding", "결함 기록"),
                ));
                actions.push_str(&button_form(
                    ctx,
                    &ev,
                    &typed("submit-to-committee"),
                    ctx.t("Submit to the committee", "위원회에 회부"),
                ));
            }
            _ => {}
        }
    }
    if u.is(Role::Admin) {
        // Also once certified: the yearly follow-ups need an assigned evaluator (an imported
        // certificate's case starts without one). The registry's rule, as the API applies it.
        if parse_state(&a.state).is_some_and(StateName::takes_evaluator) {
            let users = ctx.state.store().users().await?;
            let mut opts = String::new();
            for e in users.iter().filter(|x| x.role == "evaluator") {
                opts.push_str(&format!(
                    r#"<option value="{}">{} ({})</option>"#,
                    esc(&e.id),
                    esc(&e.display_name),
                    esc(&e.username)
                ));
            }
            actions.push_str(&button_form(
                ctx,
                &format!("{base}/evaluator"),
                &format!(
                    r#"<label>{} <select name="evaluator">{opts}</select></label>"#,
                    ctx.t("Evaluator", "평가원")
                ),
                ctx.t("Assign evaluator", "평가원 배정"),
            ));
        }
        if a.state == "deliberation" {
            let members = ctx.state.store().members().await?;
            let mut boxes = String::new();
            for m in &members {
                let mid = m.member.id.to_string();
                boxes.push_str(&format!(
                    r#"<label><input type="checkbox" name="present" value="{0}" checked> {1} ({0})</label>"#,
                    esc(&mid),
                    esc(&m.member.name)
                ));
            }
            actions.push_str(&button_form(
                ctx,
                &format!("{base}/sittings"),
                &format!(
                    "<p>{}</p>{boxes}<br>",
                    ctx.t(
                        "Members present (those with a declared conflict are recused automatically):",
                        "출석 위원 (이해충돌을 신고한 위원은 자동으로 회피됩니다):"
                    )
                ),
                ctx.t("Open a sitting", "심의 회의 개최"),
            ));
        }
        if a.state == "approved" {
            actions.push_str(&button_form(
                ctx,
                &format!("{base}/events"),
                r#"<input type="hidden" name="type" value="issue-certificate">"#,
                ctx.t("Issue the certificate", "인증서 발급"),
            ));
        }
    }
    // The certificate's life: terms, hearings, renewal; what the viewer may do with it.
    let typed: Option<CaseState> = serde_json::from_value(a.case.clone()).ok();
    if let Some(state) = &typed {
        b.push_str(&lifecycle::certificate_section(ctx, state));
        actions.push_str(&lifecycle::actions(ctx, &u, &base, state));
    }
    if !actions.is_empty() {
        b.push_str(&format!("<h2>{}</h2>{actions}", ctx.t("Actions", "처리")));
    }

    // The timeline.
    b.push_str(&format!(
        "<h2>{}</h2>{}",
        ctx.t("Timeline", "진행 이력"),
        table_open(&[
            "#",
            ctx.t("Date", "일자"),
            ctx.t("Event", "사건"),
            ctx.t("By", "처리자"),
        ]),
    ));
    for e in &tl {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
            e.seq,
            e.date,
            esc(&word(lang, &e.type_)),
            lifecycle::event_detail(ctx, &e.type_, &e.event),
            esc(&e.actor)
        ));
    }
    b.push_str("</tbody></table>");
    Ok(ctx.page(
        StatusCode::OK,
        &format!("{} {}", ctx.t("Application", "신청"), id),
        &b,
    ))
}

pub async fn event_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let body = lifecycle::event_body(&f);
    let r = async {
        let path = format!("/api/v1/applications/{id}/events");
        let w = f.write(&path, body.clone())?;
        let res = api::record_event(st(&ctx), caller(&ctx), Path(id.clone()), w).await?;
        answer(res).await?;
        Ok(ctx.see_other(&format!("/applications/{}", enc(&id))))
    }
    .await;
    match r {
        Ok(r) => r,
        Err(e) => lifecycle::explain(&ctx, &id, &body, e).await,
    }
}

pub async fn finding_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let body = json!({
        "id": f.text("id"),
        "severity": f.text("severity"),
        "control": f.get("control").map(str::trim),
        "summary": f.text("summary"),
    });
    let r = async {
        let w = f.write(&format!("/api/v1/applications/{id}/findings"), body.clone())?;
        answer(api::record_finding(st(&ctx), caller(&ctx), Path(id.clone()), w).await?).await?;
        Ok(ctx.see_other(&format!("/applications/{}", enc(&id))))
    }
    .await;
    event_done(&ctx, &id, "record-finding", body, r).await
}

/// The answer to an event posted through a dedicated route: on a refusal, the registry's
/// reason in the page's language (the event is `body` with its `type`).
async fn event_done(
    ctx: &Ctx,
    id: &str,
    kind: &str,
    mut body: Value,
    r: Result<Response, ApiError>,
) -> Response {
    match r {
        Ok(r) => r,
        Err(e) => {
            body["type"] = json!(kind);
            lifecycle::explain(ctx, id, &body, e).await
        }
    }
}

pub async fn remediation_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let body = json!({ "finding": f.text("finding"), "due": f.text("due") });
    let r = async {
        let w = f.write(
            &format!("/api/v1/applications/{id}/remediations"),
            body.clone(),
        )?;
        answer(api::request_remediation(st(&ctx), caller(&ctx), Path(id.clone()), w).await?)
            .await?;
        Ok(ctx.see_other(&format!("/applications/{}", enc(&id))))
    }
    .await;
    event_done(&ctx, &id, "request-remediation", body, r).await
}

pub async fn recheck_post(
    ctx: Ctx,
    Path((id, finding)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let body = json!({ "resolved": f.get("resolved") == Some("true"), "note": f.text("note") });
    let r = async {
        let w = f.write(
            &format!("/api/v1/applications/{id}/remediations/{finding}/recheck"),
            body.clone(),
        )?;
        answer(
            api::recheck_remediation(
                st(&ctx),
                caller(&ctx),
                Path((id.clone(), finding.clone())),
                w,
            )
            .await?,
        )
        .await?;
        Ok(ctx.see_other(&format!("/applications/{}", enc(&id))))
    }
    .await;
    let mut event = body;
    event["finding"] = json!(finding);
    event_done(&ctx, &id, "recheck-remediation", event, r).await
}

pub async fn assign_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let r = async {
        let body = json!({ "evaluator": f.text("evaluator") });
        let w = f.write(&format!("/api/v1/applications/{id}/evaluator"), body)?;
        answer(api::assign_evaluator(st(&ctx), caller(&ctx), Path(id.clone()), w).await?).await?;
        Ok(ctx.see_other(&format!("/applications/{}", enc(&id))))
    }
    .await;
    done(&ctx, r)
}

pub async fn sitting_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let r = async {
        let body = json!({ "present": f.all("present") });
        let w = f.write(&format!("/api/v1/applications/{id}/deliberations"), body)?;
        answer(committee::open_sitting(st(&ctx), caller(&ctx), Path(id.clone()), w).await?).await?;
        Ok(ctx.see_other("/docket"))
    }
    .await;
    done(&ctx, r)
}

pub async fn docket(ctx: Ctx) -> Response {
    let r = docket_page(&ctx).await;
    done(&ctx, r)
}

async fn docket_page(ctx: &Ctx) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let u = user(ctx)?;
    let sittings = committee::list_deliberations(st(ctx), caller(ctx)).await?.0;
    let me = if u.is(Role::Committee) {
        ctx.state
            .store()
            .member_of_user(u.id())
            .await?
            .map(|m| m.member.id.to_string())
    } else {
        None
    };
    let mut b = String::new();
    if sittings.is_empty() {
        b.push_str(&format!(
            r#"<p class="muted">{}</p>"#,
            ctx.t(
                "No sittings on your docket.",
                "배정된 심의 안건이 없습니다."
            )
        ));
    }
    for d in &sittings {
        let decided = d.resolution.is_some();
        b.push_str(&format!(
            r#"<section class="box"><h2>{} {} · <a href="/applications/{}">{}</a></h2><p>{} {} · {} {}</p>"#,
            ctx.t("Sitting", "회의"),
            esc(&d.id),
            enc(&d.application),
            esc(&d.application),
            ctx.t("Date", "일자"),
            d.date,
            ctx.t("Present", "출석"),
            esc(&d.present.join(", ")),
        ));
        if !d.recused.is_empty() {
            let r: Vec<String> = d
                .recused
                .iter()
                .map(|r| format!("{} ({})", esc(&r.member), esc(&word(lang, &r.kind))))
                .collect();
            b.push_str(&format!(
                "<p>{} {}</p>",
                ctx.t("Recused:", "회피:"),
                r.join(", ")
            ));
        }
        b.push_str(&table_open(&[
            ctx.t("Member", "위원"),
            ctx.t("Vote", "표결"),
            ctx.t("Rationale", "사유"),
        ]));
        for v in &d.votes {
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&v.member),
                badge(lang, &v.choice),
                esc(&v.rationale)
            ));
        }
        b.push_str("</tbody></table>");
        if let Some(r) = &d.resolution {
            b.push_str(&format!(
                "<p><b>{}</b> <code>{}</code></p>",
                ctx.t("Resolution:", "의결:"),
                esc(&r.to_string())
            ));
        }
        let voted = me
            .as_deref()
            .is_some_and(|m| d.votes.iter().any(|v| v.member == m));
        let present = me
            .as_deref()
            .is_some_and(|m| d.present.iter().any(|p| p == m));
        if !decided && present && !voted {
            let mut opts = String::new();
            for c in ["approve", "reject", "abstain"] {
                opts.push_str(&format!(
                    r#"<option value="{c}">{}</option>"#,
                    esc(&word(lang, c))
                ));
            }
            b.push_str(&format!(
                r#"<form method="post" action="/sittings/{}/votes">{}<label>{} <select name="choice">{opts}</select></label><label>{} <input name="rationale" size="40" required></label><button type="submit">{}</button></form>"#,
                enc(&d.id),
                ctx.idem_field(),
                ctx.t("Vote", "표결"),
                ctx.t("Rationale", "사유"),
                ctx.t("Cast vote", "투표"),
            ));
        }
        if !decided && u.is(Role::Admin) {
            // Offered only if the registry's tally would take the sitting as it stands.
            match tally_of(ctx, &d.id).await {
                Some(Err(e)) => b.push_str(&format!(
                    r#"<p class="err">{}</p>"#,
                    esc(reasons::committee(&e).get(lang))
                )),
                _ => b.push_str(&button_form(
                    ctx,
                    &format!("/sittings/{}/decide", enc(&d.id)),
                    "",
                    ctx.t("Record the decision", "의결 확정"),
                )),
            }
        }
        b.push_str("</section>");
    }
    Ok(ctx.page(StatusCode::OK, ctx.t("Committee docket", "위원회 안건"), &b))
}

pub async fn vote_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let r = async {
        let body = json!({ "choice": f.text("choice"), "rationale": f.text("rationale") });
        let w = f.write(&format!("/api/v1/deliberations/{id}/votes"), body)?;
        answer(committee::vote(st(&ctx), caller(&ctx), Path(id.clone()), w).await?).await?;
        Ok(ctx.see_other("/docket"))
    }
    .await;
    done(&ctx, r)
}

/// What the registry's tally says of a sitting as it stands, without recording anything.
async fn tally_of(ctx: &Ctx, sitting: &str) -> Option<Result<Resolution, CommitteeError>> {
    let store = ctx.state.store();
    let d = store.deliberation(sitting).await.ok()??;
    let members: Vec<Member> = store
        .members()
        .await
        .ok()?
        .into_iter()
        .map(|m| m.member)
        .collect();
    let record = store.application(d.application.as_str()).await.ok()??;
    let app = record.application()?;
    Some(tally(
        &members,
        app,
        &d.sitting(),
        &ctx.state.config().quorum,
    ))
}

pub async fn decide_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let r = async {
        let w = f.write(&format!("/api/v1/deliberations/{id}/decide"), json!({}))?;
        let v =
            answer(committee::decide(st(&ctx), caller(&ctx), Path(id.clone()), w).await?).await?;
        let app = v["deliberation"]["application"]
            .as_str()
            .unwrap_or_default();
        Ok::<_, ApiError>(ctx.see_other(&format!("/applications/{}", enc(app))))
    }
    .await;
    match r {
        Ok(r) => r,
        Err(e) => {
            if e.status == StatusCode::CONFLICT
                && let Some(Err(ce)) = tally_of(&ctx, &id).await
                && ce.to_string() == e.detail.en
            {
                let reason = reasons::committee(&ce);
                return ctx.refusal(e, Some(reason));
            }
            ctx.error(e)
        }
    }
}

/// The state column of an application row, as the registry names it (`None` for a spelling it
/// does not know, which then offers no state-bound action).
fn parse_state(column: &str) -> Option<StateName> {
    serde_json::from_value(Value::String(column.to_owned())).ok()
}
