//! Idempotency, and every kind of bad request: each gets a precise 4xx and changes nothing.

use axum::http::Method;
use serde_json::json;

use crate::{Req, TestApp, at, key};

on_each_backend!(same_key_same_body_replays_different_body_is_refused);

async fn same_key_same_body_replays_different_body_is_refused(t: TestApp) {
    let k = key();
    let first = t
        .send(Req {
            idem: Some(k.clone()),
            ..Req::post(
                "/api/v1/applications",
                Some("acme"),
                crate::application_body(),
            )
        })
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let head = t.audit_head().await;
    let again = t
        .send(Req {
            idem: Some(k.clone()),
            ..Req::post(
                "/api/v1/applications",
                Some("acme"),
                crate::application_body(),
            )
        })
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.text, first.text);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let mut changed = crate::application_body();
    changed["tier"] = json!("high");
    let other = t
        .send(Req {
            idem: Some(k.clone()),
            ..Req::post("/api/v1/applications", Some("acme"), changed)
        })
        .await;
    assert_eq!(
        (other.status.as_u16(), other.code().as_str()),
        (422, "idempotency-key-reused")
    );
    // The same key on another route is another request too.
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let elsewhere = t
        .send(Req {
            idem: Some(k.clone()),
            ..Req::post(
                &format!("/api/v1/applications/{id}/events"),
                Some("acme"),
                json!({"type": "withdraw", "reason": "r"}),
            )
        })
        .await;
    assert_eq!(elsewhere.status, 422);
    assert_eq!(
        t.audit_head().await,
        head,
        "a replay or a refused reuse changed nothing"
    );
    let list = t.get("/api/v1/applications", Some("acme")).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Keys are per caller: another provider may use the same key.
    let theirs = t
        .send(Req {
            idem: Some(k),
            ..Req::post(
                "/api/v1/applications",
                Some("other"),
                crate::application_body(),
            )
        })
        .await;
    assert_eq!(theirs.status, 201);

    // Events: a replay returns the first answer even though the state moved on.
    let (app, _) = t.application_in_deliberation().await;
    let ev = format!("/api/v1/applications/{app}/events");
    let k2 = key();
    let w1 = t
        .send(Req {
            idem: Some(k2.clone()),
            ..Req::post(
                &ev,
                Some("acme"),
                json!({"type": "withdraw", "reason": "moving"}),
            )
        })
        .await;
    assert_eq!(w1.status, 200, "{}", w1.text);
    let w2 = t
        .send(Req {
            idem: Some(k2.clone()),
            ..Req::post(
                &ev,
                Some("acme"),
                json!({"type": "withdraw", "reason": "moving"}),
            )
        })
        .await;
    assert_eq!((w2.status, w2.text.as_str()), (w1.status, w1.text.as_str()));
    let timeline = t
        .get(
            &format!("/api/v1/applications/{app}/timeline"),
            Some("acme"),
        )
        .await
        .json();
    assert_eq!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "withdraw")
            .count(),
        1
    );
}

on_each_backend!(bad_requests_get_precise_errors_and_change_nothing);

async fn bad_requests_get_precise_errors_and_change_nothing(t: TestApp) {
    // An expired token and a read-only token.
    let created = t
        .ok(
            "/api/v1/auth/tokens",
            "acme",
            json!({"name": "short", "scopes": ["read"], "expires_in_days": 1}),
            201,
        )
        .await;
    let read_only = created["token"].as_str().unwrap().to_owned();
    let head = t.audit_head().await;
    let apps = "/api/v1/applications";
    let body = crate::application_body().to_string();
    let big = format!("{{\"scope\": \"{}\"}}", "x".repeat(70_000));
    struct Case<'a> {
        name: &'a str,
        req: Req<'a>,
        bearer: Option<String>,
        status: u16,
        code: &'a str,
    }
    let post = |b: &str| Req {
        body: Some(b.to_owned()),
        ..Req::post(apps, Some("acme"), json!({}))
    };
    let cases = vec![
        Case {
            name: "malformed JSON",
            req: post("{\"service\": "),
            bearer: None,
            status: 400,
            code: "malformed-json",
        },
        Case {
            name: "not JSON at all",
            req: post("service=x"),
            bearer: None,
            status: 400,
            code: "malformed-json",
        },
        Case {
            name: "wrong type",
            req: post(&body.replace("\"medium\"", "5")),
            bearer: None,
            status: 422,
            code: "invalid-body",
        },
        Case {
            name: "unknown field",
            req: post(&body.replace("\"scope\"", "\"colour\": 1, \"scope\"")),
            bearer: None,
            status: 422,
            code: "unknown-field",
        },
        Case {
            name: "missing field",
            req: post("{\"service\": \"x\"}"),
            bearer: None,
            status: 422,
            code: "invalid-body",
        },
        Case {
            name: "unknown enum value",
            req: post(&body.replace("\"iaas\",", "\"mainframe\",")),
            bearer: None,
            status: 422,
            code: "unknown-field",
        },
        Case {
            name: "wrong media type",
            req: Req {
                content_type: Some("text/plain"),
                ..post(&body)
            },
            bearer: None,
            status: 415,
            code: "unsupported-media-type",
        },
        Case {
            name: "oversized body",
            req: post(&big),
            bearer: None,
            status: 413,
            code: "body-too-large",
        },
        Case {
            name: "no idempotency key",
            req: Req {
                idem: None,
                ..post(&body)
            },
            bearer: None,
            status: 400,
            code: "idempotency-key-required",
        },
        Case {
            name: "forged token",
            req: Req {
                user: None,
                ..post(&body)
            },
            bearer: Some("kcvs_forged".to_owned()),
            status: 401,
            code: "unauthorized",
        },
        Case {
            name: "read-only token writing",
            req: Req {
                user: None,
                ..post(&body)
            },
            bearer: Some(read_only.clone()),
            status: 403,
            code: "insufficient-scope",
        },
        Case {
            name: "no credentials",
            req: Req {
                user: None,
                ..post(&body)
            },
            bearer: None,
            status: 401,
            code: "unauthorized",
        },
        Case {
            name: "unknown event type",
            req: Req {
                body: Some("{\"type\": \"suspend\"}".to_owned()),
                ..Req::post("/api/v1/applications/app-x/events", Some("acme"), json!({}))
            },
            bearer: None,
            status: 422,
            code: "unknown-field",
        },
        Case {
            name: "bad date in query",
            req: Req::get("/api/v1/registry?as_of=2026-02-30", None),
            bearer: None,
            status: 400,
            code: "invalid-query",
        },
        Case {
            name: "unknown query parameter",
            req: Req::get("/api/v1/registry?colour=red", None),
            bearer: None,
            status: 400,
            code: "invalid-query",
        },
        Case {
            name: "no such route",
            req: Req::get("/api/v1/nothing", None),
            bearer: None,
            status: 404,
            code: "no-such-route",
        },
        Case {
            name: "no such application",
            req: Req::get("/api/v1/applications/app-none", Some("admin")),
            bearer: None,
            status: 404,
            code: "not-found",
        },
        Case {
            name: "illegal transition",
            req: Req::post(
                "/api/v1/applications",
                Some("acme"),
                json!({"service": "s", "regime": "bsa-2026", "tier": "medium", "service_type": "iaas", "scope": "s"}),
            ),
            bearer: None,
            status: 409,
            code: "unknown-regime",
        },
        Case {
            name: "SaaS without its IaaS",
            req: Req::post(
                "/api/v1/applications",
                Some("acme"),
                json!({"service": "s", "regime": "csap-2023", "tier": "low", "service_type": "saas-standard", "scope": "s"}),
            ),
            bearer: None,
            status: 409,
            code: "host-required",
        },
    ];
    let mut failures = Vec::new();
    for c in cases {
        let mut req = c.req;
        let res = match c.bearer {
            Some(b) => {
                req.user = None;
                send_with_bearer(&t, req, &b).await
            }
            None => t.send(req).await,
        };
        let ok = res.status.as_u16() == c.status
            && res
                .headers
                .get("content-type")
                .is_some_and(|v| v == "application/problem+json")
            && res.code() == c.code;
        if !ok {
            failures.push(format!(
                "{}: expected {} {}, got {} {}",
                c.name, c.status, c.code, res.status, res.text
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The expired token: valid now, refused a day and a second later.
    let me = send_with_bearer(&t, Req::get("/api/v1/auth/me", None), &read_only).await;
    assert_eq!(me.status, 200);
    t.clock.set(at("2026-03-03T00:00:01Z"));
    let me = send_with_bearer(&t, Req::get("/api/v1/auth/me", None), &read_only).await;
    assert_eq!(me.status, 401);
    assert_eq!(
        t.audit_head().await,
        head,
        "no bad request changed anything"
    );
    assert!(
        t.get("/api/v1/applications", Some("admin"))
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn send_with_bearer(t: &crate::TestApp, r: Req<'_>, bearer: &str) -> crate::Res {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;
    let mut b = Request::builder()
        .method(r.method)
        .uri(r.path)
        .header("authorization", format!("Bearer {bearer}"));
    if let Some(k) = r.idem {
        b = b.header("idempotency-key", k);
    }
    if let Some(ct) = r.content_type {
        b = b.header("content-type", ct);
    }
    let res = t
        .app
        .clone()
        .oneshot(b.body(Body::from(r.body.unwrap_or_default())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    crate::Res {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

on_each_backend!(password_login_sets_a_strict_http_only_cookie);

async fn password_login_sets_a_strict_http_only_cookie(t: TestApp) {
    let bad = t
        .send(Req {
            idem: None,
            ..Req::post(
                "/api/v1/auth/login",
                None,
                json!({"username": "acme", "password": "wrong"}),
            )
        })
        .await;
    assert_eq!(bad.status, 401);
    let ok = t
        .send(Req {
            idem: None,
            ..Req::post(
                "/api/v1/auth/login",
                None,
                json!({"username": "acme", "password": "password-acme"}),
            )
        })
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let cookie = ok.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let me = session(&t, Method::GET, "/api/v1/auth/me", &pair, None).await;
    assert_eq!(me.0, 200);
    // A cross-origin write with the cookie is refused.
    let cross = session(
        &t,
        Method::POST,
        "/api/v1/applications",
        &pair,
        Some("http://evil.example"),
    )
    .await;
    assert_eq!(cross.0, 403);
    let out = session(&t, Method::POST, "/api/v1/auth/logout", &pair, None).await;
    assert_eq!(out.0, 204);
    let me = session(&t, Method::GET, "/api/v1/auth/me", &pair, None).await;
    assert_eq!(me.0, 401);
}

async fn session(
    t: &crate::TestApp,
    m: Method,
    path: &str,
    cookie: &str,
    origin: Option<&str>,
) -> (u16, String) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;
    let mut b = Request::builder()
        .method(m)
        .uri(path)
        .header("cookie", cookie)
        .header("host", "localhost");
    if let Some(o) = origin {
        b = b
            .header("origin", o)
            .header("idempotency-key", "k")
            .header("content-type", "application/json");
    }
    let body = if origin.is_some() {
        crate::application_body().to_string()
    } else {
        String::new()
    };
    let res = t
        .app
        .clone()
        .oneshot(b.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}
