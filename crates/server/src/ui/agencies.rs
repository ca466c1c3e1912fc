//! Certification and evaluation agencies (Act Art. 23-2, 23-4): the list and each agency's
//! designation, suspensions and history for everyone (the API reads are public); designation,
//! suspension, recorded work, expiry and revocation forms for the authority.
//!
//! As on the application page, a form is drawn only when the registry's pure state machine
//! ([`AgencyState::apply`]) would take it today, and a refusal is worded in the page's language
//! from the typed [`AgencyError`].

use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::Response;
use kcvs_registry::agency::{
    AgencyError, AgencyEvent, AgencyEventKind, AgencyRevocationGround, AgencyState,
    DESIGNATION_YEARS, DiscretionaryGround, MIN_EXPERTS, MandatoryGround,
};
use kcvs_report::i18n::L;
use kcvs_store::AgencyRecord;
use serde_json::{Value, json};

use super::{Ctx, Fields, answer, badge, enc, esc, kv_table, reasons, st, table_open, word};
use crate::error::ApiError;
use crate::extract::{Caller, Role};
use crate::routes::agencies as api;

const DISCRETIONARY: [DiscretionaryGround; 3] = [
    DiscretionaryGround::RefusedWithoutCause,
    DiscretionaryGround::BreachedCriteria,
    DiscretionaryGround::NoLongerMeetsDesignationCriteria,
];

const REVOCATION: [AgencyRevocationGround; 5] = [
    AgencyRevocationGround::Mandatory(MandatoryGround::Fraud),
    AgencyRevocationGround::Mandatory(MandatoryGround::WorkedWhileSuspended),
    AgencyRevocationGround::Discretionary(DiscretionaryGround::RefusedWithoutCause),
    AgencyRevocationGround::Discretionary(DiscretionaryGround::BreachedCriteria),
    AgencyRevocationGround::Discretionary(DiscretionaryGround::NoLongerMeetsDesignationCriteria),
];

/// The form spelling of a revocation ground: `mandatory:fraud`, `discretionary:breached-criteria`.
fn ground_value(g: AgencyRevocationGround) -> String {
    match serde_json::to_value(g) {
        Ok(v) => format!(
            "{}:{}",
            v["kind"].as_str().unwrap_or_default(),
            v["ground"].as_str().unwrap_or_default()
        ),
        Err(_) => String::new(),
    }
}

fn spelling<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn caller(ctx: &Ctx) -> Caller {
    Caller(ctx.user.clone())
}

fn is_admin(ctx: &Ctx) -> bool {
    ctx.is(Role::Admin)
}

/// What the registry says to `kind` today for an agency in `state`, without recording it.
fn would(
    ctx: &Ctx,
    state: &AgencyState,
    kind: AgencyEventKind,
) -> Result<AgencyState, AgencyError> {
    state.apply(&AgencyEvent {
        date: ctx.state.today(),
        kind,
    })
}

fn refused(ctx: &Ctx, e: &AgencyError) -> String {
    format!(
        r#"<p class="err">{}</p>"#,
        esc(reasons::agency(e).get(ctx.lang))
    )
}

fn term(state: &AgencyState) -> String {
    match state {
        AgencyState::Designated(d) => format!("{} – {}", d.from, d.until),
        AgencyState::Revoked(r) => format!("{} – {}", r.0.from, r.0.until),
        AgencyState::Undesignated(Some(d)) => format!("{} – {}", d.from, d.until),
        AgencyState::Undesignated(None) => "—".to_owned(),
    }
}

pub async fn agencies(ctx: Ctx) -> Response {
    match agencies_page(&ctx).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

async fn agencies_page(ctx: &Ctx) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let list = api::list_agencies(st(ctx), caller(ctx)).await?.0;
    let records = ctx.state.store().agencies().await?;
    let mut b = format!(
        "<p>{}</p>{}",
        ctx.t(
            "Agencies designated to certify or evaluate cloud services (Act Art. 23-2), with their suspensions and revocations (Art. 23-4).",
            "클라우드서비스를 인증하거나 평가하도록 지정된 기관과 그 업무정지·지정취소 (법 제23조의2, 제23조의4)."
        ),
        table_open(&[
            ctx.t("Agency", "기관"),
            ctx.t("Name", "이름"),
            ctx.t("Kind", "구분"),
            ctx.t("Status", "상태"),
            ctx.t("Designation term", "지정 기간"),
            ctx.t("May work today", "오늘 업무 가능"),
        ]),
    );
    for a in &list {
        let state = records
            .iter()
            .find(|r| r.id == a.id)
            .map(AgencyRecord::replay)
            .transpose()?
            .unwrap_or_default();
        b.push_str(&format!(
            r#"<tr><td><a href="/agencies/{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            enc(&a.id),
            esc(&a.id),
            esc(&a.name),
            esc(&word(lang, &a.kind)),
            badge(lang, &a.state),
            term(&state),
            if a.may_work_today {
                ctx.t("yes", "예")
            } else {
                ctx.t("no", "아니요")
            },
        ));
    }
    if list.is_empty() {
        b.push_str(&format!(
            r#"<tr><td colspan="6" class="muted">{}</td></tr>"#,
            ctx.t("No agencies.", "기관이 없습니다.")
        ));
    }
    b.push_str("</tbody></table>");
    if is_admin(ctx) {
        b.push_str(&designate_form(ctx));
    }
    Ok(ctx.page(StatusCode::OK, ctx.t("Agencies", "인증·평가기관"), &b))
}

fn designate_form(ctx: &Ctx) -> String {
    format!(
        r#"<h2>{title}</h2><p>{rule}</p><form class="box" method="post" action="/agencies">{idem}
<label>{idl} <input name="id" size="10" required></label><label>{nl} <input name="name" size="40" required></label>
<label>{kl} <select name="kind"><option value="certification">{cert}</option><option value="evaluation">{eval}</option></select></label><br>
<label><input type="checkbox" name="dedicated_unit" value="true"> {unit}</label>
<label>{experts} <input type="number" name="dedicated_experts" min="0" value="{min}" required></label>
<label><input type="checkbox" name="security_measures" value="true"> {sec}</label>
<label><input type="checkbox" name="financial_capacity" value="true"> {fin}</label>
<p><button type="submit">{go}</button></p></form>"#,
        title = ctx.t("Designate an agency", "기관 지정"),
        rule = esc(&match ctx.lang {
            kcvs_model::Lang::En => format!(
                "Designation needs a dedicated unit, at least {MIN_EXPERTS} full-time dedicated experts, security measures and financial capacity (Decree Art. 15-10); it lasts {DESIGNATION_YEARS} years from today (Decree Art. 15-11)."
            ),
            kcvs_model::Lang::Ko => format!(
                "지정에는 전담 조직, 전담 전문인력 {MIN_EXPERTS}명 이상, 보안 대책과 재정 능력이 필요하며 (시행령 제15조의10), 지정 기간은 오늘부터 {DESIGNATION_YEARS}년입니다 (시행령 제15조의11)."
            ),
        }),
        idem = ctx.idem_field(),
        idl = ctx.t("Agency id", "기관 ID"),
        nl = ctx.t("Name", "이름"),
        kl = ctx.t("Kind", "구분"),
        cert = ctx.t("certification agency", "인증기관"),
        eval = ctx.t("evaluation agency", "평가기관"),
        unit = ctx.t("dedicated unit", "전담 조직"),
        experts = ctx.t("Dedicated experts", "전담 전문인력 (명)"),
        min = MIN_EXPERTS,
        sec = ctx.t("security measures", "보안 대책"),
        fin = ctx.t("financial capacity", "재정 능력"),
        go = ctx.t("Designate", "지정"),
    )
}

pub async fn agency(ctx: Ctx, Path(id): Path<String>) -> Response {
    match agency_page(&ctx, &id).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

fn event_label(kind: &AgencyEventKind) -> L {
    match kind {
        AgencyEventKind::Designate { .. } => L::new("designated", "지정"),
        AgencyEventKind::Suspend { .. } => L::new("suspended", "업무정지"),
        AgencyEventKind::RecordWork => L::new("work recorded", "업무 기록"),
        AgencyEventKind::Revoke { .. } => L::new("designation revoked", "지정 취소"),
        AgencyEventKind::Expire => L::new("designation ended", "지정 만료"),
    }
}

fn event_details(ctx: &Ctx, kind: &AgencyEventKind) -> String {
    let lang = ctx.lang;
    match kind {
        AgencyEventKind::Designate { kind, capacity, .. } => format!(
            "{} · {} {}",
            esc(&word(lang, &spelling(kind))),
            ctx.t("dedicated experts:", "전담 전문인력:"),
            capacity.dedicated_experts
        ),
        AgencyEventKind::Suspend { until, ground } => format!(
            "{} {until} · {}",
            ctx.t("until", "종료일"),
            esc(reasons::discretionary_ground(*ground).get(lang))
        ),
        AgencyEventKind::Revoke { ground } => {
            esc(reasons::agency_revocation_ground(*ground).get(lang))
        }
        AgencyEventKind::RecordWork | AgencyEventKind::Expire => String::new(),
    }
}

async fn agency_page(ctx: &Ctx, id: &str) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let view = api::get_agency(st(ctx), caller(ctx), Path(id.to_owned()))
        .await?
        .0;
    let record = ctx
        .state
        .store()
        .agency(id)
        .await?
        .ok_or_else(|| ApiError::not_found("agency", id))?;
    let state = record.replay()?;
    let today = ctx.state.today();
    let suspension = match &state {
        AgencyState::Designated(d) => d.suspension_on(today).map(|s| {
            format!(
                "{} – {} · {}",
                s.from,
                s.until,
                esc(reasons::discretionary_ground(s.ground).get(lang))
            )
        }),
        _ => None,
    };
    let mut rows: Vec<(&str, String)> = vec![
        (ctx.t("Name", "이름"), esc(&view.name)),
        (ctx.t("Kind", "구분"), esc(&word(lang, &view.kind))),
        (ctx.t("Status", "상태"), badge(lang, &view.state)),
        (ctx.t("Designation term", "지정 기간"), term(&state)),
        (
            ctx.t("Suspended now", "현재 업무정지"),
            suspension.unwrap_or_else(|| "—".to_owned()),
        ),
        (
            ctx.t("May work today", "오늘 업무 가능"),
            if view.may_work_today {
                ctx.t("yes", "예").to_owned()
            } else {
                ctx.t("no", "아니요").to_owned()
            },
        ),
    ];
    if let AgencyState::Revoked(r) = &state {
        rows.push((
            ctx.t("Revoked", "지정 취소"),
            format!(
                "{} · {}",
                r.1,
                esc(reasons::agency_revocation_ground(r.2).get(lang))
            ),
        ));
    }
    let mut b = kv_table(&rows);
    b.push_str(&format!(
        "<h2>{}</h2>{}",
        ctx.t("History", "이력"),
        table_open(&[
            "#",
            ctx.t("Date", "일자"),
            ctx.t("Event", "사건"),
            ctx.t("Details", "내용"),
        ]),
    ));
    for (i, e) in record.events.iter().enumerate() {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            e.date,
            event_label(&e.kind).get(lang),
            event_details(ctx, &e.kind)
        ));
    }
    b.push_str("</tbody></table>");
    if is_admin(ctx) {
        b.push_str(&admin_forms(ctx, id, &state));
    }
    Ok(ctx.page(
        StatusCode::OK,
        &format!("{} {}", ctx.t("Agency", "기관"), view.name),
        &b,
    ))
}

fn admin_forms(ctx: &Ctx, id: &str, state: &AgencyState) -> String {
    let lang = ctx.lang;
    let base = format!("/agencies/{}", enc(id));
    let mut s = format!("<h2>{}</h2>", ctx.t("Actions", "처리"));
    // Suspension: discretionary grounds only, at most a year less a day.
    s.push_str(&format!("<h3>{}</h3>", ctx.t("Suspend", "업무정지")));
    let probe = AgencyEventKind::Suspend {
        until: ctx.state.today(),
        ground: DiscretionaryGround::BreachedCriteria,
    };
    match would(ctx, state, probe) {
        Ok(_) => {
            let opts: String = DISCRETIONARY
                .iter()
                .map(|g| {
                    format!(
                        r#"<option value="{}">{}</option>"#,
                        spelling(g),
                        esc(reasons::discretionary_ground(*g).get(lang))
                    )
                })
                .collect();
            s.push_str(&format!(
                r#"<p class="muted">{}</p><form class="box" method="post" action="{base}/suspend">{}<label>{} <input type="date" name="until" required></label><label>{} <select name="ground">{opts}</select></label><button type="submit">{}</button></form>"#,
                ctx.t(
                    "From today, for at most one year (Act Art. 23-4). Fraud and work while suspended cannot be suspended: they make revocation mandatory.",
                    "오늘부터 최대 1년 (법 제23조의4). 부정 지정과 업무정지 중 업무는 업무정지 사유가 아니라 지정 취소 사유입니다."
                ),
                ctx.idem_field(),
                ctx.t("Last day", "종료일"),
                ctx.t("Ground", "사유"),
                ctx.t("Suspend", "업무정지"),
            ));
        }
        Err(e) => s.push_str(&refused(ctx, &e)),
    }
    // Revocation: the grounds the registry would take today.
    s.push_str(&format!(
        "<h3>{}</h3>",
        ctx.t("Revoke the designation", "지정 취소")
    ));
    let open: Vec<AgencyRevocationGround> = REVOCATION
        .into_iter()
        .filter(|g| would(ctx, state, AgencyEventKind::Revoke { ground: *g }).is_ok())
        .collect();
    if open.is_empty() {
        if let Err(e) = would(
            ctx,
            state,
            AgencyEventKind::Revoke {
                ground: REVOCATION[0],
            },
        ) {
            s.push_str(&refused(ctx, &e));
        }
    } else {
        let opts: String = open
            .iter()
            .map(|g| {
                format!(
                    r#"<option value="{}">{}</option>"#,
                    ground_value(*g),
                    esc(reasons::agency_revocation_ground(*g).get(lang))
                )
            })
            .collect();
        s.push_str(&format!(
            r#"<form class="box" method="post" action="{base}/revoke">{}<label>{} <select name="ground">{opts}</select></label><button type="submit">{}</button></form>"#,
            ctx.idem_field(),
            ctx.t("Ground", "사유"),
            ctx.t("Revoke", "지정 취소"),
        ));
    }
    // Recorded work (during a suspension it makes revocation mandatory) and expiry.
    for (kind, probe, label) in [
        (
            "record-work",
            AgencyEventKind::RecordWork,
            ctx.t(
                "Record certification or evaluation work done today",
                "오늘 수행한 인증·평가 업무 기록",
            ),
        ),
        (
            "expire",
            AgencyEventKind::Expire,
            ctx.t("Record the end of the designation", "지정 기간 만료 기록"),
        ),
    ] {
        if would(ctx, state, probe).is_ok() {
            s.push_str(&format!(
                r#"<form class="box" method="post" action="{base}/events">{}<input type="hidden" name="type" value="{kind}"><button type="submit">{}</button></form>"#,
                ctx.idem_field(),
                label
            ));
        }
    }
    s
}

/// An error page for a refused agency change, worded from the registry's typed error.
async fn explain(ctx: &Ctx, id: &str, kind: Option<AgencyEventKind>, e: ApiError) -> Response {
    if e.status == StatusCode::CONFLICT
        && let Some(kind) = kind
    {
        let before = match ctx.state.store().agency(id).await {
            Ok(Some(r)) => r.replay().ok(),
            Ok(None) => Some(AgencyState::default()),
            Err(_) => None,
        };
        if let Some(Err(ae)) = before.map(|s| would(ctx, &s, kind))
            && ae.to_string() == e.detail.en
        {
            return ctx.refusal(e, Some(reasons::agency(&ae)));
        }
    }
    ctx.error(e)
}

/// The answer to one agency change the API handler gave (`res`): back to the agency's page, or
/// the refusal worded from the registry's typed error (`body` is the change as an event).
async fn change(ctx: &Ctx, id: &str, body: Value, res: Result<Response, ApiError>) -> Response {
    let kind = kind_of(&body);
    let r = match res {
        Ok(res) => answer(res).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => ctx.see_other(&format!("/agencies/{}", enc(id))),
        Err(e) => explain(ctx, id, kind, e).await,
    }
}

/// The registry's event for a form's JSON body, to re-derive a refusal.
fn kind_of(body: &Value) -> Option<AgencyEventKind> {
    serde_json::from_value(body.clone()).ok()
}

pub async fn designate_post(ctx: Ctx, Form(f): Form<Vec<(String, String)>>) -> Response {
    let f = Fields(f);
    let id = f.text("id");
    let experts = f.text("dedicated_experts");
    let capacity = json!({
        "dedicated_unit": f.get("dedicated_unit") == Some("true"),
        // Not a count: sent as typed, so the API answers 422 rather than reading it as zero.
        "dedicated_experts": experts.parse::<u32>().map_or_else(|_| json!(experts), |n| json!(n)),
        "security_measures": f.get("security_measures") == Some("true"),
        "financial_capacity": f.get("financial_capacity") == Some("true"),
    });
    let body = json!({
        "id": id,
        "name": f.text("name"),
        "kind": f.text("kind"),
        "capacity": capacity,
    });
    let event = json!({
        "type": "designate",
        "agency": id,
        "name": f.text("name"),
        "kind": f.text("kind"),
        "capacity": capacity,
    });
    let res = async {
        let w = f.write("/api/v1/agencies", body)?;
        api::designate(st(&ctx), caller(&ctx), w).await
    }
    .await;
    change(&ctx, &id, event, res).await
}

pub async fn suspend_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let body = json!({ "until": f.text("until"), "ground": f.text("ground") });
    let mut event = body.clone();
    event["type"] = json!("suspend");
    let res = async {
        let w = f.write(&format!("/api/v1/agencies/{id}/suspend"), body)?;
        api::suspend(st(&ctx), caller(&ctx), Path(id.clone()), w).await
    }
    .await;
    change(&ctx, &id, event, res).await
}

pub async fn revoke_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let picked = f.text("ground");
    let (kind, ground) = picked.split_once(':').unwrap_or(("", picked.as_str()));
    let body = json!({ "ground": { "kind": kind, "ground": ground } });
    let mut event = body.clone();
    event["type"] = json!("revoke");
    let res = async {
        let w = f.write(&format!("/api/v1/agencies/{id}/revoke"), body)?;
        api::revoke(st(&ctx), caller(&ctx), Path(id.clone()), w).await
    }
    .await;
    change(&ctx, &id, event, res).await
}

pub async fn event_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let body = json!({ "type": f.text("type") });
    let res = async {
        let w = f.write(&format!("/api/v1/agencies/{id}/events"), body.clone())?;
        api::agency_event(st(&ctx), caller(&ctx), Path(id.clone()), w).await
    }
    .await;
    change(&ctx, &id, body, res).await
}
