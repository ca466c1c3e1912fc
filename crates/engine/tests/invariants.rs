//! Invariants of the decisions, checked exhaustively where the space is small and by property
//! tests where it is not.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use kcvs_engine::compiled::{CompiledRegime, decide};
use kcvs_engine::diff::{ServiceClass, diff_hosts};
use kcvs_engine::*;
use kcvs_model::*;
use proptest::prelude::*;

/// Adding a data category never lowers a tier, under any regime, over all 2^14 sets.
#[test]
fn adding_a_category_never_lowers_a_tier() {
    let rules = rules();
    for regime in rules.regimes.iter().filter(|r| !r.tiers.is_empty()) {
        for bits in 0..DataSet::SPACE {
            let data = DataSet::from_bits(bits as u16);
            let tier = classify::rules_tier(regime, data);
            for c in DataCategory::ALL {
                let more = classify::rules_tier(regime, data.with(*c));
                assert!(
                    more >= tier,
                    "{}: adding {c} to {:?} lowered the tier",
                    regime.id,
                    data
                );
            }
        }
    }
}

fn arb_date() -> impl Strategy<Value = Date> {
    (0i64..(365 * 8)).prop_map(|days| {
        date("2022-06-01")
            .checked_add(jiff::Span::new().days(days))
            .expect("in range")
    })
}

fn arb_system() -> impl Strategy<Value = SystemProfile> {
    (
        0u16..(DataSet::SPACE as u16),
        any::<bool>(),
        prop::option::of(0usize..TransferGround::ALL.len()),
        prop::option::of((0usize..3, any::<bool>())),
    )
        .prop_map(|(bits, financial, ground, ov)| SystemProfile {
            id: SystemId::new("p"),
            name: String::new(),
            institution: if financial {
                InstitutionKind::FinancialInstitution
            } else {
                InstitutionKind::LocalGovernment
            },
            sector: Sector::General,
            data: DataSet::from_bits(bits),
            overrides: ov
                .map(|(t, scoped)| TierOverride {
                    regime: scoped.then(|| RegimeId::new("csap-2023")),
                    tier: ["low", "medium", "high"][t].to_owned(),
                    reason: String::new(),
                })
                .into_iter()
                .collect(),
            transfer_ground: ground.map(|g| TransferGround::ALL[g]),
        })
}

/// A service class profile, sometimes with a location made unknown, a certificate revoked or
/// expired, to reach the three-valued and certificate paths.
fn arb_service(classes: usize) -> impl Strategy<Value = (usize, u8)> {
    (0..classes, 0u8..6)
}

fn perturb(mut s: ServiceProfile, how: u8) -> ServiceProfile {
    match how {
        1 => s.backup_locations = vec![Location::parse("nowhere:x").expect("location")],
        2 => s.data_locations.clear(),
        3 => s
            .certifications
            .iter_mut()
            .for_each(|c| c.status = CertificateStatus::Revoked),
        4 => s.separation = None,
        _ => {}
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// The compiled verdict equals the explained verdict, for every scheme regime.
    #[test]
    fn compiled_agrees_with_explained(
        system in arb_system(),
        (class, how) in arb_service(20_736),
        as_of in arb_date(),
        kcmvp in any::<bool>(),
        staff in any::<bool>(),
        carry in any::<bool>(),
    ) {
        let rules = rules_once();
        let mut a = defaults(rules);
        a.set(&AssumptionId::new("csap.kcmvp-required"), AssumptionValue::Flag(kcmvp));
        a.set(&AssumptionId::new("csap.ops-personnel-in-korea"), AssumptionValue::Flag(staff));
        a.set(&AssumptionId::new("nis-2027.criteria-carry-over"), AssumptionValue::Flag(carry));
        let classes = ServiceClass::all();
        let service = perturb(classes[class].profile(as_of), how);
        let hosts = diff_hosts(as_of);
        let idx = ServiceIndex::new(hosts.iter());
        let d = Decider::new(rules, &a, as_of, &idx);
        for regime in rules.regimes.iter().filter(|r| r.kind == RegimeKind::Scheme) {
            let explained = eligibility(&d, regime, &system, &service).verdict;
            let c = CompiledRegime::new(&d, regime);
            let compiled = decide(&c.system(&system), &c.service(&d, &service));
            prop_assert_eq!(explained, compiled, "regime {}", regime.id);
        }
    }

    /// A certificate past its expiry never makes a service eligible.
    #[test]
    fn expired_certificates_never_make_a_service_eligible(
        system in arb_system(),
        (class, _) in arb_service(20_736),
        issued in arb_date(),
        days_after in 1i64..2000,
    ) {
        let rules = rules_once();
        let a = defaults(rules);
        let classes = ServiceClass::all();
        let mut service = classes[class].profile(issued);
        service.model = ServiceModel::Iaas;
        service.runs_on = None;
        let expires = service.certifications.first().map(|c| c.expires);
        if let Some(expires) = expires {
            let as_of = expires.checked_add(jiff::Span::new().days(days_after)).expect("in range");
            let idx = ServiceIndex::default();
            let d = Decider::new(rules, &a, as_of, &idx);
            for regime in rules.regimes.iter().filter(|r| r.kind == RegimeKind::Scheme) {
                let e = eligibility(&d, regime, &system, &service);
                prop_assert_ne!(e.verdict, Verdict::Eligible, "regime {}", regime.id);
            }
        }
    }
}

fn rules_once() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(rules)
}
