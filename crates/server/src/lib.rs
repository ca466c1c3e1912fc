/*!
`kcvs serve`: the certification service's JSON API under `/api/v1`, with its OpenAPI 3.1
document at `/api/v1/openapi.json` generated from the handlers (utoipa; no Swagger UI, whose
build downloads).

Layout:

- [`AppState`]: the store, the rules and the registry context derived from them, the signing
  key, the clock and the configuration. Built once by [`AppState::new`]; cheap to clone.
- [`app`] builds the router (tests drive it with `tower::ServiceExt::oneshot`); [`openapi`]
  returns the document. [`serve::run`] binds a socket and serves; [`demo::seed`] fills an empty
  store with the examples.
- `routes/`: one file per area. Every handler authenticates with [`extract::Caller`], authorises
  with [`authz`] (roles and ownership), and writes through one store transaction that also keeps
  the idempotency record and the audit chain.
- [`error`]: problem+json. [`extract`]: JSON, query and header extractors with precise 4xx.

**Seams for the web UI.** Server-rendered pages should call the same [`authz`] functions and
store operations as the JSON handlers, and be merged into [`app`]'s router (`app_with(state,
extra)`): the session cookie, [`extract::Caller`] and the problem type already serve both.

**Not leaking existence.** A caller who may not see a resource (another provider's
application, an evaluation not assigned to the evaluator, a file the committee member is
recused from) gets 404, the same as for a resource that does not exist. A caller whose *role*
cannot use a route at all gets 403 (the route is public knowledge from the OpenAPI document);
no credentials on a non-public route gets 401.
*/

pub mod auth;
pub mod authz;
pub mod demo;
pub mod error;
pub mod expiry;
pub mod extract;
pub mod keys;
pub mod periodic;
pub mod routes;
pub mod serve;
pub mod ui;

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use jiff::Timestamp;
use kcvs_model::{AssumptionSet, RuleSet};
use kcvs_registry::Date;
use kcvs_registry::committee::QuorumRule;
use kcvs_registry::ctx::{Ctx, Policy};
use kcvs_store::{Signer, Store};

/// Where the time comes from. Only the server reads the clock; tests fix it.
pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that says what it is told, for tests.
#[derive(Debug)]
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    pub fn new(at: Timestamp) -> Self {
        FixedClock(Mutex::new(at))
    }

    pub fn set(&self, at: Timestamp) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0.lock().map(|t| *t).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// The day in Korea (UTC+9 all year since 1988) of a moment.
pub fn korean_date(at: Timestamp) -> Date {
    at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)))
        .date()
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Largest request body, in bytes (413 beyond).
    pub body_limit: usize,
    pub session_ttl_secs: i64,
    /// Add `Secure` to the session cookie (behind TLS).
    pub cookie_secure: bool,
    pub password_cost: auth::PasswordCost,
    /// Failed sign-ins allowed per account and per address before 429.
    ///
    /// ASSUMPTION `serve.client-address`: the per-address count uses the address of the TCP
    /// peer. Behind a reverse proxy that is the proxy's, shared by every client, so one
    /// guesser would lock everyone out of signing in; the operator then sets
    /// `kcvs serve --login-limit-per-address 0`, keeping the per-account limit and leaving
    /// address limits to the proxy. `X-Forwarded-For` is never read: anyone can write it, and
    /// we do not know which proxies to trust (docs/serve.md).
    pub login_limit: auth::LoginLimit,
    /// How often `kcvs serve` purges expired sessions and old login failures.
    pub purge_every: std::time::Duration,
    pub quorum: QuorumRule,
    /// The name signed into certificates as their issuer.
    pub issuer: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: 64 * 1024,
            session_ttl_secs: 8 * 3600,
            cookie_secure: false,
            password_cost: auth::PasswordCost::default(),
            login_limit: auth::LoginLimit::default(),
            purge_every: std::time::Duration::from_secs(10 * 60),
            quorum: QuorumRule::default(),
            issuer: "KISA (kcvs registry)".to_owned(),
        }
    }
}

#[derive(Debug)]
struct Inner {
    store: Store,
    rules: RuleSet,
    assumptions: AssumptionSet,
    ctx: Ctx,
    signer: Signer,
    clock: Arc<dyn Clock>,
    config: Config,
    dummy_hash: String,
    profiles: routes::public::ProfileCache,
    registry_pages: routes::public::RegistryPages,
}

/// Everything a handler needs.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// The registry context comes from the rules through the engine (`Ctx::from_decider`), so
    /// regime windows, the NIS start and grandfathering follow the content and its assumptions.
    pub fn new(
        store: Store,
        rules: RuleSet,
        assumptions: AssumptionSet,
        key: ed25519_dalek::SigningKey,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Result<Self, error::ApiError> {
        let services = kcvs_engine::ServiceIndex::default();
        let today = korean_date(clock.now());
        let decider = kcvs_engine::Decider::new(&rules, &assumptions, today, &services);
        let ctx = Ctx::from_decider(&decider, Policy::default());
        let dummy_hash = auth::hash_password("not a password", config.password_cost)?;
        let signer = Signer {
            key,
            issuer: config.issuer.clone(),
        };
        Ok(AppState(Arc::new(Inner {
            store,
            rules,
            assumptions,
            ctx,
            signer,
            clock,
            config,
            dummy_hash,
            profiles: routes::public::ProfileCache::default(),
            registry_pages: routes::public::RegistryPages::default(),
        })))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn rules(&self) -> &RuleSet {
        &self.0.rules
    }

    pub fn assumptions(&self) -> &AssumptionSet {
        &self.0.assumptions
    }

    pub fn ctx(&self) -> &Ctx {
        &self.0.ctx
    }

    pub fn signer(&self) -> &Signer {
        &self.0.signer
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    /// Today in Korea: the date of every lifecycle event recorded now.
    pub fn today(&self) -> Date {
        korean_date(self.now())
    }

    pub(crate) fn dummy_hash(&self) -> &str {
        &self.0.dummy_hash
    }

    /// The registered services' parsed profiles, kept between eligibility requests.
    pub fn registry_pages(&self) -> &routes::public::RegistryPages {
        &self.0.registry_pages
    }

    pub fn profiles(&self) -> &routes::public::ProfileCache {
        &self.0.profiles
    }
}

/// The API router, with its OpenAPI document served at `/api/v1/openapi.json`.
pub fn app(state: AppState) -> Router {
    app_with(state, ui::router())
}

/// [`app`] plus further routes (the web UI), sharing the state and the body limit.
pub fn app_with(state: AppState, extra: Router<AppState>) -> Router {
    let limit = state.config().body_limit;
    let (api, doc) = routes::router().split_for_parts();
    let doc = Arc::new(doc);
    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let doc = Arc::clone(&doc);
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    )
    .merge(extra)
    .fallback(routes::not_found)
    .layer(axum::middleware::from_fn(error::localize))
    .layer(DefaultBodyLimit::max(limit))
    .with_state(state)
}

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes::router().split_for_parts().1
}
