//! Problems in English and Korean: the language follows `?lang=` and then `Accept-Language`
//! (by q-value), defaults to English, and never changes `type`, `code` or `status`.

use axum::http::Method;
use serde_json::{Value, json};

use crate::sessions::call;
use crate::{Res, TestApp, key, test_app, token};

/// POST a JSON write as `user` with an `Accept-Language` (or none).
async fn post_as(t: &TestApp, path: &str, user: &str, body: Value, lang: Option<&str>) -> Res {
    let auth = format!("Bearer {}", token(user));
    let k = key();
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("idempotency-key", k.as_str()),
    ];
    if let Some(l) = lang {
        headers.push(("accept-language", l));
    }
    call(t, Method::POST, path, &headers, &body.to_string(), None).await
}

/// The problem's (type, code, status) must not depend on the language.
fn same_problem(en: &Res, ko: &Res) {
    let (e, k) = (en.json(), ko.json());
    assert_eq!(en.status, ko.status);
    for f in ["type", "code", "status"] {
        assert_eq!(e[f], k[f], "{f}");
    }
    assert_eq!(
        e["type"],
        format!("urn:kcvs:problem:{}", e["code"].as_str().unwrap())
    );
    assert_eq!(en.headers["content-language"], "en");
    assert_eq!(ko.headers["content-language"], "ko");
    assert_eq!(ko.headers["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_refused_transition_in_both_languages() {
    let t = test_app().await;
    let (app, _) = t.application_in_deliberation().await;
    let path = format!("/api/v1/applications/{app}/events");
    let body = json!({"type": "surrender", "reason": "r"});
    let en = post_as(&t, &path, "acme", body.clone(), None).await;
    let ko = post_as(&t, &path, "acme", body, Some("ko-KR,ko;q=0.9,en;q=0.8")).await;
    assert_eq!(en.status, 409, "{}", en.text);
    same_problem(&en, &ko);
    assert_eq!(en.code(), "not-allowed");
    assert_eq!(en.json()["title"], "Conflict");
    assert_eq!(
        en.json()["detail"],
        "`surrender` is not allowed in state `deliberation`"
    );
    assert_eq!(ko.json()["title"], "상태 충돌");
    assert_eq!(
        ko.json()["detail"],
        "신청이 위원회 심의 상태일 때는 `surrender`을(를) 할 수 없습니다."
    );
}

#[tokio::test]
async fn a_refusal_with_dates_fills_them_in_korean() {
    let t = test_app().await;
    let app = t.apply().await;
    t.ok(
        &format!("/api/v1/applications/{app}/evaluator"),
        "admin",
        json!({"evaluator": "usr-eva1"}),
        200,
    )
    .await;
    for e in ["start-document-review", "start-on-site-evaluation"] {
        t.ok(
            &format!("/api/v1/applications/{app}/events"),
            "eva1",
            json!({"type": e}),
            200,
        )
        .await;
    }
    t.ok(
        &format!("/api/v1/applications/{app}/findings"),
        "eva1",
        json!({"id": "f1", "severity": "low", "control": null, "summary": "s"}),
        200,
    )
    .await;
    let path = format!("/api/v1/applications/{app}/remediations");
    let body = json!({"finding": "f1", "due": "2026-01-01"});
    let en = post_as(&t, &path, "eva1", body.clone(), Some("en")).await;
    let ko = post_as(
        &t,
        &path.replace("remediations", "remediations?lang=ko"),
        "eva1",
        body,
        Some("en"),
    )
    .await;
    assert_eq!(en.status, 409, "{}", en.text);
    same_problem(&en, &ko);
    assert_eq!(en.code(), "deadline-in-past");
    assert_eq!(
        en.json()["detail"],
        "remediation deadline 2026-01-01 is before the request date 2026-03-02"
    );
    assert_eq!(
        ko.json()["detail"],
        "보완조치 기한 2026-01-01이(가) 오늘(2026-03-02)보다 앞섭니다.",
        "`?lang=ko` wins over Accept-Language"
    );
}

#[tokio::test]
async fn a_validation_error_in_both_languages() {
    let t = test_app().await;
    let mut body = crate::application_body();
    body["colour"] = json!("blue");
    let en = post_as(
        &t,
        "/api/v1/applications",
        "acme",
        body.clone(),
        Some("ko;q=0.3, en"),
    )
    .await;
    let ko = post_as(
        &t,
        "/api/v1/applications",
        "acme",
        body,
        Some("en;q=0.4, ko;q=0.8"),
    )
    .await;
    assert_eq!(en.status, 422, "{}", en.text);
    same_problem(&en, &ko);
    assert_eq!(en.code(), "unknown-field");
    assert_eq!(en.json()["title"], "Unprocessable Entity");
    let (de, dk) = (en.json(), ko.json());
    let (de, dk) = (
        de["detail"].as_str().unwrap(),
        dk["detail"].as_str().unwrap(),
    );
    assert!(
        de.starts_with("the body does not have the expected shape: unknown field `colour`"),
        "{de}"
    );
    assert!(
        dk.starts_with("요청 본문의 형식이 맞지 않습니다: unknown field `colour`"),
        "{dk}"
    );
    assert_eq!(ko.json()["title"], "처리할 수 없는 요청 내용");
}

#[tokio::test]
async fn the_language_defaults_to_english_and_reaches_every_problem() {
    let t = test_app().await;
    let get = |path: &'static str, lang: &'static str| {
        let t = &t;
        async move { call(t, Method::GET, path, &[("accept-language", lang)], "", None).await }
    };
    // Unknown or refused languages fall back to English.
    for lang in ["fr", "ko;q=0", ""] {
        let r = get("/api/v1/nowhere", lang).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.json()["detail"], "no such route", "{lang}");
    }
    let r = get("/api/v1/nowhere", "ko").await;
    assert_eq!(r.json()["detail"], "그런 경로가 없습니다");
    assert_eq!(r.json()["title"], "찾을 수 없음");
    // An extractor's refusal (no credentials) and a store's (not found) are localized too.
    let r = get("/api/v1/auth/me", "ko").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["detail"], "로그인하거나 bearer 토큰을 보내십시오");
    assert!(r.headers.contains_key("www-authenticate"));
    let r = call(
        &t,
        Method::GET,
        "/api/v1/applications/app-none",
        &[
            ("accept-language", "ko"),
            ("authorization", &format!("Bearer {}", token("admin"))),
        ],
        "",
        None,
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["detail"], "신청 `app-none`을(를) 찾을 수 없습니다");
    // A success is not touched.
    let ok = get("/api/v1/registry", "ko").await;
    assert_eq!(ok.status, 200);
    assert!(!ok.headers.contains_key("content-language"));
}

/// The apply form's two host refusals, worded by `kcvs_registry::wording` with the number (and
/// for a pre-tier host its issue date) in both languages.
#[tokio::test]
async fn host_certificate_refusals_in_both_languages() {
    let t = test_app().await;
    // A pre-tier certificate, as the demo imports one.
    let Ok(kcvs_store::Begin::Fresh(mut tx)) = t
        .state
        .store()
        .begin_write("test", t.state.now(), None)
        .await
    else {
        panic!("begin")
    };
    let d = |s: &str| s.parse().unwrap();
    let row = kcvs_store::CertificateRow {
        number: "CSAP-2022-IaaS-011".into(),
        application: None,
        provider: "other".into(),
        service: "other-iaas".into(),
        regime: "csap-2023".into(),
        scheme: "csap".into(),
        tier: None,
        service_type: kcvs_registry::lifecycle::ServiceType::Iaas,
        scope: "IaaS".to_owned(),
        host: None,
        issued: d("2022-06-01"),
        valid_from: d("2022-06-01"),
        valid_until: d("2027-05-31"),
        renews: None,
        ended_on: None,
        end_cause: None,
        document: None,
        source: "imported".to_owned(),
    };
    tx.import_certificate(&row, d("2026-03-02"), t.state.ctx(), t.state.signer())
        .await
        .unwrap();
    tx.commit(&kcvs_store::StoredResponse {
        status: 200,
        body: String::new(),
    })
    .await
    .unwrap();

    let saas = |host: &str| {
        let mut b = crate::application_body();
        b["service_type"] = json!("saas-standard");
        b["host_certificate"] = json!(host);
        b
    };
    let path = "/api/v1/applications";
    let en = post_as(&t, path, "acme", saas("CSAP-2022-IaaS-011"), None).await;
    let ko = post_as(&t, path, "acme", saas("CSAP-2022-IaaS-011"), Some("ko")).await;
    assert_eq!(en.status, 409, "{}", en.text);
    same_problem(&en, &ko);
    assert_eq!(en.code(), "host-untiered");
    assert_eq!(
        en.json()["detail"],
        "Host certificate `CSAP-2022-IaaS-011` was issued on 2022-06-01, before CSAP had tiers, so it cannot carry a tiered SaaS or PaaS."
    );
    assert_eq!(
        ko.json()["detail"],
        "기반 IaaS 인증 `CSAP-2022-IaaS-011`은(는) 등급제 도입 전(2022-06-01)에 발급되어 등급이 있는 SaaS·PaaS를 받칠 수 없습니다."
    );
    let en = post_as(&t, path, "acme", saas("CSAP-NONE-1"), None).await;
    let ko = post_as(&t, path, "acme", saas("CSAP-NONE-1"), Some("ko")).await;
    assert_eq!(en.status, 422, "{}", en.text);
    same_problem(&en, &ko);
    assert_eq!(en.code(), "unknown-host-certificate");
    assert_eq!(
        en.json()["detail"],
        "There is no certificate `CSAP-NONE-1` in the registry."
    );
    assert_eq!(
        ko.json()["detail"],
        "등록부에 인증서 `CSAP-NONE-1`이(가) 없습니다."
    );
}

/// The committee's refusals when a sitting is opened and when a vote is cast, worded by
/// `kcvs_registry::wording` with the application, sitting, member and date in both languages.
#[tokio::test]
async fn sitting_and_vote_refusals_in_both_languages() {
    let t = test_app().await;
    let both = |path: String, user: &'static str, body: Value| {
        let t = &t;
        async move {
            let en = post_as(t, &path, user, body.clone(), None).await;
            let ko = post_as(t, &path, user, body, Some("ko")).await;
            assert_eq!(en.status, 409, "{}", en.text);
            same_problem(&en, &ko);
            (
                en.code(),
                en.json()["detail"].as_str().unwrap().to_owned(),
                ko.json()["detail"].as_str().unwrap().to_owned(),
            )
        }
    };
    let six = json!({"present": ["m1", "m2", "m3", "m4", "m5", "m6"]});

    // Not yet under deliberation.
    let early = t.apply().await;
    let (code, en, ko) = both(
        format!("/api/v1/applications/{early}/deliberations"),
        "admin",
        six.clone(),
    )
    .await;
    assert_eq!(code, "not-under-deliberation");
    assert!(en.contains(&early) && en.contains("submitted"), "{en}");
    assert_eq!(
        ko,
        format!(
            "신청 `{early}`은(는) 신청 접수 상태로 위원회 심의 중이 아니어서 회의를 열 수 없습니다."
        )
    );

    // A second sitting while one is open names the open one and its date.
    let (app, sitting) = t.application_in_deliberation().await;
    let (code, en, ko) = both(
        format!("/api/v1/applications/{app}/deliberations"),
        "admin",
        six.clone(),
    )
    .await;
    assert_eq!(code, "sitting-already-open");
    assert!(en.contains(&sitting) && en.contains("2026-03-02"), "{en}");
    assert!(
        ko.contains(&sitting) && ko.contains("2026-03-02") && ko.contains("이미 열린 회의"),
        "{ko}"
    );

    // A vote without a rationale.
    let votes = format!("/api/v1/deliberations/{sitting}/votes");
    let (code, en, ko) = both(
        votes.clone(),
        "m1",
        json!({"choice": "approve", "rationale": " "}),
    )
    .await;
    assert_eq!(code, "vote-without-rationale");
    assert!(en.contains("`m1`"), "{en}");
    assert_eq!(ko, "`m1` 위원의 표결에는 사유가 있어야 합니다.");

    // A vote on a decided sitting.
    for m in ["m1", "m3", "m4", "m5", "m6"] {
        t.ok(
            &votes,
            m,
            json!({"choice": "approve", "rationale": "holds"}),
            201,
        )
        .await;
    }
    t.ok(
        &format!("/api/v1/deliberations/{sitting}/decide"),
        "admin",
        json!({}),
        200,
    )
    .await;
    let (code, en, ko) = both(
        votes,
        "m3",
        json!({"choice": "reject", "rationale": "late"}),
    )
    .await;
    assert_eq!(code, "sitting-decided");
    assert!(en.contains(&sitting) && en.contains("2026-03-02"), "{en}");
    assert_eq!(
        ko,
        format!("2026-03-02 회의 `{sitting}`은(는) 이미 의결되었습니다.")
    );

    // A member not recorded as present.
    let absent = t.before_the_committee().await;
    let s = t
        .ok(
            &format!("/api/v1/applications/{absent}/deliberations"),
            "admin",
            json!({"present": ["m1", "m3", "m4", "m5"]}),
            201,
        )
        .await;
    let s = s["id"].as_str().unwrap().to_owned();
    let (code, en, ko) = both(
        format!("/api/v1/deliberations/{s}/votes"),
        "m6",
        json!({"choice": "approve", "rationale": "holds"}),
    )
    .await;
    assert_eq!(code, "voter-not-present");
    assert!(en.contains("`m6`") && en.contains(&s), "{en}");
    assert_eq!(
        ko,
        format!("`m6` 위원은 2026-03-02 회의 `{s}`에 출석으로 기록되지 않아 표결할 수 없습니다.")
    );
}
