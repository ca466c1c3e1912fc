//! Sign-in limits, sessions and API tokens: the login rate limit on the API and the UI form
//! (with the injected clock), logout and the purge of expired sessions, listing and revoking
//! tokens, and the "My API tokens" page.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::{Res, TestApp, key, test_app};

/// One request with any headers, from `peer` if given (as `kcvs serve` records it).
pub async fn call(
    t: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    peer: Option<&str>,
) -> Res {
    call_on(&t.app, method, path, headers, body, peer).await
}

/// [`call`] to the server process `app` (e.g. [`TestApp::other_process`]'s).
async fn call_on(
    app: &Router,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    peer: Option<&str>,
) -> Res {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let mut req = b.body(Body::from(body.to_owned())).unwrap();
    if let Some(p) = peer {
        let addr: SocketAddr = p.parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
    }
    res_of(app.clone().oneshot(req).await.unwrap()).await
}

/// A response, read whole.
pub async fn res_of(res: axum::response::Response) -> Res {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Res {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn login(t: &TestApp, user: &str, password: &str, peer: &str) -> Res {
    login_on(&t.app, user, password, peer).await
}

async fn login_on(app: &Router, user: &str, password: &str, peer: &str) -> Res {
    call_on(
        app,
        Method::POST,
        "/api/v1/auth/login",
        &[("content-type", "application/json")],
        &json!({"username": user, "password": password}).to_string(),
        Some(peer),
    )
    .await
}

/// The `name=value` of the session cookie a sign-in set.
fn cookie_of(r: &Res) -> String {
    let c = r.headers["set-cookie"].to_str().unwrap();
    c.split(';').next().unwrap().to_owned()
}

async fn sessions_in_store(t: &TestApp) -> i64 {
    use sqlx::Row as _;
    sqlx::query("SELECT COUNT(*) AS n FROM sessions")
        .fetch_one(t.state.store().pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

fn advance(t: &TestApp, secs: i64) {
    use kcvs_server::Clock as _;
    let now = t.clock.now();
    t.clock
        .set(jiff::Timestamp::from_second(now.as_second() + secs).unwrap());
}

on_each_backend!(two_server_processes_share_the_login_limit);

/// Failed sign-ins are counted in the database: failures through one server process count in
/// another on the same database, and guesses sent to both at once are checked no more often
/// than the limit allows.
async fn two_server_processes_share_the_login_limit(t: TestApp) {
    let (_, other) = t.other_process().await;
    let a = "192.0.2.50:1";
    for _ in 0..3 {
        assert_eq!(login(&t, "acme", "wrong", a).await.status, 401);
    }
    for _ in 0..2 {
        assert_eq!(login_on(&other, "acme", "wrong", a).await.status, 401);
    }
    // Five failures between the two: each refuses even the right password now.
    assert_eq!(login(&t, "acme", "password-acme", a).await.status, 429);
    assert_eq!(
        login_on(&other, "acme", "password-acme", a).await.status,
        429
    );

    // Twelve guesses at once for another account, six to each process: five are checked, the
    // rest refused.
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..12 {
        let app = if i % 2 == 0 {
            t.app.clone()
        } else {
            other.clone()
        };
        guesses.spawn(async move {
            login_on(&app, "eva1", "wrong", "192.0.2.51:1")
                .await
                .status
                .as_u16()
        });
    }
    let mut statuses = guesses.join_all().await;
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]
    );
}

#[tokio::test]
async fn failed_logins_are_limited_per_account_and_per_address() {
    let t = test_app().await;
    let a = "192.0.2.10:5000";
    // Five failures for one account: the sixth attempt is refused before the password is
    // checked, even with the right one.
    for _ in 0..5 {
        assert_eq!(login(&t, "acme", "wrong", a).await.status, 401);
    }
    let refused = login(&t, "acme", "password-acme", a).await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(refused.code(), "too-many-login-failures");
    assert_eq!(refused.headers["retry-after"], "900");
    // From another address too: the account is what is limited.
    let elsewhere = login(&t, "acme", "password-acme", "198.51.100.7:1").await;
    assert_eq!(elsewhere.status, 429);
    // An unknown name is treated the same (no oracle in status or limit).
    for _ in 0..5 {
        assert_eq!(login(&t, "ghost", "x", "203.0.113.5:1").await.status, 401);
    }
    assert_eq!(login(&t, "ghost", "x", "203.0.113.5:1").await.status, 429);
    // Ten minutes on, the wait is shorter; after the window, the right password works.
    advance(&t, 600);
    let later = login(&t, "acme", "password-acme", a).await;
    assert_eq!(later.headers["retry-after"], "300");
    advance(&t, 300);
    assert_eq!(login(&t, "acme", "password-acme", a).await.status, 200);

    // A success resets the account: four failures, a success, four more are still 401.
    let b = "192.0.2.20:1";
    for _ in 0..4 {
        assert_eq!(login(&t, "eva1", "wrong", b).await.status, 401);
    }
    assert_eq!(login(&t, "eva1", "password-eva1", b).await.status, 200);
    for _ in 0..5 {
        assert_eq!(login(&t, "eva1", "wrong", b).await.status, 401);
    }
    assert_eq!(login(&t, "eva1", "wrong", b).await.status, 429);

    // One address guessing over many accounts: twenty failures, then 429 for any account.
    let c = "[2001:db8:1:2::3]:443";
    for i in 0..20 {
        let r = login(&t, &format!("user{i}"), "x", c).await;
        assert_eq!(r.status, 401, "attempt {i}");
    }
    // The same /64 is the same address; another address is not held back.
    let same_net = login(&t, "eva2", "password-eva2", "[2001:db8:1:2::99]:1").await;
    assert_eq!(same_net.status, 429);
    assert_eq!(
        login(&t, "eva2", "password-eva2", "192.0.2.30:1")
            .await
            .status,
        200
    );
}

/// Behind a proxy every client has one address: with the per-address limit at 0
/// (`kcvs serve --login-limit-per-address 0`) failures over many accounts from that address
/// hold nobody back, while each account keeps its own limit.
#[tokio::test]
async fn a_per_address_limit_of_zero_counts_accounts_only() {
    let t = crate::test_app_configured(crate::Db::Sqlite, |c| c.login_limit.per_address = 0)
        .await
        .unwrap();
    let proxy = "10.0.0.1:443";
    for i in 0..30 {
        let r = login(&t, &format!("user{i}"), "x", proxy).await;
        assert_eq!(r.status, 401, "attempt {i}");
    }
    assert_eq!(login(&t, "eva2", "password-eva2", proxy).await.status, 200);
    for _ in 0..5 {
        assert_eq!(login(&t, "acme", "wrong", proxy).await.status, 401);
    }
    assert_eq!(login(&t, "acme", "password-acme", proxy).await.status, 429);
}

#[tokio::test]
async fn the_login_form_shares_the_limit_and_says_so_in_korean() {
    let t = test_app().await;
    let peer = Some("192.0.2.40:1");
    let form = |pw: &str| format!("username=acme&password={pw}");
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", "localhost"),
        ("origin", "http://localhost"),
        ("accept-language", "ko"),
    ];
    for _ in 0..3 {
        let r = call(&t, Method::POST, "/login", &headers, &form("wrong"), peer).await;
        assert_eq!(r.status, 401);
    }
    // The API and the form count together.
    for _ in 0..2 {
        assert_eq!(login(&t, "acme", "wrong", "192.0.2.40:2").await.status, 401);
    }
    let r = call(
        &t,
        Method::POST,
        "/login",
        &headers,
        &form("password-acme"),
        peer,
    )
    .await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.text.contains("시도 횟수 초과"), "{}", r.text);
    assert!(r.text.contains("15분 뒤에 다시 시도하십시오"), "{}", r.text);
    assert_eq!(r.headers["retry-after"], "900");
}

#[tokio::test]
async fn logout_ends_the_session_and_expired_sessions_are_purged() {
    let t = test_app().await;
    let peer = "192.0.2.50:1";
    // Two sessions now (8 hours each), one seven hours later.
    let acme = cookie_of(&login(&t, "acme", "password-acme", peer).await);
    let eva = cookie_of(&login(&t, "eva1", "password-eva1", peer).await);
    advance(&t, 7 * 3600);
    let admin = cookie_of(&login(&t, "admin", "password-admin", peer).await);
    assert_eq!(sessions_in_store(&t).await, 3);
    let me = |c: String| {
        let t = &t;
        async move {
            call(
                t,
                Method::GET,
                "/api/v1/auth/me",
                &[("cookie", &c)],
                "",
                None,
            )
            .await
            .status
        }
    };
    // Logout deletes the session on the server: the same cookie no longer signs in.
    let out = call(
        &t,
        Method::POST,
        "/api/v1/auth/logout",
        &[("cookie", &eva)],
        "",
        None,
    )
    .await;
    assert_eq!(out.status, 204);
    assert_eq!(me(eva.clone()).await, 401);
    assert_eq!(sessions_in_store(&t).await, 2);
    // An hour and a second later acme's session has expired; the purge deletes it alone.
    advance(&t, 3601);
    assert_eq!(me(acme.clone()).await, 401);
    let purged = kcvs_server::auth::purge_expired(&t.state).await.unwrap();
    assert_eq!(purged, 1);
    assert_eq!(sessions_in_store(&t).await, 1);
    assert_eq!(me(admin.clone()).await, 200);
    // Logout purges expired sessions too: past the admin's expiry, a logout without any
    // cookie leaves the table empty.
    advance(&t, 8 * 3600);
    let out = call(&t, Method::POST, "/api/v1/auth/logout", &[], "", None).await;
    assert_eq!(out.status, 204);
    assert_eq!(sessions_in_store(&t).await, 0);
}

async fn bearer(t: &TestApp, method: Method, path: &str, token: &str) -> Res {
    call(
        t,
        method,
        path,
        &[("authorization", &format!("Bearer {token}"))],
        "",
        None,
    )
    .await
}

#[tokio::test]
async fn tokens_are_listed_without_secrets_and_revoked_at_once() {
    let t = test_app().await;
    let k = key();
    let create = |who: &'static str, k: String| {
        let t = &t;
        async move {
            t.send(crate::Req {
                idem: Some(k),
                ..crate::Req::post(
                    "/api/v1/auth/tokens",
                    Some(who),
                    json!({"name": "ci", "scopes": ["read", "write"], "expires_in_days": 30}),
                )
            })
            .await
        }
    };
    let first = create("acme", k.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let created = first.json();
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["token"].as_str().unwrap().to_owned();
    // A replay answers the same token without its secret, which rests nowhere in the store.
    let replay = create("acme", k).await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(replay.json()["id"], id.as_str());
    assert_eq!(replay.json()["token"], Value::Null);
    let digest = kcvs_server::auth::token_hash(&secret);
    let stored: Vec<String> = {
        use sqlx::Row as _;
        sqlx::query("SELECT response FROM idempotency")
            .fetch_all(t.state.store().pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("response").unwrap())
            .collect()
    };
    assert!(stored.iter().all(|r| !r.contains(&secret)), "{stored:?}");

    // The list: the caller's own tokens, no secret and no digest.
    let list = t.get("/api/v1/tokens", Some("acme")).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(!list.text.contains(&secret) && !list.text.contains(&digest));
    let listed = list.json();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str(), "tok-acme"], "newest first");
    assert!(list.json()[0].get("token").is_none());
    assert_eq!(list.json()[0]["status"], "active");
    let me = bearer(&t, Method::GET, "/api/v1/auth/me", &secret).await;
    assert_eq!(me.status, 200);

    // Another provider may not see or revoke it: 404, and the token still works.
    let path = format!("/api/v1/tokens/{id}");
    let theirs = bearer(&t, Method::DELETE, &path, &crate::token("other")).await;
    assert_eq!(theirs.status, 404);
    let peek = t.get("/api/v1/tokens?user=usr-acme", Some("other")).await;
    assert_eq!(peek.status, 403);
    assert_eq!(
        bearer(&t, Method::GET, "/api/v1/auth/me", &secret)
            .await
            .status,
        200
    );
    // The owner revokes it (with the token itself): 401 from the next request on.
    let head = t.audit_head().await;
    let revoked = bearer(&t, Method::DELETE, &path, &secret).await;
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    assert_eq!(t.audit_head().await.0, head.0 + 1, "one audit record");
    assert_eq!(
        bearer(&t, Method::GET, "/api/v1/auth/me", &secret)
            .await
            .status,
        401
    );
    // Revoking again changes nothing.
    let again = bearer(&t, Method::DELETE, &path, &crate::token("acme")).await;
    assert_eq!(again.status, 204);
    assert_eq!(t.audit_head().await.0, head.0 + 1);
    let list = t.get("/api/v1/tokens", Some("acme")).await.json();
    assert_eq!(list[0]["status"], "revoked");
    assert!(list[0]["revoked_at"].is_string());

    // The authority lists and revokes anyone's.
    let other = create("other", key()).await.json();
    let other_secret = other["token"].as_str().unwrap();
    let seen = t.get("/api/v1/tokens?user=usr-other", Some("admin")).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.json().as_array().unwrap().len(), 2);
    let path = format!("/api/v1/tokens/{}", other["id"].as_str().unwrap());
    let by_admin = bearer(&t, Method::DELETE, &path, &crate::token("admin")).await;
    assert_eq!(by_admin.status, 204);
    assert_eq!(
        bearer(&t, Method::GET, "/api/v1/auth/me", other_secret)
            .await
            .status,
        401
    );
    let missing = bearer(
        &t,
        Method::DELETE,
        "/api/v1/tokens/tok-none",
        &crate::token("admin"),
    )
    .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn the_tokens_page_creates_shows_once_and_revokes() {
    let t = test_app().await;
    let cookie = cookie_of(&login(&t, "acme", "password-acme", "192.0.2.60:1").await);
    let form_headers = [
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", "localhost"),
        ("origin", "http://localhost"),
    ];
    let page = call(
        &t,
        Method::GET,
        "/tokens?lang=ko",
        &[("cookie", &cookie)],
        "",
        None,
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("내 API 토큰") && page.text.contains("tok-acme"));
    assert!(!page.text.contains("<script"), "works without JavaScript");
    let made = call(
        &t,
        Method::POST,
        "/tokens?lang=en",
        &form_headers,
        "_idem=form-1&name=deploy&scope=read&expires_in_days=7",
        None,
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.text);
    assert_eq!(made.headers["cache-control"], "no-store");
    assert!(made.text.contains("Your new token"));
    let secret = made
        .text
        .split("<code>")
        .find_map(|s| s.strip_prefix("kcvs_"))
        .map(|s| format!("kcvs_{}", s.split('<').next().unwrap()))
        .unwrap();
    assert_eq!(
        bearer(&t, Method::GET, "/api/v1/auth/me", &secret)
            .await
            .status,
        200
    );
    // The listing page never shows it again.
    let page = call(&t, Method::GET, "/tokens", &[("cookie", &cookie)], "", None).await;
    assert!(!page.text.contains(&secret));
    let id = t.get("/api/v1/tokens", Some("acme")).await.json()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(page.text.contains(&format!("/tokens/{id}/revoke")));
    let gone = call(
        &t,
        Method::POST,
        &format!("/tokens/{id}/revoke"),
        &form_headers,
        "_idem=form-2",
        None,
    )
    .await;
    assert_eq!(gone.status, 303, "{}", gone.text);
    assert_eq!(gone.headers["location"], "/tokens");
    assert_eq!(
        bearer(&t, Method::GET, "/api/v1/auth/me", &secret)
            .await
            .status,
        401
    );
    // Signed out, the page asks to sign in.
    let anon = call(&t, Method::GET, "/tokens", &[], "", None).await;
    assert_eq!(anon.status, 401);
}
