//! The certificate's life after issue, on the application page: yearly follow-up evaluations,
//! hearings, revocation, renewal, surrender and expiry, and withdrawal before a certificate.
//!
//! A form is offered only when the registry would take it today: the page asks the registry's
//! pure state machine ([`State::apply`]) with today's date before drawing each button, and shows
//! the registry's reason instead of a form it would refuse (no revocation before a hearing that
//! established the ground, no renewal after the deadline). The write itself still goes through
//! the API's handler, so roles and ownership are the API's; a refusal that happens anyway (the
//! case moved between page and post) is worded in the page's language by [`explain`] (and a
//! refused application by [`explain_submit`]).

use axum::response::Response;
use kcvs_model::Text;
use kcvs_registry::lifecycle::{
    Application, EndCause, Event, EventKind, FollowUp, FollowUpMethod, HostCertificate,
    RevocationGround, ServiceType, Severity, State, TransitionError,
};
use kcvs_registry::schedule::Standing;
use kcvs_registry::{
    ApplicationId, CertificateNumber, ProviderId, RegimeRef, SchemeRef, ServiceRef,
};
use serde_json::Value;

use super::{Ctx, badge, enc, esc, kv_table, reasons, table_open, word};
use crate::error::ApiError;
use crate::extract::{Role, User};

/// What the registry says to `kind` today, without recording anything.
fn would(ctx: &Ctx, state: &State, kind: EventKind) -> Result<State, TransitionError> {
    state.apply(&Event::new(ctx.state.today(), kind), ctx.state.ctx())
}

const GROUNDS: [RevocationGround; 2] = [
    RevocationGround::Fraud,
    RevocationGround::CriteriaNoLongerMet,
];

fn tx(ctx: &Ctx, t: &Text) -> String {
    esc(t.get(ctx.lang))
}

fn refused(ctx: &Ctx, e: &TransitionError) -> String {
    format!(r#"<p class="err">{}</p>"#, tx(ctx, &reasons::transition(e)))
}

/// A form posting one lifecycle event to the application's `events` route.
fn event_form(ctx: &Ctx, base: &str, kind: &str, fields: &str, label: &str) -> String {
    format!(
        r#"<form class="box" method="post" action="{base}/events">{}<input type="hidden" name="type" value="{kind}">{fields}<button type="submit">{}</button></form>"#,
        ctx.idem_field(),
        esc(label)
    )
}

/// The event's form if the registry would take `probe` today, else its reason.
fn offer(ctx: &Ctx, state: &State, probe: EventKind, form: impl FnOnce() -> String) -> String {
    match would(ctx, state, probe) {
        Ok(_) => form(),
        Err(e) => refused(ctx, &e),
    }
}

fn reason_field(ctx: &Ctx) -> String {
    format!(
        r#"<label>{} <input name="reason" size="40" required></label>"#,
        ctx.t("Reason", "사유")
    )
}

/// The certificate, its terms, hearings and renewal, for everyone who may see the application.
pub fn certificate_section(ctx: &Ctx, state: &State) -> String {
    let Some(held) = state.held() else {
        return String::new();
    };
    let cert = &held.current.certificate;
    let deadline = ctx.state.ctx().policy.renewal_deadline(cert.valid_until);
    let mut rows: Vec<(&str, String)> = vec![
        (
            ctx.t("Certificate", "인증번호"),
            format!(
                r#"<a href="/certificates/{}">{}</a>"#,
                enc(cert.number.as_str()),
                esc(cert.number.as_str())
            ),
        ),
        (
            ctx.t("Valid", "유효 기간"),
            format!("{} – {}", cert.valid_from, cert.valid_until),
        ),
    ];
    if matches!(state, State::Certified(_)) {
        rows.push((
            ctx.t("Renewal deadline", "갱신 신청 기한"),
            match deadline {
                Some(d) => format!(
                    "{d} <span class=\"muted\">({})</span>",
                    tx(
                        ctx,
                        &reasons::renewal_rule(ctx.state.ctx().policy.renewal_lead_months)
                    )
                ),
                None => "—".to_owned(),
            },
        ));
    }
    if let Some(r) = &held.renewal {
        rows.push((
            ctx.t("Renewal applied for", "갱신 신청일"),
            r.applied.to_string(),
        ));
    }
    if !held.past.is_empty() {
        rows.push((
            ctx.t("Renews", "이전 인증"),
            held.past
                .iter()
                .map(|t| {
                    format!(
                        r#"<a href="/certificates/{}">{}</a> ({} – {})"#,
                        enc(t.certificate.number.as_str()),
                        esc(t.certificate.number.as_str()),
                        t.certificate.valid_from,
                        t.certificate.valid_until
                    )
                })
                .collect::<Vec<_>>()
                .join("<br>"),
        ));
    }
    if let State::Revoked(e) | State::Expired(e) | State::Surrendered(e) = state {
        let cause = match &e.cause {
            EndCause::Revoked { ground } => format!(
                "{}: {}",
                ctx.t("revoked", "취소"),
                tx(ctx, &reasons::revocation_ground(*ground))
            ),
            EndCause::Expired => ctx.t("expired", "만료").to_owned(),
            EndCause::Surrendered { reason } => {
                format!("{}: {}", ctx.t("surrendered", "반납"), esc(reason))
            }
        };
        rows.push((ctx.t("Ended", "종료"), format!("{} · {cause}", e.on)));
    }
    let mut s = format!(
        "<h2>{}</h2>{}",
        ctx.t("Certificate", "인증서"),
        kv_table(&rows)
    );
    s.push_str(&follow_up_table(ctx, &held.current.follow_ups));
    s.push_str(&follow_up_years(ctx, state));
    s.push_str(&format!(
        "<h2>{}</h2>{}",
        ctx.t("Hearings", "청문"),
        table_open(&[
            ctx.t("Date", "일자"),
            ctx.t("Ground", "사유"),
            ctx.t("Established", "사유 인정"),
            ctx.t("Record", "청문 기록"),
        ]),
    ));
    for h in &held.hearings {
        s.push_str(&format!(
            r#"<tr><td>{}</td><td>{}</td><td><span class="st {}">{}</span></td><td>{}</td></tr>"#,
            h.date,
            tx(ctx, &reasons::revocation_ground(h.ground)),
            if h.established { "bad" } else { "ok" },
            if h.established {
                ctx.t("yes", "예")
            } else {
                ctx.t("no", "아니요")
            },
            esc(&h.record),
        ));
    }
    if held.hearings.is_empty() {
        s.push_str(&format!(
            r#"<tr><td colspan="4" class="muted">{}</td></tr>"#,
            ctx.t("No hearing recorded.", "기록된 청문이 없습니다.")
        ));
    }
    s.push_str("</tbody></table>");
    s
}

/// Where each follow-up year of the term stands today: when it opens, when it is due, and
/// whether it was recorded, skipped (a later year was recorded first), is overdue, open, not yet
/// open, or cut off by the certificate's end ([`kcvs_registry::schedule`]).
fn follow_up_years(ctx: &Ctx, state: &State) -> String {
    let Some(years) =
        kcvs_registry::schedule::of_case(state, &ctx.state.ctx().policy, ctx.state.today())
    else {
        return String::new();
    };
    let lang = ctx.lang;
    let mut s = format!(
        "<h3>{}</h3>{}",
        ctx.t("Follow-up years", "연차별 사후평가"),
        table_open(&[
            ctx.t("Year", "연차"),
            ctx.t("Opens", "시작일"),
            ctx.t("Due by", "기한"),
            ctx.t("Status", "상태"),
        ]),
    );
    for y in &years {
        let status = match &y.standing {
            Standing::Recorded { date, .. } => format!("{} {date}", badge(lang, "recorded")),
            Standing::Skipped { later_year } => format!(
                "{} <span class=\"muted\">({})</span>",
                badge(lang, "skipped"),
                esc(&kcvs_report::i18n::tf(
                    lang,
                    format!("year {later_year} was recorded first"),
                    format!("{later_year}연차가 먼저 기록됨"),
                ))
            ),
            Standing::Overdue => badge(lang, "overdue"),
            Standing::Open => badge(lang, "open"),
            Standing::NotYet => badge(lang, "not-yet"),
            Standing::TermEnded => badge(lang, "term-ended"),
            Standing::NotOnRecord => badge(lang, "not-on-record"),
        };
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{status}</td></tr>",
            y.year, y.opens, y.due_by
        ));
    }
    s.push_str("</tbody></table>");
    s.push_str(&format!(
        r#"<p class="muted">{}</p>"#,
        ctx.t(
            "Due dates are our reading, not the Decree's words (assumption registry.follow-up-due): Art. 15-8 asks for a follow-up every year of validity, so year k is taken to be due by the last day of the k-th year. A skipped or overdue year is shown for the authority; it is not itself a ground for revocation.",
            "기한은 법령 문구가 아니라 이 프로그램의 해석입니다(가정 registry.follow-up-due): 시행령 제15조의8은 유효기간 중 매년 사후평가를 요구하므로, k연차는 유효기간 k년째의 마지막 날까지로 봅니다. 건너뛰거나 기한이 지난 연차는 인증기관이 볼 수 있게 표시할 뿐, 그 자체로 인증 취소 사유는 아닙니다.",
        )
    ));
    s
}

/// The current term's follow-up evaluations: year, date, method, result and findings.
fn follow_up_table(ctx: &Ctx, follow_ups: &[FollowUp]) -> String {
    let lang = ctx.lang;
    let mut s = format!(
        "<h2>{}</h2>{}",
        ctx.t("Follow-up evaluations", "사후평가"),
        table_open(&[
            ctx.t("Year", "연차"),
            ctx.t("Date", "일자"),
            ctx.t("Method", "방식"),
            ctx.t("Result", "결과"),
            ctx.t("Findings", "결함"),
        ]),
    );
    for f in follow_ups {
        let findings = f
            .findings
            .iter()
            .map(|x| {
                format!(
                    "{} {} {}",
                    esc(x.id.as_str()),
                    badge(lang, severity_str(x.severity)),
                    esc(&x.summary)
                )
            })
            .collect::<Vec<_>>()
            .join("<br>");
        s.push_str(&format!(
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td><span class="st {}">{}</span></td><td>{}</td></tr>"#,
            f.year,
            f.date,
            esc(&word(lang, method_str(f.method))),
            if f.passed { "ok" } else { "bad" },
            if f.passed {
                ctx.t("passed", "적합")
            } else {
                ctx.t("not passed", "부적합")
            },
            if findings.is_empty() { "—".to_owned() } else { findings },
        ));
    }
    if follow_ups.is_empty() {
        s.push_str(&format!(
            r#"<tr><td colspan="5" class="muted">{}</td></tr>"#,
            ctx.t(
                "No follow-up evaluation recorded for this term.",
                "이 인증 기간에 기록된 사후평가가 없습니다."
            )
        ));
    }
    s.push_str("</tbody></table>");
    s
}

fn method_str(m: FollowUpMethod) -> &'static str {
    match m {
        FollowUpMethod::OnSite => "on-site",
        FollowUpMethod::DocumentOnly => "document-only",
    }
}

fn severity_str(s: Severity) -> &'static str {
    match s {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

/// The provider's, the assigned evaluator's and the authority's actions on the certificate (and
/// the provider's withdrawal before one), each only if the registry would take it today.
pub fn actions(ctx: &Ctx, u: &User, base: &str, state: &State) -> String {
    let mut s = String::new();
    if u.is(Role::Provider) {
        provider_actions(ctx, base, state, &mut s);
    }
    if u.is(Role::Evaluator) {
        evaluator_actions(ctx, base, state, &mut s);
    }
    if u.is(Role::Admin) {
        admin_actions(ctx, base, state, &mut s);
    }
    s
}

fn provider_actions(ctx: &Ctx, base: &str, state: &State, s: &mut String) {
    let withdraw = EventKind::Withdraw {
        reason: String::new(),
    };
    if state.held().is_none() && would(ctx, state, withdraw).is_ok() {
        s.push_str(&event_form(
            ctx,
            base,
            "withdraw",
            &reason_field(ctx),
            ctx.t("Withdraw the application", "신청 철회"),
        ));
    }
    if !matches!(state, State::Certified(_)) {
        return;
    }
    s.push_str(&format!("<h3>{}</h3>", ctx.t("Renewal", "갱신")));
    let held_cert = state.held().map(|h| &h.current.certificate);
    if let Some(d) = held_cert.and_then(|c| ctx.state.ctx().policy.renewal_deadline(c.valid_until))
    {
        s.push_str(&format!(
            "<p>{} <b>{d}</b> ({})</p>",
            ctx.t("Apply for renewal by", "갱신 신청 기한:"),
            tx(
                ctx,
                &reasons::renewal_rule(ctx.state.ctx().policy.renewal_lead_months)
            )
        ));
    }
    s.push_str(&offer(ctx, state, EventKind::ApplyForRenewal, || {
        event_form(
            ctx,
            base,
            "apply-for-renewal",
            "",
            ctx.t("Apply for renewal", "갱신 신청"),
        )
    }));
    s.push_str(&format!("<h3>{}</h3>", ctx.t("Surrender", "인증 반납")));
    let surrender = EventKind::Surrender {
        reason: String::new(),
    };
    s.push_str(&offer(ctx, state, surrender, || {
        event_form(
            ctx,
            base,
            "surrender",
            &reason_field(ctx),
            ctx.t("Surrender the certificate", "인증서 반납"),
        )
    }));
}

fn follow_up_probe(year: u8, method: FollowUpMethod) -> EventKind {
    EventKind::FollowUp {
        year,
        method,
        passed: true,
        findings: Vec::new(),
    }
}

/// The assigned evaluator's yearly follow-up evaluation (Decree 15-8). The form offers exactly
/// the (year, method) pairs the registry would take today: the years open on the calendar and
/// not yet recorded, document-only only where the policy allows it (facts §3). With none open,
/// the registry's reason for the next year instead.
fn evaluator_actions(ctx: &Ctx, base: &str, state: &State, s: &mut String) {
    let State::Certified(held) = state else {
        return;
    };
    let lang = ctx.lang;
    s.push_str(&format!(
        "<h3>{}</h3>",
        ctx.t("Follow-up evaluation", "사후평가")
    ));
    let max = ctx.state.ctx().policy.follow_up_years;
    let mut options = String::new();
    let mut doc_refusal = None;
    for year in 1..=max {
        for method in [FollowUpMethod::OnSite, FollowUpMethod::DocumentOnly] {
            match would(ctx, state, follow_up_probe(year, method)) {
                Ok(_) => options.push_str(&format!(
                    r#"<option value="{year}:{m}">{label}</option>"#,
                    m = method_str(method),
                    label = esc(&format!(
                        "{} {year} · {}",
                        ctx.t("year", "연차"),
                        word(lang, method_str(method))
                    )),
                )),
                Err(e @ TransitionError::DocumentOnlyNotAllowed { .. }) => {
                    doc_refusal.get_or_insert(e);
                }
                Err(_) => {}
            }
        }
    }
    if options.is_empty() {
        let next = held
            .current
            .follow_ups
            .iter()
            .map(|f| f.year)
            .max()
            .map_or(1, |y| y.saturating_add(1));
        if let Err(e) = would(ctx, state, follow_up_probe(next, FollowUpMethod::OnSite)) {
            s.push_str(&refused(ctx, &e));
        }
        return;
    }
    let mut severities = String::new();
    for x in ["low", "medium", "high", "critical"] {
        severities.push_str(&format!(
            r#"<option value="{x}">{}</option>"#,
            esc(&word(lang, x))
        ));
    }
    let fields = format!(
        r#"<label>{} <select name="follow_up">{options}</select></label><label><input type="checkbox" name="passed" value="true" checked> {}</label><br><span class="muted">{}</span> <label>{} <input name="finding_id" size="6"></label><label>{} <select name="finding_severity">{severities}</select></label><label>{} <input name="finding_control" size="8"></label><label>{} <input name="finding_summary" size="30"></label><br>"#,
        ctx.t("Year and method", "연차와 방식"),
        ctx.t("passed", "적합"),
        ctx.t("A finding (optional):", "결함 (선택):"),
        ctx.t("Finding id", "결함 ID"),
        ctx.t("Severity", "심각도"),
        ctx.t("Control", "통제 항목"),
        ctx.t("Summary", "요약"),
    );
    s.push_str(&event_form(
        ctx,
        base,
        "follow-up",
        &fields,
        ctx.t("Record the follow-up evaluation", "사후평가 기록"),
    ));
    if let Some(e) = doc_refusal {
        s.push_str(&format!(
            r#"<p class="muted">{}</p>"#,
            tx(ctx, &reasons::transition(&e))
        ));
    }
}

fn admin_actions(ctx: &Ctx, base: &str, state: &State, s: &mut String) {
    let Some(held) = state.held() else {
        return;
    };
    if !matches!(state, State::Certified(_)) {
        return;
    }
    let lang = ctx.lang;
    let ground_options = |grounds: &[RevocationGround]| {
        grounds
            .iter()
            .map(|g| {
                format!(
                    r#"<option value="{}">{}</option>"#,
                    g.as_str(),
                    esc(reasons::revocation_ground(*g).get(lang))
                )
            })
            .collect::<String>()
    };
    // Hearing (Act Art. 23-3): before any revocation.
    s.push_str(&format!("<h3>{}</h3>", ctx.t("Hearing", "청문")));
    let hearing = EventKind::Hearing {
        ground: RevocationGround::CriteriaNoLongerMet,
        established: false,
        record: String::new(),
    };
    s.push_str(&offer(ctx, state, hearing, || {
        event_form(
            ctx,
            base,
            "hearing",
            &format!(
                r#"<label>{} <select name="ground">{}</select></label><label><input type="checkbox" name="established" value="true"> {}</label><label>{} <input name="record" size="30" required></label>"#,
                ctx.t("Ground", "사유"),
                ground_options(&GROUNDS),
                ctx.t("the hearing established the ground", "청문 결과 사유가 인정됨"),
                ctx.t("Hearing record (file number)", "청문 기록 (문서 번호)"),
            ),
            ctx.t("Record the hearing", "청문 기록"),
        )
    }));
    // Revocation: only on a ground a hearing established.
    s.push_str(&format!("<h3>{}</h3>", ctx.t("Revocation", "인증 취소")));
    let open: Vec<RevocationGround> = GROUNDS
        .into_iter()
        .filter(|g| would(ctx, state, EventKind::Revoke { ground: *g }).is_ok())
        .collect();
    if open.is_empty() {
        s.push_str(&format!(
            r#"<p class="muted">{}</p>"#,
            ctx.t(
                "A certificate is revoked only after a hearing that established the ground (Act Art. 23-3). No hearing has established one yet.",
                "인증은 청문에서 취소 사유가 인정된 뒤에만 취소할 수 있습니다 (법 제23조의3). 아직 사유를 인정한 청문이 없습니다."
            )
        ));
    } else {
        if held.mandatory_revocation_pending() {
            s.push_str(&format!(
                r#"<p class="err">{}</p>"#,
                ctx.t(
                    "A hearing established fraud: revocation is mandatory.",
                    "청문에서 부정 취득이 인정되었으므로 인증을 취소해야 합니다."
                )
            ));
        }
        s.push_str(&event_form(
            ctx,
            base,
            "revoke",
            &format!(
                r#"<label>{} <select name="ground">{}</select></label>"#,
                ctx.t("Ground", "사유"),
                ground_options(&open)
            ),
            ctx.t("Revoke the certificate", "인증 취소"),
        ));
    }
    // A pending renewal: grant or refuse.
    let placeholder = CertificateNumber::new("pending");
    if held.renewal.is_some()
        && would(
            ctx,
            state,
            EventKind::GrantRenewal {
                number: placeholder,
            },
        )
        .is_ok()
    {
        s.push_str(&format!(
            "<h3>{}</h3>",
            ctx.t("Renewal application", "갱신 신청")
        ));
        s.push_str(&event_form(
            ctx,
            base,
            "grant-renewal",
            "",
            ctx.t("Grant the renewal", "갱신 승인"),
        ));
        s.push_str(&event_form(
            ctx,
            base,
            "refuse-renewal",
            &reason_field(ctx),
            ctx.t("Refuse the renewal", "갱신 거부"),
        ));
    }
    if would(ctx, state, EventKind::Expire).is_ok() {
        s.push_str(&event_form(
            ctx,
            base,
            "expire",
            "",
            ctx.t("Record the expiry", "만료 기록"),
        ));
    }
}

/// What the timeline adds after an event's name: a follow-up's year, method and result.
pub fn event_detail(ctx: &Ctx, kind: &str, event: &Value) -> String {
    if kind != "follow-up" {
        return String::new();
    }
    format!(
        " · {} {} · {} · {}",
        ctx.t("year", "연차"),
        event["year"].as_u64().unwrap_or_default(),
        esc(&word(
            ctx.lang,
            event["method"].as_str().unwrap_or_default()
        )),
        if event["passed"].as_bool() == Some(true) {
            ctx.t("passed", "적합")
        } else {
            ctx.t("not passed", "부적합")
        }
    )
}

/// The JSON body of an event form: the fields each event type takes.
pub fn event_body(f: &super::Fields) -> Value {
    let kind = f.text("type");
    let mut body = serde_json::json!({ "type": kind });
    match kind.as_str() {
        "hearing" => {
            body["ground"] = Value::from(f.text("ground"));
            body["established"] = Value::from(f.get("established") == Some("true"));
            body["record"] = Value::from(f.text("record"));
        }
        "revoke" => body["ground"] = Value::from(f.text("ground")),
        "follow-up" => {
            // `follow_up` is `YEAR:METHOD`, one of the pairs the form offered.
            let plan = f.text("follow_up");
            let (year, method) = plan.split_once(':').unwrap_or((plan.as_str(), ""));
            body["year"] = year.parse::<u8>().map_or(Value::from(year), Value::from);
            body["method"] = Value::from(method);
            body["passed"] = Value::from(f.get("passed") == Some("true"));
            body["findings"] = match f.get("finding_id") {
                Some(id) => serde_json::json!([{
                    "id": id.trim(),
                    "severity": f.text("finding_severity"),
                    "control": f.get("finding_control").map(str::trim),
                    "summary": f.text("finding_summary"),
                }]),
                None => serde_json::json!([]),
            };
        }
        "withdraw" | "surrender" | "refuse-renewal" => {
            body["reason"] = Value::from(f.text("reason"));
        }
        _ => {}
    }
    body
}

/// An error page for a refused event: when the registry refused it (409), its reason worded in
/// the page's language, found by asking the registry again with the same event, state and day.
pub async fn explain(ctx: &Ctx, id: &str, body: &Value, e: ApiError) -> Response {
    if e.status == axum::http::StatusCode::CONFLICT
        && let Some(te) = rederive(ctx, id, body).await
        && te.to_string() == e.detail.en
    {
        let reason = reasons::transition(&te);
        return ctx.refusal(e, Some(reason));
    }
    ctx.error(e)
}

async fn rederive(ctx: &Ctx, id: &str, body: &Value) -> Option<TransitionError> {
    let kind: EventKind = serde_json::from_value(body.clone()).ok()?;
    let record = ctx.state.store().application(id).await.ok()??;
    let state = record.replay(ctx.state.ctx()).ok()?;
    would(ctx, &state, kind).err()
}

/// A refused application, worded from the registry's typed error. The form's submission is
/// probed against the registry with today's date. The host certificate goes in as a stand-in
/// that carries only its number (valid today, no tier), so a refusal that depends on the host's
/// record is not re-derived; the wording is used only when the probe's error is the very one
/// the API gave, and otherwise the API's own detail is shown.
pub fn explain_submit(ctx: &Ctx, f: &super::Fields, e: ApiError) -> Response {
    if e.status == axum::http::StatusCode::CONFLICT
        && let Some(te) = probe_submit(ctx, f)
        && te.to_string() == e.detail.en
    {
        return ctx.refusal(e, Some(reasons::transition(&te)));
    }
    ctx.error(e)
}

fn probe_submit(ctx: &Ctx, f: &super::Fields) -> Option<TransitionError> {
    let today = ctx.state.today();
    let service_type: ServiceType =
        serde_json::from_value(Value::from(f.text("service_type"))).ok()?;
    let host = f.get("host_certificate").map(|n| HostCertificate {
        service: ServiceRef::new(""),
        number: CertificateNumber::new(n.trim()),
        scheme: SchemeRef::new(""),
        tier: String::new(),
        issued: today,
        valid_until: today,
        revoked: false,
    });
    let app = Application {
        id: ApplicationId::new("probe"),
        provider: ProviderId::new(ctx.user.as_ref()?.provider()?),
        service: ServiceRef::new(f.text("service")),
        regime: RegimeRef::new(f.text("regime")),
        tier: f.text("tier"),
        service_type,
        scope: f.text("scope"),
        host,
    };
    would(ctx, &State::Unfiled, EventKind::Submit(app)).err()
}
