//! The certificate's life after issue, on the application page: hearings, revocation, renewal,
//! surrender and expiry, and withdrawal before a certificate.
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
    Application, EndCause, Event, EventKind, HostCertificate, RevocationGround, ServiceType, State,
    TransitionError,
};
use kcvs_registry::{
    ApplicationId, CertificateNumber, ProviderId, RegimeRef, SchemeRef, ServiceRef,
};
use serde_json::Value;

use super::{Ctx, enc, esc, kv_table, reasons};
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
    s.push_str(&format!(
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        ctx.t("Hearings", "청문"),
        ctx.t("Date", "일자"),
        ctx.t("Ground", "사유"),
        ctx.t("Established", "사유 인정"),
        ctx.t("Record", "청문 기록"),
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

/// The provider's and the authority's actions on the certificate (and the provider's
/// withdrawal before one), each only if the registry would take it today.
pub fn actions(ctx: &Ctx, u: &User, base: &str, state: &State) -> String {
    let mut s = String::new();
    if u.is(Role::Provider) {
        provider_actions(ctx, base, state, &mut s);
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
