//! The web UI's tests.
//!
//! - `pages`: every page by role, in-process (`tower::ServiceExt::oneshot`): status codes, no
//!   leaked data (a recused member's docket lacks the file), language choice, escaping, CSRF.
//! - `certificate`: hearings before revocation, the renewal deadline, withdrawal and surrender.
//! - `admin`: agencies, conflict declarations and the docket's recusals and quorum, service
//!   registration.
//! - `refusals`: the apply form's host refusals and the committee's sitting and vote refusals,
//!   worded in Korean and English.
//! - `access`: the pages and forms of `certificate` and `admin` by every role, as a table.
//! - `browser`: the lifecycle end to end in headless Chromium through chromedriver (skipped, with
//!   a printed reason, only when `/usr/bin/chromedriver` is absent).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a fixture that cannot be set up fails the test"
)]

mod access;
mod admin;
mod browser;
mod certificate;
mod pages;
mod refusals;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use kcvs_server::auth::PasswordCost;
use kcvs_server::{AppState, Config, FixedClock, app};
use kcvs_store::{OpenOptions, Store};
use tower::ServiceExt as _;

pub struct Ui {
    pub app: Router,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    /// Demo users' passwords by username.
    pub passwords: HashMap<String, String>,
    pub dir: tempfile::TempDir,
}

pub fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// The demo registry on a temporary SQLite file, the clock on 2 March 2026.
pub async fn ui_app() -> Ui {
    ui_app_with(&[]).await
}

/// [`ui_app`] with date assumptions overridden (`nis-2027.start`, to keep CSAP open for years).
pub async fn ui_app_with(dates: &[(&str, &str)]) -> Ui {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(OpenOptions::new(
        dir.path().join("kcvs.db").to_str().unwrap(),
    ))
    .await
    .unwrap();
    let rules = kcvs_content::load(&kcvs_content::builtin_files()).unwrap();
    let mut assumptions = kcvs_model::AssumptionSet::from_defaults(&rules.assumptions);
    for (id, date) in dates {
        assert!(assumptions.set(
            &kcvs_model::AssumptionId::new(*id),
            kcvs_model::AssumptionValue::Date(date.parse().unwrap())
        ));
    }
    let clock = Arc::new(FixedClock::new(at("2026-03-02T00:00:00Z")));
    let config = Config {
        password_cost: PasswordCost::fast(),
        ..Config::default()
    };
    let state = AppState::new(
        store,
        rules,
        assumptions,
        SigningKey::from_bytes(&[7; 32]),
        clock.clone(),
        config,
    )
    .unwrap();
    let users = kcvs_server::demo::seed(&state).await.unwrap().unwrap();
    let passwords = users
        .into_iter()
        .map(|u| (u.username, u.password))
        .collect();
    Ui {
        app: app(state.clone()),
        state,
        clock,
        passwords,
        dir,
    }
}

pub struct Got {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Got {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// `application/x-www-form-urlencoded`.
pub fn form(fields: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Ui {
    pub async fn send(&self, req: Request<Body>) -> Got {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap();
        Got {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// GET with an optional session cookie (`kcvs_session=…`) and extra headers.
    pub async fn get_with(&self, path: &str, cookie: Option<&str>, extra: &[(&str, &str)]) -> Got {
        let mut b = Request::get(path).header(header::HOST, "localhost");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Got {
        self.get_with(path, cookie, &[("accept-language", "en")])
            .await
    }

    /// A same-origin form post.
    pub async fn post(&self, path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Got {
        self.post_from(path, cookie, fields, Some("http://localhost"))
            .await
    }

    pub async fn post_from(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Got {
        let mut b = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("accept-language", "en");
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(form(fields))).unwrap()).await
    }

    /// Sign in through the login form; the session cookie (`kcvs_session=…`).
    pub async fn login(&self, user: &str) -> String {
        let pw = self.passwords[user].clone();
        let got = self
            .post("/login", None, &[("username", user), ("password", &pw)])
            .await;
        assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.text);
        let set = got
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("kcvs_session="))
            .unwrap()
            .to_owned();
        assert!(set.contains("SameSite=Strict") && set.contains("HttpOnly"));
        set.split(';').next().unwrap().to_owned()
    }
}

/// The first `/certificates/NUMBER` link in a page.
pub fn first_certificate_link(html: &str) -> Option<String> {
    let i = html.find("href=\"/certificates/")? + "href=\"/certificates/".len();
    let rest = &html[i..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The `<form …>…</form>` of a page that contains `marker`, or "" if none does.
pub fn form_with<'a>(html: &'a str, marker: &str) -> &'a str {
    let mut rest = html;
    while let Some(i) = rest.find("<form") {
        let from = &rest[i..];
        let end = from
            .find("</form>")
            .map_or(from.len(), |e| e + "</form>".len());
        let form = &from[..end];
        if form.contains(marker) {
            return form;
        }
        rest = &from[end..];
    }
    ""
}

impl Ui {
    /// A same-origin form post that asks for the page in Korean.
    pub async fn post_ko(&self, path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Got {
        let sep = if path.contains('?') { '&' } else { '?' };
        self.post(&format!("{path}{sep}lang=ko"), cookie, fields)
            .await
    }

    /// An application by `provider_user` for `service` (medium IaaS under CSAP) taken through
    /// the forms to an issued certificate today: (application path, certificate number).
    pub async fn certified(&self, provider_user: &str, service: &str) -> (String, String) {
        self.certified_as(
            provider_user,
            &[
                ("service", service),
                ("regime", "csap-2023"),
                ("tier", "medium"),
                ("service_type", "iaas"),
                ("scope", "IaaS"),
            ],
        )
        .await
    }

    /// [`Ui::certified`] for the apply form's `fields` (a SaaS names its host there).
    pub async fn certified_as(
        &self,
        provider_user: &str,
        fields: &[(&str, &str)],
    ) -> (String, String) {
        let p = self.login(provider_user).await;
        let r = self.post("/applications", Some(&p), fields).await;
        assert_eq!(r.status, 303, "{}", r.text);
        let app = r.location().to_owned();
        let admin = self.login("admin").await;
        let ok = |r: Got| assert_eq!(r.status, 303, "{}", r.text);
        ok(self
            .post(
                &format!("{app}/evaluator"),
                Some(&admin),
                &[("evaluator", "usr-evaluator1")],
            )
            .await);
        let ev = self.login("evaluator1").await;
        for kind in [
            "start-document-review",
            "start-on-site-evaluation",
            "submit-to-committee",
        ] {
            ok(self
                .post(&format!("{app}/events"), Some(&ev), &[("type", kind)])
                .await);
        }
        let present: Vec<(&str, &str)> = ["member1", "member3", "member4", "member5", "member6"]
            .iter()
            .map(|m| ("present", *m))
            .collect();
        let r = self
            .post(&format!("{app}/sittings"), Some(&admin), &present)
            .await;
        ok(r);
        let docket = self.get("/docket", Some(&admin)).await.text;
        let app_id = app.trim_start_matches("/applications/");
        let at = docket.find(app_id).unwrap();
        let i = docket[..at].rfind("Sitting ").unwrap() + "Sitting ".len();
        let sid = docket[i..].split_whitespace().next().unwrap().to_owned();
        for m in ["member1", "member3", "member4", "member5", "member6"] {
            let c = self.login(m).await;
            ok(self
                .post(
                    &format!("/sittings/{sid}/votes"),
                    Some(&c),
                    &[("choice", "approve"), ("rationale", "holds")],
                )
                .await);
        }
        ok(self
            .post(&format!("/sittings/{sid}/decide"), Some(&admin), &[])
            .await);
        ok(self
            .post(
                &format!("{app}/events"),
                Some(&admin),
                &[("type", "issue-certificate")],
            )
            .await);
        let page = self.get(&app, Some(&admin)).await;
        let number = first_certificate_link(&page.text).unwrap();
        (app, number)
    }
}
