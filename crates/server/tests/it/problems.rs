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
