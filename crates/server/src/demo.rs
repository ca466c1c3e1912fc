//! `kcvs serve --demo`: a registry a new user can look at straight away. The example service
//! profiles (`examples/services/`, embedded) are registered, their CSAP certificates recorded as
//! issued with their own numbers and dates (signed and logged), agencies designated, a
//! committee of six appointed (one with a declared conflict), one application under way, and a
//! few users per role created with random passwords, which are returned to be printed.
//!
//! A tiered certificate in force comes in as a case of its own (the registry's
//! `import-certificate` event, application id `app-import-<number>`), so the authority can hold
//! a hearing on it and revoke it, and the holder can renew or surrender it, as with one issued
//! here. Two kinds stay plain records without a case: the pre-tier ones (no tier to sign, so no
//! document) and the one the example already marks revoked.
//!
//! Seeding happens only on a store with no users, so restarting with `--demo` changes nothing.

use kcvs_registry::agency::{AgencyEvent, AgencyEventKind, AgencyKind, Capacity};
use kcvs_registry::committee::{Affiliation, ConflictKind, Declaration, Member};
use kcvs_registry::lifecycle::{Application, Event, EventKind, HostCertificate, ServiceType};
use kcvs_registry::{
    AgencyId, ApplicationId, CertificateNumber, Date, MemberId, ProviderId, RegimeRef, SchemeRef,
    ServiceRef,
};
use kcvs_store::{Begin, CertificateRow, EndCause, NewUser, ServiceRow, StoredResponse, WriteTx};

use crate::AppState;
use crate::auth::{hash_password, random_hex};
use crate::error::{ApiError, ApiResult};
use crate::routes::applications::provider_of;

/// The example service profiles, embedded at build time.
pub const SERVICES: &[(&str, &str)] = &[
    (
        "aws-seoul-iaas",
        include_str!("../../../examples/services/aws-seoul-iaas.yaml"),
    ),
    (
        "daehan-iaas-legacy",
        include_str!("../../../examples/services/daehan-iaas-legacy.yaml"),
    ),
    (
        "dasom-saas-simple-pretier",
        include_str!("../../../examples/services/dasom-saas-simple-pretier.yaml"),
    ),
    (
        "fin-saas-collab",
        include_str!("../../../examples/services/fin-saas-collab.yaml"),
    ),
    (
        "gaon-iaas-aes",
        include_str!("../../../examples/services/gaon-iaas-aes.yaml"),
    ),
    (
        "hanbit-gov-iaas",
        include_str!("../../../examples/services/hanbit-gov-iaas.yaml"),
    ),
    (
        "hanbit-saas-docs",
        include_str!("../../../examples/services/hanbit-saas-docs.yaml"),
    ),
    (
        "mirae-iaas-pretier",
        include_str!("../../../examples/services/mirae-iaas-pretier.yaml"),
    ),
    (
        "nuri-daas",
        include_str!("../../../examples/services/nuri-daas.yaml"),
    ),
    (
        "nuri-saas-on-orbit",
        include_str!("../../../examples/services/nuri-saas-on-orbit.yaml"),
    ),
    (
        "orbit-iaas",
        include_str!("../../../examples/services/orbit-iaas.yaml"),
    ),
    (
        "saehan-saas-revoked",
        include_str!("../../../examples/services/saehan-saas-revoked.yaml"),
    ),
    (
        "skyline-saas-on-aws",
        include_str!("../../../examples/services/skyline-saas-on-aws.yaml"),
    ),
];

/// A user the demo created, with the password to print.
#[derive(Clone, Debug)]
pub struct DemoUser {
    pub username: String,
    pub role: String,
    pub password: String,
}

async fn tx(state: &AppState) -> ApiResult<WriteTx> {
    match state.store().begin_write("demo", state.now(), None).await? {
        Begin::Fresh(tx) => Ok(tx),
        Begin::Replay(_) => Err(ApiError::internal("demo: replay without a key")),
    }
}

fn done() -> StoredResponse {
    StoredResponse {
        status: 200,
        body: String::new(),
    }
}

fn registry_service_type(m: kcvs_model::ServiceType) -> ServiceType {
    match m {
        kcvs_model::ServiceType::Iaas => ServiceType::Iaas,
        kcvs_model::ServiceType::SaasStandard => ServiceType::SaasStandard,
        kcvs_model::ServiceType::SaasSimplified => ServiceType::SaasSimplified,
        kcvs_model::ServiceType::Daas => ServiceType::Daas,
        kcvs_model::ServiceType::Paas => ServiceType::Paas,
    }
}

async fn add_user(
    t: &mut WriteTx,
    users: &mut Vec<DemoUser>,
    cost: crate::auth::PasswordCost,
    username: &str,
    role: &str,
    provider: Option<&str>,
    display: &str,
) -> ApiResult<String> {
    let password = format!("kcvs-{}", random_hex(8)?);
    let id = format!("usr-{username}");
    t.create_user(&NewUser {
        id: id.clone(),
        username: username.to_owned(),
        password_hash: hash_password(&password, cost)?,
        role: role.to_owned(),
        provider: provider.map(str::to_owned),
        display_name: display.to_owned(),
    })
    .await?;
    users.push(DemoUser {
        username: username.to_owned(),
        role: role.to_owned(),
        password,
    });
    Ok(id)
}

/// Seed an empty store; `None` if it already has users.
pub async fn seed(state: &AppState) -> ApiResult<Option<Vec<DemoUser>>> {
    if !state.store().users().await?.is_empty() {
        return Ok(None);
    }
    let today = state.today();
    let cost = state.config().password_cost;
    let mut users = Vec::new();
    let mut user_ids = std::collections::BTreeMap::new();
    let mut t = tx(state).await?;

    user_ids.insert(
        "admin",
        add_user(
            &mut t,
            &mut users,
            cost,
            "admin",
            "admin",
            None,
            "Authority administrator",
        )
        .await?,
    );
    user_ids.insert(
        "evaluator1",
        add_user(
            &mut t,
            &mut users,
            cost,
            "evaluator1",
            "evaluator",
            None,
            "Evaluator, KTL (fictional)",
        )
        .await?,
    );
    user_ids.insert(
        "evaluator2",
        add_user(
            &mut t,
            &mut users,
            cost,
            "evaluator2",
            "evaluator",
            None,
            "Evaluator, TTA (fictional)",
        )
        .await?,
    );
    for p in ["hanbit", "mirae", "gaon", "nuri", "aws"] {
        let name = format!("{p}-provider");
        let id = add_user(
            &mut t,
            &mut users,
            cost,
            &name,
            "provider",
            Some(p),
            &format!("Provider {p}"),
        )
        .await?;
        user_ids.insert(if p == "gaon" { "gaon" } else { "other" }, id);
    }
    let committee: [(&str, Affiliation, Option<&str>); 6] = [
        ("member1", Affiliation::Industry, None),
        ("member2", Affiliation::Industry, Some("hanbit")),
        ("member3", Affiliation::Academia, None),
        ("member4", Affiliation::ResearchInstitute, None),
        ("member5", Affiliation::MsitRecommendedOfficial, None),
        ("member6", Affiliation::Academia, None),
    ];
    let mut members = Vec::new();
    for (name, aff, conflict) in committee {
        let uid = add_user(
            &mut t,
            &mut users,
            cost,
            name,
            "committee",
            None,
            &format!("Committee {name}"),
        )
        .await?;
        members.push((name, aff, conflict, uid));
    }
    for (name, affiliation, conflict, uid) in &members {
        let member = Member {
            id: MemberId::new(*name),
            name: format!("Committee {name}"),
            affiliation: *affiliation,
            term_from: today.first_of_year(),
            term_until: today
                .last_of_year()
                .checked_add(jiff::Span::new().years(1))
                .unwrap_or(today),
            declarations: conflict
                .map(|p| Declaration {
                    provider: ProviderId::new(p),
                    kind: ConflictKind::Employer,
                    declared: today.first_of_year(),
                })
                .into_iter()
                .collect(),
        };
        t.add_member(&member, Some(uid)).await?;
    }
    let capacity = Capacity {
        dedicated_unit: true,
        dedicated_experts: 12,
        security_measures: true,
        financial_capacity: true,
    };
    for (id, name, kind) in [
        (
            "kisa",
            "Korea Internet & Security Agency",
            AgencyKind::Certification,
        ),
        (
            "ktl",
            "Korea Testing Laboratory (fictional evaluation unit)",
            AgencyKind::Evaluation,
        ),
        (
            "tta",
            "TTA (fictional evaluation unit)",
            AgencyKind::Evaluation,
        ),
    ] {
        t.agency_event(
            id,
            AgencyEvent {
                date: today.first_of_year(),
                kind: AgencyEventKind::Designate {
                    agency: AgencyId::new(id),
                    name: name.to_owned(),
                    kind,
                    capacity: capacity.clone(),
                },
            },
        )
        .await?;
    }
    t.commit(&done()).await?;

    // Services and their CSAP certificates, hosts first so a SaaS can name its IaaS's number.
    let mut profiles = Vec::new();
    for (file, text) in SERVICES {
        let p = kcvs_content::parse_service(file, text)
            .map_err(|e| ApiError::internal(crate::routes::applications::load_errors(&e)))?;
        profiles.push((p, *text));
    }
    let mut t = tx(state).await?;
    let csap_of = |id: &str| -> Option<&kcvs_model::Certificate> {
        profiles
            .iter()
            .find(|(p, _)| p.id.as_str() == id)
            .and_then(|(p, _)| {
                p.certifications
                    .iter()
                    .find(|c| c.scheme.as_str() == "csap")
            })
    };
    let csap_number = |id: &str| csap_of(id).and_then(|c| c.number.clone());
    for (p, text) in &profiles {
        t.register_service(&ServiceRow {
            id: p.id.to_string(),
            provider: provider_of(p.id.as_str()),
            name: p.name.clone(),
            profile: (*text).to_owned(),
        })
        .await?;
    }
    for (p, _) in &profiles {
        for (i, c) in p
            .certifications
            .iter()
            .filter(|c| c.scheme.as_str() == "csap")
            .enumerate()
        {
            let service_type = c
                .service_type
                .or(p.service_type)
                .map(registry_service_type)
                .unwrap_or(ServiceType::Iaas);
            let revoked = c.status == kcvs_model::CertificateStatus::Revoked;
            let row = CertificateRow {
                number: CertificateNumber::new(
                    c.number
                        .clone()
                        .unwrap_or_else(|| format!("CSAP-IMPORTED-{}-{i}", p.id)),
                ),
                application: None,
                provider: ProviderId::new(provider_of(p.id.as_str())),
                service: ServiceRef::new(p.id.as_str()),
                regime: RegimeRef::new("csap-2023"),
                scheme: SchemeRef::new("csap"),
                tier: c.tier.clone(),
                service_type,
                scope: p.name.clone(),
                host: p
                    .runs_on
                    .as_ref()
                    .and_then(|h| csap_number(h.as_str()))
                    .map(CertificateNumber::new),
                issued: c.issued,
                valid_from: c.issued,
                valid_until: c.expires,
                renews: None,
                ended_on: revoked.then_some(today.min(c.expires)),
                end_cause: revoked.then_some(EndCause::Revoked {
                    ground: kcvs_registry::lifecycle::RevocationGround::CriteriaNoLongerMet,
                }),
                document: None,
                source: "imported".to_owned(),
            };
            if revoked || row.tier.is_none() {
                t.import_certificate(&row, today, state.ctx(), state.signer())
                    .await?;
                continue;
            }
            // A tiered certificate in force: a case of its own, so it can be heard and revoked.
            let host = p.runs_on.as_ref().and_then(|h| {
                let c = csap_of(h.as_str())?;
                Some(HostCertificate {
                    service: ServiceRef::new(h.as_str()),
                    number: CertificateNumber::new(c.number.clone()?),
                    scheme: SchemeRef::new("csap"),
                    tier: c.tier.clone().unwrap_or_default(),
                    issued: c.issued,
                    valid_until: c.expires,
                    revoked: c.status == kcvs_model::CertificateStatus::Revoked,
                })
            });
            let application = Application {
                id: ApplicationId::new(format!(
                    "app-import-{}",
                    row.number.as_str().to_lowercase()
                )),
                provider: row.provider.clone(),
                service: row.service.clone(),
                regime: row.regime.clone(),
                tier: row.tier.clone().unwrap_or_default(),
                service_type,
                scope: row.scope.clone(),
                host,
            };
            let import = EventKind::ImportCertificate {
                application,
                number: row.number.clone(),
                issued: row.issued,
                valid_until: row.valid_until,
            };
            // Dated the issue day (today for one issued later): the server's expiry sweep
            // dates an expiry the day after the term, which must not come before the case's
            // first event, even for a certificate that lapsed before the demo was seeded.
            let on = row.issued.min(today);
            t.import_certified_case(Event::new(on, import), state.ctx(), state.signer())
                .await?;
        }
    }
    t.commit(&done()).await?;

    // One application under way, so the timeline and the evaluator's view are not empty.
    if let Some(w) = state
        .ctx()
        .regimes
        .iter()
        .find(|w| w.binding && w.open_on(today))
    {
        let mut t = tx(state).await?;
        let id = ApplicationId::new("app-demo-gaon");
        let app = Application {
            id: id.clone(),
            provider: ProviderId::new("gaon"),
            service: ServiceRef::new("gaon-iaas-aes"),
            regime: w.regime.clone(),
            tier: w.tiers.last().cloned().unwrap_or_else(|| "high".to_owned()),
            service_type: ServiceType::Iaas,
            scope: "IaaS, Gaon region, upgrade to the highest tier".to_owned(),
            host: None,
        };
        t.submit_application(app, today, state.ctx()).await?;
        if let Some(ev) = user_ids.get("evaluator1") {
            t.assign_evaluator(id.as_str(), ev).await?;
        }
        t.commit(&done()).await?;
    }
    Ok(Some(users))
}

/// The first day the demo's dates use.
pub fn first_day(today: Date) -> Date {
    today.first_of_year()
}
