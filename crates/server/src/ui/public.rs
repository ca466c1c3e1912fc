//! Public pages: the registry with filters and as-of date, a service's certificate history, a
//! certificate with its signature and transparency-log inclusion, the eligibility check.

use axum::body::Bytes;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use kcvs_registry::Date;
use kcvs_registry::signing::{SignedCertificate, verify_certificate};
use kcvs_registry::translog::{InclusionProof, LogEntry, SignedTreeHead, verify_entry};

use super::{Ctx, Fields, badge, enc, esc, kv_table, st, table_open, word};
use crate::error::ApiError;
use crate::extract::{ApiQuery, Caller, JsonBody, Role};
use crate::routes::public::{
    EligibilityQuery, InclusionQuery, RegistryEntry, RegistryQuery, eligibility_check, inclusion,
};

/// The example system profiles offered by the eligibility form.
pub const SYSTEMS: &[(&str, &str)] = &[
    (
        "citizen-survey",
        include_str!("../../../../examples/systems/citizen-survey.yaml"),
    ),
    (
        "civil-complaint",
        include_str!("../../../../examples/systems/civil-complaint.yaml"),
    ),
    (
        "diplomatic-cable",
        include_str!("../../../../examples/systems/diplomatic-cable.yaml"),
    ),
    (
        "e-approval",
        include_str!("../../../../examples/systems/e-approval.yaml"),
    ),
    (
        "e-approval-downgraded",
        include_str!("../../../../examples/systems/e-approval-downgraded.yaml"),
    ),
    (
        "export-buyer-portal",
        include_str!("../../../../examples/systems/export-buyer-portal.yaml"),
    ),
    (
        "fin-collab",
        include_str!("../../../../examples/systems/fin-collab.yaml"),
    ),
    (
        "nct-research",
        include_str!("../../../../examples/systems/nct-research.yaml"),
    ),
    (
        "open-data-portal",
        include_str!("../../../../examples/systems/open-data-portal.yaml"),
    ),
    (
        "police-investigation-records",
        include_str!("../../../../examples/systems/police-investigation-records.yaml"),
    ),
    (
        "public-hospital-emr",
        include_str!("../../../../examples/systems/public-hospital-emr.yaml"),
    ),
];

fn parse_date(v: Option<&str>) -> Result<Option<Date>, ApiError> {
    v.map(|d| {
        d.trim().parse::<Date>().map_err(|_| {
            ApiError::bad_request(
                "invalid-query",
                format!("`{d}` is not a date (YYYY-MM-DD)"),
                format!("`{d}`은(는) 날짜(YYYY-MM-DD)가 아닙니다"),
            )
        })
    })
    .transpose()
}

fn select(name: &str, label: &str, options: &[(String, String)], chosen: Option<&str>) -> String {
    let mut s = format!(r#"<label>{} <select name="{}">"#, esc(label), esc(name));
    for (v, text) in options {
        let sel = if Some(v.as_str()) == chosen {
            " selected"
        } else {
            ""
        };
        s.push_str(&format!(
            r#"<option value="{}"{sel}>{}</option>"#,
            esc(v),
            esc(text)
        ));
    }
    s.push_str("</select></label>");
    s
}

fn registry_table(ctx: &Ctx, rows: &[RegistryEntry]) -> String {
    let lang = ctx.lang;
    let mut s = table_open(&[
        ctx.t("Certificate", "인증번호"),
        ctx.t("Service", "서비스"),
        ctx.t("Provider", "사업자"),
        ctx.t("Regime", "제도"),
        ctx.t("Tier", "등급"),
        ctx.t("Type", "유형"),
        ctx.t("Scope", "인증 범위"),
        ctx.t("Issued", "발급일"),
        ctx.t("Valid until", "유효 기간 만료"),
        ctx.t("Status", "상태"),
    ]);
    for e in rows {
        s.push_str(&format!(
            r#"<tr><td><a href="/certificates/{n}">{ne}</a></td><td><a href="/services/{sv}">{se}</a></td><td>{p}</td><td>{r}</td><td>{tier}</td><td>{ty}</td><td>{scope}</td><td>{i}</td><td>{u}</td><td>{st}</td></tr>"#,
            n = enc(&e.number),
            ne = esc(&e.number),
            sv = enc(&e.service),
            se = esc(&e.service),
            p = esc(&e.provider),
            r = esc(&e.regime),
            tier = esc(&e
                .tier
                .as_deref()
                .map(|t| word(lang, t))
                .unwrap_or_else(|| ctx.t("none (pre-tier)", "없음 (등급제 이전)").to_owned())),
            ty = esc(&word(lang, &e.service_type)),
            scope = esc(&e.scope),
            i = e.issued,
            u = e.valid_until,
            st = badge(lang, &e.status),
        ));
    }
    if rows.is_empty() {
        s.push_str(&format!(
            r#"<tr><td colspan="10" class="muted">{}</td></tr>"#,
            ctx.t("No certificates match.", "조건에 맞는 인증서가 없습니다.")
        ));
    }
    s.push_str("</tbody></table>");
    s
}

pub async fn registry(ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> Response {
    match registry_page(&ctx, Fields(q)).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

async fn registry_page(ctx: &Ctx, f: Fields) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let q = RegistryQuery {
        tier: f.get("tier").map(str::to_owned),
        service_type: f.get("type").map(str::to_owned),
        status: f.get("status").map(str::to_owned),
        regime: f.get("regime").map(str::to_owned),
        as_of: parse_date(f.get("as_of"))?,
        ..RegistryQuery::default()
    };
    let mut api_q = Vec::new();
    for (k, v) in [
        ("tier", &q.tier),
        ("type", &q.service_type),
        ("status", &q.status),
        ("regime", &q.regime),
    ] {
        if let Some(v) = v {
            api_q.push(format!("{k}={}", enc(v)));
        }
    }
    if let Some(d) = q.as_of {
        api_q.push(format!("as_of={d}"));
    }
    let api_q = api_q.join("&");
    let page = crate::routes::public::registry(
        st(ctx),
        Caller(ctx.user.clone()),
        ApiQuery(RegistryQuery {
            tier: q.tier.clone(),
            service_type: q.service_type.clone(),
            status: q.status.clone(),
            regime: q.regime.clone(),
            as_of: q.as_of,
            ..RegistryQuery::default()
        }),
    )
    .await?
    .0;
    let any = || (String::new(), ctx.t("any", "전체").to_owned());
    let tiers: Vec<(String, String)> = std::iter::once(any())
        .chain(
            ["low", "medium", "high"]
                .iter()
                .map(|t| ((*t).to_owned(), word(lang, t))),
        )
        .chain(std::iter::once((
            "none".to_owned(),
            ctx.t("none (pre-tier)", "없음 (등급제 이전)").to_owned(),
        )))
        .collect();
    let types: Vec<(String, String)> = std::iter::once(any())
        .chain(
            ["iaas", "saas-standard", "saas-simplified", "daas", "paas"]
                .iter()
                .map(|t| ((*t).to_owned(), word(lang, t))),
        )
        .collect();
    let statuses: Vec<(String, String)> = std::iter::once(any())
        .chain(
            [
                "active",
                "grandfathered",
                "expired",
                "revoked",
                "surrendered",
                "not-yet-valid",
            ]
            .iter()
            .map(|t| ((*t).to_owned(), word(lang, t))),
        )
        .collect();
    let regimes: Vec<(String, String)> = std::iter::once(any())
        .chain(
            ctx.state
                .ctx()
                .regimes
                .iter()
                .map(|w| (w.regime.to_string(), w.regime.to_string())),
        )
        .collect();
    let mut b = format!(
        r#"<form class="box" method="get" action="/registry">{}{}{}{}<label>{} <input type="date" name="as_of" value="{}"></label><button type="submit">{}</button></form>"#,
        select("tier", ctx.t("Tier", "등급"), &tiers, q.tier.as_deref()),
        select(
            "type",
            ctx.t("Type", "유형"),
            &types,
            q.service_type.as_deref()
        ),
        select(
            "status",
            ctx.t("Status", "상태"),
            &statuses,
            q.status.as_deref()
        ),
        select(
            "regime",
            ctx.t("Regime", "제도"),
            &regimes,
            q.regime.as_deref()
        ),
        ctx.t("As of", "기준일"),
        page.as_of,
        ctx.t("Filter", "조회"),
    );
    b.push_str(&format!(
        r#"<p>{} <b>{}</b> · {} <b>{}</b> · <a href="/api/v1/registry.csv?{q}">{}</a> · <a href="/api/v1/registry?{q}">{}</a> · <a href="/api/v1/registry/feed.json">{}</a></p>"#,
        ctx.t("As of", "기준일"),
        page.as_of,
        ctx.t("certificates:", "인증서 수:"),
        page.count,
        ctx.t("CSV download", "CSV 내려받기"),
        ctx.t("JSON", "JSON"),
        ctx.t("JSON feed", "JSON 피드"),
        q = esc(&api_q),
    ));
    b.push_str(&registry_table(ctx, &page.certificates));
    Ok(ctx.page(
        StatusCode::OK,
        ctx.t("Public registry", "공개 인증 목록"),
        &b,
    ))
}

pub async fn service(ctx: Ctx, Path(id): Path<String>) -> Response {
    match service_page(&ctx, &id).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

async fn service_page(ctx: &Ctx, id: &str) -> Result<Response, ApiError> {
    let services = ctx.state.store().services().await?;
    let row = services.iter().find(|s| s.id == id);
    let page = crate::routes::public::registry(
        st(ctx),
        Caller(ctx.user.clone()),
        ApiQuery(RegistryQuery {
            service: Some(id.to_owned()),
            ..RegistryQuery::default()
        }),
    )
    .await?
    .0;
    if row.is_none() && page.certificates.is_empty() {
        return Err(ApiError::not_found("service", id));
    }
    let mut b = String::new();
    if let Some(r) = row {
        b.push_str(&format!(
            "<p><b>{}</b> · {} {}</p>",
            esc(&r.name),
            ctx.t("Provider", "사업자"),
            esc(&r.provider)
        ));
    }
    b.push_str(&format!(
        "<h2>{}</h2>",
        ctx.t("Certificate history", "인증 이력")
    ));
    let mut certs = page.certificates.to_vec();
    certs.sort_by_key(|c| std::cmp::Reverse(c.issued));
    b.push_str(&registry_table(ctx, &certs));
    Ok(ctx.page(
        StatusCode::OK,
        &format!("{} {}", ctx.t("Service", "서비스"), id),
        &b,
    ))
}

pub async fn certificate(ctx: Ctx, Path(number): Path<String>) -> Response {
    match certificate_page(&ctx, &number).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

fn yes_no(ctx: &Ctx, ok: bool) -> String {
    if ok {
        format!(r#"<span class="st ok">{}</span>"#, ctx.t("yes", "예"))
    } else {
        format!(r#"<span class="st bad">{}</span>"#, ctx.t("no", "아니요"))
    }
}

async fn certificate_page(ctx: &Ctx, number: &str) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let row = ctx
        .state
        .store()
        .certificate(number)
        .await?
        .ok_or_else(|| ApiError::not_found("certificate", number))?;
    let page = crate::routes::public::registry(
        st(ctx),
        Caller(ctx.user.clone()),
        ApiQuery(RegistryQuery {
            service: Some(row.service.to_string()),
            ..RegistryQuery::default()
        }),
    )
    .await?
    .0;
    let entry = page
        .certificates
        .iter()
        .find(|e| e.number == number)
        .cloned();
    let mut b = String::new();
    if let Some(e) = &entry {
        let rows: Vec<(&str, String)> = vec![
            (ctx.t("Status", "상태"), badge(lang, &e.status)),
            (
                ctx.t("Service", "서비스"),
                format!(
                    r#"<a href="/services/{}">{}</a>"#,
                    enc(&e.service),
                    esc(&e.service)
                ),
            ),
            (ctx.t("Provider", "사업자"), esc(&e.provider)),
            (ctx.t("Regime", "제도"), esc(&e.regime)),
            (ctx.t("Scheme", "인증 체계"), esc(&e.scheme)),
            (
                ctx.t("Tier", "등급"),
                esc(&e
                    .tier
                    .as_deref()
                    .map(|t| word(lang, t))
                    .unwrap_or_else(|| ctx.t("none (pre-tier)", "없음 (등급제 이전)").to_owned())),
            ),
            (ctx.t("Type", "유형"), esc(&word(lang, &e.service_type))),
            (ctx.t("Scope", "인증 범위"), esc(&e.scope)),
            (
                ctx.t("Runs on (IaaS certificate)", "기반 IaaS 인증"),
                e.host.as_deref().map(esc).unwrap_or_else(|| "—".to_owned()),
            ),
            (ctx.t("Issued", "발급일"), e.issued.to_string()),
            (
                ctx.t("Valid", "유효 기간"),
                format!("{} – {}", e.valid_from, e.valid_until),
            ),
        ];
        b.push_str(&kv_table(&rows));
    }
    // The way from the registry to the hearing, revocation, renewal and surrender forms, for
    // those who may act on the file (the application page checks again).
    let may_act = ctx.user.as_ref().is_some_and(|u| {
        u.is(Role::Admin) || (u.is(Role::Provider) && u.provider() == Some(row.provider.as_str()))
    });
    if let (Some(app), true) = (&row.application, may_act) {
        b.push_str(&format!(
            r#"<p><a href="/applications/{}">{}</a></p>"#,
            enc(app.as_str()),
            ctx.t("Application, hearings and actions", "신청, 청문 및 처리")
        ));
    }
    b.push_str(&format!("<h2>{}</h2>", ctx.t("Signature", "전자서명")));
    let key = ctx.state.signer().key.verifying_key();
    match &row.document {
        Some(doc) => match serde_json::from_str::<SignedCertificate>(doc) {
            Ok(signed) => {
                let v = verify_certificate(&signed, &key, ctx.state.today());
                b.push_str(&format!(
                    "<table><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td><code>{}</code></td></tr></table>",
                    ctx.t("Ed25519 signature verifies with the published key", "공개 키로 Ed25519 서명 검증"),
                    yes_no(ctx, v.signature_ok),
                    ctx.t("Within its dates today", "오늘 기준 유효 기간 내"),
                    yes_no(ctx, v.within_dates),
                    ctx.t("Valid today", "오늘 기준 유효"),
                    yes_no(ctx, v.is_valid()),
                    ctx.t("Key id", "키 ID"),
                    esc(&signed.signature.key_id),
                ));
                b.push_str(&format!(
                    r#"<p><a href="/api/v1/certificates/{n}">{}</a> · <a href="/api/v1/keys">{}</a> · <code>kcvs cert verify {ne}.json --key KEY</code></p>"#,
                    ctx.t("Signed document (JSON)", "서명된 인증서 문서 (JSON)"),
                    ctx.t("Published keys", "공개 키"),
                    n = enc(number),
                    ne = esc(number),
                ));
            }
            Err(_) => b.push_str(&format!(
                r#"<p class="err">{}</p>"#,
                ctx.t(
                    "The stored document does not parse.",
                    "저장된 문서를 읽을 수 없습니다."
                )
            )),
        },
        None => b.push_str(&format!(
            r#"<p class="muted">{}</p>"#,
            ctx.t(
                "Imported record without a signed document (issued before the registry).",
                "등록부 이전에 발급되어 서명 문서가 없는 이관 기록입니다."
            )
        )),
    }
    b.push_str(&format!(
        "<h2>{}</h2>",
        ctx.t("Transparency log", "투명성 로그")
    ));
    let inc = inclusion(
        st(ctx),
        Caller(ctx.user.clone()),
        ApiQuery(InclusionQuery {
            index: None,
            certificate: Some(number.to_owned()),
            tree_size: None,
        }),
    )
    .await;
    match inc {
        Ok(v) => {
            let v = v.0;
            let parsed = (
                serde_json::from_value::<LogEntry>(v["entry"].clone()),
                serde_json::from_value::<InclusionProof>(v["proof"].clone()),
                serde_json::from_value::<SignedTreeHead>(v["sth"].clone()),
            );
            let ok = match &parsed {
                (Ok(e), Ok(p), Ok(s)) => verify_entry(e, p, s, &key),
                _ => false,
            };
            b.push_str(&format!(
                r#"<table><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td><code>{}</code></td></tr><tr><th>{}</th><td>{}</td></tr></table><p><a href="/api/v1/translog/inclusion?certificate={n}">{}</a></p>"#,
                ctx.t("Leaf index", "항목 번호"),
                esc(&v["index"].to_string()),
                ctx.t("Tree size", "트리 크기"),
                esc(&v["sth"]["head"]["tree_size"].to_string()),
                ctx.t("Root hash", "루트 해시"),
                esc(v["sth"]["head"]["root_hash"].as_str().unwrap_or_default()),
                ctx.t("Inclusion proof verifies under the signed tree head", "서명된 트리 헤드 기준 포함 증명 검증"),
                yes_no(ctx, ok),
                ctx.t("Inclusion proof (JSON)", "포함 증명 (JSON)"),
                n = enc(number),
            ));
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => b.push_str(&format!(
            r#"<p class="muted">{}</p>"#,
            ctx.t("Not in the transparency log.", "투명성 로그에 없습니다.")
        )),
        Err(e) => return Err(e),
    }
    Ok(ctx.page(
        StatusCode::OK,
        &format!("{} {}", ctx.t("Certificate", "인증서"), number),
        &b,
    ))
}

fn eligibility_form_html(ctx: &Ctx, f: &Fields) -> String {
    let mut options = vec![(
        String::new(),
        ctx.t("— paste below —", "— 아래에 붙여넣기 —").to_owned(),
    )];
    options.extend(
        SYSTEMS
            .iter()
            .map(|(id, _)| ((*id).to_owned(), (*id).to_owned())),
    );
    format!(
        r#"<form class="box" method="post" action="/eligibility">{idem}{sel}<label>{asof} <input type="date" name="as_of" value="{asv}"></label>
<p><label for="profile">{paste}</label></p><textarea id="profile" name="profile">{prof}</textarea>
<p><button type="submit">{go}</button></p></form>"#,
        idem = ctx.idem_field(),
        sel = select(
            "example",
            ctx.t("Example system profile", "예시 시스템 프로필"),
            &options,
            f.get("example")
        ),
        asof = ctx.t("As of", "기준일"),
        asv = esc(&f.text("as_of")),
        paste = ctx.t(
            "or paste a system profile (YAML or JSON):",
            "또는 시스템 프로필을 붙여넣으세요 (YAML 또는 JSON):"
        ),
        prof = esc(f.get("profile").unwrap_or_default()),
        go = ctx.t("Check", "확인"),
    )
}

pub async fn eligibility_form(ctx: Ctx) -> Response {
    let b = format!(
        "<p>{}</p>{}",
        ctx.t(
            "Which registered cloud services may host this system, by the rules of the regime in force.",
            "시행 중인 제도의 규칙에 따라 이 시스템을 어느 등록 클라우드 서비스에 둘 수 있는지 확인합니다."
        ),
        eligibility_form_html(&ctx, &Fields(Vec::new()))
    );
    ctx.page(
        StatusCode::OK,
        ctx.t("Eligibility check", "이용 가능 여부 확인"),
        &b,
    )
}

pub async fn eligibility_post(ctx: Ctx, Form(f): Form<Vec<(String, String)>>) -> Response {
    let f = Fields(f);
    match eligibility_result(&ctx, &f).await {
        Ok(html) => {
            let b = format!("{}{}", html, eligibility_form_html(&ctx, &f));
            ctx.page(
                StatusCode::OK,
                ctx.t("Eligibility check", "이용 가능 여부 확인"),
                &b,
            )
        }
        Err(e) => {
            let status = e.status;
            let b = format!(
                r#"<div class="err"><p><b>{}</b></p><pre>{}</pre></div>{}"#,
                ctx.t(
                    "The profile was not accepted",
                    "프로필을 처리할 수 없습니다"
                ),
                esc(e.detail.get(ctx.lang)),
                eligibility_form_html(&ctx, &f)
            );
            ctx.page(
                status,
                ctx.t("Eligibility check", "이용 가능 여부 확인"),
                &b,
            )
        }
    }
}

async fn eligibility_result(ctx: &Ctx, f: &Fields) -> Result<String, ApiError> {
    let text = match (f.get("profile"), f.get("example")) {
        (Some(p), _) => p.to_owned(),
        (None, Some(ex)) => SYSTEMS
            .iter()
            .find(|(id, _)| *id == ex)
            .map(|(_, t)| (*t).to_owned())
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "invalid-profile",
                    "no such example",
                    "그런 예시가 없습니다",
                )
            })?,
        (None, None) => {
            return Err(ApiError::unprocessable(
                "invalid-profile",
                "pick an example or paste a profile",
                "예시를 고르거나 프로필을 붙여 넣으십시오",
            ));
        }
    };
    let as_of = parse_date(f.get("as_of"))?;
    let regimes: Vec<String> = ctx
        .state
        .ctx()
        .regimes
        .iter()
        .filter(|w| w.binding)
        .map(|w| w.regime.to_string())
        .collect();
    let mut out = String::new();
    let mut first_error = None;
    for regime in regimes {
        match eligibility_one(ctx, &text, as_of, &regime).await {
            Ok(html) => out.push_str(&html),
            Err(e) if e.code == "unknown-regime" => {}
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    match first_error {
        Some(e) if out.is_empty() => Err(e),
        _ => Ok(out),
    }
}

async fn eligibility_one(
    ctx: &Ctx,
    text: &str,
    as_of: Option<Date>,
    regime: &str,
) -> Result<String, ApiError> {
    let lang = ctx.lang;
    let report = eligibility_check(
        st(ctx),
        Caller(ctx.user.clone()),
        ApiQuery(EligibilityQuery {
            as_of,
            regime: Some(regime.to_owned()),
        }),
        JsonBody {
            value: serde_json::Value::Null,
            bytes: Bytes::from(text.to_owned()),
        },
    )
    .await?
    .0;
    let mut s = format!(
        r#"<section class="box"><h2>{} {}</h2><p>{} <b>{}</b> · {} <b>{}</b></p>"#,
        ctx.t("Regime", "제도"),
        esc(&report.regime),
        ctx.t("System tier", "시스템 등급"),
        esc(&report
            .tier
            .as_deref()
            .map(|t| word(lang, t))
            .unwrap_or_else(|| "—".to_owned())),
        ctx.t("As of", "기준일"),
        report.as_of,
    );
    s.push_str(&table_open(&[
        ctx.t("Service", "서비스"),
        ctx.t("Provider", "사업자"),
        ctx.t("Verdict", "판정"),
        ctx.t("Certificate", "인증번호"),
        ctx.t("Blockers", "차단 사유"),
        ctx.t("Evidence needed", "필요한 증빙"),
    ]));
    for v in &report.services {
        let blockers: Vec<String> = v
            .blockers
            .iter()
            .map(|b| {
                let kind = match b.kind.as_str() {
                    "no-certificate" => ctx.t("no certificate", "인증 없음").to_owned(),
                    "certificate-problem" => ctx.t("certificate problem", "인증서 문제").to_owned(),
                    "tier-too-low" => ctx.t("tier too low", "등급 부족").to_owned(),
                    k => k.to_owned(),
                };
                format!("{} <code>{}</code>", esc(&kind), esc(&b.rule))
            })
            .collect();
        s.push_str(&format!(
            r#"<tr><td><a href="/services/{sid}">{name}</a></td><td>{p}</td><td>{verdict}</td><td>{cert}</td><td>{bl}</td><td>{ev}</td></tr>"#,
            sid = enc(&v.service),
            name = esc(&v.name),
            p = esc(&v.provider),
            verdict = badge(lang, &v.verdict),
            cert = v.certificate.as_deref().map(esc).unwrap_or_default(),
            bl = blockers.join("<br>"),
            ev = v
                .evidence_needed
                .iter()
                .map(|r| format!("<code>{}</code>", esc(r)))
                .collect::<Vec<_>>()
                .join("<br>"),
        ));
    }
    s.push_str("</tbody></table></section>");
    Ok(s)
}
