//! What anyone may read: the registry (JSON, CSV, a JSON Feed), signed certificates, the
//! published key, the transparency log with its proofs, and "which registered services may host
//! this system".

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use kcvs_engine::{Blocker, Decider, ServiceIndex, eligibility};
use kcvs_model::{CertificateStatus, RegimeKind, ServiceProfile};
use kcvs_registry::lifecycle::CertStatus;
use kcvs_registry::signing::key_id;
use kcvs_registry::translog::{TreeHead, leaf_hash, sign_tree_head};
use kcvs_store::{CertFilter, CertificateRow, RegistryRow, ServiceRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiQuery, Caller, JsonBody};
use crate::keys::public_key_hex;
use crate::routes::applications::{invalid_profile, load_errors};

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegistryQuery {
    /// A tier id (`low`, `medium`, `high`); `none` for pre-tier certificates.
    pub tier: Option<String>,
    /// A service type (`iaas`, `saas-standard`, …).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub service_type: Option<String>,
    /// `active`, `grandfathered`, `expired`, `revoked`, `surrendered`, `not-yet-valid`.
    pub status: Option<String>,
    pub regime: Option<String>,
    pub scheme: Option<String>,
    pub service: Option<String>,
    pub provider: Option<String>,
    /// What was certified on this date (default: today in Korea).
    pub as_of: Option<Date>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RegistryEntry {
    pub number: String,
    pub service: String,
    pub provider: String,
    pub regime: String,
    pub scheme: String,
    /// `None` for a certificate from before the scheme had tiers.
    pub tier: Option<String>,
    pub service_type: String,
    pub scope: String,
    /// The IaaS certificate a SaaS or PaaS runs on.
    pub host: Option<String>,
    pub issued: Date,
    pub valid_from: Date,
    pub valid_until: Date,
    pub renews: Option<String>,
    /// Its standing on `as_of`.
    pub status: String,
    /// For a grandfathered certificate: the regime that accepts it to the end of its term.
    pub successor: Option<String>,
    /// Revoked or surrendered on.
    pub ended_on: Option<Date>,
    /// Whether a signed document is published at `/api/v1/certificates/{number}`.
    pub signed: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RegistryPage {
    pub as_of: Date,
    pub count: usize,
    // Shared with the server's page cache, not copied per request.
    #[schema(value_type = Vec<RegistryEntry>)]
    pub certificates: Arc<[RegistryEntry]>,
}

fn status_name(s: &CertStatus) -> &'static str {
    match s {
        CertStatus::NotYetValid { .. } => "not-yet-valid",
        CertStatus::Active { .. } => "active",
        CertStatus::Grandfathered { .. } => "grandfathered",
        CertStatus::Expired { .. } => "expired",
        CertStatus::Revoked { .. } => "revoked",
        CertStatus::Surrendered { .. } => "surrendered",
    }
}

fn entry(row: &RegistryRow, as_of: Date, state: &AppState) -> RegistryEntry {
    let c = &row.certificate;
    let status = c.status_on(as_of, state.ctx());
    RegistryEntry {
        number: c.number.to_string(),
        service: c.service.to_string(),
        provider: c.provider.to_string(),
        regime: c.regime.to_string(),
        scheme: c.scheme.to_string(),
        tier: c.tier.clone(),
        service_type: c.service_type.as_str().to_owned(),
        scope: c.scope.clone(),
        host: c.host.as_ref().map(ToString::to_string),
        issued: c.issued,
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        renews: c.renews.as_ref().map(ToString::to_string),
        status: status_name(&status).to_owned(),
        successor: match &status {
            CertStatus::Grandfathered { successor, .. } => Some(successor.to_string()),
            _ => None,
        },
        ended_on: c.ended_on.filter(|on| *on <= as_of),
        signed: row.signed,
    }
}

async fn registry_entries(
    state: &AppState,
    q: &RegistryQuery,
) -> ApiResult<(Date, Arc<[RegistryEntry]>)> {
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let key = RegistryQuery {
        as_of: Some(as_of),
        ..q.clone()
    };
    // Asked on every request, so a certificate another process issued or revoked shows at once.
    let generation = state.store().registry_generation().await?;
    if let Some(page) = state.registry_pages().get(generation, &key) {
        return Ok((as_of, page));
    }
    // Everything but the status is filtered in SQL; the status depends on the date and the
    // regime windows, so the registry crate decides it here.
    let rows = state
        .store()
        .registry_certificates(&CertFilter {
            issued_by: Some(as_of),
            tier: q.tier.clone(),
            service_type: q.service_type.clone(),
            regime: q.regime.clone(),
            scheme: q.scheme.clone(),
            service: q.service.clone(),
            provider: q.provider.clone(),
        })
        .await?;
    let page: Arc<[RegistryEntry]> = rows
        .iter()
        .map(|c| entry(c, as_of, state))
        .filter(|e| q.status.as_ref().is_none_or(|s| &e.status == s))
        .collect();
    state
        .registry_pages()
        .put(generation, key, Arc::clone(&page));
    Ok((as_of, page))
}

/// Registry pages as built at one registry generation ([`kcvs_store::Store::registry_generation`]),
/// keyed by the query with its date resolved. A page's content is a function of the certificate
/// rows, the date and the registry context, which is fixed for the server's life; the rows
/// change only when the generation moves, so a page kept under the current generation is the
/// page a fresh read would build. Reading the generation is one indexed row instead of the
/// registry's rows, and the page is not rebuilt.
#[derive(Debug, Default)]
pub struct RegistryPages {
    inner: Mutex<PagesAtGeneration>,
}

#[derive(Debug, Default)]
struct PagesAtGeneration {
    generation: i64,
    pages: HashMap<RegistryQuery, Arc<[RegistryEntry]>>,
}

impl RegistryPages {
    /// Distinct queries kept at once; past it the pages are dropped and built again, so any
    /// number of `as_of` dates a client asks for cannot grow the cache without bound.
    const MAX_PAGES: usize = 512;

    /// How many pages are kept.
    pub fn len(&self) -> usize {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, generation: i64, key: &RegistryQuery) -> Option<Arc<[RegistryEntry]>> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.generation != generation {
            return None;
        }
        inner.pages.get(key).cloned()
    }

    /// Keep `page`, built from rows read at or after `generation`. A reader that saw an older
    /// generation than the cache holds keeps nothing: its rows may predate a write the cache's
    /// generation already counts.
    fn put(&self, generation: i64, key: RegistryQuery, page: Arc<[RegistryEntry]>) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if generation < inner.generation {
            return;
        }
        if generation > inner.generation || inner.pages.len() >= Self::MAX_PAGES {
            inner.pages.clear();
            inner.generation = generation;
        }
        inner.pages.insert(key, page);
    }
}

/// The public registry: certified services with tier, type, scope, dates, status and regime,
/// as of a date.
#[utoipa::path(get, path = "/api/v1/registry", tag = "registry", params(RegistryQuery),
    responses((status = 200, body = RegistryPage), (status = 400, body = Problem)))]
pub async fn registry(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<RegistryQuery>,
) -> ApiResult<Json<RegistryPage>> {
    let (as_of, certificates) = registry_entries(&state, &q).await?;
    Ok(Json(RegistryPage {
        as_of,
        count: certificates.len(),
        certificates,
    }))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The registry as CSV (same filters).
#[utoipa::path(get, path = "/api/v1/registry.csv", tag = "registry", params(RegistryQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem)))]
pub async fn registry_csv(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<RegistryQuery>,
) -> ApiResult<Response> {
    let (_, entries) = registry_entries(&state, &q).await?;
    let mut out = String::from(
        "number,service,provider,regime,scheme,tier,service_type,scope,host,issued,valid_from,valid_until,status,successor,ended_on\n",
    );
    for e in entries.iter() {
        let row = [
            e.number.clone(),
            e.service.clone(),
            e.provider.clone(),
            e.regime.clone(),
            e.scheme.clone(),
            e.tier.clone().unwrap_or_default(),
            e.service_type.clone(),
            e.scope.clone(),
            e.host.clone().unwrap_or_default(),
            e.issued.to_string(),
            e.valid_from.to_string(),
            e.valid_until.to_string(),
            e.status.clone(),
            e.successor.clone().unwrap_or_default(),
            e.ended_on.map(|d| d.to_string()).unwrap_or_default(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    let mut res = out.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"kcvs-registry.csv\""),
    );
    Ok(res)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FeedItem {
    pub id: String,
    pub title: String,
    pub content_text: String,
    pub date_published: String,
    pub url: String,
}

/// A JSON Feed 1.1 of the registry's changes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Feed {
    pub version: String,
    pub title: String,
    pub feed_url: String,
    pub items: Vec<FeedItem>,
}

/// The registry's changes (issues, renewals, revocations, expiries) as a JSON Feed, newest
/// first, from the transparency log.
#[utoipa::path(get, path = "/api/v1/registry/feed.json", tag = "registry",
    responses((status = 200, body = Feed)))]
pub async fn registry_feed(State(state): State<AppState>, _caller: Caller) -> ApiResult<Response> {
    let leaves = state.store().translog().await?;
    let items = leaves
        .iter()
        .rev()
        .take(100)
        .map(|l| {
            let kind = match serde_json::to_value(l.entry.kind) {
                Ok(serde_json::Value::String(s)) => s,
                _ => String::new(),
            };
            FeedItem {
                id: format!("urn:kcvs:translog:{}", l.index),
                title: format!("{} {kind}", l.entry.certificate),
                content_text: format!(
                    "{kind} of certificate {} for {} under {}, effective {}",
                    l.entry.certificate, l.entry.service, l.entry.regime, l.entry.effective
                ),
                date_published: l.entry.logged_at.to_string(),
                url: format!("/api/v1/certificates/{}", l.entry.certificate),
            }
        })
        .collect();
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1".to_owned(),
        title: "kcvs registry".to_owned(),
        feed_url: "/api/v1/registry/feed.json".to_owned(),
        items,
    };
    let mut res = Json(feed).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/feed+json"),
    );
    Ok(res)
}

/// A certificate's signed document (`kcvs cert verify FILE --key KEY` checks it offline).
#[utoipa::path(get, path = "/api/v1/certificates/{number}", tag = "registry",
    params(("number" = String, Path)),
    responses((status = 200, body = Object, description = "`{document, signature}`"), (status = 404, body = Problem)))]
pub async fn certificate(
    State(state): State<AppState>,
    _caller: Caller,
    Path(number): Path<String>,
) -> ApiResult<Response> {
    let doc = state
        .store()
        .certificate(&number)
        .await?
        .and_then(|c| c.document)
        .ok_or_else(|| ApiError::not_found("signed certificate", &number))?;
    let mut res = doc.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicKey {
    pub key_id: String,
    pub algorithm: String,
    /// 32 bytes, lowercase hex.
    pub public_key: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Keys {
    pub keys: Vec<PublicKey>,
}

/// The key certificates and tree heads are signed with.
#[utoipa::path(get, path = "/api/v1/keys", tag = "registry",
    responses((status = 200, body = Keys)))]
pub async fn keys(State(state): State<AppState>, _caller: Caller) -> Json<Keys> {
    let vk = state.signer().key.verifying_key();
    Json(Keys {
        keys: vec![PublicKey {
            key_id: key_id(&vk),
            algorithm: "Ed25519".to_owned(),
            public_key: public_key_hex(&vk),
        }],
    })
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EligibilityQuery {
    /// The date of the decision (default: today in Korea).
    pub as_of: Option<Date>,
    /// The regime (default: the one governing on the date).
    pub regime: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BlockerView {
    /// `no-certificate`, `certificate-problem`, `tier-too-low`, or a requirement kind
    /// (`data-in-korea`, `korean-crypto`, …).
    pub kind: String,
    /// The rule that blocks.
    pub rule: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HostVerdict {
    pub service: String,
    pub provider: String,
    pub name: String,
    /// `eligible`, `evidence-needed`, `not-eligible`.
    pub verdict: String,
    /// The certificate that counts, if any.
    pub certificate: Option<String>,
    pub blockers: Vec<BlockerView>,
    /// Rules the profile does not settle.
    pub evidence_needed: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EligibilityReport {
    pub as_of: Date,
    pub regime: String,
    /// The system's tier under the regime.
    pub tier: Option<String>,
    /// Every registered service, eligible first.
    pub services: Vec<HostVerdict>,
}

/// The registered services' profiles as parsed, each kept with the text it was parsed from.
///
/// Parsing a profile (YAML, then its checks) costs far more than deciding on it, and profiles
/// change rarely, so `/api/v1/eligibility` parses a service again only when its stored text
/// differs from the text cached. Keying on the text rather than on a "changed" signal means a
/// registration or a change is seen by the next request whoever wrote it (this handler, the
/// demo seed, another process on the same PostgreSQL), with no invalidation call to forget.
/// A profile that no longer parses is cached as such and logged once, not on every request.
#[derive(Debug, Default)]
pub struct ProfileCache(Mutex<HashMap<String, CachedProfile>>);

#[derive(Debug)]
struct CachedProfile {
    text: String,
    profile: Option<Arc<ServiceProfile>>,
}

impl ProfileCache {
    /// The parsed profile of each row, in order (`None` for one that does not parse). Services
    /// no longer registered are dropped from the cache.
    pub fn parsed(&self, rows: &[ServiceRow]) -> Vec<Option<Arc<ServiceProfile>>> {
        let cached: Vec<Option<Option<Arc<ServiceProfile>>>> = {
            let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            rows.iter()
                .map(|r| {
                    map.get(&r.id)
                        .filter(|c| c.text == r.profile)
                        .map(|c| c.profile.clone())
                })
                .collect()
        };
        // Parse outside the lock: another request may decide from the cache meanwhile.
        let mut fresh = Vec::new();
        let out = rows
            .iter()
            .zip(cached)
            .map(|(row, hit)| {
                hit.unwrap_or_else(|| {
                    let profile = match kcvs_content::parse_service(&row.id, &row.profile) {
                        Ok(p) => Some(Arc::new(p)),
                        Err(e) => {
                            eprintln!(
                                "kcvs serve: registered service `{}` no longer parses: {}",
                                row.id,
                                load_errors(&e)
                            );
                            None
                        }
                    };
                    fresh.push((row.id.clone(), row.profile.clone(), profile.clone()));
                    profile
                })
            })
            .collect();
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for (id, text, profile) in fresh {
            map.insert(id, CachedProfile { text, profile });
        }
        map.retain(|id, _| rows.iter().any(|r| &r.id == id));
        out
    }

    /// How many services are cached (parsed or known not to parse).
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The registry's certificates replace whatever a registered profile says about the schemes the
/// registry issues; other certifications (ISO 27001, ISMS) stay as declared.
fn with_registry_certificates(
    mut profile: ServiceProfile,
    certs: &[CertificateRow],
    registry_schemes: &[String],
    as_of: Date,
    state: &AppState,
) -> ServiceProfile {
    profile
        .certifications
        .retain(|c| !registry_schemes.iter().any(|s| s == c.scheme.as_str()));
    for c in certs
        .iter()
        .filter(|c| c.service.as_str() == profile.id.as_str() && c.issued <= as_of)
    {
        let status = match c.status_on(as_of, state.ctx()) {
            CertStatus::Revoked { .. } => CertificateStatus::Revoked,
            CertStatus::Surrendered { .. } => CertificateStatus::Withdrawn,
            _ => CertificateStatus::Active,
        };
        let mut model = c.record().to_model(status);
        model.tier = c.tier.clone();
        profile.certifications.push(model);
    }
    profile
}

/// Which registered services may host this system: the engine's eligibility for each service
/// in the registry, with the registry's certificates. The body is a system profile as
/// `kcvs classify` reads it, in JSON.
#[utoipa::path(post, path = "/api/v1/eligibility", tag = "registry", params(EligibilityQuery),
    request_body(content = Object, description = "a system profile (JSON)"),
    responses((status = 200, body = EligibilityReport), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn eligibility_check(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<EligibilityQuery>,
    body: JsonBody<serde_json::Value>,
) -> ApiResult<Json<EligibilityReport>> {
    let text = String::from_utf8_lossy(&body.bytes).into_owned();
    let system =
        kcvs_content::parse_system("system.json", &text).map_err(|e| invalid_profile(&e))?;
    kcvs_content::check_system_overrides("system.json", &text, &system, state.rules())
        .map_err(|e| invalid_profile(&e))?;
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let certs: Vec<CertificateRow> = state
        .store()
        .registry_certificates(&CertFilter {
            issued_by: Some(as_of),
            ..CertFilter::default()
        })
        .await?
        .into_iter()
        .map(|r| r.certificate)
        .collect();
    let schemes: Vec<String> = state
        .ctx()
        .regimes
        .iter()
        .map(|w| w.scheme.to_string())
        .collect();
    let rows = state.store().services().await?;
    let parsed = state.profiles().parsed(&rows);
    let services: Vec<(&ServiceRow, ServiceProfile)> = rows
        .iter()
        .zip(parsed)
        .filter_map(|(row, p)| {
            let p = p?.as_ref().clone();
            Some((
                row,
                with_registry_certificates(p, &certs, &schemes, as_of, &state),
            ))
        })
        .collect();
    let index = ServiceIndex::new(services.iter().map(|(_, p)| p));
    let d = Decider::new(state.rules(), state.assumptions(), as_of, &index);
    let regime = match &q.regime {
        Some(id) => d
            .rules
            .regimes
            .iter()
            .find(|r| r.id.as_str() == id && r.kind == RegimeKind::Scheme)
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "unknown-regime",
                    format!("`{id}` is not a scheme regime"),
                    format!("`{id}`은(는) 인증 제도가 아닙니다"),
                )
            })?,
        None => d.governing_regime().ok_or_else(|| {
            ApiError::unprocessable(
                "no-governing-regime",
                format!("no regime governs on {as_of}; name one with `regime`"),
                format!("{as_of}에 적용되는 제도가 없습니다. `regime`으로 제도를 지정하십시오"),
            )
        })?,
    };
    let mut verdicts: Vec<(kcvs_engine::Verdict, HostVerdict)> = Vec::new();
    let mut tier = None;
    for (row, profile) in &services {
        let e = eligibility(&d, regime, &system, profile);
        tier = regime.tier(e.classification.tier).map(|t| t.id.clone());
        let blockers = e
            .blockers
            .iter()
            .map(|b| BlockerView {
                kind: match b {
                    Blocker::NoCertificate => "no-certificate".to_owned(),
                    Blocker::Certificate { .. } => "certificate-problem".to_owned(),
                    Blocker::TierTooLow { .. } => "tier-too-low".to_owned(),
                    Blocker::Requirement(r) => r.kind.as_str().to_owned(),
                },
                rule: b.rule(regime).to_string(),
            })
            .collect();
        verdicts.push((
            e.verdict,
            HostVerdict {
                service: row.id.clone(),
                provider: row.provider.clone(),
                name: row.name.clone(),
                verdict: e.verdict.as_str().to_owned(),
                certificate: e.certificate.as_ref().and_then(|c| c.number.clone()),
                blockers,
                evidence_needed: e
                    .evidence_needed
                    .iter()
                    .map(|r| r.rule.to_string())
                    .collect(),
            },
        ));
    }
    verdicts.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.service.cmp(&b.1.service)));
    Ok(Json(EligibilityReport {
        as_of,
        regime: regime.id.to_string(),
        tier,
        services: verdicts.into_iter().map(|(_, v)| v).collect(),
    }))
}

/// A proof the log cannot give for the sizes or index asked (the log's own wording, framed in
/// Korean).
fn proof_error(code: &str, e: &impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        code,
        e.to_string(),
        format!("로그가 이 요청에 대한 증명을 만들 수 없습니다: {e}"),
    )
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignedTreeHeadView {
    pub tree_size: u64,
    pub root_hash: String,
    pub timestamp: String,
    pub key_id: String,
    /// Ed25519 over `kcvs-tree-head-v1\0` ‖ size (u64 BE) ‖ root ‖ timestamp ns (i128 BE).
    pub signature: String,
}

async fn signed_head(
    state: &AppState,
    size: Option<u64>,
) -> ApiResult<(
    std::sync::Arc<kcvs_registry::translog::TransparencyLog>,
    kcvs_registry::translog::SignedTreeHead,
)> {
    let log = state.store().transparency_log_shared().await?;
    let size = size.unwrap_or(log.len());
    if size > log.len() {
        return Err(ApiError::bad_request(
            "tree-size-out-of-range",
            format!("the log has {} entries", log.len()),
            format!("로그 항목은 {}개입니다", log.len()),
        ));
    }
    let last = log.entries().last().map(|e| e.logged_at);
    let at = last.map_or(state.now(), |l| l.max(state.now()));
    let root = log
        .tree()
        .root(size)
        .map_err(|e| proof_error("tree-size-out-of-range", &e))?;
    let sth = sign_tree_head(
        TreeHead {
            tree_size: size,
            root_hash: root,
            timestamp: at,
        },
        &state.signer().key,
    );
    Ok((log, sth))
}

/// The signed tree head of the log as it stands.
#[utoipa::path(get, path = "/api/v1/translog/sth", tag = "translog",
    responses((status = 200, body = SignedTreeHeadView)))]
pub async fn sth(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<serde_json::Value>> {
    let (_, sth) = signed_head(&state, None).await?;
    Ok(Json(
        serde_json::to_value(&sth).map_err(ApiError::internal)?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    /// First index (default 0).
    pub start: Option<u64>,
    /// One past the last index (default: the end, at most 1000 after `start`).
    pub end: Option<u64>,
}

/// Log entries by index.
#[utoipa::path(get, path = "/api/v1/translog/entries", tag = "translog", params(EntriesQuery),
    responses((status = 200, body = Object), (status = 400, body = Problem)))]
pub async fn entries(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<EntriesQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let log = state.store().transparency_log_shared().await?;
    let start = q.start.unwrap_or(0);
    let end = q.end.unwrap_or(u64::MAX).min(start.saturating_add(1000));
    let items: Vec<serde_json::Value> = (start..end.min(log.len()))
        .filter_map(|i| {
            let entry = log.entries().get(usize::try_from(i).ok()?)?;
            Some(serde_json::json!({ "index": i, "entry": entry }))
        })
        .collect();
    Ok(Json(serde_json::json!({ "entries": items })))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The leaf index; or give `certificate`.
    pub index: Option<u64>,
    /// The certificate whose latest entry to prove.
    pub certificate: Option<String>,
    /// The tree size to prove against (default: the current size).
    pub tree_size: Option<u64>,
}

/// An inclusion proof for an entry, with the signed head it verifies against.
#[utoipa::path(get, path = "/api/v1/translog/inclusion", tag = "translog", params(InclusionQuery),
    responses((status = 200, body = Object, description = "`{index, entry, leaf_hash, proof, sth}`"), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn inclusion(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let (log, sth) = signed_head(&state, q.tree_size).await?;
    let index = match (q.index, &q.certificate) {
        (Some(i), _) => i,
        (None, Some(c)) => log
            .entries()
            .iter()
            .rposition(|e| e.certificate.as_str() == c)
            .map(|i| i as u64)
            .ok_or_else(|| ApiError::not_found("log entry for certificate", c))?,
        (None, None) => {
            return Err(ApiError::bad_request(
                "invalid-query",
                "give `index` or `certificate`",
                "`index`나 `certificate`를 주십시오",
            ));
        }
    };
    let entry = log
        .entries()
        .get(usize::try_from(index).unwrap_or(usize::MAX))
        .ok_or_else(|| ApiError::not_found("log entry", &index.to_string()))?;
    let proof = log
        .prove_inclusion(index, &sth.head)
        .map_err(|e| proof_error("invalid-query", &e))?;
    let data =
        kcvs_registry::translog::TransparencyLog::entry_data(entry).map_err(ApiError::internal)?;
    Ok(Json(serde_json::json!({
        "index": index,
        "entry": entry,
        "leaf_hash": leaf_hash(&data),
        "proof": proof,
        "sth": sth,
    })))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    pub first: u64,
    /// Default: the current size.
    pub second: Option<u64>,
}

/// A consistency proof between two tree sizes, with the roots.
#[utoipa::path(get, path = "/api/v1/translog/consistency", tag = "translog", params(ConsistencyQuery),
    responses((status = 200, body = Object, description = "`{first, second, first_root, second_root, proof, sth}`"), (status = 400, body = Problem)))]
pub async fn consistency(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let (log, sth) = signed_head(&state, q.second).await?;
    let second = sth.head.tree_size;
    let proof = log
        .tree()
        .consistency_proof(q.first, second)
        .map_err(|e| proof_error("invalid-query", &e))?;
    let first_root = log
        .tree()
        .root(q.first)
        .map_err(|e| proof_error("invalid-query", &e))?;
    Ok(Json(serde_json::json!({
        "first": q.first,
        "second": second,
        "first_root": first_root,
        "second_root": sth.head.root_hash,
        "proof": proof,
        "sth": sth,
    })))
}
