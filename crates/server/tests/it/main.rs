//! The server's tests, in one binary, in-process through `tower::ServiceExt::oneshot`.
//!
//! - `access`: every route by every role (allowed, 401, 403, 404).
//! - `lifecycle`: a provider applies, an evaluator files findings and re-checks remediation,
//!   the committee decides with one member recused, the certificate is signed, registered and
//!   logged with a valid inclusion proof.
//! - `requests`: idempotency and the list of bad requests; each changes nothing.
//! - `openapi`: a snapshot of the OpenAPI document.
//! - `replay`: stored history loads after an assumption changes.
//!
//! Tests declared with [`on_each_backend!`] run twice, as `NAME::sqlite` and `NAME::postgres`:
//! on a temporary SQLite file, and, when `KCVS_TEST_DATABASE_URL` is set (CI sets it), on that
//! PostgreSQL database in a schema of their own, so parallel tests do not meet. Without the
//! variable the PostgreSQL run says so and passes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a fixture that cannot be set up fails the test"
)]

/// Run the `async fn NAME(t: TestApp)` of each NAME as two tests, `NAME::sqlite` and
/// `NAME::postgres` (see the module doc). The test is written once.
macro_rules! on_each_backend {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn sqlite() {
                super::$test(crate::test_app().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                match crate::test_app_on(crate::Db::Postgres).await {
                    Some(t) => super::$test(t).await,
                    None => eprintln!("KCVS_TEST_DATABASE_URL is not set: not run on PostgreSQL"),
                }
            }
        }
    )*};
}

mod access;
mod eligibility;
mod expiry;
mod lifecycle;
mod openapi;
mod problems;
mod registry;
mod replay;
mod requests;
mod sessions;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use ed25519_dalek::SigningKey;
use jiff::Timestamp;
use kcvs_registry::committee::{Affiliation, ConflictKind, Declaration, Member};
use kcvs_server::auth::{PasswordCost, hash_password, token_hash};
use kcvs_server::{AppState, Config, FixedClock, app};
use kcvs_store::{ApiTokenRow, Begin, NewUser, OpenOptions, Store, StoredResponse};
use serde_json::Value;
use tower::ServiceExt as _;

/// The test users: name, role, provider.
pub const USERS: &[(&str, &str, Option<&str>)] = &[
    ("admin", "admin", None),
    ("acme", "provider", Some("acme")),
    ("other", "provider", Some("other")),
    ("eva1", "evaluator", None),
    ("eva2", "evaluator", None),
    ("m1", "committee", None),
    ("m2", "committee", None),
    ("m3", "committee", None),
    ("m4", "committee", None),
    ("m5", "committee", None),
    ("m6", "committee", None),
];

pub struct TestApp {
    pub app: Router,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    /// How the store was opened, so a test can open a second one on the same database.
    pub opts: OpenOptions,
    /// Keeps the SQLite file (none on PostgreSQL).
    _dir: Option<tempfile::TempDir>,
}

/// The database a test's service runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    /// A temporary file.
    Sqlite,
    /// A fresh schema on `KCVS_TEST_DATABASE_URL`.
    Postgres,
}

/// The bearer token of a test user.
pub fn token(user: &str) -> String {
    format!("kcvs_test_{user}")
}

pub fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A fresh service on a temporary SQLite file, with the test users, their API tokens (read and
/// write, to 2032) and a committee of six where `m2` is an employee of `acme`.
pub async fn test_app() -> TestApp {
    test_app_on(Db::Sqlite).await.unwrap()
}

/// [`test_app`] on `db`; `None` for PostgreSQL when `KCVS_TEST_DATABASE_URL` is not set.
pub async fn test_app_on(db: Db) -> Option<TestApp> {
    test_app_configured(db, |_| {}).await
}

/// [`test_app_on`] with the configuration changed by `change` (fast password hashing already
/// set).
pub async fn test_app_configured(db: Db, change: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let (opts, dir) = match db {
        Db::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("kcvs.db");
            (OpenOptions::new(path.to_str().unwrap()), Some(dir))
        }
        Db::Postgres => {
            let url = std::env::var("KCVS_TEST_DATABASE_URL").ok()?;
            let mut opts = OpenOptions::new(url.clone());
            opts.pg_schema = Some(kcvs_store::create_isolated_schema(&url).await.unwrap());
            (opts, None)
        }
    };
    let store = Store::open(opts.clone()).await.unwrap();
    let rules = kcvs_content::load(&kcvs_content::builtin_files()).unwrap();
    let assumptions = kcvs_model::AssumptionSet::from_defaults(&rules.assumptions);
    let clock = Arc::new(FixedClock::new(at("2026-03-02T00:00:00Z")));
    let state = server_with(store.clone(), rules, assumptions, clock.clone(), change);
    let Begin::Fresh(mut tx) = store
        .begin_write("setup", clock_now(&clock), None)
        .await
        .unwrap()
    else {
        panic!("replay")
    };
    for (name, role, provider) in USERS {
        tx.create_user(&NewUser {
            id: format!("usr-{name}"),
            username: (*name).to_owned(),
            password_hash: hash_password(&format!("password-{name}"), PasswordCost::fast())
                .unwrap(),
            role: (*role).to_owned(),
            provider: provider.map(str::to_owned),
            display_name: name.to_uppercase(),
        })
        .await
        .unwrap();
        tx.create_api_token(
            &ApiTokenRow {
                id: format!("tok-{name}"),
                user_id: format!("usr-{name}"),
                name: "test".to_owned(),
                scopes: vec!["read".to_owned(), "write".to_owned()],
                created_at: "2026-01-01T00:00:00Z".to_owned(),
                // Past every date a test moves the clock to (a certificate's whole term);
                // tests of expiry make short tokens of their own.
                expires_at: at("2032-01-01T00:00:00Z").as_second(),
            },
            &token_hash(&token(name)),
        )
        .await
        .unwrap();
    }
    let affiliations = [
        ("m1", Affiliation::Industry),
        ("m2", Affiliation::Industry),
        ("m3", Affiliation::Academia),
        ("m4", Affiliation::ResearchInstitute),
        ("m5", Affiliation::MsitRecommendedOfficial),
        ("m6", Affiliation::Academia),
    ];
    for (id, affiliation) in affiliations {
        let member = Member {
            id: id.into(),
            name: id.to_uppercase(),
            affiliation,
            term_from: "2026-01-01".parse().unwrap(),
            term_until: "2027-12-31".parse().unwrap(),
            declarations: if id == "m2" {
                vec![Declaration {
                    provider: "acme".into(),
                    kind: ConflictKind::Employer,
                    declared: "2026-01-01".parse().unwrap(),
                }]
            } else {
                Vec::new()
            },
        };
        tx.add_member(&member, Some(&format!("usr-{id}")))
            .await
            .unwrap();
    }
    tx.commit(&StoredResponse {
        status: 200,
        body: String::new(),
    })
    .await
    .unwrap();
    Some(TestApp {
        app: app(state.clone()),
        state,
        clock,
        opts,
        _dir: dir,
    })
}

/// A service state over `store` as every test server has it: the test key, fast password
/// hashing, the given rules, assumptions and clock.
pub fn server(
    store: Store,
    rules: kcvs_model::RuleSet,
    assumptions: kcvs_model::AssumptionSet,
    clock: Arc<FixedClock>,
) -> AppState {
    server_with(store, rules, assumptions, clock, |_| {})
}

/// [`server`] with the configuration changed by `change` (fast password hashing already set).
pub fn server_with(
    store: Store,
    rules: kcvs_model::RuleSet,
    assumptions: kcvs_model::AssumptionSet,
    clock: Arc<FixedClock>,
    change: impl FnOnce(&mut Config),
) -> AppState {
    let mut config = Config {
        password_cost: PasswordCost::fast(),
        ..Config::default()
    };
    change(&mut config);
    AppState::new(
        store,
        rules,
        assumptions,
        SigningKey::from_bytes(&[42; 32]),
        clock,
        config,
    )
    .unwrap()
}

fn clock_now(c: &FixedClock) -> Timestamp {
    use kcvs_server::Clock as _;
    c.now()
}

static KEYS: AtomicU64 = AtomicU64::new(0);

/// A fresh idempotency key.
pub fn key() -> String {
    format!("key-{}", KEYS.fetch_add(1, Ordering::Relaxed))
}

/// One request.
pub struct Req<'a> {
    pub method: Method,
    pub path: &'a str,
    pub user: Option<&'a str>,
    pub body: Option<String>,
    pub idem: Option<String>,
    pub content_type: Option<&'a str>,
}

impl<'a> Req<'a> {
    pub fn get(path: &'a str, user: Option<&'a str>) -> Self {
        Req {
            method: Method::GET,
            path,
            user,
            body: None,
            idem: None,
            content_type: None,
        }
    }

    /// A JSON write with a fresh idempotency key.
    pub fn post(path: &'a str, user: Option<&'a str>, body: Value) -> Self {
        Req {
            method: Method::POST,
            path,
            user,
            body: Some(body.to_string()),
            idem: Some(key()),
            content_type: Some("application/json"),
        }
    }
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Res {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The problem's `code`.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }
}

impl TestApp {
    pub async fn send(&self, r: Req<'_>) -> Res {
        let mut b = Request::builder().method(r.method).uri(r.path);
        if let Some(u) = r.user {
            b = b.header("authorization", format!("Bearer {}", token(u)));
        }
        if let Some(k) = r.idem {
            b = b.header("idempotency-key", k);
        }
        if let Some(ct) = r.content_type {
            b = b.header("content-type", ct);
        }
        let req = b.body(Body::from(r.body.unwrap_or_default())).unwrap();
        sessions::res_of(self.app.clone().oneshot(req).await.unwrap()).await
    }

    pub async fn get(&self, path: &str, user: Option<&str>) -> Res {
        self.send(Req::get(path, user)).await
    }

    pub async fn post(&self, path: &str, user: Option<&str>, body: Value) -> Res {
        self.send(Req::post(path, user, body)).await
    }

    /// POST and require a status, showing the body otherwise.
    pub async fn ok(&self, path: &str, user: &str, body: Value, status: u16) -> Value {
        let r = self.post(path, Some(user), body).await;
        assert_eq!(r.status.as_u16(), status, "{path} as {user}: {}", r.text);
        r.json()
    }

    pub async fn audit_head(&self) -> (u64, String) {
        let h = self.state.store().audit_head().await.unwrap();
        (h.len, h.hash.to_hex())
    }

    /// `acme` files the standard application ([`application_body`]); its id.
    pub async fn apply(&self) -> String {
        let app = self
            .ok("/api/v1/applications", "acme", application_body(), 201)
            .await;
        app["id"].as_str().unwrap().to_owned()
    }

    /// A second server on the same database, as a second process would be: its own store
    /// (its own connections) and caches, the same rules, key and clock.
    pub async fn other_process(&self) -> (AppState, Router) {
        let s = &self.state;
        let state = server(
            Store::open(self.opts.clone()).await.unwrap(),
            s.rules().clone(),
            s.assumptions().clone(),
            self.clock.clone(),
        );
        (state.clone(), app(state))
    }

    /// [`Self::application_in_deliberation`] approved by the five members who may vote and
    /// issued a certificate on the clock's day; returns (application id, certificate number).
    pub async fn certified(&self) -> (String, String) {
        let (id, sitting) = self.application_in_deliberation().await;
        for m in ["m1", "m3", "m4", "m5", "m6"] {
            self.ok(
                &format!("/api/v1/deliberations/{sitting}/votes"),
                m,
                serde_json::json!({"choice": "approve", "rationale": "the report holds"}),
                201,
            )
            .await;
        }
        self.ok(
            &format!("/api/v1/deliberations/{sitting}/decide"),
            "admin",
            serde_json::json!({}),
            200,
        )
        .await;
        let issued = self
            .ok(
                &format!("/api/v1/applications/{id}/events"),
                "admin",
                serde_json::json!({"type": "issue-certificate"}),
                200,
            )
            .await;
        (id, issued["certificate"].as_str().unwrap().to_owned())
    }

    /// A medium IaaS application by `acme`, advanced to deliberation with a sitting of all six
    /// members; returns (application id, sitting id).
    pub async fn application_in_deliberation(&self) -> (String, String) {
        let id = self.before_the_committee().await;
        let sitting = self
            .ok(
                &format!("/api/v1/applications/{id}/deliberations"),
                "admin",
                serde_json::json!({"present": ["m1", "m2", "m3", "m4", "m5", "m6"]}),
                201,
            )
            .await;
        (id, sitting["id"].as_str().unwrap().to_owned())
    }

    /// Record an established fraud hearing on application `id`: what a revocation for fraud
    /// needs first.
    pub async fn hearing(&self, id: &str) {
        self.ok(
            &format!("/api/v1/applications/{id}/events"),
            "admin",
            serde_json::json!({"type": "hearing", "ground": "fraud", "established": true, "record": "H-1"}),
            200,
        )
        .await;
    }

    /// Revoke the certificate of application `id` for fraud (after [`Self::hearing`]).
    pub async fn revoke(&self, id: &str) {
        self.ok(
            &format!("/api/v1/applications/{id}/events"),
            "admin",
            serde_json::json!({"type": "revoke", "ground": "fraud"}),
            200,
        )
        .await;
    }

    /// A medium IaaS application by `acme`, submitted to the committee with no sitting yet.
    pub async fn before_the_committee(&self) -> String {
        let id = self.apply().await;
        self.ok(
            &format!("/api/v1/applications/{id}/evaluator"),
            "admin",
            serde_json::json!({"evaluator": "usr-eva1"}),
            200,
        )
        .await;
        for t in [
            "start-document-review",
            "start-on-site-evaluation",
            "submit-to-committee",
        ] {
            self.ok(
                &format!("/api/v1/applications/{id}/events"),
                "eva1",
                serde_json::json!({"type": t}),
                200,
            )
            .await;
        }
        id
    }
}

pub fn application_body() -> Value {
    serde_json::json!({
        "service": "acme-iaas",
        "regime": "csap-2023",
        "tier": "medium",
        "service_type": "iaas",
        "scope": "IaaS, Seoul region"
    })
}
